"""Romania vs EU: every Digital Decade KPI as a card — Romania, EU average, gap, rank,
2030 target and distance to it, data year and flag."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.kit import context, data, widgets
from dih_dash.charts.cards import Card, cards_html
from dih_dash.charts.national import kpi_gap_chart
from dih_dash.domain.catalogue import DIMENSIONS
from dih_dash.domain.provenance import flag_legend, source_line, source_name

tr = context.translator()
national_data = data.national()
catalogue = data.catalogue()

st.title(tr("romania_vs_eu.title"))
st.caption(tr("romania_vs_eu.intro"))

table = data.kpi_comparisons().copy()
table["better"] = [
    None if pd.isna(g) or g == 0 else (g > 0) == catalogue[i].higher_is_better
    for i, g in zip(table["indicator"], table["gap"], strict=True)
]
table["has_target"] = table["target"].notna()
# Within a dimension, the KPIs that carry a 2030 target come first.
table = table.sort_values(["has_target"], ascending=False, kind="stable")

overview = table[table["unit"].str.startswith("PC_") & table["gap"].notna()]
widgets.chart(
    lambda: kpi_gap_chart(
        overview,
        {i: catalogue[i].label(tr.lang) for i in overview["indicator"]},
        tr,
        title=tr("romania_vs_eu.overview_title"),
        source_note=source_line(
            tr,
            overview["source"],
            overview["period"].astype(int),
            [*overview["home_flag"], *overview["eu_flag"]],
        ),
    ),
    key="rve_overview",
    data=overview.drop(columns=["better", "has_target"]),
)
view = context.query_value("view", lambda v: v in ("cards", "table"), "cards")
view = (
    st.segmented_control(
        tr("common.view"),
        options=["cards", "table"],
        format_func=lambda v: tr(f"common.view_{v}"),
        default=view,
        key=context.widget_key("rve_view"),
    )
    or "cards"
)
context.set_query(view=view)


def value_text(indicator: str, value: float | None) -> str:
    entry = catalogue[indicator]
    if value is None or pd.isna(value):
        return tr("common.no_data")
    if entry.is_percentage:
        return tr.pct(value, entry.decimals)
    number = tr.num(value, entry.decimals)
    if entry.is_count or entry.unit == "score":
        return number  # the label already says what is counted or scored
    # Any other unit (kg per inhabitant…): the number alone would not say what it measures.
    unit = tr(f"units.{entry.unit}") if tr.has(f"units.{entry.unit}") else entry.unit
    return f"{number} {unit}"


def gap_text(indicator: str, gap: float | None) -> str:
    entry = catalogue[indicator]
    if gap is None or pd.isna(gap):
        return "–"
    return tr.pp(gap, entry.decimals) if entry.is_percentage else tr.signed(gap, entry.decimals)


def card(row: pd.Series) -> Card:
    entry = catalogue[row["indicator"]]
    eu_level = row["target_level"] == "eu"
    title, definition = entry.label(tr.lang), entry.definition(tr.lang)
    if pd.isna(row["period"]):
        lines = [tr("romania_vs_eu.no_country_data")]
        if not pd.isna(row["target"]):
            key = "romania_vs_eu.eu_target_line" if eu_level else "romania_vs_eu.target_line"
            lines.append(tr(key, target=value_text(entry.id, row["target"])))
        return Card(title, definition, lines=lines, source=entry.note(tr.lang))
    better = row["better"]
    lines = [
        tr(
            "romania_vs_eu.eu_total_line" if entry.is_count else "romania_vs_eu.eu_line",
            value=value_text(entry.id, row["eu_value"]),
        ),
        tr(
            "romania_vs_eu.rank_line",
            rank=int(row["rank"]) if not pd.isna(row["rank"]) else "–",
            of=int(row["ranked"]),
        ),
    ]
    if not pd.isna(row["target"]):
        distance = (
            "–"
            if pd.isna(row["distance_to_target"])
            else gap_text(entry.id, row["distance_to_target"]).lstrip("+")
        )
        prefix = "romania_vs_eu.eu_" if eu_level else "romania_vs_eu."
        lines.append(tr(f"{prefix}target_line", target=value_text(entry.id, row["target"])))
        lines.append(tr(f"{prefix}distance_line", distance=distance))
    flags = [f for f in (row["home_flag"], row["eu_flag"]) if f]
    return Card(
        title,
        definition,
        label=tr("common.romania"),
        value=value_text(entry.id, row["home_value"]),
        change=""
        if pd.isna(row["gap"])
        else tr("romania_vs_eu.delta_vs_eu", gap=gap_text(entry.id, row["gap"])),
        # Arrow by the sign of the gap, colour by the indicator's direction: a lower share
        # of, say, e-waste is good news.
        direction=None if better is None else ("up" if row["gap"] > 0 else "down"),
        tone="neutral" if better is None else ("good" if better else "bad"),
        lines=lines,
        source=source_line(tr, [row["source"]], [int(row["period"])], flags),
    )


if view == "cards":
    for dimension in DIMENSIONS:
        rows = table[table["dimension"] == dimension]
        if rows.empty:
            continue
        st.subheader(tr(f"dimensions.{dimension}"))
        st.html(cards_html([card(row) for _, row in rows.iterrows()]))
else:
    shown = pd.DataFrame(
        {
            tr("common.indicator"): [catalogue[i].label(tr.lang) for i in table["indicator"]],
            tr("common.data_year"): table["period"].astype("Int64"),
            tr("common.romania"): table["home_value"].round(2),
            tr("common.eu_average"): table["eu_value"].round(2),
            tr("common.gap_to_eu"): table["gap"].round(2),
            tr("common.rank"): table["rank"].astype("Int64"),
            tr("common.target_2030"): table["target"],
            tr("common.distance_to_target"): table["distance_to_target"].round(2),
            tr("common.unit"): [
                tr(f"units.{u}") if tr.has(f"units.{u}") else u for u in table["unit"]
            ],
            tr("common.flag"): [
                ", ".join(f for f in (a, b) if f)
                for a, b in zip(table["home_flag"], table["eu_flag"], strict=True)
            ],
            tr("common.source"): [source_name(tr, s) for s in table["source"]],
        }
    )
    widgets.table(shown)
    flags = [f for f in pd.concat([table["home_flag"], table["eu_flag"]]) if f]
    if flags:
        st.caption(tr("sources.flags", legend=flag_legend(tr, flags)))
    widgets.downloads(
        shown,
        f"romania-vs-eu-{tr.lang}",
        tr,
        notes={tr("common.source"): tr("common.attribution")},
    )
