"""The page kit's widgets: tables in the interface language's number format, CSV/XLSX
downloads of exactly what is shown, and charts that carry their source line.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Collection

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.kit.context import translator
from app_pages.kit.data import figure
from dih_dash.charts.text_alternative import figure_text, table_html
from dih_dash.exports.images import chart_image, image_export_available
from dih_dash.exports.tables import to_csv_bytes, to_xlsx_bytes
from dih_dash.i18n import Translator
from dih_dash.values import is_missing

CHART_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def chart(
    build: Callable[[], go.Figure],
    key: str,
    state: tuple = (),
    data: pd.DataFrame | None = None,
    note: str = "",
) -> go.Figure:
    """Draw the figure `build` makes, reusing it while `state` (everything the figure depends
    on besides the data version and language) stays the same; with `data` (what the chart
    shows), offer it as CSV/XLSX and the chart as PNG/SVG beside it."""
    tr = translator()

    def build_with_note() -> go.Figure:
        made = build()
        if note:
            # Appended to the source line, so the image and the deck carry it too.
            made.update_layout(title_subtitle_text=f"{made.layout.title.subtitle.text or ''}{note}")
        return made

    fig = figure((key, tr.lang, note, *state), build_with_note)
    # theme=None: the screen shows the same colours as the exported PNG and deck.
    st.plotly_chart(fig, theme=None, config=CHART_CONFIG, key=key)
    st.html(chart_text(fig, tr))
    if data is not None:
        with st.popover(tr("common.chart_downloads"), icon=":material/download:"):
            notes = {tr("common.source"): chart_source(fig)}
            downloads(data, f"{key}-{tr.lang}", tr, notes=notes, key=key)
            image_buttons(fig, f"{key}-{tr.lang}", key)
    return fig


# Closed by default, so the page looks as before; a native <details> costs the browser far
# less than an st.expander with an st.table in it, and needs no rerun to open.
CHART_TEXT_STYLE = """<style>
.chart-text{font-size:.875rem;margin:0 0 .5rem}
.chart-text summary{cursor:pointer;width:max-content}
.chart-text table{border-collapse:collapse;margin:.5rem 0}
.chart-text th,.chart-text td{border:1px solid rgba(49,51,63,.2);padding:.15rem .5rem;
  text-align:left}
.chart-text td.num{text-align:right;font-variant-numeric:tabular-nums}
.chart-text-offscreen{position:absolute;width:1px;height:1px;overflow:hidden;
  clip-path:inset(50%);white-space:nowrap;margin:0}
</style>"""


def chart_text(fig: go.Figure, tr: Translator, *, on_screen: bool = True) -> str:
    """The chart's text alternative under it: its summary sentence and every value, as a
    table a screen reader can walk (the chart itself is a picture to it). `on_screen=False`
    (a slide that must fit the projector): read by screen readers, drawn nowhere."""
    summary, values = figure_text(fig, tr)
    heading = html.escape(tr("a11y.chart_data"))
    hidden = "" if on_screen else " chart-text-offscreen"
    return (
        f'{CHART_TEXT_STYLE}<details class="chart-text{hidden}"><summary>{heading}</summary>'
        f"<p>{html.escape(summary)}</p>{table_html(values, tr)}</details>"
    )


def chart_source(fig: go.Figure) -> str:
    """The source line a chart carries in its subtitle, as plain text."""
    subtitle = fig.layout.title.subtitle.text or ""
    return html.unescape(subtitle.replace("<br>", " "))


def image_buttons(fig: go.Figure, stem: str, key: str) -> None:
    """PNG and SVG of a chart (kaleido + Chromium), made on click; where the server has no
    browser, the buttons say why instead of failing."""
    tr = translator()
    available, reason = image_export_available()
    left, right = st.columns(2)
    for column, fmt in ((left, "png"), (right, "svg")):
        column.download_button(
            tr(f"common.download_{fmt}"),
            data=(lambda f=fmt: chart_image(fig, f)) if available else b"",
            file_name=f"{stem}.{fmt}",
            mime="image/png" if fmt == "png" else "image/svg+xml",
            key=f"{fmt}-{key}",
            on_click="ignore",
            disabled=not available,
            help=None if available else tr("common.images_unavailable", reason=reason),
            icon=":material/image:",
        )


def downloads(
    frame: pd.DataFrame,
    stem: str,
    tr: Translator,
    notes: dict[str, str] | None = None,
    key: str = "",
) -> None:
    """CSV and XLSX of exactly what is shown, with the provenance notes. Both are made
    when clicked, not on every run of the page."""
    left, right = st.columns(2)
    lang = tr.lang
    left.download_button(
        tr("common.download_csv"),
        data=lambda: to_csv_bytes(frame, notes=notes, lang=lang),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"csv-{key or stem}",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        tr("common.download_xlsx"),
        data=lambda: to_xlsx_bytes(frame, notes=notes),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx-{key or stem}",
        on_click="ignore",
        icon=":material/table_view:",
    )


def table(
    frame: pd.DataFrame,
    *,
    height: int | str = "auto",
    decimals: int = 2,
    counts: Collection[object] = (),
) -> None:
    """A table with the interface language's number and date formats (`44,34` and
    `14.03.2025` in Romanian). The cells keep their numbers, so sorting stays numeric.

    Whole numbers are years, ranks, ids and row numbers (shown as they are, never as
    "2.025") unless their column is named in `counts`: those get the language's thousands
    separator (`1.500`). The caller knows which is which from its columns' keys; a guess
    from the translated header gave "Changed" and "Rows" other formats than "New"."""
    tr = translator()
    decimal, thousands = (",", ".") if tr.lang == "ro" else (".", ",")
    texts_with_gaps = [
        c
        for c in frame.columns
        if (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))
        and frame[c].map(is_missing).any()
    ]
    if texts_with_gaps:
        # A dash in the copy's empty text cells; dates keep theirs until formatted below.
        frame = frame.copy()
        for column in texts_with_gaps:
            if not frame[column].map(lambda v: isinstance(v, dt.date)).any():
                frame[column] = frame[column].map(lambda v: "–" if is_missing(v) else v)
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    counted = set(counts)
    count_columns = [
        c for c in frame.columns if c in counted and pd.api.types.is_integer_dtype(frame[c])
    ]
    dates = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, dt.date)).any()]
    if not (floats or count_columns or dates):
        # Nothing to format: a Styler would only cost time (tens of ms on a long table).
        st.dataframe(frame, hide_index=True, width="stretch", height=height)
        return
    styler = frame.style
    if floats:
        styler = styler.format(
            precision=decimals, decimal=decimal, thousands=thousands, na_rep="–", subset=floats
        )
    if count_columns:
        styler = styler.format(thousands=thousands, na_rep="–", subset=count_columns)
    if dates:
        styler = styler.format(
            # Missing first: NaT is a datetime too, and has no strftime.
            lambda v: (
                "–"
                if is_missing(v)
                else tr.datetime(v)
                if isinstance(v, dt.datetime)
                else tr.date(v)
                if isinstance(v, dt.date)
                else v
            ),
            subset=dates,
        )
    st.dataframe(styler, hide_index=True, width="stretch", height=height)
