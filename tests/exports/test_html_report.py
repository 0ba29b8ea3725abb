"""The HTML report: one self-contained file (plotly.js inlined once, nothing fetched from
anywhere), one interactive chart per chart slide, every slide's text escaped, in the
report's language."""

from __future__ import annotations

import html
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs
from support.deck_data import deck_settings, demo_store

from dih_dash.exports.deck import DeckInputs, Slide, SlideSpec, build_deck, load_slide_specs
from dih_dash.exports.html_report import deck_html
from dih_dash.services.deck import load_deck_inputs

BUNDLE_SIGNATURE = re.search(r"plotly\.js v[\d.]+", get_plotlyjs()).group(0)  # type: ignore[union-attr]
REMOTE = re.compile(r"^\s*(https?:|//)", re.IGNORECASE)
CSS_REMOTE = re.compile(r"url\(\s*['\"]?\s*(https?:|//)", re.IGNORECASE)
HOSTILE = '<script>alert("x")</script> & <b>Co</b>'


class Document(HTMLParser):
    """Tags with their attributes, and the text of <style> and <script> elements."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self._inside: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "script"):
            self._inside = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "style":
            self.styles.append(data)
        elif self._inside == "script":
            self.scripts.append(data)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> DeckInputs:
    settings = deck_settings(tmp_path_factory.mktemp("report"))
    demo_store(settings)
    return load_deck_inputs(settings)


@pytest.fixture(scope="module")
def reports(inputs: DeckInputs) -> dict[str, tuple[list[Slide], str]]:
    specs = load_slide_specs(inputs.settings.slides_file)
    out = {}
    for lang in ("en", "ro"):
        slides = build_deck(inputs, specs, lang, public=True)
        out[lang] = (slides, deck_html(slides, lang))
    return out


def test_nothing_is_loaded_from_outside_the_file(reports):
    for _, text in reports.values():
        doc = Document(text)
        for tag, attrs in doc.tags:
            for name in ("src", "href", "data", "action", "poster"):
                value = attrs.get(name)
                assert not (value and REMOTE.match(value)), f"<{tag} {name}={value!r}>"
            assert not (attrs.get("style") and CSS_REMOTE.search(attrs["style"] or ""))
            assert tag != "link", "no stylesheet, icon or font link"
            if tag == "script":
                assert "src" not in attrs, "every script is inline"
        for css in doc.styles:
            assert not CSS_REMOTE.search(css)
            assert "@import" not in css
            assert "@font-face" not in css
        # Outside the plotly.js bundle (which names map-tile servers that only map traces
        # would use) there is no web address at all: figures, config and text included.
        rest = text.replace(get_plotlyjs(), "")
        assert re.findall(r"https?://", rest) == []
        assert "mathjax" not in rest.lower().replace("mathjaxconfig: 'local'", "")


def test_plotly_js_is_inlined_exactly_once_and_every_fetch_is_forbidden(reports):
    for _, text in reports.values():
        assert text.count(BUNDLE_SIGNATURE) == 1
        csp = next(
            attrs["content"]
            for tag, attrs in Document(text).tags
            if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
        )
        assert "default-src 'none'" in csp and "connect-src 'none'" in csp


def test_one_interactive_plot_per_chart_slide(reports):
    for _, (slides, text) in reports.items():
        charts = [s for s in slides if s.chart is not None]
        assert len(charts) == 7  # every slide of config/slides.toml but the closing text
        divs = [a for t, a in Document(text).tags if "plotly-graph-div" in (a.get("class") or "")]
        assert [d["id"] for d in divs] == [f"chart-{s.number}" for s in charts]
        for slide in charts:
            assert re.search(rf'Plotly\.newPlot\(\s*"chart-{slide.number}"', text)
        assert text.count('"displaylogo": false') == len(charts)
        assert text.count('"typesetMath": false') == len(charts)
        assert text.count('"topojsonURL": ""') == len(charts)


def test_every_slide_with_its_text_and_source_in_its_language(reports):
    for lang, (slides, text) in reports.items():
        assert f'<html lang="{lang}">' in text
        for slide in slides:
            assert f'<h2 id="title-{slide.number}">{html.escape(slide.title)}</h2>' in text
            assert html.escape(slide.source) in text
            for bullet in slide.bullets:
                assert f"<li>{html.escape(bullet)}</li>" in text
    assert "România vs UE la țintele deceniului digital" in reports["ro"][1]
    assert "Romania vs the EU on the Digital Decade targets" in reports["en"][1]
    assert "Sursa:" in reports["ro"][1] and "Sursa:" not in reports["en"][1]


def test_slide_text_is_escaped_and_stays_inert(inputs):
    specs = [
        SlideSpec("sme_digital_intensity", {"title_en": HOSTILE}),
        SlideSpec("next_steps", {"title_en": HOSTILE, "bullets_en": [HOSTILE]}),
    ]
    slides = build_deck(inputs, specs, "en")
    assert slides[0].title == HOSTILE
    text = deck_html(slides, "en")
    assert "<script>alert" not in text
    assert "<b>Co</b>" not in text
    assert text.count(html.escape(HOSTILE)) >= 4  # two headings, two contents entries
    doc = Document(text)
    assert [t for t, _ in doc.tags if t == "b"] == []
    # The bundle and one Plotly.newPlot call for the chart slide: no injected script.
    assert len(doc.scripts) == 3


@pytest.mark.browser
def test_the_report_draws_its_charts_offline_in_chromium(reports, tmp_path: Path):
    """Opened from disk in Chromium: every chart drawn, no request but the file itself,
    no error (the Content-Security-Policy does not get in plotly.js's way)."""
    browser_path = os.environ.get("DIH_DASH_CHROMIUM") or shutil.which("chromium")
    if not browser_path:
        reason = "Chromium not found (apt-get install chromium, or set DIH_DASH_CHROMIUM)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    slides, text = reports["ro"]
    path = tmp_path / "report.html"
    path.write_text(text, encoding="utf-8")
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_path, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(path.as_uri())
            page.wait_for_function(
                "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n",
                arg=len([s for s in slides if s.chart is not None]),
                timeout=15_000,
            )
            bars = page.locator("#chart-2 .point").count()
        finally:
            browser.close()
    assert requests == [path.as_uri()]
    assert errors == []
    assert bars == 6  # Romania and the EU, three survey years each


def test_no_chart_label_of_the_report_is_cut_off(reports):
    """Issue 13: the SME indicator's name ended in "…" on the report's first chart."""
    for lang, (slides, report) in reports.items():
        scripts = re.findall(r"Plotly\.newPlot\(.*?</script>", report, re.DOTALL)
        assert len(scripts) == sum(s.chart is not None for s in slides)
        for script in scripts:
            assert "\u2026" not in script and "\\u2026" not in script, lang
        kpis = next(s for s in slides if s.kind == "national_kpis")
        assert any("(DII v3)" in c for c in kpis.chart.categories), lang
