"""Escaping text from files for Streamlit markdown and for Plotly labels."""

from __future__ import annotations

import html
import string

import pytest
from markdown_it import MarkdownIt

from dih_dash.charts.theme import wrap_label
from dih_dash.text_safety import markdown_text, plotly_laid_out, plotly_text

EVIL = '<a href="x">Evil</a> <b>SRL</b>'


@pytest.mark.parametrize(
    "value",
    [
        EVIL,
        "**bold** _it_ `code` [link](http://x) ![img](y) <http://auto.link>",
        "# heading",
        "1. not a list",
        "- not a bullet",
        ":red[red] :material/home: $x^2$ ~~struck~~",
        "A&amp;B &lt;tag&gt;",
        "back\\slash \\*",
        "| a | b |",
    ],
)
def test_markdown_text_renders_as_the_same_characters(value):
    # CommonMark (markdown-it, as Streamlit's renderer follows it): the escaped value is one
    # paragraph holding exactly the value's characters, no element besides.
    rendered = MarkdownIt("commonmark").render(markdown_text(value))
    plain = MarkdownIt("commonmark").render("X").replace("X", "")
    assert rendered.startswith("<p>") and rendered.endswith("</p>\n"), rendered
    body = rendered[3:-5]
    assert html.unescape(body) == value
    assert "<" not in body.replace("&lt;", ""), "no element from the value"
    assert plain == "<p></p>\n"


def test_markdown_text_escapes_every_ascii_punctuation_and_flattens_lines():
    assert markdown_text("RO-1.2") == "RO\\-1\\.2"
    assert markdown_text("two\r\nlines\nhere") == "two  lines here"
    assert all(markdown_text(c) == "\\" + c for c in string.punctuation)
    assert markdown_text("Ştefan Ţara ăîâ") == "Ştefan Ţara ăîâ"
    assert markdown_text(12) == "12"


def test_plotly_text_uses_the_entities_plotly_decodes():
    assert plotly_text(EVIL) == '&lt;a href="x"&gt;Evil&lt;/a&gt; &lt;b&gt;SRL&lt;/b&gt;'
    assert plotly_text("A & B") == "A &amp; B"
    # Plotly.js decodes &amp; &lt; &gt; (and numeric ones) but not &quot;: quotes stay.
    assert "&quot;" not in plotly_text('"quoted"')
    assert plotly_text("Ştefan <br>") == "Ştefan &lt;br&gt;"


def test_plotly_laid_out_measures_the_text_as_shown():
    text = "A & B <i> very long name of a company with many words"
    laid = plotly_laid_out(text, lambda t: wrap_label(t, 20))
    assert laid == "A &amp; B &lt;i&gt; very long<br>name of a company…"
    # A cut never splits an entity, and the text's own "<br>" is no line break.
    cut = plotly_laid_out("aaaa cc<<<<<<<<<< dd", lambda t: wrap_label(t, 6))
    assert cut == "aaaa<br>cc&lt;&lt;&lt;…"
    assert plotly_laid_out("a <br> b", lambda t: t) == "a &lt;br&gt; b"
