"""The workshop deck as ONE self-contained HTML file, to e-mail after the workshop: it
opens offline in any browser, with interactive Plotly charts.

Offline by construction:
- plotly.js is inlined once, in the head; each chart's own script only calls
  `Plotly.newPlot` (`include_plotlyjs=False`), so ten charts cost one 4.8 MB bundle;
- no `<script src>`, `<link>`, remote image, CSS `url()` or font import: system fonts;
- MathJax is never loaded (`typesetMath` off, no MathJax script) and the topojson URL
  points nowhere remote, so even a map added later could not reach Plotly's CDN;
- a Content-Security-Policy meta tag forbids every network request, so a browser blocks
  whatever a future change might try to fetch instead of leaking the reader's address.

All text of the slides is HTML-escaped; the figures' JSON is escaped by Plotly
(`<` and `/` become `\\u003c` and `\\u002f`), so a title cannot close a script element.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Sequence

import plotly.io as pio
from plotly.offline import get_plotlyjs

from dih_dash.charts.theme import FONT
from dih_dash.exports.deck import Slide, format_value, slide_figure
from dih_dash.i18n import Translator

Progress = Callable[[int, int, Slide], None]

# Blocks every fetch: only the inline scripts and styles of this file, and data:/blob:
# images (Plotly's "download as PNG" button draws through them).
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; "
    "form-action 'none'"
)
PLOT_CONFIG: dict[str, object] = {
    "displaylogo": False,
    "responsive": True,
    "typesetMath": False,
    # Relative and empty: a geo trace would look next to the file, never on a CDN.
    "topojsonURL": "",
    "modeBarButtonsToRemove": ["sendDataToCloud"],
}
CHART_HEIGHT = 540

STYLE = f"""
:root {{ color-scheme: light; }}
body {{ font-family: {FONT}; color: #222; margin: 0 auto; max-width: 1120px;
  padding: 1.5rem; line-height: 1.45; }}
