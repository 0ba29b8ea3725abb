"""Member charts: aggregate tables in, Plotly figures out; no I/O, no Streamlit.

The tables come from `dih_dash.domain.cohort` (suppressed or not: a row with
`suppressed` True is never drawn, and the source line says it was hidden). Every text goes
through the `Translator`, and every figure carries its source line — the hub survey with
its waves and member count, and Eurostat's series and year where national bars appear.

Member names reach a figure only where the caller passes them (`dumbbell_chart` labels,
the row labels of `cohort_heatmap`, a radar trace's label); nothing here reads
`member_id` or `company_name` from a table, so a public page cannot leak one by accident.

Kinds: SMEs and public-sector organisations (PSOs) answer two instruments. A figure shows
one kind (`kind="sme"` or `"pso"`): its dimensions, its title and its source line; the two
kinds' scores never meet in one figure, and a PSO figure has no Eurostat bars.

Names, ids, clusters and sectors are typed by people into the survey files, and Plotly reads
HTML in every label: they reach a figure only through `plotly_text`, so a name reading
`<a href="…">` shows those characters instead of a link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dih_dash.charts.theme import (
    BAND_COLOURS,
    DMA_BAND_COLOURS,
    EU,
    MEMBERS,
    MEMBERS_MICRO,
    OTHER,
    PEER_COLOURS,
    ROMANIA,
    TARGET,
    band_text,
    reference_line,
    stacked_bands,
    styled,
    wrap,
)
from dih_dash.domain.cohort import (
    DII_TARGET,
    SUPPRESSED,
    check_kind,
    kind_columns,
    kind_dimensions,
    sorted_waves,
    wave_sort_key,
)
from dih_dash.domain.geo import EU_AGGREGATE, HOME, geo_name
from dih_dash.domain.provenance import flag_legend
from dih_dash.domain.scoring import DII_BANDS, DMA_BANDS
from dih_dash.i18n import Translator
from dih_dash.text_safety import plotly_text

# The member bars of the headline: micro members apart, because Eurostat's DII has no
# figure for enterprises below 10 persons employed.
MEMBER_GROUPS = ("10plus", "micro")
# Domain DII band names → Eurostat's band codes (dii3_vlo …), which key the colours.
DII_BAND_CODES = dict(zip(DII_BANDS, ("vlo", "lo", "hi", "vhi"), strict=True))
# Romania's extent (lon 20.26–29.68, lat 43.64–48.26, data/geo/PROVENANCE.md): its middle,
# and a zoom that shows the whole country in a page-wide map of about 560 px height.
ROMANIA_CENTER = {"lon": 24.97, "lat": 45.95}
ROMANIA_ZOOM = 5.3
DMA_COLOURSCALE = "Viridis"
NO_MEMBERS = "#F4F4F4"
# A county hidden for its size: a mid grey at 3:1 against the "no members" fill, so the two
# read apart on a projector (they were #BBBBBB and #F4F4F4, 1.8:1).
HIDDEN_COUNTY = "#858585"
BAR_GAP = 0.25  # between the round slots of the headline's grouped bars
LINE = "#666666"

_KIND_STYLES: dict[str, tuple[tuple[str, ...], str, int]] = {
    # colours in order of the traces of that kind, line dash, line width
    "member": ((MEMBERS, "#E69F00", "#CC79A7", "#882255", "#44AA99"), "solid", 3),
    "cohort": ((EU, "#D55E00", "#56B4E9", "#999999"), "dash", 2),
    "group": ((ROMANIA, MEMBERS_MICRO, "#F0E442"), "dot", 2),
}


# One colour per assessment round, the same on every chart of the page (radar and bars): the
# first round orange, the next the members' green, then pink, wine and teal.
ROUND_COLOURS: tuple[str, ...] = ("#E69F00", MEMBERS, "#CC79A7", "#882255", "#44AA99")


def round_colour(wave: str, waves: Sequence[str]) -> str:
    """The colour of round `wave` among the page's `waves` (in their order)."""
    ordered = sorted_waves(list(waves))
    place = ordered.index(wave) if wave in ordered else len(ordered)
    return ROUND_COLOURS[place % len(ROUND_COLOURS)]


# --- words shared by the charts -----------------------------------------------------------


def members_text(tr: Translator, count: int) -> str:
    """`1 member`, `40 members`; Romanian `1 membru`, `5 membri`, `20 de membri`."""
    if count == 1:
        key = "members.count.one"
    # Romanian puts "de" between a number ending in 00 or 20–99 and its noun.
    elif tr.lang == "ro" and (count % 100 >= 20 or (count and count % 100 == 0)):
        key = "members.count.many"
    else:
        key = "members.count.other"
    return tr(key, n=tr.num(count, 0))


