"""A chart's text alternative: one summary sentence and its numbers as a table, read from
the finished figure, so every chart gets one without each chart function writing its own.

A screen reader cannot read a Plotly canvas or SVG, and a projector audience asking "what
was the number for Cluj?" cannot hover. The summary names the chart and, per series, how
many values it has and where its lowest and highest are; the table lists every value.
Pure: figure and translator in, text and a frame out (the page draws them).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dih_dash.i18n import Translator

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain(text: object) -> str:
    """Plotly's label text (with <br>, <b>, entities) as one line of plain text."""
    if text is None:
        return ""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", str(text)))).strip()


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _label(value: object) -> str:
    number = _number(value)
    if number is not None and number.is_integer():
        return str(int(number))  # years and ranks: 2025, never "2025.0"
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]  # type: ignore[union-attr]
    return plain(value)


def number_text(tr: Translator, value: float) -> str:
    """A value with as many decimals as it needs: 45, 45,3, 0,25."""
    if float(value).is_integer():
        return tr.num(value, 0)
    return tr.num(value, 2 if abs(value) < 1 else 1)


def _values(values: object) -> list[object]:
    if values is None:
        return []
    if hasattr(values, "tolist"):
        return list(values.tolist())  # type: ignore[union-attr]
    return list(values)  # type: ignore[call-overload]


def _one_colour(trace: object) -> bool:
    """A map layer drawn in one colour whatever its z (e.g. "no members"): a category, and
    its z only a placeholder."""
    scale = getattr(trace, "colorscale", None)
    if not scale:
        return False
    colours = {str(colour).lower() for _, colour in scale}
    return len(colours) == 1


def _rows(trace: object, name: str) -> list[tuple[str, str, float | None]]:
    """(series, label, value) for each value a trace shows."""
    kind = trace.type  # type: ignore[attr-defined]
    if kind == "heatmap":
        z = [_values(row) for row in _values(trace.z)]  # type: ignore[attr-defined]
        xs = _values(trace.x) or list(range(len(z[0]) if z else 0))  # type: ignore[attr-defined]
        ys = _values(trace.y) or list(range(len(z)))  # type: ignore[attr-defined]
        return [
            (_label(y), _label(x), _number(row[i]) if i < len(row) else None)
            for y, row in zip(ys, z, strict=False)
            for i, x in enumerate(xs)
        ]
    if kind.startswith("choropleth"):
        places = _values(trace.locations)  # type: ignore[attr-defined]
        hover = _values(getattr(trace, "hovertext", None))
        labels = hover if len(hover) == len(places) else places
        if _one_colour(trace):
            return [(name, _label(place), None) for place in labels]
        z = _values(trace.z)  # type: ignore[attr-defined]
        return [(name, _label(p), _number(v)) for p, v in zip(labels, z, strict=False)]
    if kind in ("scatterpolar", "barpolar"):
        labels, values = _values(trace.theta), _values(trace.r)  # type: ignore[attr-defined]
    elif getattr(trace, "orientation", None) == "h":
        labels, values = _values(trace.y), _values(trace.x)  # type: ignore[attr-defined]
    else:
        values = _values(getattr(trace, "y", None))
        labels = _values(getattr(trace, "x", None)) or list(range(1, len(values) + 1))
    # A closed radar repeats its first point at the end: one value, not two.
    if kind == "scatterpolar" and len(labels) > 1 and labels[0] == labels[-1]:
        labels, values = labels[:-1], values[:-1]
    return [(name, _label(x), _number(v)) for x, v in zip(labels, values, strict=False)]


def _trace_sentence(
    tr: Translator, name: str, rows: Sequence[tuple[str, str, float | None]], heatmap: bool
) -> str:
    numbers = [(value, label if not heatmap else f"{series}, {label}") for series, label, value
               in rows if value is not None]  # fmt: skip
    if not numbers:
        return tr("a11y.trace_areas", name=name, areas=tr.count("a11y.areas", len(rows)))
    if len(numbers) == 1:
        value, at = numbers[0]
        return tr("a11y.trace_one", name=name, value=number_text(tr, value), at=at)
    low = min(numbers, key=lambda pair: pair[0])
    high = max(numbers, key=lambda pair: pair[0])
    return tr(
        "a11y.trace_range",
        name=name,
        values=tr.count("a11y.values", len(numbers)),
        low=number_text(tr, low[0]),
        low_at=low[1],
        high=number_text(tr, high[0]),
        high_at=high[1],
    )


def figure_text(fig: go.Figure, tr: Translator) -> tuple[str, pd.DataFrame]:
    """The chart's summary sentence and a table of every value it shows (columns: series,
    label, value; a heatmap's rows are its series). Traces with nothing to show (hidden,
    or text-only labels without numbers) are left out."""
    title = plain(fig.layout.title.text) or tr("a11y.chart")
    sentences = [title.rstrip(".") + "."]
    table: list[tuple[str, str, float | None]] = []
    for index, trace in enumerate(fig.data, start=1):
        if trace.visible is False:
            continue
        name = plain(getattr(trace, "name", None)) or tr("a11y.unnamed", n=index)
        rows = _rows(trace, name)
        heatmap = trace.type == "heatmap"
        if not rows or (
            not any(value is not None for _, _, value in rows)
            and not trace.type.startswith("choropleth")
        ):
            continue
        sentences.append(_trace_sentence(tr, name, rows, heatmap))
        table.extend(rows)
    frame = pd.DataFrame(
        table, columns=[tr("a11y.series"), tr("a11y.label"), tr("a11y.value")]
    ).astype({tr("a11y.value"): "float64"})
    return " ".join(sentences), frame


def table_html(frame: pd.DataFrame, tr: Translator, caption: str = "") -> str:
    """The frame as a plain HTML table (real cells a screen reader can walk), numbers in
    the interface language's format and right-aligned; a missing value is a dash."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    numeric = [pd.api.types.is_float_dtype(frame[c]) for c in frame.columns]
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for value, is_number in zip(row, numeric, strict=True):
            if is_number:
                text = "–" if _number(value) is None else number_text(tr, float(value))
                cells.append(f'<td class="num">{html.escape(text)}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption_html = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f"<table>{caption_html}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
