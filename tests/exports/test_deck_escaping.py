"""Slide words come partly from files the hub edits (slides and services files, round names
from surveys): a slide chart, the HTML report and its charts show them as text, never as
markup, and never read them as hovertemplate placeholders."""

from __future__ import annotations

import re

from dih_dash.exports.deck import Slide, SlideChart, SlideSeries, slide_figure
from dih_dash.exports.html_report import deck_html
from dih_dash.i18n import Translator

EVIL = '<a href="x">Evil</a> <b>SRL</b>'
EVIL_SHOWN = '&lt;a href="x"&gt;Evil&lt;/a&gt; &lt;b&gt;SRL&lt;/b&gt;'


def evil_slide() -> Slide:
    chart = SlideChart(
        categories=(EVIL, "Plain"),
        series=(
            SlideSeries(f"{EVIL} %{{x}}", (40.0, 50.0), "members"),
            SlideSeries("Target", (90.0, 90.0), "target"),
        ),
        orientation="bar",
    )
    return Slide(1, "members_vs_national", EVIL, "sub", f"Source: {EVIL}", (EVIL,), chart)


def strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list | tuple):
        return [s for value in node for s in strings(value)]
    return []


def test_slide_chart_escapes_every_word_from_a_file():
    tr = Translator("en")
    for headed in (True, False):
        fig = slide_figure(evil_slide(), tr, headed=headed)
        assert fig is not None
        texts = strings(fig.to_plotly_json())
        tags = {t for s in texts for t in re.findall(r"<\s*/?\s*([A-Za-z]+)", s)}
        assert tags <= {"br", "extra"}, tags
        bars, marks = fig.data[0], fig.data[1]
        # Wrapped as the reader sees it (31 characters: two lines), entities never cut.
        assert bars.y[0] == '&lt;a href="x"&gt;Evil&lt;/a&gt;<br>&lt;b&gt;SRL&lt;/b&gt;'
        assert bars.name == f"{EVIL_SHOWN} %{{x}}"
        assert bars.customdata[0][0] == EVIL_SHOWN and marks.customdata[0][0] == EVIL_SHOWN
        # The series name travels as data: spliced into the template, "%{x}" would be read
        # as the bar's value.
        assert "%{x}" not in bars.hovertemplate and "Evil" not in bars.hovertemplate
        assert bars.customdata[0][1] == f"{EVIL_SHOWN} %{{x}}"
    headed = slide_figure(evil_slide(), tr, headed=True)
    assert EVIL_SHOWN in headed.layout.title.text.replace("<br>", " ")
    assert f"Source: {EVIL_SHOWN}" in headed.layout.title.subtitle.text.replace("<br>", " ")


def test_html_report_has_no_markup_from_the_files():
    page = deck_html([evil_slide()], "en")
    # The report's own links are to its slides; none comes from the file.
    assert '<a href="x"' not in page and "<b>SRL" not in page
    assert html_escaped(EVIL) in page  # title, bullet, table and source as text
    # The chart's JSON carries the Plotly-escaped name ("<" never appears raw in it).
    assert '&lt;a href=\\"x\\"&gt;Evil' in page


def html_escaped(text: str) -> str:
    import html

    return html.escape(text)