def survey_source(
    tr: Translator,
    waves: Sequence[str],
    members: int,
    *,
    years: str | None = None,
    demo: bool = False,
    kind: str = "sme",
) -> str:
    """`Source: hub survey (DMA/DII), waves T0, T1, 40 members`, with the years the
    assessments were made in and a demo-data label when given; for public-sector
    organisations (`kind="pso"`) their own instrument is named."""
    ordered = sorted_waves(waves)
    key = "members.source.wave_one" if len(ordered) == 1 else "members.source.wave_many"
    text = tr(
        _kind_key("members.source.survey", kind),
        waves=tr(key, waves=", ".join(ordered)),
        members=members_text(tr, members),
    )
    return text + survey_extras(tr, years, demo)


def survey_extras(tr: Translator, years: str | None, demo: bool) -> str:
    """` · assessed 2025–2026 · DEMO DATA (fictional companies)`: what a survey source line
    adds about when and, for the demo cohort, that it is not real."""
    text = f" · {tr('members.source.assessed', years=years)}" if years else ""
    return text + (f" · {tr('members.source.demo')}" if demo else "")


def national_source(tr: Translator, national: pd.DataFrame, series: str) -> str:
    """`Eurostat isoc_e_dii, E_DI3_GELO, 10–249 persons employed, 2025`, with flags."""
    years = sorted({int(p) for p in national["period"]})
    text = tr(
        "members.source.eurostat",
        series=series,
        years=", ".join(str(y) for y in years),
    )
    flags = flag_legend(tr, national["flag"].fillna("")) if "flag" in national else ""
    return f"{text} · {tr('sources.flags', legend=flags)}" if flags else text


def _hidden_note(tr: Translator, hidden: Sequence[str], min_group: int | None) -> str | None:
    if not hidden:
        return None
    if min_group is None:
        return tr("members.source.hidden_small", groups=", ".join(hidden))
    return tr(
        "members.source.hidden", members=members_text(tr, min_group), groups=", ".join(hidden)
    )


def hidden_slot_text(tr: Translator, min_group: int | None) -> str:
    """`< 5 members – hidden`: what stands where a group too small to show would be."""
    if min_group is None:
        return tr("members.privacy.hidden_slot_small")
    return tr("members.privacy.hidden_slot", members=members_text(tr, min_group))


def _hidden_slot(
    fig: go.Figure, tr: Translator, slot: int, member: int, of: int, min_group: int | None
) -> None:
    """The words "< 5 members – hidden", upright in the empty place of a hidden bar, so a
    public chart never leaves a silent gap. Bars of `of` groups share a category slot
    (`barmode="group"`, `bargap=BAR_GAP`); a category axis takes annotations at the index
    of the category."""
    width = (1 - BAR_GAP) / of
    fig.add_annotation(
        x=slot - (1 - BAR_GAP) / 2 + width * (member + 0.5),
        y=2,
        text=hidden_slot_text(tr, min_group),
        textangle=-90,
        yanchor="bottom",
        showarrow=False,
        font={"size": 13, "color": LINE},
        row=1,
        col=1,
    )


def _note(*parts: str | None) -> str:
    return " · ".join(p for p in parts if p)


def dimension_label(tr: Translator, column: str) -> str:
    return tr(f"members.dimensions.{column}")


def _kind_key(key: str, kind: str) -> str:
    """The text key for a kind: `<key>_pso` names the public-sector organisations' own
    instrument (its title or source line), `<key>` the SMEs'."""
    return f"{key}_pso" if check_kind(kind) == "pso" else key


def group_label(tr: Translator, by: str | None, value: object) -> str:
    """How a group is named on a chart: size classes and size groups translated, clusters,
    sectors and counties as the hub wrote them (escaped for Plotly: only charts use this),
    "not stated" for a missing value."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return tr("members.not_stated")
    if by == "size_class" and tr.has(f"members.size_classes.{value}"):
        return tr(f"members.size_classes.{value}")
    if by == "size_group" and tr.has(f"members.size_groups.{value}"):
        return tr(f"members.size_groups.{value}")
    return plotly_text(value)


def _shown(table: pd.DataFrame) -> pd.Series:
    if SUPPRESSED not in table:
        return pd.Series(True, index=table.index)
    return ~table[SUPPRESSED].astype(bool)


def _number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if pd.isna(number) else number


def _series(table: pd.DataFrame) -> list[tuple[tuple[str, object], pd.Index]]:
    """The rows of each (wave, group) of an aggregate table, waves in assessment order and
    groups in the table's order; the group is None for a table without groups."""
    if "group" in table:
        groups = table.groupby(["wave", "group"], dropna=False, sort=False).groups
        pairs = [((str(key[0]), key[1]), index) for key, index in groups.items()]
    else:
        waves = table.groupby("wave", sort=False).groups
        pairs = [((str(key), None), index) for key, index in waves.items()]
    return sorted(pairs, key=lambda pair: wave_sort_key(pair[0][0]))


