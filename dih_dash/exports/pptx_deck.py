"""The workshop deck as a PowerPoint file: one 16:9 slide per `Slide`, charts as native,
editable PowerPoint charts (not pictures), so a facilitator can restyle or correct a chart
in PowerPoint or LibreOffice and no browser is needed to build the deck.

Layout, in inches on a 13.333 × 7.5 slide:
- an unnumbered cover (report title, hub, date) comes first; the content slides keep the
  numbers of the presentation page ("Slide 3 of 6" means the same slide on the page, in
  the deck and in the HTML report), so the file holds len(slides) + 1 slides;
- title and subtitle on top; the chart on the left two thirds with the bullets beside it
  (full width when there are no bullets); text slides show the bullets large;
- a footer on every slide: the slide's source line (source, data year, flags) on the
  left, "Slide n of N · date" on the right; speaker notes repeat the source and bullets.

Data labels: English uses a number format, so labels follow the numbers if a facilitator
edits the chart data. Romanian labels are written as text ("44,3%"): a number format
cannot force the decimal comma, PowerPoint shows the separator of the viewer's system
locale, and participants open the handout on English-locale laptops too.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
from collections.abc import Callable, Sequence

from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.chart.plot import BarPlot
from pptx.dml.chtfmt import ChartFormat
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import BaseOxmlElement, OxmlElement
from pptx.shapes.autoshape import Shape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide as PptxSlide
from pptx.text.text import TextFrame, _Paragraph
from pptx.util import Emu, Inches, Length, Pt

from dih_dash.charts.theme import TARGET
from dih_dash.exports.deck import ROLE_COLOURS, Slide, SlideChart, SlideSeries, format_value
from dih_dash.i18n import Translator

Progress = Callable[[int, int, Slide], None]

SLIDE_WIDTH = Inches(13.333)
SLIDE_HEIGHT = Inches(7.5)
MARGIN = Inches(0.5)
CONTENT_TOP = Inches(1.85)
FOOTER_TOP = Inches(6.8)
CONTENT_HEIGHT = FOOTER_TOP - CONTENT_TOP - Inches(0.1)
CHART_WIDTH_WITH_BULLETS = Inches(8.1)
GUTTER = Inches(0.3)
LONG_BULLETS = 500  # characters of bullet text beside a chart that call for a wider box
# Type a room reads on a projected 13.3 in slide: axis ticks and the legend 16 pt, the
# numbers on the bars 16 pt (14 pt when there are many bars), the footer 14 pt.
TICK_PT = 16
LABEL_PT = 16
SMALL_LABEL_PT = 14
FOOTER_PT = 14

TEXT = RGBColor.from_string("222222")
MUTED = RGBColor.from_string("555555")
LANGUAGE_IDS = {"ro": MSO_LANGUAGE_ID.ROMANIAN, "en": MSO_LANGUAGE_ID.ENGLISH_UK}
LANGUAGE_TAGS = {"ro": "ro-RO", "en": "en-GB"}

# Excel number formats of the data labels (English decks) and of the value axis. The
# negative section spells the true minus sign, as `format_points` does on screen.
LABEL_FORMATS = {
    "percent": '0.0"%"',
    "points": '+0.0;"\u2212"0.0;0.0',
    "score": "0.0",
    "count": "0",
}
# Whole numbers only on the axis: no decimal separator, so no locale question there.
AXIS_FORMATS = {"percent": '0"%"', "points": '+0;"\u2212"0;0', "score": "0", "count": "0"}

# Layout slots of the default template that python-pptx ships.
LAYOUT_TITLE = 0
LAYOUT_TITLE_ONLY = 5


def deck_pptx(
    slides: Sequence[Slide],
    lang: str,
    *,
    generated: dt.date | None = None,
    cover: bool = True,
    progress: Progress | None = None,
) -> bytes:
    """The deck as .pptx bytes: a cover (unless `cover=False`), then one slide per `Slide`.
    `progress(index, total, slide)` is called before each slide is drawn."""
    tr = Translator(lang)
    day = generated or dt.date.today()
    prs = Presentation()
    prs.slide_width = SLIDE_WIDTH
    prs.slide_height = SLIDE_HEIGHT
    props = prs.core_properties
    props.title = tr("deck.report_title")
    props.author = tr("deck.hub_source")
    props.last_modified_by = "dih-dash"
    props.language = LANGUAGE_TAGS[lang]
    props.created = props.modified = dt.datetime.combine(day, dt.time())
    props.revision = 1

    if cover:
        _cover_slide(prs, tr, day)
    total = len(slides)
    for index, slide in enumerate(slides, start=1):
        if progress is not None:
            progress(index, total, slide)
        page = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
        _title(page, tr, slide)
        if slide.chart is not None:
            _chart_slide(page, tr, slide, slide.chart)
        else:
            box = (MARGIN, CONTENT_TOP, SLIDE_WIDTH - 2 * MARGIN, CONTENT_HEIGHT)
            _bullet_box(page, tr, slide.bullets, box, largest=28)
        _footer(page, tr, slide.source, tr("deck.slide_of", number=slide.number, total=total), day)
        _notes(page, slide)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# --- slides ----------------------------------------------------------------------------------


def _cover_slide(prs: Presentation, tr: Translator, day: dt.date) -> None:
    page = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE])
    title, subtitle = page.placeholders[0], page.placeholders[1]
    title.left, title.top = MARGIN, Inches(2.0)
    title.width, title.height = SLIDE_WIDTH - 2 * MARGIN, Inches(2.0)
    _set_text(title.text_frame, tr, tr("deck.report_title"), size=40, bold=True)
    title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    subtitle.left, subtitle.top = MARGIN, Inches(4.3)
    subtitle.width, subtitle.height = SLIDE_WIDTH - 2 * MARGIN, Inches(1.6)
    frame = subtitle.text_frame
    _set_text(frame, tr, f"{tr('deck.hub_source')} · {tr.date(day)}", size=24, colour=TEXT)
    _add_paragraph(frame, tr, tr("deck.report_generated", date=tr.date(day)), size=14)
    frame.vertical_anchor = MSO_ANCHOR.TOP
    page.notes_slide.notes_text_frame.text = tr("deck.report_generated", date=tr.date(day))


def _title(page: PptxSlide, tr: Translator, slide: Slide) -> None:
    shape = page.shapes.title
    shape.left, shape.top = MARGIN, Inches(0.3)
    shape.width, shape.height = SLIDE_WIDTH - 2 * MARGIN, Inches(1.0)
    # One size per title length: two lines of a long Romanian title must still fit.
    size = 32 if len(slide.title) <= 55 else 28 if len(slide.title) <= 80 else 24
    _set_text(shape.text_frame, tr, slide.title, size=size, bold=True)
    shape.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    if slide.subtitle:
        box = _textbox(page, MARGIN, Inches(1.32), SLIDE_WIDTH - 2 * MARGIN, Inches(0.5))
        _set_text(box.text_frame, tr, slide.subtitle, size=16, colour=MUTED)


def _chart_slide(page: PptxSlide, tr: Translator, slide: Slide, chart: SlideChart) -> None:
    width = SLIDE_WIDTH - 2 * MARGIN
    if slide.bullets:
        # Long bullets (the hub's offers) get more room; the chart stays the larger part.
        long_text = sum(len(b) for b in slide.bullets) > LONG_BULLETS
        width = CHART_WIDTH_WITH_BULLETS - (Inches(1.2) if long_text else 0)
        left = MARGIN + width + GUTTER
        box = (left, CONTENT_TOP, SLIDE_WIDTH - MARGIN - left, CONTENT_HEIGHT)
        _bullet_box(page, tr, slide.bullets, box, largest=20)
    frame = add_native_chart(page, tr, chart, MARGIN, CONTENT_TOP, width, CONTENT_HEIGHT)
    # Alt text for screen readers: the slide title and every value the chart shows.
    frame._element.nvGraphicFramePr.cNvPr.set("descr", _chart_summary(tr, slide.title, chart))


def _footer(page: PptxSlide, tr: Translator, source: str, counter: str, day: dt.date) -> None:
    right_width = Inches(2.9)
    box = _textbox(page, MARGIN, FOOTER_TOP, SLIDE_WIDTH - 2 * MARGIN - right_width, Inches(0.65))
    box.name = "Source"
    _set_text(box.text_frame, tr, source, size=FOOTER_PT, colour=MUTED)
    counter_box = _textbox(
        page, SLIDE_WIDTH - MARGIN - right_width, FOOTER_TOP, right_width, Inches(0.65)
    )
    counter_box.name = "Slide number"
    # The date beside the number dates the survey slides too, whose source names rounds.
    text = f"{counter} · {tr.date(day)}"
    _set_text(counter_box.text_frame, tr, text, size=FOOTER_PT, colour=MUTED, align=PP_ALIGN.RIGHT)


def _notes(page: PptxSlide, slide: Slide) -> None:
    lines = [slide.title]
    if slide.subtitle:
        lines.append(slide.subtitle)
    lines.append("")
    lines += [f"• {b}" for b in slide.bullets]
    lines += list(slide.notes)
    lines += ["", slide.source]
    page.notes_slide.notes_text_frame.text = "\n".join(lines)


# --- the native chart -------------------------------------------------------------------------


def add_native_chart(
    page: PptxSlide,
    tr: Translator,
    chart: SlideChart,
    left: Length,
    top: Length,
    width: Length,
    height: Length,
) -> GraphicFrame:
    """Draw `chart` as a clustered column/bar chart; returns the chart's graphic frame.

    Targets are series of the chart itself, in its data sheet, so they move, resize and
    rescale with it when a facilitator edits it: a target per category (slide 1) as a mark
    on each category (a line series drawn as markers only), one target for the whole chart
    (`chart.target`) as a dashed line across it, labelled with its value. PowerPoint cannot
    draw a line series over horizontal bars, so a chart with a target is drawn in columns.
    """
    marks = [s for s in chart.series if s.role == "target"]
    bars_series = [s for s in chart.series if s.role != "target"]
    line_series = chart.target is not None
    horizontal = chart.orientation == "bar" and not marks and not line_series
    count = len(chart.categories)
    wrap_width = _label_width(horizontal, count, width)
    categories = [_wrap_label(c, wrap_width) for c in chart.categories]
    data = CategoryChartData(number_format=LABEL_FORMATS[chart.unit])
    data.categories = categories
    for series in (*bars_series, *marks):
        data.add_series(series.name, list(series.values))
    if line_series:
        data.add_series(_target_name(tr, chart.target), [chart.target] * count)
    kind = XL_CHART_TYPE.BAR_CLUSTERED if horizontal else XL_CHART_TYPE.COLUMN_CLUSTERED
    frame = page.shapes.add_chart(kind, left, top, width, height, data)
    frame.name = "Chart"
    native: Chart = frame.chart
    native.font.size = Pt(TICK_PT)
    native.font.color.rgb = TEXT
    native.has_title = False

    bars = native.plots[0]
    bars.gap_width = 60
    bars.overlap = -10 if len(bars_series) > 1 else 0
    bars.vary_by_categories = False
    bar_count = count * len(bars_series)
    label_size = LABEL_PT if bar_count <= 8 else SMALL_LABEL_PT
    roles = [s.role for s in bars_series] + ["target"] * (len(marks) + line_series)
    for plotted, role in zip(bars.series, roles, strict=True):
        _fill(plotted.format, ROLE_COLOURS[role])
        plotted.invert_if_negative = False
    for plotted, series in zip(bars.series, bars_series, strict=False):
        if series.point_roles:
            for index, role in enumerate(series.point_roles):
                _fill(plotted.points[index].format, ROLE_COLOURS[role])
    _data_labels(tr, bars, chart, bars_series, label_size)

    scale = _value_scale(chart)
    _axes(native, chart, horizontal, scale)
    moved = len(marks) + line_series
    if moved:
        _series_as_lines(native, moved)
        lines = native.plots[1].series
        for plotted, series in zip(lines, marks, strict=False):
            _target_marks(plotted, tr, series.values, chart.unit, label_size)
        if line_series:
            _target_line(lines[len(lines) - 1], tr, label_size)
    show_legend = len(chart.series) > 1 or line_series
    native.has_legend = show_legend
    if show_legend:
        native.legend.position = XL_LEGEND_POSITION.BOTTOM
        native.legend.include_in_layout = False
        native.legend.font.size = Pt(TICK_PT)
    return frame


def _data_labels(
    tr: Translator, plot: BarPlot, chart: SlideChart, shown: Sequence[SlideSeries], size: int
) -> None:
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = LABEL_FORMATS[chart.unit]
    labels.number_format_is_linked = False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.show_value = True
    labels.font.size = Pt(size)
    if tr.lang == "en":
        return
    values = [list(s.values) for s in shown]
    # Only the data series: the targets get their own labels.
    for plotted, series_values in zip(plot.series, values, strict=False):
        for index, value in enumerate(series_values):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            label = plotted.points[index].data_label
            _set_text(label.text_frame, tr, format_value(tr, value, chart.unit), size=size)
            label.position = XL_LABEL_POSITION.OUTSIDE_END


def _axes(
    native: Chart, chart: SlideChart, horizontal: bool, scale: tuple[float, float, float]
) -> None:
    category_axis = native.category_axis
    category_axis.tick_labels.font.size = Pt(TICK_PT)
    category_axis.has_major_gridlines = False
    if horizontal:
        # First category on top, as on the page (PowerPoint draws bar charts bottom-up).
        category_axis.reverse_order = True
        # …which would move the value axis to the top: it crosses at the last category.
        # (python-pptx sets `crosses` on value axes only; this is the value axis' own.)
        native._chartSpace.valAx_lst[0].find(qn("c:crosses")).set("val", "max")
    value_axis = native.value_axis
    value_axis.tick_labels.number_format = AXIS_FORMATS[chart.unit]
    value_axis.tick_labels.number_format_is_linked = False
    value_axis.tick_labels.font.size = Pt(TICK_PT)
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor.from_string("E5E5E5")
    low, high, step = scale
    value_axis.minimum_scale, value_axis.maximum_scale = low, high
    value_axis.major_unit = step


def _value_scale(chart: SlideChart) -> tuple[float, float, float]:
    """Fixed axis bounds: 0–100 for shares and scores (so slides compare at a glance),
    whole-number steps around the data for changes in points."""
    values = [v for s in chart.series for v in s.values if v is not None and not math.isnan(v)]
    if chart.target is not None:
        values.append(chart.target)
    if chart.unit in ("percent", "score") and all(0 <= v <= 100 for v in values):
        return 0.0, 100.0, 20.0
    low, high = min([0.0, *values]), max([0.0, *values])
    step = _nice_step(high - low)
    # Room beyond the longest bar for its outside label.
    return (
        math.floor(low / step) * step - (step if low < 0 else 0),
        math.ceil(high / step) * step + (step if high > 0 else 0),
        step,
    )


def _nice_step(span: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        if span / step <= 6:
            return float(step)
    return float(10 ** math.ceil(math.log10(span)))


def _series_as_lines(native: Chart, count: int) -> None:
    """Move the last `count` bar series (the targets) into a line chart on the same axes."""
    plot_area = native._chartSpace.chart.plotArea
    bar_chart = plot_area.find(qn("c:barChart"))
    line_chart = OxmlElement("c:lineChart")
    _child(line_chart, "c:grouping", val="standard")
    _child(line_chart, "c:varyColors", val="0")
    for ser in bar_chart.findall(qn("c:ser"))[-count:]:
        bar_chart.remove(ser)
        for name in ("c:invertIfNegative", "c:dLbls", "c:dPt"):
            for child in ser.findall(qn(name)):
                ser.remove(child)
        # CT_LineSer order: idx, order, tx, spPr, marker, dPt, dLbls, …, cat, val, smooth.
        marker = OxmlElement("c:marker")
        _child(marker, "c:symbol", val="none")
        anchor = ser.find(qn("c:spPr"))
        (anchor if anchor is not None else ser.find(qn("c:tx"))).addnext(marker)
        _child(ser, "c:smooth", val="0")
        line_chart.append(ser)
    _child(line_chart, "c:marker", val="1")
    for axis_id in bar_chart.findall(qn("c:axId")):
        line_chart.append(copy.deepcopy(axis_id))
    bar_chart.addnext(line_chart)


def _target_line(line: object, tr: Translator, label_size: int) -> None:
    """One target for the whole chart: a dashed line, its value written at its right end,
    so it reads without the legend."""
    line.format.fill.background()  # type: ignore[attr-defined]
    line.format.line.color.rgb = RGBColor.from_string(TARGET.lstrip("#"))  # type: ignore[attr-defined]
    line.format.line.width = Pt(3)  # type: ignore[attr-defined]
    line.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH  # type: ignore[attr-defined]
    last = line.points[len(line.values) - 1].data_label  # type: ignore[attr-defined]
    _set_text(last.text_frame, tr, line.name, size=label_size, colour=TEXT)  # type: ignore[attr-defined]
    last.position = XL_LABEL_POSITION.ABOVE


def _target_marks(
    line: object,
    tr: Translator,
    values: Sequence[float | None],
    unit: str,
    label_size: int,
) -> None:
    """A target per category: a thick dash on each category, no line between them (the
    categories are different indicators), its value above it, as the page's marks."""
    colour = RGBColor.from_string(TARGET.lstrip("#"))
    line.format.line.fill.background()  # type: ignore[attr-defined]
    marker = line.marker  # type: ignore[attr-defined]
    marker.style = XL_MARKER_STYLE.DASH
    marker.size = 24
    marker.format.fill.solid()
    marker.format.fill.fore_color.rgb = colour
    marker.format.line.color.rgb = colour
    for index, value in enumerate(values):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        label = line.points[index].data_label  # type: ignore[attr-defined]
        _set_text(
            label.text_frame, tr, format_value(tr, value, unit), size=label_size, colour=colour
        )
        label.position = XL_LABEL_POSITION.ABOVE


