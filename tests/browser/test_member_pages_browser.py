"""The member pages in a real browser: the public view (charts, no company names, no
request leaving the machine — the county map included) and the admin sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import _require_browser, start_app
from support.processes import stop
from test_national_pages_browser import wait_for_app

from dih_dash.auth import hash_password

pytestmark = pytest.mark.browser
PASSWORD = "parola-de-test-a-hubului"
PUBLIC_PAGES = ["members", "cohort", "progress", "counties"]


@pytest.fixture(scope="module")
def member_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the demo cohort (fictional names start with "Demo ") and an admin."""
    _require_browser()
    process, base = start_app(
        tmp_path_factory.mktemp("member-app"),
        {"DIH_DASH_ADMIN_PASSWORD_HASH": hash_password(PASSWORD), "DIH_DASH_AUTO_LOAD_DEMO": "1"},
    )
    try:
        yield base
    finally:
        stop(process)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_member_page(member_app, web, path):
    web.goto(f"{member_app}/{path}?lang=en")
    wait_for_app(web)
    assert web.locator("[data-testid=stException]").count() == 0
    assert web.locator("[role=dialog]").count() == 0, "no 'Page not found' or other dialog"
    assert web.locator(".js-plotly-plot").count() >= 1
    shown = web.locator("[data-testid=stMain]").inner_text()
    assert "Demo data" in shown, "the demo cohort is labelled"
    assert "Demo Mobila" not in shown and "DEMO-0" not in shown.replace("DEMO-…", "")
    assert web.external_requests == [], "offline: no tiles, fonts or CDN"


def test_county_map_draws_offline(member_app, web):
    web.goto(f"{member_app}/counties?lang=ro")
    wait_for_app(web)
    web.wait_for_selector(
        ".js-plotly-plot .maplibregl-canvas, .js-plotly-plot canvas", timeout=60_000
    )
    assert web.external_requests == []


def test_sign_in_then_upload_page(member_app, web):
    web.goto(f"{member_app}/upload?lang=en")
    web.wait_for_selector("[data-testid=stApp]")
    web.get_by_text("This page is for hub staff").wait_for(timeout=60_000)
    assert web.locator("[data-testid=stFileUploader]").count() == 0

    web.goto(f"{member_app}/sign-in?lang=en")
    name = web.get_by_role("textbox", name="Your name (recorded in the import log)")
    password = web.locator("input[aria-label='Admin password']")
    password.wait_for(timeout=60_000)
    name.fill("Ana")
    password.fill("wrong")
    web.get_by_role("button", name="Sign in").click()
    web.get_by_text("Wrong password").wait_for(timeout=30_000)

    # The failure imposed a one-second delay, which the server already waited out.
    name.fill("Ana")
    password.fill(PASSWORD)
    web.get_by_role("button", name="Sign in").click()
    web.get_by_text("Signed in as Ana").wait_for(timeout=30_000)

    web.get_by_role("link", name="Upload surveys").click()
    web.locator("[data-testid=stFileUploader]").wait_for(timeout=60_000)
    web.get_by_role("link", name="Member profile").click()
    # The section heading; the page's intro mentions the weakest dimensions as well.
    web.get_by_role("heading", name="Weakest dimensions").wait_for(timeout=60_000)
    # Hub staff see the (fictional) company names the public never sees.
    legend = web.locator(".js-plotly-plot .legendtext").first
    legend.wait_for(state="attached", timeout=60_000)
    assert re.match(r"Demo .+, T\d", legend.text_content() or "")
