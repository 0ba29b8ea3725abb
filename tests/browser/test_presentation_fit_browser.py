"""The presentation on a projector: every slide, in both languages, fits 1280×720 and
1920×1080 with the controls on screen, the chart's type is read from the back of a room,
and Tab walks the slide's controls, never a chart toolbar or the collapsed menu."""

from __future__ import annotations

import pytest
from test_national_pages_browser import wait_for_app

pytestmark = pytest.mark.browser

SLIDES = 8
VIEWPORTS = [(1280, 720), (1920, 1080)]
SMALLEST_CHART_TEXT_PX = 20

# Every scrolling box of the page (the document and Streamlit's main area, which scrolls
# instead of the document), the controls' boxes and the chart's text sizes.
MEASURE = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  const next = document.querySelector('.st-key-slide_next button');
  const counter = [...document.querySelectorAll('[data-testid=stMarkdownContainer] div')]
    .find((d) => /^(Slide|Slide-ul) \\d+ (of|din) \\d+$/.test(d.innerText.trim()));
  const sizes = [...document.querySelectorAll('.js-plotly-plot svg text')]
    .filter((t) => t.textContent.trim() !== '')
    .map((t) => parseFloat(getComputedStyle(t).fontSize));
  // The category names: no two may touch (two-line names ran into each other on slide 1).
  const names = '.js-plotly-plot .ytick text, .js-plotly-plot .xtick text';
  const ticks = [...document.querySelectorAll(names)]
    .map((t) => t.getBoundingClientRect())
    .filter((r) => r.height > 0);
  let touching = 0;
  for (let i = 0; i < ticks.length; i++) for (let j = i + 1; j < ticks.length; j++) {
    const a = ticks[i], b = ticks[j];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) touching++;
  }
  return {
    touching: touching,
    document: document.documentElement.scrollHeight,
    main: main.scrollHeight,
    next: box(next),
    counter: box(counter),
    sizes: sizes,
    charts: document.querySelectorAll('.js-plotly-plot').length,
  };
}"""


def open_slide(page, base: str, lang: str, number: int) -> dict:
    page.goto(f"{base}/presentation?lang={lang}&slide={number}")
    if number < SLIDES:
        wait_for_app(page)
    else:
        page.locator(".dih-slide h1").first.wait_for(timeout=60_000)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000
        )
    counter = ("Slide-ul {n} din {t}" if lang == "ro" else "Slide {n} of {t}").format(
        n=number, t=SLIDES
    )
    page.get_by_text(counter, exact=True).wait_for(timeout=60_000)
    # Web fonts and Plotly's own layout pass settle after the first paint.
    page.wait_for_timeout(300)
    return page.evaluate(MEASURE)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
@pytest.mark.parametrize("lang", ["en", "ro"])
def test_every_slide_fits_the_screen_with_its_controls(app_url, chromium, viewport, lang):
    width, height = viewport
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        for number in range(1, SLIDES + 1):
            seen = open_slide(page, app_url, lang, number)
            where = f"{lang} {width}×{height} slide {number}: {seen}"
            assert seen["document"] <= height, where
            assert seen["main"] <= height, where
            for control in ("next", "counter"):
                assert seen[control] is not None, where
                assert seen[control]["top"] >= 0 and seen[control]["bottom"] <= height, where
                assert seen[control]["left"] >= 0 and seen[control]["right"] <= width, where
            if number < SLIDES:
                assert seen["charts"] == 1, where
                assert seen["sizes"], where
            if (width, height) == (1280, 720) and seen["sizes"]:
                assert min(seen["sizes"]) >= SMALLEST_CHART_TEXT_PX, where
            assert seen["touching"] == 0, where
            assert page.locator("[data-testid=stException]").count() == 0, where
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_tab_walks_the_controls_not_the_chart_toolbar_or_the_hidden_menu(app_url, web, lang):
    web.set_viewport_size({"width": 1280, "height": 720})
    web.goto(f"{app_url}/presentation?lang={lang}&slide=2")
    wait_for_app(web)
    assert web.locator(".modebar").count() == 0, "no chart toolbar on a slide"
    reached = []
    for _ in range(12):
        web.keyboard.press("Tab")
        reached.append(
            web.evaluate(
                """() => { const a = document.activeElement;
                  const testid = a.closest('[data-testid]');
                  return {tag: a.tagName, text: (a.innerText || '').trim().slice(0, 40),
                    sidebar: !!a.closest('[data-testid=stSidebar]'),
                    toolbar: !!a.closest('.modebar, .modebar-container'),
                    next: !!a.closest('.st-key-slide_next'),
                    testid: testid && testid.getAttribute('data-testid')}; }"""
            )
        )
    assert not any(r["sidebar"] for r in reached), reached
    assert not any(r["toolbar"] for r in reached), reached
    assert any(r["next"] for r in reached), reached
