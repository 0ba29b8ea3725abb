"""The services page in AppTest, public and staff, Romanian and English: the counts worked
out by hand in support/hub_services_data.py, the targets of a kpis.toml written here, the
public view free of names and prices, the empty store's message."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import chart_specs, texts
from support.hub_services_data import (
    CUSTOMER_NAMES,
    EXPORT_SERVICES,
    MEMBER_NAMES,
    add_services_store,
)
from support.store_data import ADMIN
from support.tables import shown_tables

from dih_dash.services.services_import import import_services_file
from dih_dash.settings import load_settings
from dih_dash.store import open_store

KPIS = """
[programme]
start = 2025-01-01
end = 2099-12-31

[[target]]
id = "customers"
metric = "customers_served"
target = 5
label_en = "Customers served"
label_ro = "Clienți deserviți"

[[target]]
id = "training"
metric = "services"
category = "Training and skills development"
target = 13
label_en = "Training services"
label_ro = "Servicii de instruire"
end = 2025-12-31
"""


@pytest.fixture
def kpis_file(isolated_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = isolated_data / "kpis.toml"
    path.write_text(KPIS, encoding="utf-8")
    monkeypatch.setenv("DIH_DASH_KPIS_FILE", str(path))
    return path


@pytest.fixture
def services_store(isolated_data: Path, kpis_file: Path) -> None:
    settings = load_settings()
    store = open_store(settings)
    add_services_store(store, settings)
    store.close()


def everything(at: AppTest) -> str:
    """What the page sends: text, tables and chart specs."""
    tables = [frame.to_csv() for frame in shown_tables(at)]
    return "\n".join([texts(at), *tables, json.dumps(chart_specs(at), ensure_ascii=False)])


def table_rows(at: AppTest, first_header: str) -> dict[str, list[object]]:
    for frame in shown_tables(at):
        if list(frame.columns)[:1] == [first_header]:
            return {str(r[0]): list(r[1:]) for r in frame.itertuples(index=False)}
    raise AssertionError(f"no table headed {first_header!r}")


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_view_counts_without_names_or_prices(open_page, services_store, lang):
    at = open_page("hub_services", lang)
    assert not at.exception, at.exception
    shown = everything(at)
    for name in (*MEMBER_NAMES.values(), *CUSTOMER_NAMES):
        assert name not in shown
    assert "Secret" not in shown
    assert "RO100" not in shown and "2350" not in shown and "2.350" not in shown
    metrics = {m.label: m.value for m in at.metric}
    services = "Servicii" if lang == "ro" else "Services"
    customers = "Clienți distincți" if lang == "ro" else "Distinct customers"
    assert metrics == {services: "8", customers: "5"}
    category = "Categorie" if lang == "ro" else "Category"
    training = "Instruire și competențe" if lang == "ro" else "Training and skills development"
    assert table_rows(at, category)[training] == [3, 3]
    month = "Lună" if lang == "ro" else "Month"
    months = table_rows(at, month)
    assert months["2025-03"] == [2, 1]
    assert months["fără dată" if lang == "ro" else "no date"] == [1, 1]
    # The default minimum group is 5: no county has five customers, so none is shown.
    county = table_rows(at, "Județ" if lang == "ro" else "County")
    assert all(pd_missing(v) for values in county.values() for v in values)
    assert len(at.get("plotly_chart")) == 6  # the targets and the five breakdowns


def pd_missing(value: object) -> bool:
    return bool(pd.isna(value))


def test_public_view_shows_places_of_the_minimum_size(open_page, services_store, monkeypatch):
    monkeypatch.setenv("DIH_DASH_MIN_GROUP_SIZE", "2")
    at = open_page("hub_services", "en")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Services": "8", "Distinct customers": "5"}
    county = table_rows(at, "County")
    # Bihor (1 customer) is under the minimum. Cluj and the unlinked customers have 2 each:
    # with Cluj shown, 5 customers and 8 services less the rows shown would give Bihor's
    # 1 and 2 back, so the first of the next-smallest (Cluj) is blanked too.
    assert county["not linked to a member"] == [3, 2]
    for place in ("Bihor", "Cluj"):
        assert all(pd_missing(v) for v in county[place]), place
    shown = [v for values in county.values() for v in values if not pd_missing(v)]
    assert 5 - shown[1] >= 2 and 8 - shown[0] != 2  # nothing blanked alone is derivable
    assert "not shown, fewer customers than the minimum group: Bihor, Cluj" in json.dumps(
        chart_specs(at), ensure_ascii=False
    )
    # Clusters: Administration, IT and Furniture have 1 customer each (3 together), so
    # all three are blanked and only the unlinked customers are shown.
    cluster = table_rows(at, "Cluster")
    assert cluster["not linked to a member"] == [3, 2]
    for place in ("Administrație", "IT", "Mobilă"):
        assert all(pd_missing(v) for v in cluster[place]), place
    assert "fewer than 2 customers is not shown" in texts(at)
    # Staff see every place.
    staff = open_page("hub_services", "en", admin=True)
    assert table_rows(staff, "County")["Cluj"] == [3, 2]


def test_one_place_under_the_minimum_is_never_blanked_alone(open_page, services_store, monkeypatch):
    # Minimum 3 in the clusters: the unlinked customers (2) are under it and so are the
    # three clusters of one customer each: all four are blanked, 5 customers together.
    monkeypatch.setenv("DIH_DASH_MIN_GROUP_SIZE", "3")
    at = open_page("hub_services", "ro")
    for first in ("Cluster", "Județ"):
        rows = table_rows(at, first)
        assert all(pd_missing(v) for values in rows.values() for v in values), first
    assert "mai puțin de 3 clienți nu se afișează" in texts(at)


def test_staff_view_has_unlinked_customers_price_and_places(open_page, services_store):
    at = open_page("hub_services", "ro", admin=True)
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Clienți neasociați unui membru"] == "2"
    assert metrics["Preț total (EUR)"] == "2.350,00"
    assert table_rows(at, "Județ")["Bihor"] == [2, 1]
    assert table_rows(at, "Cluster")["Mobilă"] == [2, 1]
    kinds = table_rows(at, "Tip")
    assert kinds["IMM"] == [6, 3] and kinds["Organizație din sectorul public"] == [2, 2]


def test_targets_show_progress_and_pace(open_page, services_store):
    at = open_page("hub_services", "en")
    shown = texts(at)
    # Five customers of five: reached. Training: 3 of 13 in 2025, which has ended.
    assert "Target reached" in shown
    assert "Ended on 2025-12-31: 10 short of the target" in shown
    assert "Less than a month left" not in shown
    assert "months left: 0" in shown
    kpi_bars = next(s for s in chart_specs(at) if s["data"][0].get("orientation") == "h")
    assert kpi_bars["data"][0]["x"] == [pytest.approx(300 / 13), 100.0]
    ro = open_page("hub_services", "ro")
    assert "Țintă atinsă" in texts(ro)
    assert "Încheiată la 31.12.2025: au lipsit 10 până la țintă" in texts(ro)
    ro_bars = next(s for s in chart_specs(ro) if s["data"][0].get("orientation") == "h")
    assert ro_bars["data"][0]["text"] == ["3 din 13 (23%)", "5 din 5 (100%)"]


def test_less_than_a_month_left_and_a_target_reached_after_its_end(
    open_page, services_store, kpis_file
):
    soon = dt.date.today() + dt.timedelta(days=10)
    text = KPIS.replace("end = 2025-12-31", f"end = {soon.isoformat()}")
    # The customers' target (5 of 5) ended in the past: reached wins over ended.
    text = text.replace("end = 2099-12-31", "end = 2025-11-30")
    kpis_file.write_text(text, encoding="utf-8")
    shown = texts(open_page("hub_services", "en"))
    assert "Less than a month left: 10 still to go" in shown
    assert "Target reached" in shown
    assert "Ended on" not in shown


def test_monthly_pace_with_months_left(open_page, services_store, kpis_file):
    kpis_file.write_text(KPIS.replace("end = 2025-12-31\n", ""), encoding="utf-8")
    at = open_page("hub_services", "en")
    shown = texts(at)
    assert "Pace needed:" in shown
    assert "By 2099-12-31" in shown


def test_a_broken_targets_file_is_named_to_staff_only(open_page, services_store, kpis_file):
    kpis_file.write_text(KPIS.replace("target = 5", "target = 0"), encoding="utf-8")
    staff = open_page("hub_services", "en", admin=True)
    assert not staff.exception
    # The message is literal text in markdown: its punctuation comes backslash-escaped.
    errors = " ".join(e.value for e in staff.error).replace("\\", "")
    assert "kpis.toml, line 9" in errors and "must be greater than 0" in errors
    public = open_page("hub_services", "en")
    assert not public.error
    assert "The hub's targets cannot be shown at the moment." in texts(public)
    assert str(kpis_file) not in everything(public)


def test_empty_store_says_so_and_links_staff_to_the_upload(open_page, kpis_file):
    public = open_page("hub_services", "ro")
    assert not public.exception
    assert "Nu este încă stocat niciun serviciu." in texts(public)
    assert not public.get("page_link")
    staff = open_page("hub_services", "en", admin=True)
    assert "No services are stored yet." in texts(staff)
    assert "upload" in [link.proto.page for link in staff.get("page_link")]


def test_demo_services_are_labelled_until_real_ones_exist(open_page, isolated_data, kpis_file):
    settings = load_settings()
    store = open_store(settings)
    demo = import_services_file(
        store,
        EXPORT_SERVICES.replace("Secret", "Demo ").encode(),
        "demo.csv",
        actor=ADMIN,
        settings=settings,
        demo=True,
    )
    assert demo.stored
    at = open_page("hub_services", "en")
    assert "Demo data: these services and organisations are fictional." in texts(at)
    assert {m.label: m.value for m in at.metric}["Services"] == "3"
    assert "DEMO DATA (fictional)" in json.dumps(chart_specs(at))
    add_services_store(store, settings)
    store.close()
    real = open_page("hub_services", "en")
    assert "Demo data" not in texts(real)
    assert {m.label: m.value for m in real.metric}["Services"] == "8"
