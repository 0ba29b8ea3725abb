"""The presentation page in a real browser with the outside network cut off: walked with the
buttons, the keyboard (PageDown/PageUp, as a clicker sends) and `?slide=N` links, embedded."""

from __future__ import annotations

import pytest
from test_national_pages_browser import wait_for_app

pytestmark = pytest.mark.browser


def cut_network(page) -> list[str]:
    """Abort every request that would leave 127.0.0.1, and remember it."""
    blocked: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    page.route("**/*", route)
    return blocked


def slide_title(page) -> str:
    return page.locator(".dih-slide h1").first.inner_text()


def wait_for_slide(page, number: int, total: int = 8) -> None:
    page.get_by_text(f"Slide {number} of {total}").wait_for(timeout=60_000)


def test_walk_the_deck_offline(app_url, web):
    blocked = cut_network(web)
    web.goto(f"{app_url}/presentation?lang=en&embed=true")
    wait_for_app(web)
    wait_for_slide(web, 1)
    assert slide_title(web) == "Romania vs the EU on the Digital Decade targets"

    web.get_by_role("button", name="Next").click()
    wait_for_slide(web, 2)
    assert "slide=2" in web.url
    web.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    assert slide_title(web).startswith("SMEs with at least a basic level")

    web.keyboard.press("PageDown")
    wait_for_slide(web, 3)
    web.keyboard.press("PageUp")
    wait_for_slide(web, 2)

    # The services delivered, then what they changed (issue 12), each with its chart.
    web.goto(f"{app_url}/presentation?lang=en&embed=true&slide=4")
    wait_for_slide(web, 4)
    web.keyboard.press("PageDown")
    wait_for_slide(web, 5)
    assert slide_title(web) == "Services delivered and the hub's targets"
    web.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    # Four categories, two series: once the previous slide's chart has gone.
    web.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot').length === 1"
        " && document.querySelectorAll('.js-plotly-plot .point').length === 8",
        timeout=60_000,
    )
    web.get_by_role("button", name="Next").click()
    wait_for_slide(web, 6)
    assert slide_title(web) == "What the services changed: SMEs, T0 → T1"
    web.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    assert web.get_by_text("These groups are not randomised", exact=False).count() == 1
    assert "slide=6" in web.url

    web.goto(f"{app_url}/presentation?lang=ro&embed=true&slide=6")
    web.get_by_text("Slide-ul 6 din 8").wait_for(timeout=60_000)
    assert slide_title(web) == "Ce au schimbat serviciile: IMM-uri, T0 → T1"
    web.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)

    web.goto(f"{app_url}/presentation?lang=en&embed=true&slide=8")
    wait_for_slide(web, 8)
    assert slide_title(web).startswith("Next steps")
    assert web.get_by_role("button", name="Next").is_disabled()
    assert web.locator("[data-testid=stException]").count() == 0
    assert blocked == [], f"the deck asked the internet for: {blocked}"
    assert web.external_requests == []
