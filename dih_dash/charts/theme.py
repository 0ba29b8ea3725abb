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
