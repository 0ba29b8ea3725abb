"""The PowerPoint deck, read back with python-pptx: one slide per deck slide after a
cover, native charts holding exactly the slide's numbers, the source and year on every
slide, the language's titles and number format, and no company name anywhere in the file."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from pptx import Presentation
from pptx.chart.plot import LinePlot
from pptx.enum.chart import XL_CHART_TYPE, XL_MARKER_STYLE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt
from support.deck_data import deck_settings, demo_identities, demo_store

from dih_dash.exports.deck import ROLE_COLOURS, DeckInputs, Slide, build_deck, load_slide_specs
from dih_dash.exports.pptx_deck import bullet_size, deck_pptx
from dih_dash.i18n import Translator
from dih_dash.services.deck import load_deck_inputs

YEAR = re.compile(r"\b20\d\d\b")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> DeckInputs:
    settings = deck_settings(tmp_path_factory.mktemp("deck"))
    demo_store(settings)
    return load_deck_inputs(settings)


@pytest.fixture(scope="module")
def decks(inputs: DeckInputs) -> dict[str, tuple[list[Slide], bytes]]:
    specs = load_slide_specs(inputs.settings.slides_file)
    out = {}
    for lang in ("en", "ro"):
        slides = build_deck(inputs, specs, lang, public=True)
        out[lang] = (slides, deck_pptx(slides, lang))
    return out


def opened(data: bytes) -> Presentation:
    return Presentation(io.BytesIO(data))


def walk(shapes: object) -> Iterator[object]:
    for shape in shapes:  # type: ignore[attr-defined]
        yield shape
        if shape.shape_type is not None and hasattr(shape, "shapes"):
            yield from walk(shape.shapes)


def charts_of(page: object) -> list[object]:
    return [s.chart for s in walk(page.shapes) if getattr(s, "has_chart", False)]  # type: ignore[attr-defined]


def text_of(page: object) -> str:
    return "\n".join(s.text_frame.text for s in walk(page.shapes) if s.has_text_frame)  # type: ignore[attr-defined]


def shape_named(page: object, name: str) -> object:
    matches = [s for s in walk(page.shapes) if s.name == name]  # type: ignore[attr-defined]
    assert len(matches) == 1, f"{len(matches)} shapes named {name!r}"
    return matches[0]


def by_kind(slides: list[Slide], kind: str) -> Slide:
    return next(s for s in slides if s.kind == kind)


def unwrapped(label: str) -> str:
    return label.replace("\n", " ")


def test_a_16_9_deck_with_a_cover_then_one_slide_per_spec(inputs, decks):
    specs = load_slide_specs(inputs.settings.slides_file)
    for lang, (slides, data) in decks.items():
        prs = opened(data)
        assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
        assert len(slides) == len(specs)
        assert len(prs.slides) == len(specs) + 1, "the cover, then the numbered slides"
        cover = text_of(prs.slides[0])
        assert Translator(lang)("deck.report_title") in cover
        titles = [page.shapes.title.text_frame.text for page in list(prs.slides)[1:]]
        assert titles == [s.title for s in slides]


def test_every_chart_slide_has_a_native_chart_with_the_slides_numbers(decks):
    slides, data = decks["en"]
    pages = list(opened(data).slides)[1:]
    with_chart = 0
    for slide, page in zip(slides, pages, strict=True):
        charts = charts_of(page)
        if slide.chart is None:
            assert charts == []
            continue
        with_chart += 1
        assert len(charts) == 1, slide.kind
        bars = charts[0].plots[0]
        assert [unwrapped(c) for c in bars.categories] == list(slide.chart.categories)
        # The bars, then the targets as lines of the same chart.
        plotted = [s for plot in charts[0].plots for s in plot.series]
        shown = [s for s in slide.chart.series if s.role != "target"]
        shown += [s for s in slide.chart.series if s.role == "target"]
        assert [s.name for s in plotted][: len(shown)] == [s.name for s in shown]
        for drawn, series in zip(plotted, shown, strict=False):
            assert list(drawn.values) == pytest.approx(list(series.values)), series.name
    assert with_chart == 7


def test_the_sme_chart_reads_back_romania_and_the_target_line(decks):
    for lang, (slides, data) in decks.items():
        number = by_kind(slides, "sme_digital_intensity").number
        chart = charts_of(opened(data).slides[number])[0]
        bars = chart.plots[0]
        assert list(bars.categories) == ["2021", "2023", "2025"]
        assert list(bars.series[0].values) == [22.23, 26.78, 44.34]
        assert bars.series[0].name == ("Romania" if lang == "en" else "România")
        # The 90% target: a line series on the same axes, named with its value.
        line = chart.plots[1]
        assert list(line.series[0].values) == [90.0, 90.0, 90.0]
        assert line.series[0].name.endswith("90%")


def test_the_members_target_is_a_line_series_of_the_chart_not_a_drawn_shape(decks):
    """Issue 13: the 2030 line was a connector grouped with the chart; it overlapped the
    bullets and stayed put when the chart was edited."""
    for lang, (slides, data) in decks.items():
        slide = by_kind(slides, "members_vs_national")
        assert slide.chart.target == 90.0
        page = opened(data).slides[slide.number]
        assert not any(hasattr(s, "shapes") for s in page.shapes), "no group shape"
        assert not any(s.shape_type == MSO_SHAPE_TYPE.LINE for s in walk(page.shapes))
        chart = charts_of(page)[0]
        assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
        assert [s.name for s in chart.plots[0].series] == [slide.chart.series[0].name]
        line = chart.plots[1]
        assert isinstance(line, LinePlot)
        name = f"{Translator(lang)('charts.target_2030')}: 90%"
        assert [s.name for s in line.series] == [name]
        assert list(line.series[0].values) == [90.0] * len(slide.chart.categories)


def test_the_kpi_targets_are_marks_of_a_line_series_not_a_third_bar(decks):
    for lang, (slides, data) in decks.items():
        slide = by_kind(slides, "national_kpis")
        target = next(s for s in slide.chart.series if s.role == "target")
        chart = charts_of(opened(data).slides[slide.number])[0]
        bars = chart.plots[0]
        assert [s.name for s in bars.series] == [
            s.name for s in slide.chart.series if s.role != "target"
        ]
        marks = chart.plots[1]
        assert isinstance(marks, LinePlot)
        assert [s.name for s in marks.series] == [target.name]
        series = marks.series[0]
        assert series.marker.style == XL_MARKER_STYLE.DASH
        # No line joins the marks: the categories are different indicators.
        no_line = series.format.line._ln.find(qn("a:noFill"))
        assert no_line is not None, lang


def test_no_shape_overlaps_the_chart(decks):
    for lang, (slides, data) in decks.items():
        for slide, page in zip(slides, list(opened(data).slides)[1:], strict=True):
            frames = [s for s in page.shapes if getattr(s, "has_chart", False)]
            if not frames:
                continue
            chart = box_of(frames[0])
            others = [s for s in page.shapes if s is not frames[0] and s.has_text_frame]
            assert others, slide.kind
            for shape in others:
                assert not overlaps(chart, box_of(shape)), f"{lang} {slide.kind}: {shape.name}"


def test_ticks_legend_and_footer_are_large_enough_for_a_room(decks):
    for lang, (slides, data) in decks.items():
        for slide, page in zip(slides, list(opened(data).slides)[1:], strict=True):
            for name in ("Source", "Slide number"):
                runs = shape_named(page, name).text_frame.paragraphs[0].runs
                assert runs and all(r.font.size >= Pt(12) for r in runs), (lang, name)
            for chart in charts_of(page):
                assert chart.category_axis.tick_labels.font.size >= Pt(14), slide.kind
                assert chart.value_axis.tick_labels.font.size >= Pt(14), slide.kind
                if chart.has_legend:
                    assert chart.legend.font.size >= Pt(14), slide.kind


def box_of(shape: object) -> tuple[int, int, int, int]:
    return (shape.left, shape.top, shape.left + shape.width, shape.top + shape.height)  # type: ignore[attr-defined]


def overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_series_and_point_colours_come_from_the_roles(decks):
    slides, data = decks["en"]
    sme = by_kind(slides, "sme_digital_intensity")
    bars = charts_of(opened(data).slides[sme.number])[0].plots[0]
    assert str(bars.series[0].format.fill.fore_color.rgb) == ROLE_COLOURS["home"].lstrip("#")
    assert str(bars.series[1].format.fill.fore_color.rgb) == ROLE_COLOURS["eu"].lstrip("#")

    members = by_kind(slides, "members_vs_national")
    series = members.chart.series[0]
    assert series.point_roles is not None
    plotted = charts_of(opened(data).slides[members.number])[0].plots[0].series[0]
    colours = [str(plotted.points[i].format.fill.fore_color.rgb) for i in range(len(series.values))]
    assert colours == [ROLE_COLOURS[r].lstrip("#") for r in series.point_roles]


def test_data_labels_use_the_languages_decimal_mark(decks):
    slides, data = decks["en"]
    sme = by_kind(slides, "sme_digital_intensity")
    labels = charts_of(opened(data).slides[sme.number])[0].plots[0].data_labels
    assert labels.number_format == '0.0"%"'
    assert labels.number_format_is_linked is False

    slides, data = decks["ro"]
    sme = by_kind(slides, "sme_digital_intensity")
    romania = charts_of(opened(data).slides[sme.number])[0].plots[0].series[0]
    texts = [romania.points[i].data_label.text_frame.text for i in range(3)]
    assert texts == ["22,2%", "26,8%", "44,3%"]


def test_long_category_labels_are_wrapped_onto_short_lines(decks):
    slides, data = decks["en"]
    kpis = by_kind(slides, "national_kpis")
    longest = max(kpis.chart.categories, key=len)
    assert len(longest) > 30
    categories = list(charts_of(opened(data).slides[kpis.number])[0].plots[0].categories)
    wrapped = categories[list(kpis.chart.categories).index(longest)]
    assert "\n" in wrapped
    assert max(len(line) for line in wrapped.split("\n")) <= 30


def test_every_slide_has_its_source_with_a_year_and_its_number_in_the_footer(decks):
    for lang, (slides, data) in decks.items():
        tr = Translator(lang)
        pages = list(opened(data).slides)[1:]
        for slide, page in zip(slides, pages, strict=True):
            source = shape_named(page, "Source").text_frame.text
            counter = shape_named(page, "Slide number").text_frame.text
            assert source == slide.source
            assert counter.startswith(tr("deck.slide_of", number=slide.number, total=len(slides)))
            # The data year (or the years the members were assessed) is in the source line
            # itself, not only the footer's date; the closing text slide has no data.
            if slide.kind != "next_steps":
                assert YEAR.search(source), f"{slide.kind}: no year in {source!r}"


def test_titles_and_text_are_in_the_decks_language(decks):
    _, en_data = decks["en"]
    _, ro_data = decks["ro"]
    en_titles = [p.shapes.title.text_frame.text for p in list(opened(en_data).slides)[1:]]
    ro_titles = [p.shapes.title.text_frame.text for p in list(opened(ro_data).slides)[1:]]
    assert en_titles[0] == "Romania vs the EU on the Digital Decade targets"
    assert ro_titles[0] == "România vs UE la țintele deceniului digital"
    assert all(a != b for a, b in zip(en_titles, ro_titles, strict=True))
    assert "Sursa" in text_of(opened(ro_data).slides[1])
    assert "Source" in text_of(opened(en_data).slides[1])


def test_speaker_notes_carry_the_source_and_the_bullets(decks):
    slides, data = decks["ro"]
    pages = list(opened(data).slides)[1:]
    for slide, page in zip(slides, pages, strict=True):
        notes = page.notes_slide.notes_text_frame.text
        assert slide.source in notes
        for bullet in slide.bullets:
            assert bullet in notes


def test_a_text_slide_shows_its_bullets_large(decks):
    slides, data = decks["en"]
    steps = by_kind(slides, "next_steps")
    page = opened(data).slides[steps.number]
    assert charts_of(page) == []
    runs = [
        (paragraph.text, paragraph.runs[0].font.size)
        for shape in walk(page.shapes)
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
        if paragraph.text in steps.bullets
    ]
    assert [text for text, _ in runs] == list(steps.bullets)
    assert all(size >= Pt(20) for _, size in runs)


def test_no_company_name_or_member_id_anywhere_in_the_file(inputs):
    """The staff deck (small groups shown) too: every part of the zip, the charts'
    embedded workbooks included, is searched."""
    specs = load_slide_specs(inputs.settings.slides_file)
    identities = demo_identities(inputs.settings)
    assert any(name.startswith("Demo ") for name in identities)
    for lang in ("en", "ro"):
        data = deck_pptx(build_deck(inputs, specs, lang, public=False), lang)
        texts = list(_zip_texts(data))
        assert any("xlsx" in name for name, _ in texts), "the embedded workbooks were read"
        for name, text in texts:
            assert "DEMO-0" not in text, name
            found = [i for i in identities if i in text]
            assert found == [], f"{name} holds {found[:3]}"


def _zip_texts(data: bytes, prefix: str = "") -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            content = archive.read(name)
            if content[:2] == b"PK":  # an embedded workbook is a zip of its own
                yield from _zip_texts(content, f"{prefix}{name}!")
            else:
                yield f"{prefix}{name}", content.decode("utf-8", errors="replace")


def test_bullet_size_shrinks_for_more_text_and_never_below_10_pt():
    box = (Inches(4), Inches(4.9))
    short = bullet_size(["One short line."], *box, largest=20)
    long = bullet_size(["A longer bullet with many words in it. " * 4] * 3, *box, largest=20)
    huge = bullet_size(["word " * 400] * 10, *box, largest=20)
    assert short == 20
    assert 10 < long < short
    assert huge == 10
