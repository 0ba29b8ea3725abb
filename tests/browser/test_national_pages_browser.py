"""Every national page opened in a real browser: a chart is drawn, no error box, and
nothing is fetched from outside the machine (the app must work offline at a workshop)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Romania vs EU is the default page: its address is the app's root ("/romania-vs-eu" would
# be Streamlit's "Page not found" dialog over the default page).
PAGES = ["", "indicators", "sme-digital-intensity", "desi-2017-2022", "data-sources"]


def wait_for_app(page, timeout: float = 90_000) -> None:
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=timeout)
    # The script has finished when Streamlit no longer shows its running indicator.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout
    )


@pytest.mark.parametrize("path", PAGES)
def test_page_draws_a_chart_without_errors(app_url, web, path):
    web.goto(f"{app_url}/{path}?lang=ro")
    wait_for_app(web)
    assert web.locator(".js-plotly-plot").count() >= 1
    assert web.locator("[data-testid=stException]").count() == 0
    assert web.locator("[role=dialog]").count() == 0, "no 'Page not found' or other dialog"
    assert web.external_requests == []


def test_language_and_view_state_survive_in_the_link(app_url, web):
    web.goto(f"{app_url}/indicators?lang=en&indicator=desi_dsk_bab&peers=HU&year=2025")
    wait_for_app(web)
    assert "Indicator explorer" in web.locator("h1").first.inner_text()
    main = web.locator("[data-testid=stMain]").inner_text()
    assert "At least basic digital skills" in main  # the definition box of the chosen indicator
    assert "Hungary" in web.locator("[data-testid=stMultiSelect]").first.inner_text()
    assert "At least basic digital skills" in (
        web.locator(".js-plotly-plot .gtitle").first.text_content() or ""
    )
    assert "lang=en" in web.url and "indicator=desi_dsk_bab" in web.url


def test_romanian_number_format_on_screen(app_url, web):
    web.goto(f"{app_url}/?lang=ro")
    wait_for_app(web)
    # The cards arrive after the first chart; wait for the two this test reads.
    for value in ("44,3%", "31,8%"):
        web.locator(".kpi-value", has_text=value).first.wait_for(timeout=30_000)
    metrics = web.locator(".kpi-value").all_inner_texts()
    assert "44,3%" in metrics and "31,8%" in metrics