def _latest_national(national: pd.DataFrame) -> pd.DataFrame:
    """Romania's and the EU's rows of their latest year (each its own latest)."""
    if national.empty:
        return national
    rows = national[national["geo"].isin([HOME, EU_AGGREGATE])]
    latest = rows.groupby("geo")["period"].transform("max")
    return rows[rows["period"] == latest]


# --- 1. the headline ----------------------------------------------------------------------


def headline_chart(
    shares: pd.DataFrame,
    national: pd.DataFrame,
    tr: Translator,
    *,
    members: int,
    target: float | None = DII_TARGET,
    min_group: int | None = None,
    title: str | None = None,
) -> go.Figure:
    """Members at least basic (DII ≥ 4) per wave, 10+ and micro members as separate bars,
    beside Romania's and the EU's SMEs (Eurostat `desi_sme_di3_gelo`, latest year) and the
    90% target.

    `shares` is `dii_share_by_wave` (suppressed or not); `national` has `geo`, `period`,
    `value`, `flag` for RO and EU27_2020. Different instruments, so bars in two panels and
    never a line joining a member value to a national one.
    """
    national = _latest_national(national)
    panels = 2 if not national.empty else 1
    fig = make_subplots(
        rows=1,
        cols=panels,
        shared_yaxes=True,
        column_widths=[0.66, 0.34] if panels == 2 else None,
        horizontal_spacing=0.05,
    )
    waves = sorted_waves(shares["wave"])
    shown = _shown(shares)
    hidden: list[str] = []
    drawn = [g for g in MEMBER_GROUPS if (shares["size_group"] == g).any()]
    for group, colour in zip(MEMBER_GROUPS, (MEMBERS, MEMBERS_MICRO), strict=True):
        rows = shares[shares["size_group"] == group]
        if rows.empty:
            continue
        label = tr(f"members.headline.legend_{group}")
        by_wave = {str(w): i for i, w in zip(rows.index, rows["wave"], strict=True)}
        y: list[float | None] = []
        text: list[str] = []
        hover: list[str] = []
        for wave in waves:
            index = by_wave.get(wave)
            value = None if index is None or not shown[index] else _number(rows.at[index, "share"])
            if index is not None and not shown[index]:
                hidden.append(f"{tr(f'members.size_groups.{group}')} {wave}")
                _hidden_slot(fig, tr, waves.index(wave), drawn.index(group), len(drawn), min_group)
            y.append(value)
            text.append(tr.pct(value, 0) if value is not None else "")
            hover.append(
                tr(
                    "members.headline.hover_members",
                    group=label,
                    wave=wave,
                    share=tr.pct(value),
                    basic=int(rows.at[index, "at_least_basic"]),
                    members=members_text(tr, int(rows.at[index, "members"])),
                )
                if value is not None and index is not None
                else ""
            )
        fig.add_trace(
            go.Bar(
                x=waves,
                y=y,
                name=label,
                marker={
                    "color": colour,
                    # A hatch as well as a colour, so "micro" survives a grey printout.
                    "pattern": {"shape": "/" if group == "micro" else ""},
                },
                text=text,
                textposition="outside",
                cliponaxis=False,
                hovertext=hover,
                hoverinfo="text",
                legendgroup="members",
                # The legend names the two instruments, one heading per panel.
                legendgrouptitle_text=tr("members.headline.members_panel"),
            ),
            row=1,
            col=1,
        )
    for geo, colour in ((HOME, ROMANIA), (EU_AGGREGATE, EU)):
        row = national[national["geo"] == geo]
        if row.empty:
            continue
        year = int(row["period"].iloc[0])
        value = float(row["value"].iloc[0])
        flag = str(row["flag"].iloc[0] or "") if "flag" in row else ""
        name = tr("members.headline.national_bar", geo=geo_name(geo, tr.lang), year=year)
        fig.add_trace(
            go.Bar(
                # Wrapped: on one line the two names were rotated and took the plot's height.
                x=[wrap(name, 14)],
                y=[value],
                name=name,
                marker_color=colour,
                text=[tr.pct(value, 0) + (f" {flag}" if flag else "")],
                textposition="outside",
                cliponaxis=False,
                hovertext=[
                    tr(
                        "members.headline.hover_national",
                        geo=geo_name(geo, tr.lang),
                        year=year,
                        value=tr.pct(value),
                    )
                ],
                hoverinfo="text",
                legendgroup="national",
                legendgrouptitle_text=tr("members.headline.national_panel"),
            ),
            row=1,
            col=panels,
        )
    if target is not None:
        for col in range(1, panels + 1):
            # The line in both panels, named once in the legend (a label on the plot sat on
            # the tallest bar).
            reference_line(
                fig,
                target,
                f"{tr('charts.target_2030')}: {tr.pct(target, 0)}",
                legend=col == 1,
                row=1,
                col=col,
            )
    fig.update_layout(barmode="group", bargap=BAR_GAP, legend={"traceorder": "grouped"})
    # On two lines: on one, the title was longer than the axis and ran into the source line.
    fig.update_yaxes(
        range=[0, 108], title_text=wrap(tr("members.axis.share_at_least_basic"), 26), col=1
    )
    unknown = bool((shares["size_group"] == "unknown").any())
    note = _note(
        survey_source(tr, waves, members),
        national_source(tr, national, "E_DI3_GELO") if not national.empty else None,
        tr("members.headline.instruments") if not national.empty else None,
        tr("members.source.unknown_size") if unknown else None,
        _hidden_note(tr, hidden, min_group),
    )
    # Taller than the other charts: its grouped legend (two instruments, a heading each)
    # and a five-part source line would otherwise leave the bars a strip of the figure.
    return styled(fig, tr.lang, title or tr("members.headline.title"), note, height=680)


