"""Every national page opens in both languages without an exception and shows its key
numbers; the view state round-trips through the URL."""

from __future__ import annotations

import pytest
from support.apptest import APP, chart_specs, texts
from support.tables import shown_tables

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
    assert at.title[0].value == "România vs UE"


@pytest.mark.parametrize(
    ("lang", "sme", "skills", "eu_sme", "rank"),
    [
        (
            "ro",
            "44,3%",
            "31,8%",
            "Media UE: <strong>71,4%</strong>",
            "Locul: <strong>26 din 27</strong>",
        ),
        (
            "en",
            "44.3%",
            "31.8%",
            "EU average: <strong>71.4%</strong>",
            "Rank: <strong>26 of 27</strong>",
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
    table = shown_tables(at)[0]
    row = table[
        table["Indicator"].str.startswith("SMEs (10-249 persons employed) with at least")
    ].iloc[0]
    # Numbers as the cards say them: the indicator's decimals, the target without ".0".
    assert (row["Romania"], row["Rank"], row["2030 target"]) == ("44.3", "26 of 27", "90%")
    keys = {b.key for b in at.get("download_button")}
    assert {"csv-romania-vs-eu-en", "xlsx-romania-vs-eu-en"} <= keys, "the table's data"
    assert {"csv-rve_overview", "png-rve_overview", "svg-rve_overview"} <= keys, "the chart's"
    assert at.query_params["view"] in (["table"], "table")


def card_of(shown: str, label: str) -> str:
    """The HTML of the card whose title is `label`."""
    start = shown.index(f'<p class="kpi-title">{label}')
    end = shown.find('<div class="kpi-card', start)
    return shown[start : end if end > 0 else len(shown)]


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_romania_vs_eu_says_ties_totals_reached_targets_and_the_ict_target(open_page, lang):
    at = open_page("romania_vs_eu", lang)
    shown = texts(at)
    ro = lang == "ro"
    # Unicorns: RO, HU, SI and SK all have 0 in 2025, a tie for last place, said as such.
    unicorns = card_of(shown, "Întreprinderi „unicorn”" if ro else "Unicorns")
    tie = "24–27 din 27 (la egalitate cu" if ro else "24–27 of 27 (tied with"
    assert tie in unicorns and ("Ungaria" if ro else "Hungary") in unicorns
    assert (
        "Total UE: <strong>324</strong>" if ro else "EU total: <strong>324</strong>"
    ) in unicorns
    # ICT specialists: the Decision's 20 million, never a bare "20" in thousands.
    ict = card_of(shown, "Specialiști în TIC" if ro else "ICT specialists")
    assert ("20 de milioane" if ro else "20 million") in ict
    assert "read the stored 20" not in shown and "trebuie citită" not in shown
    # Targets print without ".0" (Romania meets none of them in this snapshot).
    assert "0,0 pp" not in shown and "0.0 pp" not in shown
    assert "80,0%" not in shown and "100,0%" not in shown and "80.0%" not in shown


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_romania_vs_eu_says_which_figure_carries_the_legal_target(open_page, lang):
    shown = texts(open_page("romania_vs_eu", lang))
    ro = lang == "ro"
    tool = "Referința instrumentului DESI pentru 2030" if ro else "DESI tool reference for 2030"
    ai = card_of(shown, "Întreprinderi care utilizează IA<" if ro else "Enterprises using AI<")
    assert tool in ai
    assert ("IA, cloud sau analiza datelor" if ro else "AI, cloud or data analytics") in ai
    fttp = card_of(shown, "Acoperire FTTP" if ro else "Fibre to the Premises (FTTP) coverage")
    assert tool in fttp and "VHCN" in fttp
    either = card_of(
        shown, "Întreprinderi care utilizează IA, cloud" if ro else "Enterprises using AI, cloud"
    )
    assert tool not in either and ("Ținta pentru 2030" if ro else "2030 target") in either


def test_romania_vs_eu_table_marks_the_eu_level_distance_and_has_no_none(open_page):
    at = open_page("romania_vs_eu", "ro", view="table")
    table = shown_tables(at)[0]
    unicorns = table[table["Indicator"] == "Întreprinderi „unicorn”"].iloc[0]
    assert unicorns["Media UE"] == "324 (total UE)"
    assert unicorns["Distanța față de țintă"].startswith("UE: ")
    assert unicorns["Locul"].startswith("24–27 din 27")
    ict = table[table["Indicator"] == "Specialiști în TIC"].iloc[0]
    assert ict["Ținta pentru 2030"] == "20 de milioane"
    flat = " ".join(str(v) for v in table.to_numpy().ravel())
    assert "None" not in flat and "nan" not in flat


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_sme_page_data_table_speaks_the_readers_language(open_page, lang):
    at = open_page("sme_digital_intensity", lang)
    table = shown_tables(at)[-1]
    headers = set(table.columns)
    raw = {"indicator", "label", "geo", "period", "value", "unit", "flag", "source"}
    assert not headers & raw, headers
    cells = " ".join(str(v) for v in table.to_numpy().ravel())
    for code in ("PC_ENT", "eurostat:", "EU27_2020", "desi_sme"):
        assert code not in cells, code
    assert ("România" if lang == "ro" else "Romania") in set(table.iloc[:, 1])


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
    table = shown_tables(at)[0]
    assert table["Digital technology · Rank"].tolist() == [26, 26, 26, 26, 26, 27]
    assert table["DESI · Rank"].tolist() == [27] * 6


def test_data_sources_lists_every_dataset(open_page):
    at = open_page("data_sources", "en")
    assert not at.exception
    datasets = shown_tables(at)[0]
    assert len(datasets) == 4
    assert set(datasets["Copy in use"]) == {"bundled snapshot"}
    # Headers short enough for their column (issue 13: "Descărcat / co…" was cut off).
    for lang in ("en", "ro"):
        headers = shown_tables(open_page("data_sources", lang))[0].columns
        assert max(len(c) for c in headers) <= 20, list(headers)
    assert "CC BY 4.0" in texts(at) and "EuroGeographics" in texts(at)
    # Refreshing rewrites what everyone sees: hub staff only.
    assert not [b for b in at.button if b.key == "refresh_button"]
    assert "Refreshing is for hub staff" in texts(at)
    assert open_page("data_sources", "en", admin=True).button(key="refresh_button")


def test_language_switch_changes_interface(open_page):
    at = open_page("romania_vs_eu", "ro")
    at.segmented_control(key="lang_switch").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Romania vs EU"
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
    datasets = shown_tables(at)[0]
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
    assert set(shown_tables(at)[0]["Copia folosită"]) == {"instantaneu inclus"}
    assert not (isolated_data / "eurostat" / "CURRENT").exists()


def _snapshot_built(lang: str) -> str:
    import datetime as dt
    import json

    from dih_dash.i18n import format_datetime
    from dih_dash.settings import load_settings

    manifest = json.loads((load_settings().snapshot_dir / "manifest.json").read_text())
    built = dt.datetime.fromisoformat(manifest["built_at"]).astimezone(dt.UTC)
    return format_datetime(built.replace(tzinfo=None), lang) + " UTC"


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_data_sources_tells_everyone_the_date_of_the_data(open_page, lang):
    at = open_page("data_sources", lang)
    assert not at.exception
    shown = texts(at)
    heading = "Data as of:" if lang == "en" else "Date valabile la:"
    [line] = [m.value for m in at.markdown if heading in m.value]
    assert _snapshot_built(lang) in line
    # What the worker did is for hub staff.
    assert "Scheduled refresh" not in shown and "Actualizare programată" not in shown


def test_data_sources_shows_staff_the_scheduled_refresh(open_page, isolated_data):
    import datetime as dt

    from dih_dash.store import Store
    from dih_dash.store import national as stored

    at = open_page("data_sources", "en", admin=True)
    assert not at.exception
    assert "Scheduled refresh" in texts(at)
    assert "no worker has planned one" in texts(at)

    store = Store.open(f"sqlite:///{isolated_data / 'store.sqlite'}")
    try:
        ok = stored.start_run(store.engine, "schedule", "host:1")
        stored.finish_run(store.engine, ok, True, version_stamp="20261204T013000000000Z")
        failed = stored.start_run(store.engine, "once", "host:2")
        stored.finish_run(store.engine, failed, False, "isoc_e_dii: Eurostat answered HTTP 500")
        soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
        stored.set_next_run(store.engine, soon, "host:1")
        runs = {r.id: r for r in stored.recent_runs(store.engine)}
    finally:
        store.close()

    at = open_page("data_sources", "en", admin=True)
    assert not at.exception
    shown = texts(at)

    def stamp(moment: dt.datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M") + " UTC"

    assert f"{stamp(runs[failed].started_at)} — failed (dih-dash worker --once)" in shown
    assert f"**Last success**  \n{stamp(runs[ok].started_at)}" in shown
    assert f"**Next run**  \n{stamp(soon)}" in shown
    assert [c.value for c in at.code] == ["isoc_e_dii: Eurostat answered HTTP 500"]

    # A worker that stopped planning: the page says the run is overdue.
    store = Store.open(f"sqlite:///{isolated_data / 'store.sqlite'}")
    try:
        stored.set_next_run(store.engine, soon - dt.timedelta(days=1), "host:1")
    finally:
        store.close()
    ro = open_page("data_sources", "ro", admin=True)
    assert "întârziată: rulează `dih-dash worker`?" in texts(ro)


def test_a_refresh_from_the_page_is_recorded(open_page, replay_server, monkeypatch, isolated_data):
    from support.national_data import ai_body
    from support.replay_server import fixture_bytes

    from dih_dash.store import Store
    from dih_dash.store import national as stored

    replay_server.serve(
        "isoc_e_dii", fixture_bytes("jsonstat2_sdmx3_isoc_e_dii_E_DI4_HI_VHI_GE10.json")
    )
    replay_server.serve("isoc_eb_ai", ai_body())
    monkeypatch.setenv("DIH_DASH_EUROSTAT_URL", replay_server.base_url)
    at = open_page("data_sources", "en", admin=True)
    at.button(key="refresh_button").click().run()
    assert not at.exception and at.success

    store = Store.open(f"sqlite:///{isolated_data / 'store.sqlite'}")
    try:
        [run] = stored.recent_runs(store.engine)
    finally:
        store.close()
    assert (run.trigger, run.ok) == ("manual", True)
    assert run.version_stamp == (isolated_data / "eurostat" / "CURRENT").read_text().strip()
    # The public line now dates the refreshed data.
    assert any("Eurostat data fetched" in m.value for m in at.markdown)


@pytest.mark.postgres
def test_a_refresh_published_by_another_replica_reaches_the_page(
    open_page, replay_server, monkeypatch, tmp_path
):
    import os

    from support.national_data import ai_body
    from support.postgres import fresh_schema, postgres_url
    from support.replay_server import fixture_bytes

    from dih_dash.services.national import refresh
    from dih_dash.settings import load_settings
    from dih_dash.sources.reference import load_catalogue
    from dih_dash.store.national_data import dispose_engines

    replay_server.serve(
        "isoc_e_dii", fixture_bytes("jsonstat2_sdmx3_isoc_e_dii_E_DI4_HI_VHI_GE10.json")
    )
    replay_server.serve("isoc_eb_ai", ai_body())
    monkeypatch.setenv("DIH_DASH_EUROSTAT_URL", replay_server.base_url)
    monkeypatch.setenv("DIH_DASH_NATIONAL_POLL_SECONDS", "0")
    with fresh_schema(postgres_url()) as url:
        monkeypatch.setenv("DIH_DASH_DATABASE_URL", url)
        try:
            at = open_page("data_sources", "en")
            assert set(shown_tables(at)[0]["Copy in use"]) == {"bundled snapshot"}

            # Another replica: its own data folder, the same PostgreSQL.
            env = {**os.environ, "DIH_DASH_DATA_DIR": str(tmp_path / "replica-b")}
            other = load_settings(env=env)
            assert other.database_url == url and other.national_in_database
            assert refresh(other, load_catalogue()).ok

            at.run()
            assert not at.exception
            assert "refreshed from Eurostat" in set(shown_tables(at)[0]["Copy in use"])
            assert any("Eurostat data fetched" in m.value for m in at.markdown)
            assert not (tmp_path / "eurostat" / "CURRENT").exists()
            assert list((tmp_path / "eurostat" / "store-cache").iterdir())
        finally:
            dispose_engines()
