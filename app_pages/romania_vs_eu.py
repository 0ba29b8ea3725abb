"""Romania vs EU: every Digital Decade KPI as a card — Romania, EU average, gap, rank,
2030 target and distance to it, data year and flag."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.kit import context, data, widgets
from dih_dash.charts.cards import Card, cards_html
from dih_dash.charts.national import kpi_gap_chart
from dih_dash.domain.catalogue import DIMENSIONS
from dih_dash.domain.geo import geo_name
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
        {i: catalogue[i].short_label(tr.lang) for i in overview["indicator"]},
        tr,
        title=tr("romania_vs_eu.overview_title"),
        lower_is_better={i for i in overview["indicator"] if not catalogue[i].higher_is_better},
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


def target_text(indicator: str, target: float) -> str:
    """The 2030 target as the Decision says it: "80%", "20 million", "500" (no decimals on
    a whole number), in its own unit where the source stored it in another."""
    entry = catalogue[indicator]
    decimals = 0 if float(target).is_integer() else entry.decimals
    if entry.target_unit:
        return tr(f"units_amount.{entry.target_unit}", n=tr.num(target, decimals))
    if entry.is_percentage:
        return tr.pct(target, decimals)
    return value_text(indicator, target) if decimals else tr.num(target, 0)


def rank_text(row: pd.Series) -> str:
    """ "24 of 27", or for a tie "24–27 of 27 (tied with Hungary, Slovenia, Slovakia)"."""
    if pd.isna(row["rank"]):
        return "–"
    rank, others = int(row["rank"]), tuple(row["tied_with"])
    if not others:
        return tr("romania_vs_eu.rank_of", rank=rank, of=int(row["ranked"]))
    return tr(
        "romania_vs_eu.rank_tied",
        first=rank,
        last=rank + len(others),
        of=int(row["ranked"]),
        others=", ".join(geo_name(g, tr.lang) for g in others),
    )


def card(row: pd.Series) -> Card:
    entry = catalogue[row["indicator"]]
    eu_level = row["target_level"] == "eu"
    title, definition = entry.label(tr.lang), entry.definition(tr.lang)
    if pd.isna(row["period"]):
        lines = [tr("romania_vs_eu.no_country_data")]
        if not pd.isna(row["target"]):
            key = "romania_vs_eu.eu_target_line" if eu_level else "romania_vs_eu.target_line"
            lines.append(tr(key, target=target_text(entry.id, row["target"])))
        return Card(title, definition, lines=lines, source=entry.note(tr.lang))
    better = row["better"]
    lines = [
        tr(
            "romania_vs_eu.eu_total_line" if entry.is_count else "romania_vs_eu.eu_line",
            value=value_text(entry.id, row["eu_value"]),
        ),
        tr("romania_vs_eu.rank_line", rank=rank_text(row)),
    ]
    if not pd.isna(row["target"]):
        prefix = "romania_vs_eu.eu_" if eu_level else "romania_vs_eu."
        target = target_text(entry.id, row["target"])
        if entry.legal_target_in:
            # The DESI tool's figure, said as such; the legal target is on another card.
            other = catalogue[entry.legal_target_in].label(tr.lang)
            lines.append(tr("romania_vs_eu.tool_target_line", target=target))
            lines.append(tr("romania_vs_eu.legal_target_line", other=other))
        else:
            lines.append(tr(f"{prefix}target_line", target=target))
        distance = row["distance_to_target"]
        if pd.isna(distance):
            lines.append(tr(f"{prefix}distance_line", distance="–"))
        elif distance == 0:
            lines.append(tr(f"{prefix}target_reached_line"))
        else:
            lines.append(
                tr(f"{prefix}distance_line", distance=gap_text(entry.id, distance).lstrip("+"))
            )
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
    # Each number as its card says it (the indicator's own decimals, a target in its own
    # unit, "–" where there is none), so the table and its download read like the cards.
    def cell(indicator: str, value: object, say: object = None) -> str:
        if value is None or pd.isna(value):
            return "–"
        if say is not None:
            return say(indicator, value)
        return tr.num(float(value), catalogue[indicator].decimals)

    def distance_cell(row: pd.Series) -> str:
        text = cell(row["indicator"], row["distance_to_target"])
        if text == "–" or row["target_level"] != "eu":
            return text
        return tr("romania_vs_eu.eu_level_value", value=text)  # the EU's, not Romania's

    rows = [row for _, row in table.iterrows()]
    shown = pd.DataFrame(
        {
            tr("common.indicator"): [catalogue[r["indicator"]].label(tr.lang) for r in rows],
            tr("common.data_year"): [
                "–" if pd.isna(r["period"]) else str(int(r["period"])) for r in rows
            ],
            tr("common.romania"): [cell(r["indicator"], r["home_value"]) for r in rows],
            tr("common.eu_average"): [
                cell(r["indicator"], r["eu_value"])
                + (
                    f" ({tr('romania_vs_eu.eu_total_short')})"
                    if catalogue[r["indicator"]].is_count and not pd.isna(r["eu_value"])
                    else ""
                )
                for r in rows
            ],
            tr("common.gap_to_eu"): [cell(r["indicator"], r["gap"], gap_text) for r in rows],
            tr("common.rank"): [rank_text(r) for r in rows],
            tr("common.target_2030"): [
                cell(r["indicator"], r["target"], target_text) for r in rows
            ],
            tr("common.distance_to_target"): [distance_cell(r) for r in rows],
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
