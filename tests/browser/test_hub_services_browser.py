"""The services page in a real browser, public view: the charts are drawn, no customer's or
member's name reaches the page, and nothing is requested from outside the machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import _require_browser, start_app
from support.hub_services_data import CUSTOMER_NAMES, MEMBER_NAMES, add_services_store
from support.processes import stop
from test_national_pages_browser import wait_for_app

from dih_dash.settings import load_settings
from dih_dash.store import open_store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def services_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_browser()
    data_dir: Path = tmp_path_factory.mktemp("services-app")
    url = f"sqlite:///{data_dir / 'store.sqlite'}"
    settings = load_settings(
        env={"DIH_DASH_DATA_DIR": str(data_dir), "DIH_DASH_DATABASE_URL": url}, secrets={}
    )
    store = open_store(settings)
    add_services_store(store, settings)
    store.close()
    process, base = start_app(data_dir, {"DIH_DASH_AUTO_LOAD_DEMO": "0"})
    try:
        yield base
    finally:
        stop(process)


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_services_page(services_app, web, lang):
    web.goto(f"{services_app}/services?lang={lang}")
    wait_for_app(web)
    assert web.locator("[data-testid=stException]").count() == 0
    assert web.locator("[role=dialog]").count() == 0, "no 'Page not found' or other dialog"
    # The targets chart and the first tab's chart at least; bars drawn, not an empty frame.
    assert web.locator(".js-plotly-plot").count() >= 2
    assert web.locator(".js-plotly-plot .bars path").count() >= 4
    shown = web.locator("[data-testid=stMain]").inner_text()
    title = "Servicii furnizate" if lang == "ro" else "Services delivered"
    assert title in shown
    for name in (*MEMBER_NAMES.values(), *CUSTOMER_NAMES):
        assert name not in shown
    assert "Secret" not in shown and "RO100" not in shown
    assert web.external_requests == [], "offline: no fonts, tiles or CDN"


def test_each_tab_draws_its_chart(services_app, web):
    web.goto(f"{services_app}/services?lang=en")
    wait_for_app(web)
    for tab in ("Month", "Kind", "Cluster", "County"):
        web.get_by_role("tab", name=tab).click()
        panel = web.locator("[role=tabpanel]:visible")
        panel.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
    assert "Secret" not in web.locator("[data-testid=stMain]").inner_text()
    assert web.external_requests == []
