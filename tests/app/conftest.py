"""AppTest helpers: run app.py on a chosen page, language and URL, on an isolated data
folder (the bundled snapshot, an empty store), so tests never touch the developer's data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import APP


@pytest.fixture(autouse=True)
def isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DIH_DASH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DIH_DASH_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    monkeypatch.setenv("DIH_DASH_AUTO_LOAD_DEMO", "0")
    return tmp_path


@pytest.fixture
def open_page() -> Callable[..., AppTest]:
    def run(page: str | None, lang: str = "ro", *, admin: bool = False, **query: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.query_params["lang"] = lang
        if admin:
            at.session_state["admin_name"] = "Ana Test"
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        if page is not None:
            # A page switch clears the URL, as in the browser; the page's own parameters are
            # set again before the page runs.
            at.switch_page(f"app_pages/{page}.py")
            for key, value in query.items():
                at.query_params[key] = value
            at.run()
        return at

    return run


@pytest.fixture
def recorded_downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """file name -> the callable a deferred download button registers; calling it makes the
    file as a click would. Clear it between runs to keep one page's files."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def recording(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        made[str(file_name)] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return made
