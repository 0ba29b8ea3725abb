"""`dih-dash report`: the deck and the report from the command line, with progress on
stderr, the file written whole or not at all, and small groups hidden with --public."""

from __future__ import annotations

import html
import io
from pathlib import Path

import pytest
from pptx import Presentation
from support.deck_data import deck_settings, demo_store, small_store

from dih_dash.charts.members import members_text
from dih_dash.cli import main
from dih_dash.exports.deck import load_slide_specs
from dih_dash.i18n import Translator
from dih_dash.settings import PROJECT_ROOT

SPECS = len(load_slide_specs(PROJECT_ROOT / "config" / "slides.toml"))


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated data folder and default store; --db points at the store under test."""
    monkeypatch.setenv("DIH_DASH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIH_DASH_DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'default.sqlite'}")
    monkeypatch.delenv("DIH_DASH_MIN_GROUP_SIZE", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def demo_db(env: Path) -> str:
    return demo_store(deck_settings(env / "demo"))


@pytest.fixture
def small_db(env: Path) -> str:
    return small_store(deck_settings(env / "small"), count=3)


def test_a_romanian_deck_with_progress_on_stderr(env, demo_db, capsys):
    out = env / "d.pptx"
    code = main(["report", "--format", "pptx", "--lang", "ro", "--out", str(out), "--db", demo_db])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    prs = Presentation(io.BytesIO(out.read_bytes()))
    assert len(prs.slides) == SPECS + 1  # the cover
    assert (
        prs.slides[1].shapes.title.text_frame.text == "România vs UE la țintele deceniului digital"
    )
    lines = captured.err.splitlines()
    total = SPECS + 1
    assert lines[0].startswith(f"[{'-' * 20}] 0/{total} ")
    assert f'writing slide 1/{SPECS} "România vs UE la țintele deceniului digital"' in captured.err
    assert lines[-1] == f"[{'#' * 20}] {total}/{total} done"
    assert f"{out}: {SPECS + 1} slides" in captured.out
    assert [p.name for p in env.iterdir() if p.name.startswith(".d.pptx")] == [], "no temp file"


def test_an_english_html_report(env, demo_db, capsys):
    out = env / "report.html"
    code = main(["report", "--format", "html", "--lang", "en", "--out", str(out), "--db", demo_db])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in text
    assert "Romania vs the EU on the Digital Decade targets" in text
    assert f"{out}: {SPECS} slides" in captured.out


def test_public_hides_groups_below_the_minimum_size_and_staff_reports_show_them(
    env, small_db, capsys
):
    tr = Translator("en")
    group = tr("deck.members_10plus", wave="T0")
    hidden = tr("deck.hidden_groups", groups=group, members=members_text(tr, 5))

    public, staff = env / "public.html", env / "staff.html"
    base = ["report", "--format", "html", "--lang", "en", "--db", small_db]
    assert main([*base, "--out", str(public), "--public"]) == 0
    assert main([*base, "--out", str(staff)]) == 0
    capsys.readouterr()

    public_text = public.read_text(encoding="utf-8")
    staff_text = staff.read_text(encoding="utf-8")
    assert html.escape(hidden) in public_text
    assert f"<th scope='row'>{html.escape(group)}</th>" not in public_text
    assert html.escape(hidden) not in staff_text
    assert f"<th scope='row'>{html.escape(group)}</th>" in staff_text
    for text in (public_text, staff_text):
        assert "Firma Secretă" not in text and "RO0" not in text


def test_a_broken_slides_file_exits_1_with_its_name(env, demo_db, monkeypatch, capsys):
    slides = env / "slides.toml"
    slides.write_text('[[slide]]\nkind = "pie_chart"\n', encoding="utf-8")
    monkeypatch.setenv("DIH_DASH_SLIDES_FILE", str(slides))
    out = env / "deck.pptx"
    out.write_bytes(b"the last good deck")
    code = main(["report", "--format", "pptx", "--out", str(out), "--db", demo_db])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.splitlines()[-1].startswith(f"dih-dash report: {slides}: slide 1 ")
    assert out.read_bytes() == b"the last good deck"


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temp_file(
    env, demo_db, monkeypatch, capsys
):
    out = env / "deck.pptx"
    out.write_bytes(b"the last good deck")

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("dih_dash.cli.reports.os.replace", full_disk)
    code = main(["report", "--format", "pptx", "--out", str(out), "--db", demo_db])
    captured = capsys.readouterr()
    assert code == 1
    assert "No space left on device" in captured.err.splitlines()[-1]
    assert out.read_bytes() == b"the last good deck"
    assert sorted(p.name for p in env.iterdir() if p.name.startswith(".deck")) == []


def test_an_output_folder_that_does_not_exist_is_refused_before_any_work(env, capsys):
    out = env / "no-such-folder" / "deck.pptx"
    code = main(["report", "--format", "pptx", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err == (
        f"dih-dash report: cannot write {out}: the folder {out.parent} does not exist\n"
    )
    assert not out.parent.exists()
