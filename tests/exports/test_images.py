"""PNG and SVG through kaleido and Chromium; where the browser is missing or broken, a
clear reason and `ImageExportError` instead of a failure deep in kaleido or a hang.

The export tests need Debian's chromium: without it they skip with the reason, and
under CI=true they fail, so CI cannot pass by skipping them."""

from __future__ import annotations

import os
import struct
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import plotly.graph_objects as go
import pytest

from dih_dash.exports import images
from dih_dash.exports.images import (
    ImageExportError,
    chart_image,
    find_browser,
    image_export_available,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def figure() -> go.Figure:
    return go.Figure(go.Bar(x=["România", "UE"], y=[44.3, 71.4]), layout={"title": "DII"})


@pytest.fixture
def needs_browser() -> None:
    available, reason = image_export_available()
    if not available:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def no_browser_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """BROWSER_PATH names a missing file and PATH holds no browser."""
    empty = tmp_path / "bin"
    empty.mkdir()
    missing = tmp_path / "nowhere" / "chromium"
    monkeypatch.setenv("BROWSER_PATH", str(missing))
    monkeypatch.setenv("PATH", str(empty))
    return missing


@pytest.fixture
def fresh_renderer() -> Iterator[None]:
    """Tests that start browsers of their own leave no browser behind."""
    images.shutdown()
    yield
    images.shutdown()


def fake_browser(folder: Path, name: str, script: str) -> Path:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_png_of_a_figure_at_the_requested_size(needs_browser, figure):
    data = chart_image(figure, "png", width=1600, height=900)
    assert data[:8] == PNG_MAGIC
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (1600, 900)


def test_svg_of_a_figure_is_an_svg_document(needs_browser, figure):
    data = chart_image(figure, "svg", width=800, height=450)
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("800", "450")
    assert "România" in data.decode("utf-8")


def test_an_unknown_format_is_refused(figure):
    with pytest.raises(ValueError, match="png"):
        chart_image(figure, "jpeg")  # type: ignore[arg-type]


def test_no_browser_gives_false_and_a_reason_naming_what_was_tried(no_browser_anywhere):
    available, reason = image_export_available()
    assert available is False
    assert f"BROWSER_PATH={no_browser_anywhere}" in reason
    assert "chromium" in reason and "PATH" in reason
    assert "apt-get install chromium" in reason
    assert "\n" not in reason


def test_without_a_browser_an_export_raises_the_same_reason(no_browser_anywhere, figure):
    started = time.monotonic()
    with pytest.raises(ImageExportError, match="BROWSER_PATH") as raised:
        chart_image(figure, "png")
    assert time.monotonic() - started < 5
    assert str(raised.value) == image_export_available()[1]


def test_browser_path_wins_and_the_path_search_is_the_fallback(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    on_path = fake_browser(folder, "chromium-browser", "exit 0")
    elsewhere = fake_browser(tmp_path, "my-chrome", "exit 0")
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setenv("BROWSER_PATH", str(elsewhere))
    assert find_browser() == (str(elsewhere), "")
    monkeypatch.delenv("BROWSER_PATH")
    assert find_browser() == (str(on_path), "")
    assert image_export_available() == (True, "")
    # A wrong BROWSER_PATH does not stop the PATH search.
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "missing"))
    assert find_browser() == (str(on_path), "")


def test_a_browser_that_dies_at_start_gives_an_error_not_a_hang(
    tmp_path, monkeypatch, figure, fresh_renderer
):
    dying = fake_browser(tmp_path, "chromium", "exit 1")
    monkeypatch.setenv("BROWSER_PATH", str(dying))
    monkeypatch.setattr(images, "START_TIMEOUT", 10.0)
    started = time.monotonic()
    with pytest.raises(ImageExportError, match=f"the browser {dying}"):
        chart_image(figure, "png", timeout=10)
    assert time.monotonic() - started < 20


def test_a_browser_that_never_answers_times_out(tmp_path, monkeypatch, figure, fresh_renderer):
    silent = fake_browser(tmp_path, "chromium", "exec sleep 600")
    monkeypatch.setenv("BROWSER_PATH", str(silent))
    monkeypatch.setattr(images, "START_TIMEOUT", 3.0)
    started = time.monotonic()
    with pytest.raises(ImageExportError, match="did not start within 3 s"):
        chart_image(figure, "png", timeout=3)
    assert time.monotonic() - started < 15
    assert images._renderer is None, "the broken browser is dropped, the next call starts anew"