# --- text helpers -----------------------------------------------------------------------------


def _target_name(tr: Translator, target: float | None) -> str:
    decimals = 0 if target is not None and float(target).is_integer() else 1
    return f"{tr('charts.target_2030')}: {tr.pct(target, decimals)}"


def _label_width(horizontal: bool, count: int, width: Length) -> int:
    """Characters per line of a category label: bar charts give the labels about a third
    of the chart's width; column charts share the width between the categories."""
    if horizontal:
        return 30
    per_category = Emu(width).inches / max(count, 1)
    return max(8, int(per_category * 10))


def _wrap_label(text: str, width: int) -> str:
    """Line breaks between words, so long category labels stay horizontal and readable
    (PowerPoint would rotate or cut them; LibreOffice lets them overlap)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines) or text


def bullet_size(bullets: Sequence[str], width: Length, height: Length, largest: int) -> int:
    """The largest font size (pt) at which the bullets fit the box, by an estimate of the
    wrapped line count (average glyph width about half the font size)."""
    for size in range(largest, 10, -1):
        per_line = max(1, int(Emu(width).pt / (size * 0.5)))
        lines = sum(max(1, math.ceil((len(b) + 2) / per_line)) for b in bullets)
        needed = lines * size * 1.2 + len(bullets) * size * 0.5
        if needed <= Emu(height).pt * 0.95:
            return size
    return 10


def _bullet_box(
    page: PptxSlide,
    tr: Translator,
    bullets: Sequence[str],
    box: tuple[Length, Length, Length, Length],
    largest: int,
) -> None:
    left, top, width, height = box
    frame = _textbox(page, left, top, width, height).text_frame
    # Less the text box's inner margins (0.1 in each side by default).
    size = bullet_size(bullets, width - Inches(0.2), height - Inches(0.1), largest)
    frame.word_wrap = True
    # A safety net for an estimate that was too optimistic: viewers shrink to fit.
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    for index, text in enumerate(bullets):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        _runs(paragraph, tr, text, size=size, colour=TEXT)
        paragraph.space_after = Pt(size * 0.5)
        properties = paragraph._p.get_or_add_pPr()
        indent = Pt(size * 1.1)
        properties.set("marL", str(int(indent)))
        properties.set("indent", str(-int(indent)))
        _child(properties, "a:buFont", typeface="Arial")
        _child(properties, "a:buChar", char="•")


def _textbox(page: PptxSlide, left: Length, top: Length, width: Length, height: Length) -> Shape:
    box = page.shapes.add_textbox(left, top, width, height)
    box.text_frame.word_wrap = True
    return box


def _set_text(
    frame: TextFrame,
    tr: Translator,
    text: str,
    *,
    size: int,
    bold: bool = False,
    colour: RGBColor = TEXT,
    align: PP_ALIGN = PP_ALIGN.LEFT,
) -> None:
    frame.clear()
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    paragraph.alignment = align
    _runs(paragraph, tr, text, size=size, bold=bold, colour=colour)


def _add_paragraph(frame: TextFrame, tr: Translator, text: str, *, size: int) -> None:
    paragraph = frame.add_paragraph()
    paragraph.alignment = PP_ALIGN.LEFT
    _runs(paragraph, tr, text, size=size, colour=MUTED)


def _runs(
    paragraph: _Paragraph,
    tr: Translator,
    text: str,
    *,
    size: int,
    bold: bool = False,
    colour: RGBColor = TEXT,
) -> None:
    run = paragraph.add_run()
    run.text = text
    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = colour
    # Tagged with the deck's language, so PowerPoint's spell check and screen readers
    # treat Romanian text as Romanian.
    font.language_id = LANGUAGE_IDS[tr.lang]


def _child(parent: BaseOxmlElement, tag: str, **attributes: str) -> BaseOxmlElement:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(name, value)
    parent.append(element)
    return element


def _fill(fmt: ChartFormat, colour: str) -> None:
    fmt.fill.solid()
    fmt.fill.fore_color.rgb = RGBColor.from_string(colour.lstrip("#"))


def _chart_summary(tr: Translator, title: str, chart: SlideChart) -> str:
    parts = [title]
    for series in chart.series:
        values = ", ".join(
            f"{c}: {format_value(tr, v, chart.unit)}"
            for c, v in zip(chart.categories, series.values, strict=True)
        )
        parts.append(f"{series.name}: {values}")
    if chart.target is not None:
        parts.append(_target_name(tr, chart.target))
    return ". ".join(parts)
