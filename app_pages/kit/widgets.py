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
from app_pages.kit.data import catalogue, figure, figure_text_html
from dih_dash.charts.text_alternative import figure_text, table_html
from dih_dash.exports.images import chart_image, image_export_available
from dih_dash.exports.reader_words import in_readers_words
from dih_dash.exports.tables import to_csv_bytes, to_xlsx_bytes
from dih_dash.i18n import Translator
from dih_dash.values import is_missing

CHART_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def chart(
    build: Callable[[], go.Figure],
    key: str,
    state: tuple = (),
    data: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
    note: str = "",
) -> go.Figure:
    """Draw the figure `build` makes, reusing it while `state` (everything the figure depends
    on besides the data version and language) stays the same; with `data` (what the chart
    shows, or a function making it when a download is clicked), offer it as CSV/XLSX and
    the chart as PNG/SVG beside it."""
    tr = translator()

    def build_with_note() -> go.Figure:
        made = build()
        if note:
            # Appended to the source line, so the image and the deck carry it too.
            made.update_layout(title_subtitle_text=f"{made.layout.title.subtitle.text or ''}{note}")
        return made

    cache_key = (key, tr.lang, note, *state)
    fig = figure(cache_key, build_with_note)
    # theme=None: the screen shows the same colours as the exported PNG and deck.
    st.plotly_chart(fig, theme=None, config=CHART_CONFIG, key=key)
    st.html(figure_text_html(cache_key, lambda: chart_text(fig, tr)))
    if data is not None:
        with st.popover(tr("common.chart_downloads"), icon=":material/download:"):
            notes = {tr("common.source"): chart_source(fig)}
            downloads(
                lambda: readers_table(data() if callable(data) else data, tr),
                f"{key}-{tr.lang}",
                tr,
                notes=notes,
                key=key,
            )
            image_buttons(fig, f"{key}-{tr.lang}", key)
    return fig


def readers_table(frame: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """A chart's data with Eurostat's and the catalogue's codes in the reader's words."""
    names = {entry.id: entry.label(tr.lang) for entry in catalogue()}
    return in_readers_words(frame, tr, names)


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
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    stem: str,
    tr: Translator,
    notes: dict[str, str] | None = None,
    key: str = "",
) -> None:
    """CSV and XLSX of exactly what is shown, with the provenance notes. Both are made
    when clicked, not on every run of the page; so is `frame`, when it is a function."""
    left, right = st.columns(2)
    lang = tr.lang
    table = frame if callable(frame) else lambda: frame
    left.download_button(
        tr("common.download_csv"),
        data=lambda: to_csv_bytes(table(), notes=notes, lang=lang),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"csv-{key or stem}",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        tr("common.download_xlsx"),
        data=lambda: to_xlsx_bytes(table(), notes=notes),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx-{key or stem}",
        on_click="ignore",
        icon=":material/table_view:",
    )


# A real HTML table, not st.dataframe: the grid draws on a canvas, which a screen reader
# cannot read and a page search cannot find, and its 1.3 MB of script delayed a shared
# link's first chart by a tenth (bench/pages.py). What is lost is sorting by a header
# click; the downloads beside the tables open in a spreadsheet for that.
TABLE_STYLE = """<style>
.data-table{overflow:auto;margin:0 0 1rem;border:1px solid rgba(49,51,63,.2);
  border-radius:.5rem}
.data-table table{border-collapse:collapse;width:100%;font-size:.875rem}
.data-table th{position:sticky;top:0;background:#f0f2f6;text-align:left;font-weight:600}
.data-table th,.data-table td{padding:.25rem .6rem;vertical-align:top;
  border-bottom:1px solid rgba(49,51,63,.1)}
.data-table .num{text-align:right;font-variant-numeric:tabular-nums}
.data-table caption{caption-side:bottom;text-align:left;padding:.25rem .6rem;color:#595959}
</style>"""

# A longer table shows its first rows and says so; the downloads carry every row.
TABLE_ROWS = 1000


def table(
    frame: pd.DataFrame,
    *,
    height: int | str = "auto",
    decimals: int = 2,
    counts: Collection[object] = (),
) -> None:
    """A table with the interface language's number and date formats (`44,34` and
    `14.03.2025` in Romanian); a dash for every missing value. `height` (pixels) makes a
    long table scroll under its header.

    Whole numbers are years, ranks, ids and row numbers (shown as they are, never as
    "2.025") unless their column is named in `counts`: those get the language's thousands
    separator (`1.500`). The caller knows which is which from its columns' keys; a guess
    from the translated header gave "Changed" and "Rows" other formats than "New"."""
    st.html(table_html_block(frame, translator(), height=height, decimals=decimals, counts=counts))


def _cell(value: object, kind: str, tr: Translator, decimals: int) -> tuple[str, str | None]:
    """(what the cell shows, a number's raw value for its data-value attribute or None)."""
    if kind in ("float", "count", "whole"):
        if is_missing(value):
            return "–", ""
        if kind == "float":
            return tr.num(value, decimals), repr(float(value))  # type: ignore[arg-type]
        whole = int(value)  # type: ignore[call-overload]
        return (tr.num(whole, 0) if kind == "count" else str(whole)), str(whole)
    if is_missing(value):
        return "–", None
    if isinstance(value, bool):
        return tr("common.yes" if value else "common.no"), None
    if isinstance(value, dt.datetime):
        return tr.datetime(value), None
    if isinstance(value, dt.date):
        return tr.date(value), None
    return str(value), None


def table_html_block(
    frame: pd.DataFrame,
    tr: Translator,
    *,
    height: int | str = "auto",
    decimals: int = 2,
    counts: Collection[object] = (),
) -> str:
    """The table's markup: header cells with scope, numbers right-aligned and carrying their
    raw value (`data-value`, read back by the tests), at most TABLE_ROWS rows with a caption
    saying how many more."""
    counted = set(counts)
    kinds = []
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if pd.api.types.is_bool_dtype(values):
            kinds.append("text")
        elif pd.api.types.is_float_dtype(values):
            kinds.append("float")
        elif column in counted and pd.api.types.is_integer_dtype(values):
            kinds.append("count")
        elif pd.api.types.is_integer_dtype(values):
            kinds.append("whole")
        else:
            kinds.append("text")
    numeric = [kind in ("float", "count", "whole") for kind in kinds]
    number_class = ' class="num"'
    head = "".join(
        f'<th scope="col"{number_class if is_number else ""}>{html.escape(str(c))}</th>'
        for c, is_number in zip(frame.columns, numeric, strict=True)
    )
    rows = []
    for row in frame.head(TABLE_ROWS).itertuples(index=False):
        cells = []
        for value, kind, is_number in zip(row, kinds, numeric, strict=True):
            text, raw = _cell(value, kind, tr, decimals)
            attributes = ' class="num"' if is_number else ""
            if raw is not None:
                attributes += f' data-value="{html.escape(raw)}"'
            cells.append(f"<td{attributes}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = tr("a11y.table_first_rows", shown=tr.num(TABLE_ROWS, 0), total=tr.num(len(frame), 0))
    caption = f"<caption>{html.escape(more)}</caption>" if len(frame) > TABLE_ROWS else ""
    # The box scrolls (down past `height`, across when wider than the page), so it takes
    # the keyboard's focus, for the arrow keys, and has a name (axe: scrollable-region).
    box = f' tabindex="0" role="region" aria-label="{html.escape(tr("a11y.table"))}"'
    if isinstance(height, int):
        box += f' style="max-height:{height}px"'
    return (
        f'{TABLE_STYLE}<div class="data-table"{box}><table>{caption}<thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