# --- 1b. the DII bands --------------------------------------------------------------------


def dii_bands_chart(
    bands: pd.DataFrame,
    national: pd.DataFrame,
    tr: Translator,
    *,
    members: int,
    min_group: int | None = None,
    title: str | None = None,
) -> go.Figure:
    """Stacked shares of members in each DII band per wave and size group, beside Romania's
    and the EU's SMEs in the same bands (Eurostat `dii3_vlo` … `dii3_vhi`, latest year).

    `bands` is `dii_bands_by_wave`; `national` has `geo`, `period`, `value`, `flag` and
    either `band` (vlo, lo, hi, vhi) or `indicator` (`dii3_vlo` …)."""
    national = national.copy()
    if not national.empty and "band" not in national:
        national["band"] = national["indicator"].str.split("_").str[1]
    national = _latest_national(national)
    shown = _shown(bands)
    order: list[str] = []
    values: dict[tuple[str, str], float | None] = {}
    hidden: list[str] = []
    hidden_rows: list[str] = []
    waves = sorted_waves(bands["wave"])
    for wave in waves:
        for group in MEMBER_GROUPS:
            rows = bands[(bands["wave"] == wave) & (bands["size_group"] == group)]
            if rows.empty:
                continue
            label = tr(f"members.bands.row_{group}", wave=wave)
            order.append(label)  # a hidden row keeps its place, with words instead of bars
            if not shown[rows.index].all():
                hidden.append(f"{tr(f'members.size_groups.{group}')} {wave}")
                hidden_rows.append(label)
                continue
            for band, share in zip(rows["band"], rows["share"], strict=True):
                values[(label, DII_BAND_CODES[str(band)])] = _number(share)
    for geo in (HOME, EU_AGGREGATE):
        rows = national[national["geo"] == geo]
        if rows.empty:
            continue
        label = tr(
            "members.bands.row_national",
            geo=geo_name(geo, tr.lang),
            year=int(rows["period"].iloc[0]),
        )
        order.append(label)
        for band, value in zip(rows["band"], rows["value"], strict=True):
            values[(label, str(band))] = _number(value)
    fig = go.Figure()
    for band in DII_BANDS:
        code = DII_BAND_CODES[band]
        x = [values.get((label, code)) for label in order]
        fig.add_trace(
            go.Bar(
                y=order,
                x=x,
                orientation="h",
                name=tr(f"dii_bands.{code}"),
                marker_color=BAND_COLOURS[code],
                text=band_text(x, lambda v: tr.pct(v, 0)),
                hovertext=[
                    f"{label}<br>{tr(f'dii_bands.{code}')}: {tr.pct(v)}" if v is not None else ""
                    for label, v in zip(order, x, strict=True)
                ],
                hoverinfo="text",
            )
        )
    stacked_bands(fig)
    for label in hidden_rows:
        fig.add_annotation(
            x=1, y=label, xanchor="left", text=hidden_slot_text(tr, min_group),
            showarrow=False, font={"size": 13, "color": LINE},
        )  # fmt: skip
    # No axis title: below the bars it would collide with the legend; the title says "%".
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    fig.update_yaxes(autorange="reversed")
    unknown = bool((bands["size_group"] == "unknown").any())
    note = _note(
        survey_source(tr, waves, members),
        national_source(tr, national, "E_DI3_VLO…E_DI3_VHI") if not national.empty else None,
        tr("members.headline.instruments") if not national.empty else None,
        tr("members.source.unknown_size") if unknown else None,
        _hidden_note(tr, hidden, min_group),
    )
    height = max(320, 56 * len(order) + 160)
    return styled(fig, tr.lang, title or tr("members.bands.title"), note, height=height)


