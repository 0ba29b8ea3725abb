"""The presentation page and the exports page: slide order, ?slide=N links, controls,
public figures only, and the deck/report downloads."""

from __future__ import annotations

import io
import json

import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest
from support.apptest import APP, chart_specs

from dih_dash.services import load_demo
from dih_dash.settings import load_settings
from dih_dash.store import Actor, open_store


@pytest.fixture
def demo_store(isolated_data):
    settings = load_settings()
    load_demo(open_store(settings), settings, Actor("t", True))


def open_presentation(lang: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("app_pages/presentation.py")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at


def html_text(at: AppTest) -> str:
    return "\n".join(str(h.value) for h in at.get("html"))


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_slides_in_order_with_controls(demo_store, lang):
    at = open_presentation(lang)
    assert not at.exception, [e.message for e in at.exception]
    first = (
        "România vs UE la țintele" if lang == "ro" else "Romania vs the EU on the Digital Decade"
    )
    assert first in html_text(at)
    assert at.button(key="slide_previous").disabled
    at.button(key="slide_next").click().run()
    assert at.query_params["slide"] in (["2"], "2")
    assert "IMM-uri care au cel puțin" in html_text(at) or "SMEs with at least" in html_text(at)
    at.button(key="slide_previous").click().run()
    assert at.query_params["slide"] in (["1"], "1")


def test_slide_link_opens_that_slide(demo_store):
    at = open_presentation("en", slide="8")
    assert "Next steps: join the Industry 4.0 working group" in html_text(at)
    assert at.button(key="slide_next").disabled
    assert not at.get("plotly_chart"), "the closing slide is text only"
    at = open_presentation("en", slide="99")
    assert "Romania vs the EU on the Digital Decade" in html_text(at), "out of range -> slide 1"


def test_presentation_never_shows_company_names(demo_store):
    for number in range(1, 9):
        at = open_presentation("ro", slide=str(number))
        sent = html_text(at) + str(chart_specs(at))
        assert "Demo " not in sent.replace("Date demonstrative", ""), number
        assert "DEMO-0" not in sent


def test_exports_page_offers_deck_report_and_images(demo_store):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = "ro"
    at.run()
    at.switch_page("app_pages/exports.py").run()
    assert not at.exception, [e.message for e in at.exception]
    keys = {b.key for b in at.get("download_button")}
    assert {"download_pptx", "download_html"} <= keys
    assert any(k.startswith("image-") for k in keys)
    assert "O copertă și 8 slide-uri" in "\n".join(c.value for c in at.caption)
    # The button builds the file on click (AppTest cannot read it); the same call here:
    from dih_dash.exports.deck import build_deck, load_slide_specs
    from dih_dash.exports.pptx_deck import deck_pptx
    from dih_dash.services.deck import load_deck_inputs

    settings = load_settings()
    inputs = load_deck_inputs(settings)
    slides = build_deck(inputs, load_slide_specs(settings.slides_file), "ro")
    assert len(Presentation(io.BytesIO(deck_pptx(slides, "ro"))).slides) == 9


def _deck_titles(headed: bool) -> None:
    import streamlit as st

    from app_pages.kit import workshop

    _, figures = workshop.workshop_deck("en", headed=headed)
    for figure in figures:
        if figure is not None:
            st.text(f"{figure.layout.title.text or ''} | {figure.layout.title.subtitle.text or ''}")


@pytest.mark.parametrize("headed", [True, False])
def test_slide_images_carry_title_and_source_the_page_draws_them_as_text(demo_store, headed):
    """Images and reports (exports page: `workshop_deck` headed, its default) carry the
    slide's title and source in the figure; the presentation page draws the chart bare and
    shows title and source as text around it."""
    at = AppTest.from_function(_deck_titles, args=(headed,), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    lines = [t.value for t in at.text]
    assert len(lines) == 7, lines  # seven chart slides
    if headed:
        assert lines[0].startswith("Romania vs the EU on the Digital Decade")
        assert all("Source:" in line for line in lines), lines
    else:
        assert all(line.strip() == "|" for line in lines), lines
        page = open_presentation("en", slide="1")
        assert "Romania vs the EU on the Digital Decade" in html_text(page)
        assert "Source:" in html_text(page)


# Where config/slides.toml puts the two slides of issue 12.
SERVICES_SLIDE, IMPACT_SLIDE = 5, 6


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_the_services_and_impact_slides_are_reached_with_their_charts(demo_store, lang):
    from dih_dash.i18n import Translator

    tr = Translator(lang)
    at = open_presentation(lang, slide=str(SERVICES_SLIDE - 1))
    at.button(key="slide_next").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.query_params["slide"] in ([str(SERVICES_SLIDE)], str(SERVICES_SLIDE))
    page = html_text(at)
    assert context_escape(tr("deck.services_title")) in page
    assert len(at.get("plotly_chart")) == 1
    # The targets' progress is on the slide, in the page's language.
    assert ("din" if lang == "ro" else " of ") in page

    at.button(key="slide_next").click().run()
    assert not at.exception, [e.message for e in at.exception]
    page = html_text(at)
    assert context_escape(tr("deck.impact_title_sme", wave_from="T0", wave_to="T1")) in page
    assert context_escape(tr("impact.not_randomised")) in page
    assert len(at.get("plotly_chart")) == 1
    names = chart_specs(at)
    assert tr("impact.groups.served") in str(names) and tr("impact.groups.not_served") in str(names)


def test_the_new_slides_name_no_one(demo_store):
    """Every demo name and id (SMEs and public bodies) kept off both slides, in both
    languages: page text and chart data."""
    import csv

    settings = load_settings()
    with (settings.demo_dir / "demo_cohort.csv").open(encoding="utf-8") as fh:
        identities = {v for r in csv.DictReader(fh) for v in (r["company_name"], r["member_id"])}
    for lang in ("ro", "en"):
        for number in (SERVICES_SLIDE, IMPACT_SLIDE):
            at = open_presentation(lang, slide=str(number))
            sent = html_text(at) + str(chart_specs(at))
            assert [i for i in identities if i in sent] == [], (lang, number)


def context_escape(text: str) -> str:
    """As the page escapes slide text for st.html."""
    import html

    return html.escape(text)


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_slide_charts_have_no_toolbar_and_type_a_room_reads(demo_store, lang):
    """Issue 13: Tab walked through the chart toolbar; the chart's text was 16 px."""
    for number in (1, 3, 5):
        at = open_presentation(lang, slide=str(number))
        assert not at.exception, [e.message for e in at.exception]
        (element,) = at.get("plotly_chart")
        config = json.loads(element.proto.config)
        assert config["displayModeBar"] is False
        spec = chart_specs(at)[0]
        layout = spec["layout"]
        sizes = [layout["font"]["size"], layout["legend"]["font"]["size"]]
        for axis in ("xaxis", "yaxis"):
            sizes.append(layout[axis]["tickfont"]["size"])
        sizes += [t["textfont"]["size"] for t in spec["data"] if "textfont" in t]
        assert min(sizes) >= 20, (number, sizes)
    # Slide 1's legend is text above the chart: Plotly's wrapped to the narrow plot, one
    # entry a row, and took the bars' height.
    at = open_presentation(lang, slide="1")
    assert chart_specs(at)[0]["layout"]["showlegend"] is False
    target = "Ținta pentru 2030" if lang == "ro" else "2030 target"
    assert 'class="legend"' in html_text(at) and target in html_text(at)
