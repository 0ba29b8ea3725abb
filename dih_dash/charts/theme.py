"""One look for every chart, on screen and in exported images and decks.

Pages draw with `theme=None`, so Streamlit does not restyle the figures and a PNG, a
PowerPoint chart and the projector show the same colours. Colours are Okabe–Ito
(colour-blind safe); Romania is always the same strong blue, the EU always black.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from dih_dash.i18n import plotly_separators

ROMANIA = "#0072B2"
EU = "#000000"
TARGET = "#D55E00"
OTHER = "#BBBBBB"
MEMBERS = "#009E73"
MEMBERS_MICRO = "#56B4E9"
PEER_COLOURS = ("#E69F00", "#CC79A7", "#F0E442", "#56B4E9", "#009E73", "#882255", "#44AA99")
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
        # Below the plot: above it, the legend would collide with the two-line title.
        legend={"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0},
        margin={"l": 60, "r": 30, "t": 70, "b": 110},
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
        "line_width": 2,
        "name": label,
        "showlegend": legend,
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
