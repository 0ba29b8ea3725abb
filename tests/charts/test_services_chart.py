"""The services page's charts (charts.services): what each bar holds, labels in both
languages, undated and withheld groups said in the source line, the targets' bars."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dih_dash.charts.services import kpi_chart, services_chart, services_source, value_label
from dih_dash.domain.disclosure import DisclosureRule
from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.domain.services_summary import NO_DATE, UNKNOWN, UNLINKED
from dih_dash.i18n import Translator

EN, RO = Translator("en"), Translator("ro")


def table(dimension: str, rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[dimension, "services", "customers"]).astype(
        {"services": "int64", "customers": "int64"}
    )


def test_value_labels_in_both_languages() -> None:
    assert value_label(RO, "category", CATEGORIES[0]) == "Testare înainte de investiție"
    assert value_label(EN, "category", CATEGORIES[3]) == "Innovation ecosystem and networking"
    assert value_label(RO, "kind", "pso") == "Organizație din sectorul public"
    assert value_label(EN, "month", NO_DATE) == "no date"
    assert value_label(RO, "cluster", UNLINKED) == "neasociat unui membru"
    assert value_label(EN, "county", UNKNOWN) == "not stated"
    assert value_label(EN, "county", "CJ", {"CJ": "Cluj"}) == "Cluj"
    assert value_label(EN, "cluster", "IT") == "IT"


def test_category_bars_hold_services_and_customers() -> None:
    counts = table("category", [(c, 4 - i, 3 - i) for i, c in enumerate(CATEGORIES)])
    fig = services_chart(counts, "category", RO, source_note=services_source(RO, 10))
    services, customers = fig.data
    assert (services.name, customers.name) == ("Servicii", "Clienți")
    assert list(services.y) == [4, 3, 2, 1] and list(customers.y) == [3, 2, 1, 0]
    assert services.x[0] == "Testare înainte de<br>investiție"
    assert fig.layout.separators == ",."
    assert fig.layout.yaxis.dtick == 1  # whole counts on a short axis
    assert "Servicii și clienți după categorie" in fig.layout.title.text
    assert "servicii: 10" in fig.layout.title.subtitle.text


def test_undated_services_leave_the_time_line_and_are_counted() -> None:
    counts = table("month", [("2025-01", 1500, 2), ("2025-03", 4, 4), (NO_DATE, 2, 2)])
    fig = services_chart(counts, "month", EN, source_note=services_source(EN, 1506, demo=True))
    assert list(fig.data[0].x) == ["2025-01", "2025-03"]
    assert list(fig.data[0].text) == ["1,500", "4"]
    subtitle = fig.layout.title.subtitle.text
    assert "1,506 services" in subtitle and "DEMO DATA" in subtitle
    assert "2 services without a start date" in subtitle
    assert fig.layout.xaxis.type == "category"
    assert fig.layout.yaxis.dtick is None


def test_withheld_places_are_left_out_and_named() -> None:
    counts = table("county", [("CJ", 9, 6), ("BH", 2, 1), (UNLINKED, 5, 5)])
    public = DisclosureRule(5).groups(counts, "customers", ["services"])
    fig = services_chart(
        public, "county", EN, source_note="src", county_names={"CJ": "Cluj", "BH": "Bihor"}
    )
    assert list(fig.data[0].x) == ["Cluj", "not linked to a<br>member"]
    assert list(fig.data[0].y) == [9, 5]
    assert "fewer customers than the minimum group: Bihor" in fig.layout.title.subtitle.text


def progress() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi": ["customers", "training"],
            "label_en": ["Customers served", "Training services"],
            "label_ro": ["Clienți deserviți", "Servicii de instruire"],
            "target": [150.0, 120.0],
            "achieved": [150, 30],
            "share": [100.0, 25.0],
            "end_date": [dt.date(2027, 12, 31)] * 2,
            "months_left": [12, 12],
            "monthly_pace": [0.0, 7.5],
            "reached": [True, False],
        }
    )


def test_kpi_bars_show_the_share_reached_first_target_on_top() -> None:
    fig = kpi_chart(progress(), RO, source_note="Ținte")
    bars = fig.data[0]
    assert bars.orientation == "h"
    # Plotly draws the first category at the bottom: the file's first target is last.
    assert list(bars.y) == ["Servicii de instruire", "Clienți deserviți"]
    assert list(bars.x) == [25.0, 100.0]
    assert list(bars.text) == ["30 din 120 (25%)", "150 din 150 (100%)"]
    assert bars.marker.color[0] != bars.marker.color[1]  # reached in another colour
    assert fig.layout.shapes[0].x0 == 100.0  # the target line
    english = kpi_chart(progress(), EN, source_note="Targets")
    assert list(english.data[0].y) == ["Training services", "Customers served"]
    assert "Progress towards the hub's targets" in english.layout.title.text


def test_names_from_files_are_literal_text() -> None:
    counts = table("cluster", [("<b>IT</b>&co", 2, 1)])
    fig = services_chart(counts, "cluster", EN, source_note="src")
    assert fig.data[0].x == ("&lt;b&gt;IT&lt;/b&gt;&amp;co",)
    rows = progress().assign(label_en=["<a href='x'>Customers</a>", "Training"])
    bars = kpi_chart(rows, EN, source_note="src").data[0]
    label = bars.y[1].replace("<br>", " ")
    assert "<a" not in label and label == "&lt;a href='x'&gt;Customers&lt;/a&gt;"
