"""National charts: frame in, Plotly figure out; no I/O, no Streamlit.

Each function takes the rows it draws and a `Translator`, so the same figure serves the
page, the PNG export and the slide deck, in either language.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence

import pandas as pd
import plotly.graph_objects as go

from dih_dash.charts.theme import (
    BAND_COLOURS,
    EU,
    OTHER,
    PEER_COLOURS,
    ROMANIA,
    TARGET,
    band_text,
    reference_line,
    stacked_bands,
    styled,
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
        reference_line(fig, target, f"{tr('charts.target_2030')}: {_value_text(tr, entry, target)}")
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
    two DII versions) are separate traces and are never joined. Romania's values are
    labelled where the label crosses no line; the others are in the hover."""
    fig = go.Figure()
    peer_colours = iter(PEER_COLOURS)
    colour_of: dict[str, str] = {}
    for geo in geos:
        colour_of[geo] = (
            ROMANIA if geo == HOME else EU if geo == EU_AGGREGATE else next(peer_colours, OTHER)
        )
    drawn: list[tuple[str, Indicator, str, pd.DataFrame]] = []
    for indicator_id, entry in entries.items():
        for geo in geos:
            rows = points[
                (points["indicator"] == indicator_id) & (points["geo"] == geo)
            ].sort_values("period")
            if not rows.empty:
                drawn.append((indicator_id, entry, geo, rows))
    first = next(iter(entries.values()))
    values = [float(v) for *_, rows in drawn for v in rows["value"]]
    periods = [int(p) for *_, rows in drawn for p in rows["period"]]
    # Explicit ranges, so the labels can be placed: half a year beside the first and last
    # year, and headroom above the highest value or the target.
    x_range = (min(periods) - 0.5, max(periods) + 0.5) if periods else (0.0, 1.0)
    top = max([*values, target if target is not None else 0.0, 0.0]) * 1.08 or 1.0
    y_range = (min([*values, 0.0]) * 1.08, top)
    lines = [
        list(zip(rows["period"].astype(float), rows["value"].astype(float), strict=True))
        for *_, rows in drawn
    ]
    texts = [
        [_value_text(tr, entry, v) for v in rows["value"]] if geo == HOME else []
        for _, entry, geo, rows in drawn
    ]
    home = [i for i, (_, _, geo, _) in enumerate(drawn) if geo == HOME]
    placed = place_labels(
        [(lines[i], texts[i], _positions("top")) for i in home],
        [line for i, line in enumerate(lines) if i not in home]
        + ([[(x_range[0], target), (x_range[1], target)]] if target is not None else []),
        x_range=x_range,
        y_range=y_range,
    )
    where = dict(zip(home, placed, strict=True))
    for number, (indicator_id, entry, geo, rows) in enumerate(drawn):
        dash = "solid" if len(entries) == 1 or indicator_id == next(iter(entries)) else "dash"
        label = geo_name(geo, tr.lang)
        if len(entries) > 1:
            label = f"{label} – {entry.instrument.upper() or entry.label(tr.lang)}"
        positions = where.get(number, [])
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
                text=[t if w else "" for t, w in zip(texts[number], positions, strict=True)]
                if geo == HOME
                else None,
                textposition=[w or "top center" for w in positions] if geo == HOME else None,
                cliponaxis=False,
                customdata=rows["flag"],
                hovertemplate=(
                    f"{label}<br>%{{x}}: %{{y}}<br>{tr('charts.flag')}: "
                    "%{customdata}<extra></extra>"
                ),
            )
        )
    if target is not None:
        reference_line(fig, target, f"{tr('charts.target_2030')}: {_value_text(tr, first, target)}")
    fig.update_xaxes(dtick=1, range=list(x_range))
    fig.update_yaxes(title_text=_axis_title(tr, first), range=list(y_range))
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
        values = [float(v) if pd.notna(v) else None for v in rows["value"]]
        name = tr(f"dii_bands.{band}")
        fig.add_trace(
            go.Bar(
                y=order,
                x=values,
                orientation="h",
                name=name,
                marker_color=BAND_COLOURS[band],
                text=band_text(values, tr.pct),
                hovertext=[
                    f"{row}<br>{name}: {tr.pct(v)}" + (f"<br>{tr('charts.flag')}: {f}" if f else "")
                    for row, v, f in zip(order, values, rows["flag"].fillna(""), strict=True)
                ],
                hoverinfo="text",
            )
        )
    stacked_bands(fig)
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
        reference_line(fig, target, f"{tr('charts.target_2030')}: {tr.pct(target, 0)}")
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=tr("units.PC_ENT"), range=[0, 105])
    return styled(fig, tr.lang, title, source_note)


