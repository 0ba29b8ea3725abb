"""The member pages in a real browser: the public view (charts, no company names, no
request leaving the machine — the county map included) and the admin sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import _require_browser, demo_app_with_admin, start_app
from support.processes import stop
from test_national_pages_browser import wait_for_app

from dih_dash.services import import_file
from dih_dash.settings import load_settings
from dih_dash.store import Actor, open_store

pytestmark = pytest.mark.browser
PASSWORD = "parola-de-test-a-hubului"
PUBLIC_PAGES = ["members", "cohort", "progress", "counties"]


@pytest.fixture(scope="module")
def member_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the demo cohort (fictional names start with "Demo ") and an admin."""
    yield from demo_app_with_admin(tmp_path_factory, "member-app", PASSWORD)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_member_page(member_app, web, path):
    web.goto(f"{member_app}/{path}?lang=en")
    wait_for_app(web)
    assert web.locator("[data-testid=stException]").count() == 0
    assert web.locator("[role=dialog]").count() == 0, "no 'Page not found' or other dialog"
    assert web.locator(".js-plotly-plot").count() >= 1
    shown = web.locator("[data-testid=stMain]").inner_text()
    assert "Demo data" in shown, "the demo cohort is labelled"
    assert "Demo Mobila" not in shown and "DEMO-0" not in shown.replace("DEMO-…", "")
    assert web.external_requests == [], "offline: no tiles, fonts or CDN"


def test_county_map_draws_offline(member_app, web):
    web.goto(f"{member_app}/counties?lang=ro")
    wait_for_app(web)
    web.wait_for_selector(
        ".js-plotly-plot .maplibregl-canvas, .js-plotly-plot canvas", timeout=60_000
    )
    assert web.external_requests == []


def test_sign_in_then_upload_page(member_app, web):
    web.goto(f"{member_app}/upload?lang=en")
    web.wait_for_selector("[data-testid=stApp]")
    web.get_by_text("This page is for hub staff").wait_for(timeout=60_000)
    assert web.locator("[data-testid=stFileUploader]").count() == 0

    web.goto(f"{member_app}/sign-in?lang=en")
    name = web.get_by_role("textbox", name="Your name (recorded in the import log)")
    password = web.locator("input[aria-label='Admin password']")
    password.wait_for(timeout=60_000)
    name.fill("Ana")
    password.fill("wrong")
    web.get_by_role("button", name="Sign in").click()
    web.get_by_text("Wrong password").wait_for(timeout=30_000)

    # The failure imposed a one-second delay, which the server already waited out.
    name.fill("Ana")
    password.fill(PASSWORD)
    web.get_by_role("button", name="Sign in").click()
    web.get_by_text("Signed in as Ana").wait_for(timeout=30_000)

    web.get_by_role("link", name="Upload surveys").click()
    web.locator("[data-testid=stFileUploader]").wait_for(timeout=60_000)
    web.get_by_role("link", name="Member profile").click()
    # The section heading; the page's intro mentions the weakest dimensions as well.
    web.get_by_role("heading", name="Weakest dimensions").wait_for(timeout=60_000)
    # Hub staff see the (fictional) company names the public never sees.
    legend = web.locator(".js-plotly-plot .legendtext").first
    legend.wait_for(state="attached", timeout=60_000)
    assert re.match(r"Demo .+, T\d", legend.text_content() or "")


# --- public-sector organisations ---------------------------------------------------------------


