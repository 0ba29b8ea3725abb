"""Every page's title is its menu name (issue 13: "menu names differ from page titles"), in
both languages: read from app.py's `page(path, key, …)` calls and each page's `st.title`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dih_dash.i18n import Translator

ROOT = Path(__file__).resolve().parents[2]


def pages() -> list[tuple[str, str]]:
    """(page file, nav key) for every page app.py registers."""
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    found = re.findall(r'page\(\s*"(app_pages/[a-z_0-9]+\.py)",\s*"([a-z_0-9]+)"', source)
    assert len(found) >= 18, found
    return found


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_each_page_title_is_its_menu_name(lang: str) -> None:
    tr = Translator(lang)
    checked = 0
    for path, nav in pages():
        if path.endswith("sign_in.py"):  # its menu name says the state: sign in / signed in
            continue
        text = (ROOT / path).read_text(encoding="utf-8")
        title = re.search(r'st\.title\(tr\("([a-z_.0-9]+)"\)\)', text)
        if title is None:  # the presentation shows its slides' titles
            continue
        assert tr(title.group(1)) == tr(f"nav.{nav}"), (path, lang)
        checked += 1
    assert checked >= 14
