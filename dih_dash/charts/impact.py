"""The impact chart (spec edih-services.md §5): per service category, the median change of
the served and the not-served members, and the difference of the two medians with its
bootstrap interval. Table in (`domain.impact.impact_table` or `public_impact`), Plotly
figure out; no I/O, no Streamlit.

One figure per instrument: SMEs and public-sector organisations answer different
questionnaires, so their changes never share an axis. A group the public may not see has
no marker; its category stays on the axis with a note that says it is hidden. Nothing here
reads a member id or name: the table has none.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dih_dash.charts.members import LINE, members_text
from dih_dash.charts.theme import MEMBERS, OTHER, ROMANIA, styled, wrap_label
from dih_dash.domain.impact import HIDDEN_COLUMNS
from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.i18n import Translator
from dih_dash.text_safety import plotly_text
from dih_dash.values import is_missing

# Where the groups' medians sit in their row, so the two markers never cover each other.
SERVED_OFFSET = -0.15
NOT_SERVED_OFFSET = 0.15


def category_label(tr: Translator, category: str) -> str:
    """A service category in the interface language (the four EDIH categories)."""
    key = "member_report.categories." + category.lower().replace(" ", "_")
    return tr(key) if tr.has(key) else category


def instrument_label(tr: Translator, instrument: str) -> str:
    return tr(f"impact.instrument.{instrument}")


def _value(value: object) -> float | None:
    return None if is_missing(value) else float(value)  # type: ignore[arg-type]


def _padded_range(traces: list[go.Scatter]) -> list[float]:
    """An x range holding zero, every marker and interval end, with room for the labels
    beside the markers."""
    ends = [0.0]
    for trace in traces:
        xs = [float(x) for x in trace.x or ()]
        ends += xs
        error = trace.error_x
        if error is not None and error.array is not None:
            ends += [x + up for x, up in zip(xs, error.array, strict=True)]
            ends += [x - down for x, down in zip(xs, error.arrayminus, strict=True)]
    low, high = min(ends), max(ends)
    room = max(high - low, 1.0) * 0.15
    return [low - room, high + room]


def _hidden_text(tr: Translator, served: bool, not_served: bool, minimum: int | None) -> str:
    members = members_text(tr, minimum) if minimum is not None else None
    if served and not_served:
        key = "both"
    elif served:
        key = "served"
    else:
        key = "not_served"
    if members is None:
        return tr(f"impact.chart.hidden_small.{key}")
    return tr(f"impact.chart.hidden.{key}", members=members)


def impact_chart(
    table: pd.DataFrame,
    tr: Translator,
    *,
    instrument: str,
    earlier: str,
    later: str,
    min_group: int | None = None,
    level: float = 0.90,
    title: str | None = None,
) -> go.Figure:
    """Two panels sharing the categories: left, the median change of each group; right,
    their difference (served − not served) with its interval at `level`. Only the rows of
    `instrument` are drawn. `min_group` names the minimum in the hidden groups' notes."""
    # Rounds are typed by people into the survey files: Plotly must not read them as HTML.
    earlier, later = plotly_text(earlier), plotly_text(later)
    rows = table[table["instrument"] == instrument].set_index("category")
    categories = [c for c in CATEGORIES if c in rows.index]
    labels = [wrap_label(category_label(tr, c), 22) for c in categories]
    positions = list(range(len(categories)))
    level_pct = tr.num(level * 100, 0)

    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.06,
        subplot_titles=(
            tr("impact.chart.medians_panel"),
            tr("impact.chart.difference_panel", level=level_pct),
        ),
    )
    for name, column, offset, colour, symbol in (
        ("served", "served_median", SERVED_OFFSET, MEMBERS, "circle"),
        ("not_served", "not_served_median", NOT_SERVED_OFFSET, OTHER, "square"),
    ):
        count_column = name
        xs, ys, texts, hover = [], [], [], []
        for pos, category in zip(positions, categories, strict=True):
            median = _value(rows.at[category, column])
            if median is None:
                continue
            count = _value(rows.at[category, count_column])
            xs.append(median)
            ys.append(pos + offset)
            texts.append(tr.signed(median))
            hover.append(
                tr(
                    "impact.chart.median_hover",
                    group=tr(f"impact.groups.{name}"),
                    category=category_label(tr, category),
                    median=tr.signed(median),
                    members=members_text(tr, int(count or 0)),
                )
            )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers+text",
                name=tr(f"impact.groups.{name}"),
                # The figures on the chart itself: a projected slide has no hover.
                text=texts,
                textposition="middle right",
                textfont={"size": 12, "color": colour if name == "served" else LINE},
                marker={"color": colour, "size": 12, "symbol": symbol, "line": {"width": 1}},
                hovertext=hover,
                hoverinfo="text",
                cliponaxis=False,
                meta=name,
            ),
            row=1,
            col=1,
        )

    xs, ys, texts, plus, minus, hover = [], [], [], [], [], []
    for pos, category in zip(positions, categories, strict=True):
        difference = _value(rows.at[category, "difference"])
        if difference is None:
            continue
        low, high = _value(rows.at[category, "ci_low"]), _value(rows.at[category, "ci_high"])
        xs.append(difference)
        ys.append(pos)
        texts.append(tr.signed(difference))
        plus.append(0.0 if high is None else high - difference)
        minus.append(0.0 if low is None else difference - low)
        hover.append(
            tr(
                "impact.chart.difference_hover",
                category=category_label(tr, category),
                difference=tr.signed(difference),
                low=tr.signed(low),
                high=tr.signed(high),
                level=level_pct,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            name=tr("impact.chart.difference", level=level_pct),
            text=texts,
            # Above the marker: the interval's whiskers run left and right of it.
            textposition="top center",
            marker={"color": ROMANIA, "size": 12, "symbol": "diamond"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": plus,
                "arrayminus": minus,
                "color": ROMANIA,
                "thickness": 2,
                "width": 8,
            },
            hovertext=hover,
            hoverinfo="text",
            cliponaxis=False,
            meta="difference",
        ),
        row=1,
        col=2,
    )

    hidden_columns = [c for c in HIDDEN_COLUMNS if c in rows]
    for pos, category in zip(positions, categories, strict=True):
        flags = [bool(rows.at[category, c]) for c in hidden_columns] or [False, False]
        if any(flags):
            text = _hidden_text(tr, flags[0], flags[1], min_group)
        elif _value(rows.at[category, "difference"]) is None:
            # An admin's view (or a tiny cohort) with an empty group: nothing to compare.
            text = tr("impact.chart.empty_group")
        else:
            continue
        fig.add_annotation(
            x=0.5,
            xref="x2 domain",
            y=pos,
            yref="y2",
            # "< 5 members": the `<` as an entity, else Plotly reads it as the start of a tag.
            text=plotly_text(text),
            showarrow=False,
            font={"size": 12, "color": "#555555"},
            name=f"hidden:{category}",
        )

    for col in (1, 2):
        fig.add_vline(x=0, line_color=LINE, line_width=1, row=1, col=col)  # type: ignore[arg-type]
        panel = [t for t in fig.data if t.xaxis == ("x" if col == 1 else "x2")]
        fig.update_xaxes(
            title_text=tr("impact.chart.axis"),
            range=_padded_range(panel),
            row=1,
            col=col,
        )
    fig.update_yaxes(
        tickvals=positions,
        ticktext=labels,
        range=[len(categories) - 0.5, -0.5],
        showgrid=False,
        # The rows are positions 0, 1, …: a zero line would cross the first category.
        zeroline=False,
    )
    note = tr(
        "impact.chart.source",
        earlier=earlier,
        later=later,
        instrument=instrument_label(tr, instrument),
    )
    note += f" · {tr('impact.not_randomised_short')}"
    default = tr(
        "impact.chart.title",
        instrument=instrument_label(tr, instrument),
        earlier=earlier,
        later=later,
    )
    height = max(320, 70 * len(categories) + 160)
    return styled(fig, tr.lang, title or default, note, height=height)
