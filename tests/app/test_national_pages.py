"""Every national page opens in both languages without an exception and shows its key
numbers; the view state round-trips through the URL."""

from __future__ import annotations

import pytest
from support.apptest import APP, chart_specs, texts

NATIONAL_PAGES = [
    "romania_vs_eu",
    "indicator_explorer",
    "sme_digital_intensity",
    "desi_2017_2022",
    "data_sources",
]


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("page", NATIONAL_PAGES)
def test_page_runs_clean(open_page, page, lang):
    at = open_page(page, lang)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, "every page has a title"
    assert at.query_params["lang"] == [lang] or at.query_params["lang"] == lang


def test_default_page_is_romania_vs_eu(open_page):
    at = open_page(None, "ro")
    assert not at.exception
    assert at.title[0].value == "România vs UE: indicatorii deceniului digital"


@pytest.mark.parametrize(
    ("lang", "sme", "skills", "eu_sme", "rank"),
    [
        (
            "ro",
            "44,3%",
            "31,8%",
            "Media UE: <strong>71,4%</strong>",
            "Locul: <strong>26</strong> din 27",
        ),
        (
            "en",
            "44.3%",
            "31.8%",
            "EU average: <strong>71.4%</strong>",
            "Rank: <strong>26</strong> of 27",
        ),
    ],
)
def test_romania_vs_eu_key_numbers(open_page, lang, sme, skills, eu_sme, rank):
    at = open_page("romania_vs_eu", lang)
    shown = texts(at)
    assert f'<p class="kpi-value">{sme}</p>' in shown
    assert f'<p class="kpi-value">{skills}</p>' in shown
    assert eu_sme in shown and rank in shown
    assert "90" in shown and ("45,7 pp" in shown if lang == "ro" else "45.7 pp" in shown)
    assert ("anul datelor 2025" if lang == "ro" else "data year 2025") in shown


def test_romania_vs_eu_table_view_and_downloads(open_page):
    at = open_page("romania_vs_eu", "en", view="table")
    assert not at.exception
    table = at.dataframe[0].value
    row = table[
        table["Indicator"].str.startswith("SMEs (10-249 persons employed) with at least")
    ].iloc[0]
    assert row["Romania"] == pytest.approx(44.34) and row["Rank"] == 26
    keys = {b.key for b in at.get("download_button")}
    assert {"csv-romania-vs-eu-en", "xlsx-romania-vs-eu-en"} <= keys, "the table's data"
    assert {"csv-rve_overview", "png-rve_overview", "svg-rve_overview"} <= keys, "the chart's"
    assert at.query_params["view"] in (["table"], "table")


def test_explorer_reads_and_writes_url_state(open_page):
    at = open_page("indicator_explorer", "ro", indicator="desi_dsk_bab", peers="HU,PL", year="2025")
    assert not at.exception
    assert at.selectbox(key="explorer_indicator-ro").value == "desi_dsk_bab"
    assert at.multiselect(key="explorer_peers-ro").value == ["HU", "PL"]
    ranking, series = chart_specs(at)
    bars = ranking["data"][0]
    assert len(bars["x"]) == 27 and "România" in bars["x"]
    assert "Sursa: Comisia Europeană, DESI 2026" in ranking["layout"]["title"]["subtitle"]["text"]
    assert [t["name"] for t in series["data"]][:2] == ["România", "Media UE (UE-27)"]
    assert any(round(s["y0"], 2) == 80 for s in ranking["layout"]["shapes"]), "2030 target line"
    # Changing the indicator rewrites the link.
    at.selectbox(key="explorer_indicator-ro").set_value("desi_sme_di3_gelo").run()
    assert at.query_params["indicator"] in (["desi_sme_di3_gelo"], "desi_sme_di3_gelo")
    keys = {b.key for b in at.get("download_button")}
    # Each chart offers what it shows (CSV, XLSX) and itself (PNG, SVG); so does the table.
    for chart in ("explorer_ranking", "explorer_series"):
        assert {f"csv-{chart}", f"xlsx-{chart}", f"png-{chart}", f"svg-{chart}"} <= keys


