"""The services page's charts: services and distinct customers per category, month, kind,
cluster or county, and the hub's targets with their progress.

Pure: tables from `domain.services_summary` in, Plotly figures out. No figure reads a
customer's or member's name: the tables hold counts per group only.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from dih_dash.charts.theme import MEMBERS, ROMANIA, TARGET, reference_line, styled, wrap
from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.domain.services_summary import NO_DATE, UNKNOWN, UNLINKED
from dih_dash.i18n import Translator
from dih_dash.text_safety import plotly_text

SERVICES_COLOUR = ROMANIA
CUSTOMERS_COLOUR = MEMBERS


def value_label(
    tr: Translator, dimension: str, value: object, county_names: Mapping[str, str] | None = None
) -> str:
    """How a value of a `services_by` table reads in the interface language: the category's
    translated name, `SME`/`PSO`, a county's name, or the bucket's words (no date, unknown,
    unlinked)."""
    text = str(value)
    if text in (NO_DATE, UNKNOWN, UNLINKED):
        return tr(f"hub_services.buckets.{text.replace(' ', '_')}")
    if dimension == "category" and text in CATEGORIES:
        return tr(f"hub_services.categories.c{CATEGORIES.index(text)}")
    if dimension == "kind":
        return tr(f"hub_services.kinds.{text}")
    if dimension == "county" and county_names:
        return county_names.get(text, text)
    return text


def services_source(tr: Translator, services: int, *, demo: bool = False) -> str:
    """`Source: the hub's record of services delivered, 41 services` (+ the demo label)."""
    text = tr("hub_services.source", services=tr.num(services, 0))
    return text + (f" · {tr('hub_services.demo_source')}" if demo else "")


def services_chart(
    table: pd.DataFrame,
    dimension: str,
    tr: Translator,
    *,
    source_note: str,
    title: str | None = None,
    county_names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Services and distinct customers side by side, one pair of bars per value of
    `dimension` (a `services_by` table). Months read as a time line; services without a
    date are left out of it and counted in the source line. Rows whose counts are blank
    (groups too small for the public) are left out and named in the source line."""
    rows = table
    notes = [source_note]
    if dimension == "month":
        undated = rows[rows["month"] == NO_DATE]
        if not undated.empty and int(undated["services"].iloc[0]) > 0:
            notes.append(
                tr(
                    "hub_services.undated_note",
                    services=tr.num(int(undated["services"].iloc[0]), 0),
                )
            )
        rows = rows[rows["month"] != NO_DATE]
    hidden = rows["services"].isna() | rows["customers"].isna()
    if hidden.any():
        names = [
            plotly_text(value_label(tr, dimension, v, county_names))
            for v in rows.loc[hidden, dimension]
        ]
        notes.append(tr("hub_services.hidden_note", groups=", ".join(names)))
    rows = rows[~hidden]
    # Clusters come from the hub's files: literal text, never Plotly markup.
    labels = [plotly_text(value_label(tr, dimension, v, county_names)) for v in rows[dimension]]
    axis = labels if dimension == "month" else [wrap(label, 18) for label in labels]
    fig = go.Figure()
    for column, colour in (("services", SERVICES_COLOUR), ("customers", CUSTOMERS_COLOUR)):
        values = [int(v) for v in rows[column]]
        name = tr(f"hub_services.columns.{column}")
        fig.add_trace(
            go.Bar(
                x=axis,
                y=values,
                name=name,
                marker_color=colour,
                text=[tr.num(v, 0) for v in values],
                textposition="outside",
                hovertext=[
                    f"{label}<br>{name}: {tr.num(v, 0)}"
                    for label, v in zip(labels, values, strict=True)
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(title_text=tr("hub_services.axis.count"), rangemode="tozero")
    highest = max((int(v) for v in rows["services"]), default=0)
    if highest <= 10:
        # Counts: no "2.5 services" tick on a small axis.
        fig.update_yaxes(dtick=1)
    if dimension == "month":
        fig.update_xaxes(type="category", title_text=tr("hub_services.dimensions.month"))
    default = tr("hub_services.chart_title", by=tr(f"hub_services.dimensions.{dimension}"))
    return styled(fig, tr.lang, title or default, " · ".join(n for n in notes if n))


def kpi_chart(
    progress: pd.DataFrame,
    tr: Translator,
    *,
    source_note: str,
    title: str | None = None,
) -> go.Figure:
    """Each target's progress as a horizontal bar, 0–100% of the target, with the count
    reached and the target written beside it; reached targets in green."""
    label_column = "label_ro" if tr.lang == "ro" else "label_en"
    # Plotly draws the first category at the bottom: reversed, the file's first target is
    # on top, as in the cards above the chart.
    rows = progress.iloc[::-1]
    names = [plotly_text(label) for label in rows[label_column]]  # typed into kpis.toml
    labels = [wrap(name, 34) for name in names]
    shares = [float(s) for s in rows["share"]]
    texts = [
        tr(
            "hub_services.kpi.bar_text",
            achieved=tr.num(int(a), 0),
            target=tr.num(float(t), 0),
            share=tr.pct(s, 0),
        )
        for a, t, s in zip(rows["achieved"], rows["target"], shares, strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=shares,
            y=labels,
            orientation="h",
            marker_color=[MEMBERS if bool(r) else ROMANIA for r in rows["reached"]],
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertext=[
                f"{label}<br>{text}" for label, text in zip(rows[label_column], texts, strict=True)
            ],
            hoverinfo="text",
            showlegend=False,
        )
    )
    reference_line(fig, 100.0, tr("hub_services.kpi.target_line"), colour=TARGET, vertical=True)
    # Room to the right of a full bar for its "150 of 150 (100%)".
    fig.update_xaxes(range=[0, 135], title_text=tr("hub_services.kpi.axis"), ticksuffix="%")
    height = max(320, 46 * len(rows) + 120)
    return styled(
        fig, tr.lang, title or tr("hub_services.kpi.chart_title"), source_note, height=height
    )
