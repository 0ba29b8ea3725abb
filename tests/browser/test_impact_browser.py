"""The impact page in a real browser, public view: on a store where only one service category
has groups big enough to show, its medians and difference are drawn, the other categories say
they are hidden, no organisation is named and no request leaves the machine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import _require_browser, start_app
from support.processes import stop
from support.store_data import ADMIN, hub_csv, row
from test_national_pages_browser import wait_for_app

from dih_dash.domain.survey_schema import DMA_DIMENSIONS
from dih_dash.services import import_file
from dih_dash.services.services_import import import_services_file
from dih_dash.settings import load_settings
from dih_dash.store import open_store

pytestmark = pytest.mark.browser


def fill_store(data_dir: Path) -> None:
    """Members 1-6 tested before investing (changes +10..+15, median +12.5), members 7-12
    never served (0..+5, median +2.5), members 13-14 trained (+50, +60: a hidden group)."""
    settings = load_settings(
        env={
            "DIH_DASH_DATA_DIR": str(data_dir),
            "DIH_DASH_DATABASE_URL": f"sqlite:///{data_dir / 'store.sqlite'}",
        },
        secrets={},
    )
    store = open_store(settings)
    changes = {n: 10.0 + n - 1 for n in range(1, 7)} | {n: float(n - 7) for n in range(7, 13)}
    changes |= {13: 50.0, 14: 60.0}
    rows = []
    for n, change in changes.items():
        for wave, score in (("T0", 30.0), ("T1", 30.0 + change)):
            values = dict.fromkeys(DMA_DIMENSIONS, score) | {"dma_overall": score}
            if wave == "T1":
                values["assessed_on"] = dt.date(2026, 3, 2)
            rows.append(row(f"HIDDEN-{n:03d}", wave, company_name=f"Ascunsa Nr{n} SRL", **values))
    report = import_file(store, hub_csv(rows), "membri.csv", actor=ADMIN, settings=settings)
    assert report.stored, [e.to_dict() for e in report.errors]
    lines = ["member_id,service_category,start_date,end_date,description,price_eur,status"]
    lines += [
        f"HIDDEN-{n:03d},Test before invest,2025-06-01,,Pilot,,Completed" for n in range(1, 7)
    ]
    lines += [
        f"HIDDEN-{n:03d},Training and skills development,2025-06-01,,Curs,,Completed"
        for n in (13, 14)
    ]
    data = ("\r\n".join(lines) + "\r\n").encode()
    done = import_services_file(store, data, "servicii.csv", actor=ADMIN, settings=settings)
    assert done.stored, done.to_json_dict("en")
    store.engine.dispose()


@pytest.fixture(scope="module")
def impact_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_browser()
    data_dir = tmp_path_factory.mktemp("impact-app")
    fill_store(data_dir)
    process, base = start_app(data_dir, {"DIH_DASH_AUTO_LOAD_DEMO": "0"})
    try:
        yield base
    finally:
        stop(process)


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_impact_page(impact_app, web, lang):
    web.goto(f"{impact_app}/impact?lang={lang}")
    wait_for_app(web)
    assert web.locator("[data-testid=stException]").count() == 0
    chart_text = " ".join(web.locator(".js-plotly-plot text").all_text_contents())
    ro = lang == "ro"
    # The one category with two big groups: both medians and their difference.
    for figure in ("+12,5", "+2,5", "+10,0") if ro else ("+12.5", "+2.5", "+10.0"):
        assert figure in chart_text
    hidden = "< 5 membri – ascuns" if ro else "< 5 members – hidden"
    assert chart_text.count(hidden) == 3, chart_text
    assert "+55" not in chart_text and "+52" not in chart_text
    shown = web.locator("[data-testid=stMain]").inner_text()
    assert ("nu sunt formate aleatoriu" if ro else "are not randomised") in shown
    page = web.content()
    assert "Ascunsa" not in page and "HIDDEN-" not in page
    assert web.external_requests == [], "offline: no fonts or CDN"
