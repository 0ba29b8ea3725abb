"""The hub staff's linking and reassessment pages in a real browser: refused to the public;
after signing in, a customer name linked to a member leaves the list of unlinked names and
joins the links made; the reassessment tracker shows every member."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import _require_browser, sign_in, start_app
from support.processes import stop
from support.staff_data import import_export, seed_members

from dih_dash.auth import hash_password
from dih_dash.settings import load_settings
from dih_dash.store import open_store
from dih_dash.store.services_store import load_services

pytestmark = pytest.mark.browser
PASSWORD = "parola-personalului-hubului"
NAV_LINKS = "Link service customers"
NAV_REASSESSMENT = "Reassessments due"


@pytest.fixture(scope="module")
def staff_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The app on its own store: four members and a services export with two customer
    names no member matches."""
    _require_browser()
    data_dir = tmp_path_factory.mktemp("staff-app")
    env = {
        "DIH_DASH_DATA_DIR": str(data_dir),
        "DIH_DASH_DATABASE_URL": f"sqlite:///{data_dir / 'store.sqlite'}",
    }
    settings = load_settings(env=env, secrets={})
    store = open_store(settings)
    try:
        seed_members(store)
        assert import_export(store, settings).unlinked
    finally:
        store.close()
    process, base = start_app(
        data_dir,
        {"DIH_DASH_AUTO_LOAD_DEMO": "0", "DIH_DASH_ADMIN_PASSWORD_HASH": hash_password(PASSWORD)},
    )
    try:
        yield base, env
    finally:
        stop(process)


def test_the_public_is_refused(staff_app, web):
    base, _ = staff_app
    for path in ("service-links", "reassessment"):
        web.goto(f"{base}/{path}?lang=en")
        web.get_by_text("This page is for hub staff").wait_for(timeout=60_000)
        shown = web.locator("[data-testid=stMain]").inner_text()
        assert "ATELIER" not in shown.upper() and "BETA02" not in shown
    assert web.external_requests == []


def test_link_a_name_then_see_the_reassessments(staff_app, web):
    base, env = staff_app
    sign_in(web, base, PASSWORD)
    # Through the navigation, as staff do: the session (and the sign-in) carries over.
    web.get_by_role("link", name=NAV_LINKS).click()
    web.get_by_role("heading", name="Unlinked customers (2)").wait_for(timeout=60_000)
    main = web.locator("[data-testid=stMain]")
    # The list below the heading is drawn a moment later: wait for it, don't read at once.
    main.get_by_text("ATELIER NOU S.R.L.").first.wait_for(timeout=60_000)

    # The names are listed by folded name: the SME's chooser comes first.
    web.locator("[data-testid=stSelectbox]").first.click()
    web.get_by_role("option", name="BETA02 — Beta Soft SRL").click()
    web.get_by_role("button", name="Link").first.click()
    web.get_by_text("linked to BETA02. Services now that member's: 2").wait_for(timeout=60_000)
    web.get_by_role("heading", name="Unlinked customers (1)").wait_for(timeout=60_000)
    # Gone from the names to link (the table of links made comes after them).
    to_link = main.inner_text().split("Unlinked customers (1)")[1].split("Links already made")[0]
    assert "ATELIER NOU" not in to_link.upper()
    assert "Primăria Orașului Test" in main.inner_text()
    assert web.locator("[data-testid=stException]").count() == 0

    store = open_store(load_settings(env=env, secrets={}))
    try:
        services = load_services(store)
    finally:
        store.close()
    linked = services[services["customer_key"] == "name:ateliernou"]
    assert set(linked["member_id"]) == {"BETA02"}

    web.get_by_role("link", name=NAV_REASSESSMENT).click()
    web.get_by_role("heading", name=NAV_REASSESSMENT).wait_for(timeout=60_000)
    web.locator("[data-testid=stMain] .data-table table").first.wait_for(timeout=60_000)
    web.get_by_text("12 months after its latest one").wait_for(timeout=60_000)
    web.locator("[data-testid=stMetricValue]").first.wait_for(timeout=60_000)
    metrics = web.locator("[data-testid=stMetricValue]").all_inner_texts()
    # Every member is counted once, in one of the four statuses.
    assert len(metrics) == 4 and sum(int(m) for m in metrics) == 4
    assert web.locator("[data-testid=stException]").count() == 0
    assert web.external_requests == []