def _hub_csv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture(scope="module")
def kinds_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a store of its own (no demo): eight SMEs ("Ascuns SME …") and six
    public-sector organisations ("Ascuns Primaria …"), T0 and T1."""
    _require_browser()
    data_dir = tmp_path_factory.mktemp("kinds-app")
    env = {
        "DIH_DASH_DATA_DIR": str(data_dir),
        "DIH_DASH_DATABASE_URL": f"sqlite:///{data_dir / 'store.sqlite'}",
    }
    settings = load_settings(env=env, secrets={})
    store = open_store(settings)
    dims = "dma_strategy,dma_readiness,dma_human,dma_data,dma_automation,dma_green"
    sme_header = f"member_id,company_name,wave,cluster,size_class,county,{dims}"
    pso_dims = "pso_strategy,pso_readiness,pso_human,pso_data,pso_interop,pso_green"
    smes = [
        f"SME-{n},Ascuns SME {n} SRL,{wave},IT,small,CJ," + ",".join([str(30 + n + step)] * 6)
        for wave, step in (("T0", 0), ("T1", 6))
        for n in range(8)
    ]
    psos = [
        f"PSO-{n},Ascuns Primaria {n},{wave},Administratie,BH,pso,{70 + n + step},"
        + ",".join([str(70 + n + step)] * 6)
        for wave, step in (("T0", 0), ("T1", 5))
        for n in range(6)
    ]
    for name, data in (
        ("smes.csv", _hub_csv(sme_header, smes)),
        ("psos.csv", _hub_csv(
            f"member_id,company_name,wave,cluster,county,org_type,dma_overall,{pso_dims}", psos
        )),
    ):  # fmt: skip
        report = import_file(store, data, name, actor=Actor("tests", True), settings=settings)
        assert report.stored and not report.errors, report.to_json_dict()
    store.close()
    process, base = start_app(data_dir, {"DIH_DASH_AUTO_LOAD_DEMO": "0"})
    try:
        yield base
    finally:
        stop(process)


@pytest.mark.parametrize(
    ("path", "lang", "expected"),
    [
        ("members", "en", "not comparable"),
        ("cohort", "en", "Interoperability"),
        ("members", "ro", "nu sunt comparabile"),
        ("cohort", "ro", "Interoperabilitate"),
        ("progress", "en", "Interoperability"),
        ("counties", "en", "Public-sector organisations by county"),
    ],
)
def test_public_pso_pages(kinds_app, web, path, lang, expected):
    web.goto(f"{kinds_app}/{path}?kind=pso&lang={lang}")
    wait_for_app(web)
    web.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    web.get_by_text(expected).first.wait_for(timeout=60_000)
    assert web.locator("[data-testid=stException]").count() == 0
    assert web.locator("[role=dialog]").count() == 0
    shown = web.locator("[data-testid=stMain]").inner_text()
    charts = " ".join(web.locator(".js-plotly-plot").all_inner_texts())
    assert "Ascuns" not in shown + charts and "PSO-" not in shown + charts
    assert "SME-" not in shown + charts
    chosen = {"en": "Public-sector organisations (6)", "ro": "Organizații din sectorul public (6)"}
    assert chosen[lang] in shown
    if path == "members":
        assert "isoc_e_dii" not in charts and "Eurostat isoc" not in shown
    assert web.external_requests == []
    assert "kind=pso" in web.url


def test_choosing_the_kind_on_the_page(kinds_app, web):
    web.goto(f"{kinds_app}/cohort?lang=en")
    wait_for_app(web)
    web.get_by_text("SMEs (8)").first.wait_for(timeout=60_000)
    assert "kind=" not in web.url
    web.get_by_text("Public-sector organisations (6)").first.click()
    web.wait_for_url(re.compile(r"kind=pso"), timeout=60_000)
    web.get_by_text("Interoperability").first.wait_for(timeout=60_000)
    assert web.locator("[data-testid=stException]").count() == 0


# --- issue 13: text that fits, the staff banner -------------------------------------------------

FIT_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
    const svg = plot.querySelector('svg.main-svg');
    const width = svg.getBoundingClientRect().right;
    return [...plot.querySelectorAll('.g-gtitle text, .g-gtitle tspan')].map(t => ({
        text: t.textContent, over: t.getBoundingClientRect().right - width,
    })).filter(t => t.over > 0.5);
}).flat()"""


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_chart_titles_and_source_lines_fit_at_1280(member_app, chromium, path, lang):
    """At 1280×720 no chart's title or source line runs past the chart's right edge (the
    progress line ended "…din 2025–202", the band chart's "(firn")."""
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    try:
        web = context.new_page()
        web.goto(f"{member_app}/{path}?lang={lang}")
        wait_for_app(web)
        web.locator(".js-plotly-plot .g-gtitle").first.wait_for(timeout=60_000)
        web.wait_for_timeout(1500)  # every chart of the page drawn
        assert web.evaluate(FIT_JS) == []
    finally:
        context.close()