# The smallest plot a line chart gets on a page (a laptop with the menu open), in pixels:
# labels placed clear of the lines there are clear on a projector too.
_PLOT_PX = (800, 340)
# A 14 px value label: its height, the gap to its marker, and the width of one character.
_LABEL_PX = {"height": 17, "gap": 7, "char": 8.5}

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x0, x1, y0, y1 in data units


def _label_box(x: float, y: float, label: str, position: str, scale: Point) -> Box:
    """Where Plotly draws `label` (lines split by <br>) at `position` of the point, in data
    units."""
    px, py = scale
    lines = label.split("<br>")
    width = (max(len(line) for line in lines) * _LABEL_PX["char"] + 4) * px
    height, gap = len(lines) * _LABEL_PX["height"] * py, _LABEL_PX["gap"] * py
    gap_x = _LABEL_PX["gap"] * px
    vertical, horizontal = position.split()
    x0 = {
        "center": x - width / 2,
        "right": x + gap_x,
        "left": x - gap_x - width,
    }[horizontal]
    y0 = {"top": y + gap, "bottom": y - gap - height, "middle": y - height / 2}[vertical]
    return (x0, x0 + width, y0, y0 + height)


def _crosses(box: Box, line: Sequence[Point]) -> bool:
    """Whether the polyline passes through the box (exact for straight segments)."""
    x0, x1, y0, y1 = box
    for (ax, ay), (bx, by) in itertools.pairwise(line):
        left, right = max(min(ax, bx), x0), min(max(ax, bx), x1)
        if left > right:
            continue
        if ax == bx:
            low, high = min(ay, by), max(ay, by)
        else:
            at = [ay + (by - ay) * (x - ax) / (bx - ax) for x in (left, right)]
            low, high = min(at), max(at)
        if high >= y0 and low <= y1:
            return True
    return False


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def place_labels(
    series: Sequence[tuple[Sequence[Point], Sequence[str], Sequence[str]]],
    obstacles: Sequence[Sequence[Point]],
    *,
    x_range: Point,
    y_range: Point,
) -> list[list[str | None]]:
    """For each series (its points, their labels, the positions to try in order), the first
    position at which each label crosses no line (of any series, its own included, or an
    obstacle such as a target line) and no label already placed; None where every position
    does: that value stays in the hover only. Series are placed in the order given."""
    scale = (
        (x_range[1] - x_range[0]) / _PLOT_PX[0],
        (y_range[1] - y_range[0]) / _PLOT_PX[1],
    )
    lines = [list(points) for points, _, _ in series] + [list(o) for o in obstacles]
    placed: list[Box] = []
    result: list[list[str | None]] = []
    for points, labels, positions in series:
        chosen: list[str | None] = []
        for (x, y), label in zip(points, labels, strict=True):
            choice = None
            for position in positions:
                box = _label_box(x, y, label, position, scale)
                inside = x_range[0] <= box[0] and box[1] <= x_range[1]
                inside = inside and y_range[0] <= box[2] and box[3] <= y_range[1]
                if (
                    inside
                    and not any(_crosses(box, line) for line in lines)
                    and not any(_overlap(box, other) for other in placed)
                ):
                    choice = position
                    placed.append(box)
                    break
            chosen.append(choice)
        result.append(chosen)
    return result