# --- 2. cohort overview -------------------------------------------------------------------


def dma_band_chart(
    distribution: pd.DataFrame,
    tr: Translator,
    *,
    members: int,
    by: str | None = None,
    min_group: int | None = None,
    title: str | None = None,
    kind: str = "sme",
) -> go.Figure:
    """Stacked shares of members per DMA band (basic → advanced), one bar per wave, or per
    wave and group when `distribution` has a `group` column (`by` names the grouping); the
    members of one `kind`."""
    shown = _shown(distribution)
    grouped = "group" in distribution
    waves = sorted_waves(distribution["wave"])
    columns: list[str] = []
    cells: dict[tuple[str, str], float | None] = {}
    hidden: list[str] = []
    for (wave, group), index in _series(distribution):
        label = f"{wave} · {group_label(tr, by, group)}" if grouped else wave
        columns.append(label)  # a hidden bar keeps its place, with words instead of bars
        if not shown[index].all():
            hidden.append(label)
            continue
        rows = distribution.loc[index]
        for band, share in zip(rows["band"], rows["share"], strict=True):
            cells[(label, str(band))] = _number(share)
    fig = go.Figure()
    for band in DMA_BANDS:
        y = [cells.get((label, band)) for label in columns]
        fig.add_trace(
            go.Bar(
                x=columns,
                y=y,
                name=tr(f"members.dma_bands.{band}"),
                marker_color=DMA_BAND_COLOURS[band],
                text=band_text(y, lambda v: tr.pct(v, 0)),
                hovertext=[
                    f"{label}<br>{tr(f'members.dma_bands.{band}')}: {tr.pct(v)}"
                    if v is not None
                    else ""
                    for label, v in zip(columns, y, strict=True)
                ],
                hoverinfo="text",
            )
        )
    stacked_bands(fig)
    for label in hidden:
        fig.add_annotation(
            x=label, y=2, yanchor="bottom", textangle=-90, text=hidden_slot_text(tr, min_group),
            showarrow=False, font={"size": 13, "color": LINE},
        )  # fmt: skip
    fig.update_yaxes(title_text=tr("members.axis.share_members"), range=[0, 100])
    note = _note(survey_source(tr, waves, members, kind=kind), _hidden_note(tr, hidden, min_group))
    return styled(fig, tr.lang, title or tr(_kind_key("members.dma_band.title", kind)), note)


@dataclass(frozen=True)
class RadarTrace:
    """One shape on the radar: a label (the caller's words; a member's name only in the
    admin view), scores per dimension, and its kind of shape, which sets the line style."""

    label: str
    values: Mapping[str, float | None] | pd.Series
    kind: Literal["member", "cohort", "group"] = "cohort"
    colour: str | None = None  # e.g. `round_colour`: the kind's palette when None


