"""National charts: frame in, Plotly figure out; no I/O, no Streamlit.

Each function takes the rows it draws and a `Translator`, so the same figure serves the
page, the PNG export and the slide deck, in either language.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dih_dash.charts.theme import (
    BAND_COLOURS,
    EU,
    OTHER,
    PEER_COLOURS,
    ROMANIA,
    TARGET,
    reference_line,
    styled,
    wrap,
    wrap_label,
)
from dih_dash.domain.catalogue import Indicator
from dih_dash.domain.geo import EU_AGGREGATE, HOME, geo_name
from dih_dash.i18n import Translator

BANDS = ("vlo", "lo", "hi", "vhi")


def _value_text(tr: Translator, entry: Indicator, value: float) -> str:
    return tr.pct(value, entry.decimals) if entry.is_percentage else tr.num(value, entry.decimals)


def _axis_title(tr: Translator, entry: Indicator) -> str:
    key = f"units.{entry.unit}"
    return tr(key) if tr.has(key) else entry.unit


def ranking_chart(
    ranks: pd.DataFrame,
    entry: Indicator,
    tr: Translator,
    *,
    period: int,
    eu_value: float | None,
    target: float | None,
    source_note: str,
) -> go.Figure:
    """Member states ranked on one indicator, Romania highlighted, EU average marked."""
    names = [geo_name(g, tr.lang) for g in ranks["geo"]]
    colours = [ROMANIA if g == HOME else OTHER for g in ranks["geo"]]
    text = [
        _value_text(tr, entry, v) + (f" {f}" if f else "") if g == HOME else (f or "")
        for g, v, f in zip(ranks["geo"], ranks["value"], ranks["flag"], strict=True)
    ]
    hover = [
        f"{n}<br>{_value_text(tr, entry, v)}<br>{tr('charts.rank')}: {r}/{len(ranks)}"
        + (f"<br>{tr('charts.flag')}: {f}" if f else "")
        for n, v, r, f in zip(names, ranks["value"], ranks["rank"], ranks["flag"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=ranks["value"],
            marker_color=colours,
            text=text,
            textposition="outside",
            textfont={"size": 14},
            constraintext="none",
            cliponaxis=False,
            hovertext=hover,
            hoverinfo="text",
            name=entry.label(tr.lang),
            showlegend=False,
        )
    )
    if eu_value is not None:
        reference_line(
            fig,
            eu_value,
            f"{geo_name(EU_AGGREGATE, tr.lang)}: {_value_text(tr, entry, eu_value)}",
            colour=EU,
            dash="dash",
        )
    if target is not None:
        reference_line(
            fig, target, f"{tr('charts.target_2030')}: {_value_text(tr, entry, target)}"
        )
    fig.update_xaxes(tickangle=-45)
    fig.update_yaxes(title_text=_axis_title(tr, entry), rangemode="tozero")
    title = tr("charts.ranking_title", indicator=entry.label(tr.lang), year=period)
    return styled(fig, tr.lang, title, source_note, height=520)


def series_chart(
    points: pd.DataFrame,
    entries: dict[str, Indicator],
    tr: Translator,
    *,
    geos: list[str],
    target: float | None,
    source_note: str,
    title: str,
) -> go.Figure:
    """One line per country and per instrument: series of different instruments (e.g. the
    two DII versions) are separate traces and are never joined."""
    fig = go.Figure()
    peer_colours = iter(PEER_COLOURS)
    colour_of: dict[str, str] = {}
    for geo in geos:
        colour_of[geo] = (
            ROMANIA if geo == HOME else EU if geo == EU_AGGREGATE else next(peer_colours, OTHER)
        )
    for indicator_id, entry in entries.items():
        dash = "solid" if len(entries) == 1 or indicator_id == next(iter(entries)) else "dash"
        for geo in geos:
            rows = points[
                (points["indicator"] == indicator_id) & (points["geo"] == geo)
            ].sort_values("period")
            if rows.empty:
                continue
            label = geo_name(geo, tr.lang)
            if len(entries) > 1:
                label = f"{label} – {entry.instrument.upper() or entry.label(tr.lang)}"
            fig.add_trace(
                go.Scatter(
                    x=rows["period"],
                    y=rows["value"],
                    mode="lines+markers+text" if geo == HOME else "lines+markers",
                    name=label,
                    line={
                        "color": colour_of[geo],
                        "dash": "dash" if geo == EU_AGGREGATE else dash,
                        "width": 4 if geo == HOME else 2,
                    },
                    marker={"size": 9 if geo == HOME else 6},
                    text=[_value_text(tr, entry, v) for v in rows["value"]]
                    if geo == HOME
                    else None,
                    textposition="top center",
                    customdata=rows["flag"],
                    hovertemplate=(
                        f"{label}<br>%{{x}}: %{{y}}<br>{tr('charts.flag')}: "
                        "%{customdata}<extra></extra>"
                    ),
                )
            )
    first = next(iter(entries.values()))
    if target is not None:
        fig.add_hline(
            y=target,
            line_dash="dot",
            line_color=TARGET,
            annotation_text=f"{tr('charts.target_2030')}: {_value_text(tr, first, target)}",
            annotation_position="top left",
        )
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(title_text=_axis_title(tr, first), rangemode="tozero")
    return styled(fig, tr.lang, title, source_note)


def dii_bands_chart(
    bands: pd.DataFrame, tr: Translator, *, title: str, source_note: str
) -> go.Figure:
    """Stacked shares of enterprises by DII band, one bar per country and year."""
    bands = bands.copy()
    bands["row"] = (
        bands["geo"].map(lambda g: geo_name(g, tr.lang)) + " " + bands["period"].astype(str)
    )
    order = (
        bands.sort_values(["period", "geo"], ascending=[False, True])["row"]
        .drop_duplicates()
        .tolist()
    )
    fig = go.Figure()
    for band in BANDS:
        rows = bands[bands["band"] == band].set_index("row").reindex(order)
        fig.add_trace(
            go.Bar(
                y=order,
                x=rows["value"],
                orientation="h",
                name=tr(f"dii_bands.{band}"),
                marker_color=BAND_COLOURS[band],
                text=[tr.pct(v) if pd.notna(v) else "" for v in rows["value"]],
                textposition="inside",
                customdata=rows["flag"].fillna(""),
                hovertemplate="%{y}: %{x}<br>"
                + tr("charts.flag")
                + ": %{customdata}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=tr("units.PC_ENT"), range=[0, 100])
    fig.update_yaxes(autorange="reversed")
    return styled(fig, tr.lang, title, source_note, height=max(320, 70 * len(order) + 160))


def size_class_chart(
    rows: pd.DataFrame, tr: Translator, *, title: str, source_note: str, target: float | None
) -> go.Figure:
    """Romania vs the EU by enterprise size class (grouped bars).

    `rows` has geo, size, value, flag."""
    fig = go.Figure()
    for geo, colour in ((HOME, ROMANIA), (EU_AGGREGATE, EU)):
        part = rows[rows["geo"] == geo]
        fig.add_trace(
            go.Bar(
                x=[tr(f"sizes.{s}") for s in part["size"]],
                y=part["value"],
                name=geo_name(geo, tr.lang),
                marker_color=colour,
                text=[
                    tr.pct(v) + (f" {f}" if f else "")
                    for v, f in zip(part["value"], part["flag"], strict=True)
                ],
                textposition="outside",
            )
        )
    if target is not None:
        fig.add_hline(
            y=target,
            line_dash="dot",
            line_color=TARGET,
            annotation_text=tr("charts.target_2030") + f": {tr.pct(target, 0)}",
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=tr("units.PC_ENT"), range=[0, 105])
    return styled(fig, tr.lang, title, source_note)


def sme_path_chart(
    points: pd.DataFrame,
    tr: Translator,
    *,
    target: float,
    pace_from: tuple[int, float] | None,
    title: str,
    source_note: str,
) -> go.Figure:
    """SMEs with at least basic digital intensity: the v3 and v4 series as separate
    traces, the 90% target, and the straight path from Romania's latest v3 value to it."""
    fig = go.Figure()
    styles = {
        ("desi_sme_di3_gelo", HOME): (ROMANIA, "solid", "circle"),
        ("desi_sme_di3_gelo", EU_AGGREGATE): (EU, "solid", "circle"),
        ("desi_sme_di4_gelo", HOME): (ROMANIA, "dot", "diamond-open"),
        ("desi_sme_di4_gelo", EU_AGGREGATE): (EU, "dot", "diamond-open"),
    }
    for (indicator, geo), (colour, dash, symbol) in styles.items():
        rows = points[(points["indicator"] == indicator) & (points["geo"] == geo)].sort_values(
            "period"
        )
        if rows.empty:
            continue
        version = "v3" if indicator.endswith("di3_gelo") else "v4"
        name = f"{geo_name(geo, tr.lang)} – {tr('charts.dii_version', version=version)}"
        fig.add_trace(
            go.Scatter(
                x=rows["period"],
                y=rows["value"],
                mode="lines+markers+text",
                name=name,
                line={"color": colour, "dash": dash, "width": 3},
                marker={"symbol": symbol, "size": 10},
                text=[tr.pct(v) for v in rows["value"]],
                textposition="top center" if geo == EU_AGGREGATE else "bottom center",
                customdata=rows["flag"],
                hovertemplate=name
                + "<br>%{x}: %{y}<br>"
                + tr("charts.flag")
                + ": %{customdata}<extra></extra>",
            )
        )
    fig.add_hline(
        y=target,
        line_dash="dot",
        line_color=TARGET,
        annotation_text=f"{tr('charts.target_2030')}: {tr.pct(target, 0)}",
        annotation_position="top left",
    )
    if pace_from is not None:
        year, value = pace_from
        fig.add_trace(
            go.Scatter(
                x=[year, 2030],
                y=[value, target],
                mode="lines",
                name=tr("charts.path_to_target"),
                line={"color": TARGET, "dash": "dash", "width": 2},
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(dtick=1, range=[2020.5, 2030.5])
    fig.update_yaxes(title_text=tr("units.PC_ENT"), range=[0, 100])
    return styled(fig, tr.lang, title, source_note, height=520)


def desi_score_chart(
    points: pd.DataFrame,
    entry: Indicator,
    tr: Translator,
    *,
    ranks: dict[int, int],
    title: str,
    source_note: str,
) -> go.Figure:
    """DESI 2022-edition scores, Romania and the EU, with Romania's rank at each edition."""
    fig = go.Figure()
    eu_by_period = dict(
        zip(
            points.loc[points["geo"] == EU_AGGREGATE, "period"],
            points.loc[points["geo"] == EU_AGGREGATE, "value"],
            strict=True,
        )
    )
    periods = sorted(int(p) for p in points["period"].unique())
    for geo, colour in ((HOME, ROMANIA), (EU_AGGREGATE, EU)):
        rows = points[points["geo"] == geo].sort_values("period")
        text = None
        position: list[str] | str = "bottom center"
        if geo == HOME:
            text = [
                f"{tr.num(v)} ({tr('charts.rank_short', rank=ranks.get(int(p), '–'))})"
                for p, v in zip(rows["period"], rows["value"], strict=True)
            ]
            # On the side away from the EU line, and at the first and last edition towards
            # the middle, so "19,4 (locul 27)" never runs past the plot's edge.
            position = [
                ("top" if v > eu_by_period.get(p, float("inf")) else "bottom")
                + (
                    " right"
                    if int(p) == periods[0] and len(periods) > 1
                    else " left"
                    if int(p) == periods[-1] and len(periods) > 1
                    else " center"
                )
                for p, v in zip(rows["period"], rows["value"], strict=True)
            ]
        fig.add_trace(
            go.Scatter(
                x=rows["period"],
                y=rows["value"],
                mode="lines+markers+text" if text else "lines+markers",
                name=geo_name(geo, tr.lang),
                line={
                    "color": colour,
                    "width": 4 if geo == HOME else 2,
                    "dash": "solid" if geo == HOME else "dash",
                },
                text=text,
                textposition=position,
                cliponaxis=False,
            )
        )
    # Half a year of room each side: the end labels and markers stay inside the plot.
    x_range = [periods[0] - 0.5, periods[-1] + 0.5] if periods else None
    fig.update_xaxes(dtick=1, range=x_range)
    fig.update_yaxes(title_text=tr("units.score"), rangemode="tozero")
    return styled(fig, tr.lang, title, source_note)


def kpi_gap_chart(
    table: pd.DataFrame, labels: dict[str, str], tr: Translator, *, title: str, source_note: str
) -> go.Figure:
    """Romania minus the EU average on each percentage KPI, in points: the overview slide.

    `table` is `domain.national.kpi_table` output restricted to the KPIs to show, with a
    `better` column (True when Romania is ahead, by the indicator's direction).
    """
    rows = table.dropna(subset=["gap"]).sort_values("gap")
    colours = ["#009E73" if better else "#D55E00" for better in rows["better"]]
    low, high = float(min(rows["gap"].min(), 0)), float(max(rows["gap"].max(), 0))
    room = (high - low) * 0.18
    full = [labels[i] for i in rows["indicator"]]
    fig = go.Figure(
        go.Bar(
            # Two lines at most: a third ran into the neighbouring labels. The hover keeps
            # the whole name.
            y=[wrap_label(label, 40) for label in full],
            x=rows["gap"],
            orientation="h",
            marker_color=colours,
            text=[tr.pp(v) for v in rows["gap"]],
            textposition="outside",
            cliponaxis=False,
            customdata=list(zip(full, rows["period"], strict=True)),
            hovertemplate="%{customdata[0]}<br>%{x:.1f} pp (%{customdata[1]})<extra></extra>",
            showlegend=False,
        )
    )
    fig.add_vline(
        x=0,
        line_color=EU,
        annotation_text=geo_name(EU_AGGREGATE, tr.lang),
        annotation_position="top",
    )
    fig.update_xaxes(title_text=tr("charts.gap_axis"), range=[low - room, high + room])
    # Room for two 14 px lines per bar and a gap between neighbouring labels.
    fig.update_yaxes(automargin=True, ticklabelstandoff=6)
    return styled(fig, tr.lang, title, source_note, height=max(360, 46 * len(rows) + 120))


def coverage_chart(
    coverage: pd.DataFrame, tr: Translator, *, title: str, source_note: str
) -> go.Figure:
    """Which data years each dataset covers: one bar per dataset from first to last year."""
    fig = go.Figure(
        go.Bar(
            y=coverage["label"],
            x=coverage["last"] - coverage["first"] + 1,
            base=coverage["first"] - 0.5,
            orientation="h",
            marker_color=ROMANIA,
            text=[
                f"{a}–{b}" if a != b else str(a)
                for a, b in zip(coverage["first"], coverage["last"], strict=True)
            ],
            textposition="inside",
            hoverinfo="text",
            showlegend=False,
        )
    )
    fig.update_xaxes(dtick=1, title_text=tr("charts.year"))
    fig.update_yaxes(autorange="reversed")
    return styled(fig, tr.lang, title, source_note, height=max(260, 50 * len(coverage) + 120))
