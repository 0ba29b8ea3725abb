"""The language switch is on screen at a projector's 1280×720 without scrolling (issue 13:
the nineteen pages of the menu pushed it below the fold), signed out and in, RO and EN."""

from __future__ import annotations

import pytest
from test_national_pages_browser import wait_for_app

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "lang"), [("", "ro"), ("indicators", "en"), ("data-sources", "ro")]
)
def test_the_language_switch_is_above_the_fold_at_1280x720(app_url, web, path, lang):
    web.set_viewport_size({"width": 1280, "height": 720})
    web.goto(f"{app_url}/{path}?lang={lang}")
    wait_for_app(web)
    sidebar = web.locator("[data-testid=stSidebar]")
    for label in ("Română", "English"):
        button = sidebar.locator("button", has_text=label).first
        button.wait_for(timeout=30_000)
        box = button.bounding_box()
        assert box is not None, label
        assert box["y"] >= 0 and box["y"] + box["height"] <= 720, (label, box)
    # The whole menu is still reachable: its list scrolls within the sidebar.
    items = sidebar.locator("[data-testid=stSidebarNavItems]")
    assert items.evaluate("e => e.scrollHeight > 0")