header {{ border-bottom: 3px solid #0072B2; margin-bottom: 1.5rem; }}
h1 {{ font-size: 1.9rem; margin: 0 0 .4rem; }}
h2 {{ font-size: 1.45rem; margin: 0 0 .2rem; }}
.generated, .subtitle, .source, .counter {{ color: #555; }}
.subtitle {{ margin: 0 0 .8rem; }}
nav ol {{ padding-left: 1.4rem; }}
section.slide {{ border-top: 1px solid #ddd; padding: 1.2rem 0 1rem; }}
.chart {{ width: 100%; height: {CHART_HEIGHT}px; }}
ul.bullets li {{ margin-bottom: .35rem; }}
.slide-foot {{ display: flex; justify-content: space-between; gap: 1rem;
  font-size: .85rem; border-top: 1px dotted #ccc; padding-top: .4rem; }}
table {{ border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }}
th, td {{ border: 1px solid #ccc; padding: .2rem .5rem; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
details {{ margin: .6rem 0; }}
@media print {{
  @page {{ size: A4 landscape; margin: 12mm; }}
  body {{ max-width: none; padding: 0; font-size: 11pt; }}
  nav, details, .modebar-container {{ display: none !important; }}
  section.slide {{ break-after: page; break-inside: avoid; border-top: none; }}
  .chart {{ height: 120mm; }}
}}
"""


def deck_html(
    slides: Sequence[Slide],
    lang: str,
    *,
    generated: dt.date | None = None,
    progress: Progress | None = None,
) -> str:
    """The report: a header, a list of the slides, then one section per slide."""
    tr = Translator(lang)
    day = generated or dt.date.today()
    title = tr("deck.report_title")
    total = len(slides)
    sections = []
    for index, slide in enumerate(slides, start=1):
        if progress is not None:
            progress(index, total, slide)
        sections.append(_section(tr, slide, total))
    toc = "".join(
        f'<li><a href="#slide-{s.number}">{html.escape(s.title)}</a></li>' for s in slides
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{html.escape(lang)}">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="dih-dash">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{STYLE}</style>",
            # As Plotly's own HTML export does: keep plotly.js off any MathJax set-up.
            "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>",
            f"<script>{_plotly_bundle()}</script>",
            "</head>",
            "<body>",
            "<header>",
            f"<h1>{html.escape(title)}</h1>",
            '<p class="generated">'
            f"{html.escape(tr('deck.report_generated', date=tr.date(day)))}</p>",
            "</header>",
            f'<nav aria-label="{html.escape(tr("deck.contents"))}"><ol>{toc}</ol></nav>',
            "<main>",
            *sections,
            "</main>",
            "</body>",
            "</html>",
        ]
    )


def _plotly_bundle() -> str:
    bundle = get_plotlyjs()
    # Inline script text ends at the first "</script"; the bundle has none today, and a
    # future one that had would break the report silently, so refuse loudly.
    if "</script" in bundle.lower():
        raise RuntimeError("plotly.js contains '</script' and cannot be inlined as it is")
    return bundle


def _section(tr: Translator, slide: Slide, total: int) -> str:
    esc = html.escape
    parts = [
        f'<section class="slide" id="slide-{slide.number}" aria-labelledby="title-{slide.number}">',
        f'<h2 id="title-{slide.number}">{esc(slide.title)}</h2>',
    ]
    if slide.subtitle:
        parts.append(f'<p class="subtitle">{esc(slide.subtitle)}</p>')
    figure = slide_figure(slide, tr, height=CHART_HEIGHT)
    if figure is not None:
        # The page shows title and source as text; inside the chart they would repeat.
        figure.update_layout(
            title={"text": "", "subtitle": {"text": ""}},
            height=CHART_HEIGHT,
            margin={"t": 40},
        )
        download = {"format": "png", "scale": 2, "filename": f"slide-{slide.number}"}
        config = {**PLOT_CONFIG, "toImageButtonOptions": download}
        chart = pio.to_html(
            figure,
            include_plotlyjs=False,
            full_html=False,
            config=config,
            div_id=f"chart-{slide.number}",
            default_width="100%",
            default_height=f"{CHART_HEIGHT}px",
            validate=True,
        )
        parts.append(f'<div class="chart-wrap">{chart}</div>')
    if slide.bullets:
        items = "".join(f"<li>{esc(b)}</li>" for b in slide.bullets)
        parts.append(f'<ul class="bullets">{items}</ul>')
    if slide.chart is not None:
        parts.append(_data_table(tr, slide))
    counter = tr("deck.slide_of", number=slide.number, total=total)
    parts.append(
        f'<footer class="slide-foot"><span class="source">{esc(slide.source)}</span>'
        f'<span class="counter">{esc(counter)}</span></footer>'
    )
    parts.append("</section>")
    return "\n".join(parts)


def _data_table(tr: Translator, slide: Slide) -> str:
    """The chart's numbers as a table: for screen readers and for copying."""
    esc = html.escape
    chart = slide.chart
    assert chart is not None

    # As on the slide itself: a change in DMA points is "+5.9", a count "12".
    def fmt(value: float | None) -> str:
        return format_value(tr, value, chart.unit)

    head = "".join(f"<th scope='col'>{esc(s.name)}</th>" for s in chart.series)
    rows = []
    for index, category in enumerate(chart.categories):
        cells = "".join(f'<td class="num">{esc(fmt(s.values[index]))}</td>' for s in chart.series)
        rows.append(f"<tr><th scope='row'>{esc(category)}</th>{cells}</tr>")
    target = ""
    if chart.target is not None:
        target = f"<p>{esc(tr('charts.target_2030'))}: {esc(tr.pct(chart.target))}</p>"
    return (
        f"<details><summary>{esc(tr('deck.chart_data'))}</summary>"
        f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"{target}</details>"
    )