def dimension_radar(
    traces: Sequence[RadarTrace],
    tr: Translator,
    *,
    waves: Sequence[str],
    members: int,
    title: str | None = None,
    kind: str = "sme",
) -> go.Figure:
    """The six dimensions of the `kind`'s instrument (SME or PSO DMA, never both) on a
    0–100 radar, one closed shape per trace: cohort medians per wave (dashed), groups
    (dotted), a member's waves (solid)."""
    dimensions = kind_dimensions(kind)
    theta = [wrap(dimension_label(tr, d), 18) for d in dimensions]
    used: dict[str, int] = {}
    fig = go.Figure()
    for trace in traces:
        colours, dash, width = _KIND_STYLES[trace.kind]
        colour = trace.colour or colours[used.get(trace.kind, 0) % len(colours)]
        used[trace.kind] = used.get(trace.kind, 0) + 1
        r = [_number(trace.values.get(d)) for d in dimensions]
        label = plotly_text(trace.label)
        fig.add_trace(
            go.Scatterpolar(
                # The first point repeated closes the shape.
                r=[*r, r[0]],
                theta=[*theta, theta[0]],
                mode="lines+markers",
                name=label,
                line={"color": colour, "dash": dash, "width": width},
                marker={"size": 6 if trace.kind == "member" else 4},
                hovertext=[
                    f"{label}<br>{dimension_label(tr, d)}: {tr.num(v)}"
                    for d, v in zip([*dimensions, dimensions[0]], [*r, r[0]], strict=True)
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(
        polar={
            # The scale between the first two dimensions, not on the top one: there its
            # "100" sat on that dimension's name.
            "radialaxis": {
                "range": [0, 100],
                "tickvals": [0, 25, 50, 75, 100],
                "angle": 60,
                # Relative to the axis: the same angle sets the numbers level.
                "tickangle": 60,
                "tickfont": {"size": 12, "color": "#555555"},
            },
            "angularaxis": {"direction": "clockwise", "rotation": 90},
            # Plotly leaves no room for the dimension names outside the circle: the top
            # and bottom ones (two lines each) ran into the source line and the legend.
            "domain": {"y": [0.1, 0.9]},
        }
    )
    note = survey_source(tr, waves, members, kind=kind)
    return styled(
        fig, tr.lang, title or tr(_kind_key("members.radar.title", kind)), note, height=600
    )


def dimension_bars(
    stats: pd.DataFrame,
    tr: Translator,
    *,
    members: int,
    statistic: Literal["mean", "median"] = "median",
    by: str | None = None,
    min_group: int | None = None,
    title: str | None = None,
    kind: str = "sme",
) -> go.Figure:
    """Mean or median per dimension of the `kind`'s instrument (and overall), one bar
    series per group (or per wave without groups). `stats` is `dimension_stats` of that
    kind, suppressed or not. Horizontal, so the long dimension names read without wrapping
    into the legend."""
    columns = kind_columns(kind)
    shown = _shown(stats)
    grouped = "group" in stats
    waves = sorted_waves(stats["wave"])
    several_waves = len(waves) > 1
    labels = [wrap(dimension_label(tr, d), 28) for d in columns]
    hidden: list[str] = []
    fig = go.Figure()
    palette = (MEMBERS, ROMANIA, *PEER_COLOURS)
    for number, ((wave, group), index) in enumerate(_series(stats)):
        if grouped:
            name = group_label(tr, by, group)
            name = f"{name} · {wave}" if several_waves else name
        else:
            name = wave
        if not shown[index].all():
            hidden.append(name)
            continue
        rows = stats.loc[index].set_index("dimension")
        values = [_number(rows[statistic].get(d)) for d in columns]
        counts = [rows["members"].get(d) for d in columns]
        fig.add_trace(
            go.Bar(
                y=labels,
                x=values,
                orientation="h",
                name=name,
                # Per round without groups: the round's own colour, as on the radar.
                marker_color=palette[number % len(palette)]
                if grouped
                else round_colour(wave, waves),
                text=[tr.num(v, 0) if v is not None else "" for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertext=[
                    tr(
                        "members.bars.hover",
                        series=name,
                        dimension=dimension_label(tr, d),
                        statistic=tr(f"members.statistic.{statistic}"),
                        value=tr.num(v),
                        members=members_text(tr, int(n)) if _number(n) is not None else "–",
                    )
                    for d, v, n in zip(columns, values, counts, strict=True)
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=tr("members.axis.score"), range=[0, 105])
    # The questionnaire's order from the top, the overall score last.
    fig.update_yaxes(autorange="reversed")
    drawn = max(1, len(fig.data))
    note = _note(survey_source(tr, waves, members, kind=kind), _hidden_note(tr, hidden, min_group))
    default = tr(
        _kind_key("members.bars.title", kind), statistic=tr(f"members.statistic.{statistic}")
    )
    height = max(420, len(columns) * (14 * drawn + 22) + 160)
    return styled(fig, tr.lang, title or default, note, height=height)


def cohort_heatmap(
    matrix: pd.DataFrame,
    tr: Translator,
    *,
    waves: Sequence[str],
    members: int,
    by: str | None = None,
    title: str | None = None,
    kind: str = "sme",
) -> go.Figure:
    """Rows × the `kind`'s dimensions, scores 0–100. The caller decides the rows: groups
    for the public (`dimension_matrix`; `by` names the grouping for labels), members for
    admins (`member_matrix`, labelled as the admin chose)."""
    columns = [c for c in kind_columns(kind) if c in matrix.columns]
    rows = [group_label(tr, by, label) for label in matrix.index]
    z = [[_number(v) for v in matrix.loc[label, columns]] for label in matrix.index]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[wrap(dimension_label(tr, c), 13) for c in columns],
            y=rows,
            zmin=0,
            zmax=100,
            colorscale=DMA_COLOURSCALE,
            colorbar={"title": {"text": tr("members.axis.score_short")}},
            texttemplate="%{z:.0f}",
            hovertemplate="%{y}<br>%{x}: %{z:.1f}<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=0)
    note = survey_source(tr, waves, members, kind=kind)
    height = max(320, 30 * len(rows) + 200)
    default = tr(_kind_key("members.heatmap.title", kind))
    return styled(fig, tr.lang, title or default, note, height=height)


# --- 3. progress --------------------------------------------------------------------------


def progress_chart(
    summary: pd.DataFrame,
    tr: Translator,
    *,
    wave_from: str,
    wave_to: str,
    members: int,
    title: str | None = None,
    kind: str = "sme",
) -> go.Figure:
    """Per dimension of the `kind`'s instrument (and overall): the median change of the
    paired members, with the quartile range (the middle half of the members) as error bars,
    and the share that improved. `summary` is `progress_summary`; `members` the paired
    members."""
    shown = _shown(summary)
    rows = summary[shown].set_index("dimension")
    dims = [d for d in kind_columns(kind) if d in rows.index]
    median = [_number(rows.at[d, "median_change"]) for d in dims]
    q1 = [_number(rows.at[d, "q1_change"]) for d in dims]
    q3 = [_number(rows.at[d, "q3_change"]) for d in dims]
    share = [_number(rows.at[d, "share_improved"]) for d in dims]
    counts = [_number(rows.at[d, "members"]) for d in dims]

    def gap(a: float | None, b: float | None) -> float:
        return 0.0 if a is None or b is None else a - b

    fig = go.Figure(
        go.Scatter(
            x=[wrap(dimension_label(tr, d), 16) for d in dims],
            y=median,
            mode="markers+text",
            name=tr("members.progress.median"),
            marker={"color": MEMBERS, "size": 12, "symbol": "diamond"},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [gap(hi, m) for hi, m in zip(q3, median, strict=True)],
                "arrayminus": [gap(m, lo) for m, lo in zip(median, q1, strict=True)],
                "color": MEMBERS,
                "thickness": 2,
                "width": 8,
            },
            text=[tr.signed(m) if m is not None else "" for m in median],
            textposition="middle right",
            hovertext=[
                tr(
                    "members.progress.hover",
                    dimension=dimension_label(tr, d),
                    median=tr.signed(m) if m is not None else "",
                    q1=tr.num(lo),
                    q3=tr.num(hi),
                    share=tr.pct(s),
                    members=members_text(tr, int(n or 0)),
                )
                for d, m, lo, hi, s, n in zip(dims, median, q1, q3, share, counts, strict=True)
            ],
            hoverinfo="text",
        )
    )
    fig.add_hline(y=0, line_color=LINE, line_width=1)
    fig.update_yaxes(title_text=tr("members.axis.change"), zeroline=True)
    note = _note(
        survey_source(tr, [wave_from, wave_to], members, kind=kind),
        tr("members.progress.paired_note", members=members_text(tr, members)),
    )
    default = tr(_kind_key("members.progress.title", kind), wave_from=wave_from, wave_to=wave_to)
    return styled(fig, tr.lang, title or default, note)


def dumbbell_chart(
    paired: pd.DataFrame,
    tr: Translator,
    *,
    wave_from: str,
    wave_to: str,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    kind: str = "sme",
) -> go.Figure:
    """Admin view: one row per paired member of one `kind`, its DMA overall score before →
    after. Rows
    are labelled by `labels` (the caller's choice: names for admins), else "Member 1…"."""
    before = [_number(v) for v in paired["dma_overall_before"]]
    after = [_number(v) for v in paired["dma_overall_after"]]
    names = (
        [plotly_text(label) for label in labels]
        if labels is not None
        else [tr("members.dumbbell.member_n", n=i + 1) for i in range(len(paired))]
    )
    if len(names) != len(paired):
        raise ValueError("dumbbell_chart needs one label per paired member")
    order = sorted(
        (i for i in range(len(paired)) if before[i] is not None and after[i] is not None),
        key=lambda i: after[i] or 0.0,
    )
    fig = go.Figure()
    for direction, colour in (("up", MEMBERS), ("down", TARGET)):
        xs: list[float | None] = []
        ys: list[str | None] = []
        for i in order:
            rising = (after[i] or 0.0) >= (before[i] or 0.0)
            if rising == (direction == "up"):
                xs += [before[i], after[i], None]
                ys += [names[i], names[i], None]
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line={"color": colour, "width": 3},
                    name=tr(f"members.dumbbell.{direction}"),
                    hoverinfo="skip",
                )
            )
    for wave, values, colour, symbol in (
        (wave_from, before, OTHER, "circle-open"),
        (wave_to, after, MEMBERS, "circle"),
    ):
        fig.add_trace(
            go.Scatter(
                x=[values[i] for i in order],
                y=[names[i] for i in order],
                mode="markers",
                name=wave,
                marker={"color": colour, "size": 10, "symbol": symbol, "line": {"width": 2}},
                hovertext=[f"{names[i]}<br>{wave}: {tr.num(values[i])}" for i in order],
                hoverinfo="text",
            )
        )
    fig.update_xaxes(title_text=tr("members.axis.overall_score"), range=[0, 100])
    fig.update_yaxes(categoryorder="array", categoryarray=[names[i] for i in order])
    note = survey_source(tr, [wave_from, wave_to], len(order), kind=kind)
    default = tr("members.dumbbell.title", wave_from=wave_from, wave_to=wave_to)
    height = max(360, 24 * len(order) + 180)
    return styled(fig, tr.lang, title or default, note, height=height)


# --- 5. counties --------------------------------------------------------------------------


def county_map(
    summary: pd.DataFrame,
    geojson: Mapping[str, Any],
    tr: Translator,
    *,
    min_group: int | None,
    waves: Sequence[str],
    members: int,
    title: str | None = None,
    kind: str = "sme",
) -> go.Figure:
    """Romania's 42 counties coloured by the median DMA overall score of their members (of
    one `kind`)
    (`county_summary`); suppressed counties grey ("fewer than N members"), counties
    without members pale. Drawn offline from `geojson` (MapLibre, `white-bg`, no tiles,
    no text layers), with the boundaries' attribution in the source line. `min_group`
    None (hub staff: no group hidden) leaves the rule out of the source line, which would
    otherwise speak of "fewer than 1 member"."""
    features = list(geojson.get("features", []))
    names = {
        f["properties"]["NUTS_ID"]: plotly_text(
            f["properties"].get("NAME_LATN") or f["properties"]["NUTS_ID"]
        )
        for f in features
    }
    by_nuts = summary.set_index("nuts3") if not summary.empty else summary
    scored: list[tuple[str, float, int]] = []
    suppressed: list[str] = []
    empty: list[tuple[str, str]] = []
    for nuts in names:
        if nuts in by_nuts.index:
            row = by_nuts.loc[nuts]
            if bool(row.get(SUPPRESSED, False)):
                suppressed.append(nuts)
                continue
            median = _number(row["median_dma_overall"])
            count = int(row["members"])
            if median is not None:
                scored.append((nuts, median, count))
                continue
            empty.append((nuts, tr("members.map.no_score", members=members_text(tr, count))))
        else:
            empty.append((nuts, tr("members.map.no_members")))
    common: dict[str, Any] = {
        "geojson": geojson,
        "featureidkey": "properties.NUTS_ID",
        "marker": {"line": {"color": LINE, "width": 0.6}},
        "hoverinfo": "text",
    }
    fig = go.Figure()
    if empty:
        fig.add_trace(
            go.Choroplethmap(
                locations=[n for n, _ in empty],
                z=[0] * len(empty),
                colorscale=[[0, NO_MEMBERS], [1, NO_MEMBERS]],
                showscale=False,
                name=tr("members.map.legend_none"),
                showlegend=True,
                hovertext=[f"{names[n]}: {text}" for n, text in empty],
                **common,
            )
        )
    if suppressed:
        fewer = (
            hidden_slot_text(tr, None)
            if min_group is None
            else tr("members.map.fewer_than", members=members_text(tr, min_group))
        )
        fig.add_trace(
            go.Choroplethmap(
                locations=suppressed,
                z=[0] * len(suppressed),
                colorscale=[[0, HIDDEN_COUNTY], [1, HIDDEN_COUNTY]],
                showscale=False,
                name=fewer,
                showlegend=True,
                hovertext=[f"{names[n]}: {fewer}" for n in suppressed],
                **common,
            )
        )
    if scored:
        fig.add_trace(
            go.Choroplethmap(
                locations=[n for n, _, _ in scored],
                z=[m for _, m, _ in scored],
                zmin=0,
                zmax=100,
                colorscale=DMA_COLOURSCALE,
                colorbar={
                    "title": {"text": tr("members.map.colourbar")},
                    "tickvals": [0, 25, 50, 75, 100],
                },
                name=tr("members.map.colourbar"),
                showlegend=False,
                hovertext=[
                    tr(
                        "members.map.hover",
                        county=names[n],
                        members=members_text(tr, c),
                        median=tr.num(m),
                    )
                    for n, m, c in scored
                ],
                **common,
            )
        )
    fig.update_layout(
        map={"style": "white-bg", "center": ROMANIA_CENTER, "zoom": ROMANIA_ZOOM},
        margin={"l": 10, "r": 10, "b": 60},
    )
    note = _note(
        survey_source(tr, waves, members, kind=kind),
        None if min_group is None else tr("members.map.rule", members=members_text(tr, min_group)),
        tr("members.map.attribution"),
    )
    default = tr(_kind_key("members.map.title", kind))
    return styled(fig, tr.lang, title or default, note, height=560)