def _positions(side: str) -> tuple[str, ...]:
    """Label positions to try: on `side` of the point (centred, then beside it), then on
    the other side, then level with it."""
    other = "top" if side == "bottom" else "bottom"
    return (
        *(f"{side} {h}" for h in ("center", "right", "left")),
        *(f"{other} {h}" for h in ("center", "right", "left")),
        "middle right",
        "middle left",
    )


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
    traces, the 90% target, and the straight path from Romania's latest v3 value to it.

    Value labels go above or below their point, whichever crosses no line and no other
    label (the v4 series run between the v3 ones); a value with no clear place is left to
    the hover."""
    fig = go.Figure()
    styles = {
        ("desi_sme_di3_gelo", HOME): (ROMANIA, "circle"),
        ("desi_sme_di3_gelo", EU_AGGREGATE): (EU, "circle"),
        ("desi_sme_di4_gelo", HOME): (ROMANIA, "diamond-open"),
        ("desi_sme_di4_gelo", EU_AGGREGATE): (EU, "diamond-open"),
    }
    x_range, y_range = (2020.5, 2030.5), (0.0, 100.0)
    drawn: list[tuple[str, str, pd.DataFrame]] = []
    for (indicator, geo), _style in styles.items():
        rows = points[(points["indicator"] == indicator) & (points["geo"] == geo)].sort_values(
            "period"
        )
        if not rows.empty:
            drawn.append((indicator, geo, rows))
    path = [(float(pace_from[0]), pace_from[1]), (2030.0, target)] if pace_from else []
    positions = place_labels(
        [
            (
                list(zip(rows["period"].astype(float), rows["value"].astype(float), strict=True)),
                [tr.pct(v) for v in rows["value"]],
                # Romania's labels prefer below, the EU's above: the EU is ahead.
                _positions("bottom" if geo == HOME else "top"),
            )
            for _, geo, rows in drawn
        ],
        [path, [(x_range[0], target), (x_range[1], target)]],
        x_range=x_range,
        y_range=y_range,
    )
    for (indicator, geo, rows), where in zip(drawn, positions, strict=True):
        colour, symbol = styles[(indicator, geo)]
        version = "v3" if indicator.endswith("di3_gelo") else "v4"
        name = f"{geo_name(geo, tr.lang)} – {tr('charts.dii_version', version=version)}"
        fig.add_trace(
            go.Scatter(
                x=rows["period"],
                y=rows["value"],
                # Points, no line: each version is measured every other year, and a line
                # would draw values through the years in between, which it does not have.
                mode="markers+text",
                name=name,
                marker={
                    "symbol": symbol,
                    "size": 13,
                    "color": colour,
                    "line": {"width": 2, "color": colour},
                },
                text=[tr.pct(v) if w else "" for v, w in zip(rows["value"], where, strict=True)],
                textposition=[w or "top center" for w in where],
                textfont={"color": colour},
                cliponaxis=False,
                customdata=rows["flag"],
                hovertemplate=name
                + "<br>%{x}: %{y}<br>"
                + tr("charts.flag")
                + ": %{customdata}<extra></extra>",
            )
        )
    reference_line(fig, target, f"{tr('charts.target_2030')}: {tr.pct(target, 0)}")
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
    fig.update_xaxes(dtick=1, range=list(x_range))
    fig.update_yaxes(title_text=tr("units.PC_ENT"), range=list(y_range))
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
    """DESI 2022-edition scores, Romania and the EU, with Romania's rank at each edition.

    Romania's labels (19,4 over "(locul 27)") sit on the side away from the EU line, moved
    beside the point where the line itself would run through them; the x axis has room
    for the first and last label."""
    fig = go.Figure()
    home = points[points["geo"] == HOME].sort_values("period")
    eu = points[points["geo"] == EU_AGGREGATE].sort_values("period")
    periods = sorted(int(p) for p in points["period"].unique())
    # Half a year each side: room for half a label at the narrowest plot a page gives.
    x_range = (periods[0] - 0.5, periods[-1] + 0.5) if periods else (0.0, 1.0)
    top = float(points["value"].max()) if not points.empty else 1.0
    home_line = list(zip(home["period"].astype(float), home["value"].astype(float), strict=True))
    eu_line = list(zip(eu["period"].astype(float), eu["value"].astype(float), strict=True))
    # The rank on a second line: one line was wider than a year at a laptop's width.
    labels = [
        f"{tr.num(v)}<br>({tr('charts.rank_short', rank=ranks.get(int(p), '–'))})"
        for p, v in zip(home["period"], home["value"], strict=True)
    ]
    below = home["value"].mean() <= eu["value"].mean() if not eu.empty else True
    (where,) = place_labels(
        [(home_line, labels, _positions("bottom" if below else "top"))],
        [eu_line],
        x_range=x_range,
        # The axis starts at zero; Plotly's automatic top is about 5% above the highest point.
        y_range=(0.0, top * 1.05),
    )
    for geo, colour, rows in ((HOME, ROMANIA, home), (EU_AGGREGATE, EU, eu)):
        fig.add_trace(
            go.Scatter(
                x=rows["period"],
                y=rows["value"],
                mode="lines+markers+text" if geo == HOME else "lines+markers",
                name=geo_name(geo, tr.lang),
                line={
                    "color": colour,
                    "width": 4 if geo == HOME else 2,
                    "dash": "solid" if geo == HOME else "dash",
                },
                text=[t if w else "" for t, w in zip(labels, where, strict=True)]
                if geo == HOME
                else None,
                textposition=[w or "bottom center" for w in where] if geo == HOME else None,
                cliponaxis=False,
            )
        )
    fig.update_xaxes(dtick=1, range=list(x_range))
    fig.update_yaxes(title_text=tr("units.score"), rangemode="tozero")
    return styled(fig, tr.lang, title, source_note)


def kpi_gap_chart(
    table: pd.DataFrame,
    labels: dict[str, str],
    tr: Translator,
    *,
    title: str,
    source_note: str,
    lower_is_better: Collection[str] = (),
) -> go.Figure:
    """Romania minus the EU average on each percentage KPI, in points: the overview slide.

    `table` is `domain.national.kpi_table` output restricted to the KPIs to show, with a
    `better` column (True when Romania is ahead, by the indicator's direction). Colour says
    better or worse, and a legend says so in words; an indicator where lower is better is
    marked "↓", since its "better" bar points the other way.
    """
    rows = table.dropna(subset=["gap"]).sort_values("gap")
    low, high = float(min(rows["gap"].min(), 0)), float(max(rows["gap"].max(), 0))
    room = (high - low) * 0.18
    full = [labels[i] for i in rows["indicator"]]
    # Two lines at most: a third ran into the neighbouring labels. The hover keeps the
    # whole name.
    axis = [
        wrap_label(("↓ " if i in lower_is_better else "") + label, 40)
        for i, label in zip(rows["indicator"], full, strict=True)
    ]
    fig = go.Figure()
    for better, colour, name in (
        (True, "#009E73", tr("charts.better_than_eu")),
        (False, "#D55E00", tr("charts.worse_than_eu")),
    ):
        mask = (rows["better"] == better).to_numpy()
        if not mask.any():
            continue
        part = rows[mask]
        fig.add_trace(
            go.Bar(
                y=[a for a, m in zip(axis, mask, strict=True) if m],
                x=part["gap"],
                orientation="h",
                name=name,
                marker_color=colour,
                # Pattern as well as colour: the two groups differ without colour vision.
                marker_pattern_shape="" if better else "/",
                text=[tr.pp(v) for v in part["gap"]],
                textposition="outside",
                cliponaxis=False,
                customdata=[
                    (label, period)
                    for label, period, m in zip(full, rows["period"], mask, strict=True)
                    if m
                ],
                hovertemplate="%{customdata[0]}<br>%{x:.1f} pp (%{customdata[1]})<extra></extra>",
            )
        )
    if lower_is_better:
        fig.add_trace(
            go.Bar(
                x=[None], y=[None], name=tr("charts.lower_is_better_key"),
                marker_color="rgba(0,0,0,0)", hoverinfo="skip",
            )
        )  # fmt: skip
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(categoryorder="array", categoryarray=axis)
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