def test_sme_page_gap_and_pace(open_page):
    at = open_page("sme_digital_intensity", "ro")
    assert not at.exception
    shown = texts(at)
    assert "44,3%" in [m.value for m in at.metric] and "71,4%" in [m.value for m in at.metric]
    assert "45,7 pp" in shown  # 90 - 44.34
    assert "+9,1 pp/an" in shown  # (90 - 44.34) / 5 years
    specs = chart_specs(at)
    path = specs[0]
    names = [t["name"] for t in path["data"]]
    assert "România – DII v3" in names and "România – DII v4" in names
    v3 = next(t for t in path["data"] if t["name"] == "România – DII v3")
    assert list(v3["x"]) == [2021, 2023, 2025]


def test_desi_page_labels_edition_and_ranks(open_page):
    at = open_page("desi_2017_2022", "en", score="desi2022_idt")
    assert not at.exception
    assert "DESI 2022 edition (recalculated series)" in texts(at)
    table = at.dataframe[0].value
    assert table["Digital technology · Rank"].tolist() == [26, 26, 26, 26, 26, 27]
    assert table["DESI · Rank"].tolist() == [27] * 6


def test_data_sources_lists_every_dataset(open_page):
    at = open_page("data_sources", "en")
    assert not at.exception
    datasets = at.dataframe[0].value
    assert len(datasets) == 4
    assert set(datasets["Copy in use"]) == {"bundled snapshot"}
    assert "CC BY 4.0" in texts(at) and "EuroGeographics" in texts(at)
    # Refreshing rewrites what everyone sees: hub staff only.
    assert not [b for b in at.button if b.key == "refresh_button"]
    assert "Refreshing is for hub staff" in texts(at)
    assert open_page("data_sources", "en", admin=True).button(key="refresh_button")


def test_language_switch_changes_interface(open_page):
    at = open_page("romania_vs_eu", "ro")
    at.segmented_control(key="lang_switch").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Romania vs EU: the Digital Decade indicators"
    assert at.query_params["lang"] in (["en"], "en")


def test_browser_locale_picks_language(open_page):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.context = {"locale": "en-GB"}
    at.run()
    assert at.title[0].value.startswith("Romania vs EU")


def test_refresh_action_publishes_and_the_pages_show_it(open_page, replay_server, monkeypatch):
    from support.national_data import ai_body
    from support.replay_server import fixture_bytes

    recorded = fixture_bytes("jsonstat2_sdmx3_isoc_e_dii_E_DI4_HI_VHI_GE10.json")
    replay_server.serve("isoc_e_dii", recorded)
    replay_server.serve("isoc_eb_ai", ai_body())
    monkeypatch.setenv("DIH_DASH_EUROSTAT_URL", replay_server.base_url)
    at = open_page("data_sources", "en", admin=True)
    at.button(key="refresh_button").click().run()
    assert not at.exception
    assert [s.value for s in at.success], texts(at)
    assert "isoc_e_dii" in at.success[0].value
    datasets = at.dataframe[0].value
    assert "refreshed from Eurostat" in set(datasets["Copy in use"])
    assert replay_server.requests_for("isoc_e_dii"), "the page really called the server"


def test_refresh_action_failure_keeps_the_data(
    open_page, replay_server, monkeypatch, isolated_data
):
    from support.replay_server import Fault

    replay_server.always("isoc_e_dii", Fault.http(500))
    replay_server.always("isoc_eb_ai", Fault.http(500))
    monkeypatch.setenv("DIH_DASH_EUROSTAT_URL", replay_server.base_url)
    monkeypatch.setenv("DIH_DASH_HTTP_RETRIES", "0")
    at = open_page("data_sources", "ro", admin=True)
    at.button(key="refresh_button").click().run()
    assert not at.exception
    assert at.error and "datele folosite au rămas neschimbate" in at.error[0].value
    assert set(at.dataframe[0].value["Copia folosită"]) == {"instantaneu inclus"}
    assert not (isolated_data / "eurostat" / "CURRENT").exists()
