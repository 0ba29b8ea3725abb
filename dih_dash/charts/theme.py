"""One look for every chart, on screen and in exported images and decks.

Pages draw with `theme=None`, so Streamlit does not restyle the figures and a PNG, a
PowerPoint chart and the projector show the same colours. Colours are Okabe–Ito
(colour-blind safe); Romania is always the same strong blue, the EU always black.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import isnan

import plotly.graph_objects as go
import plotly.io as pio

from dih_dash.i18n import plotly_separators

ROMANIA = "#0072B2"
EU = "#000000"
TARGET = "#D55E00"
OTHER = "#BBBBBB"
MEMBERS = "#009E73"
MEMBERS_MICRO = "#56B4E9"
# Okabe–Ito's yellow (#F0E442) is replaced by a dark gold: on white it was 1.3:1, a line a
# projector washes out; the gold is 4.6:1. (Orange, sky blue and teal are 2.2–2.8:1, under
# WCAG's 3:1 for graphics: peers' lines also differ by their labels and hover.)
PEER_COLOURS = ("#E69F00", "#CC79A7", "#8F7200", "#56B4E9", "#009E73", "#882255", "#44AA99")
BAND_COLOURS = {"vlo": "#D55E00", "lo": "#E69F00", "hi": "#56B4E9", "vhi": "#0072B2"}
DMA_BAND_COLOURS = {
    "basic": "#D55E00",
    "average": "#E69F00",
    "moderately_advanced": "#56B4E9",
    "advanced": "#0072B2",
}
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"

pio.templates["dih"] = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT, "size": 14, "color": "#222222"},
        colorway=[ROMANIA, EU, *PEER_COLOURS],
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis={"gridcolor": "#E5E5E5", "zerolinecolor": "#999999", "automargin": True},
        yaxis={"gridcolor": "#E5E5E5", "zerolinecolor": "#999999", "automargin": True},
        # At the foot of the figure (above the plot it would collide with the two-line
        # title). Measured from the figure's edge, not the plot's, so Plotly makes room for
        # it below whatever the x axis needs: rotated country names pushed a legend placed
        # a fixed fraction below the plot into them.
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0},
        margin={"l": 60, "r": 30, "t": 70, "b": 50},
        hoverlabel={"font": {"family": FONT}},
    )
)


def wrap(text: str, width: int) -> str:
    """Break a long title into lines for Plotly, which never wraps text itself."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return "<br>".join(lines)


# A stacked band narrower than this share (in %) gets no label: a narrower segment only
# fits its number rotated or shrunk, which nobody reads on a projector. The hover and the
# data download keep every value.
BAND_LABEL_MIN = 6.0


def band_text(values: Sequence[float | None], fmt: Callable[[float], str]) -> list[str]:
    """The labels of one band's segments: `fmt(value)` where the segment is wide enough."""
    return [
        fmt(v) if v is not None and not isnan(v) and v >= BAND_LABEL_MIN else "" for v in values
    ]


def stacked_bands(fig: go.Figure) -> go.Figure:
    """Stack the bars, label them level and centred in one size, and list the legend in the
    bars' order (the lowest band first, as read from the left or the bottom)."""
    fig.update_traces(
        textposition="inside",
        textangle=0,
        insidetextanchor="middle",
        textfont={"size": 14},
        selector={"type": "bar"},
    )
    fig.update_layout(
        barmode="stack",
        # Plotly lists stacked traces last-first by default; the bars read first-last.
        legend={"traceorder": "normal"},
        # One size for every label; a label that does not fit at it is hidden, not shrunk.
        uniformtext={"minsize": 14, "mode": "hide"},
    )
    return fig


def wrap_label(text: str, width: int, max_lines: int = 2) -> str:
    """`wrap`, cut to `max_lines` with an ellipsis: an axis label of three lines or more
    runs into its neighbours once the bars are as thin as a projector slide needs them.
    Callers keep the full text for the hover."""
    lines = wrap(text, width).split("<br>")
    if len(lines) <= max_lines:
        return "<br>".join(lines)
    last = lines[max_lines - 1]
    # Room for the ellipsis within the width, cut at a word where one is near.
    if len(last) > width - 1:
        cut = last[: width - 1]
        last = cut.rsplit(" ", 1)[0] if " " in cut[width // 2 :] else cut
    return "<br>".join([*lines[: max_lines - 1], last.rstrip(" ,;:–-") + "…"])


def reference_line(
    fig: go.Figure,
    value: float,
    label: str,
    *,
    colour: str = TARGET,
    dash: str = "dot",
    vertical: bool = False,
    legend: bool = True,
    row: int | None = None,
    col: int | None = None,
) -> None:
    """A target or average line, named in the legend (a line sample and `label`) instead of
    by a label on the plot: a label on the plot lands on whichever bar or line is tallest
    there, and which one that is changes with the data."""
    line: dict[str, object] = {
        "line_dash": dash,
        "line_color": colour,
        # Three pixels: drawn under the grid, a thinner line vanishes where it meets one.
        "line_width": 3,
        "name": label,
        "showlegend": legend,
        # Under the data: a value label the line runs through stays legible.
        "layer": "below",
    }
    if row is not None:
        line |= {"row": row, "col": col}
    if vertical:
        fig.add_vline(x=value, **line)
    else:
        fig.add_hline(y=value, **line)


def styled(
    fig: go.Figure,
    lang: str,
    title: str,
    source_note: str,
    height: int = 480,
    width_chars: int = 90,
) -> go.Figure:
    """Apply the project template, the language's number format, the title and, right under
    it, the source line, so the provenance is part of every exported image too."""
    title_html = wrap(title, width_chars)
    note_html = wrap(source_note, int(width_chars * 1.5))
    lines = title_html.count("<br>") + 1 + note_html.count("<br>") + 1
    fig.update_layout(
        template="dih",
        title={
            "text": title_html,
            # Aligned to the figure, not the plot area, which long axis labels push right.
            "x": 0.01,
            "xanchor": "left",
            "xref": "container",
            "font": {"size": 18},
            "subtitle": {"text": note_html, "font": {"size": 12, "color": "#555555"}},
        },
        separators=plotly_separators(lang),
        height=height + 22 * lines,
        margin={"t": 40 + 24 * lines},
    )
    return fig
