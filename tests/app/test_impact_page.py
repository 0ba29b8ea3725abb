"""The impact page on a store filled through the real imports (a hub survey file of SMEs in
T0 and T1, a services file in the hub template), in both languages, public and signed in:
the figures, the not-randomised sentence, small groups hidden from the public with a note in
their place, and no company name or id anywhere the public page sends."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import chart_specs, texts
from support.store_data import ADMIN, hub_csv, row
from support.tables import shown_tables

from dih_dash.domain.survey_schema import DMA_DIMENSIONS
from dih_dash.services import import_file
from dih_dash.services.services_import import import_services_file
from dih_dash.settings import load_settings
from dih_dash.store import open_store

T1_DAY = dt.date(2026, 3, 2)
START = "2025-06-01"  # after every T0 assessment of `row` (2025-03-01 to 2025-04-19)


def member(n: int, wave: str, score: float) -> dict:
    values = dict.fromkeys(DMA_DIMENSIONS, score) | {"dma_overall": score}
    if wave == "T1":
        values["assessed_on"] = T1_DAY
    return row(f"SECRET-{n:03d}", wave, company_name=f"SecretCo Nr{n} SRL", **values)


def changes() -> dict[int, float]:
    """Members 1-6: tested before investing, changes +10..+15 (median 12.5). Members 7-12:
    never served, changes 0..+5 (median 2.5). Members 13-14: trained, +50 and +60."""
    out = {n: 10.0 + (n - 1) for n in range(1, 7)}
    out |= {n: float(n - 7) for n in range(7, 13)}
    out |= {13: 50.0, 14: 60.0}
    return out


def store_with_services(services: bool = True) -> None:
    settings = load_settings()
    store = open_store(settings)
    rows = []
    for n, change in changes().items():
        rows += [member(n, "T0", 30.0), member(n, "T1", 30.0 + change)]
    report = import_file(store, hub_csv(rows), "membri.csv", actor=ADMIN, settings=settings)
    assert report.stored, [e.to_dict() for e in report.errors]
    if not services:
        return
    lines = ["member_id,service_category,start_date,end_date,description,price_eur,status"]
    lines += [f"SECRET-{n:03d},Test before invest,{START},,Pilot,,Completed" for n in range(1, 7)]
    lines += [
        f"SECRET-{n:03d},Training and skills development,{START},,Curs,,Completed" for n in (13, 14)
    ]
    data = ("\r\n".join(lines) + "\r\n").encode()
    done = import_services_file(store, data, "servicii.csv", actor=ADMIN, settings=settings)
    assert done.stored and done.inserted == 8, done.to_json_dict("en")


def everything_sent(at: AppTest) -> str:
    parts = [texts(at), json.dumps(chart_specs(at), ensure_ascii=False)]
    parts += [frame.to_csv() for frame in shown_tables(at)]
    for box in (*at.selectbox, *at.radio):
        parts += [str(o) for o in box.options]
    return "\n".join(parts)


def table_rows(at: AppTest) -> dict[str, dict[str, str]]:
    frame = shown_tables(at)[0]
    return {r[frame.columns[0]]: r for r in frame.to_dict("records")}


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_view_shows_big_groups_and_hides_small_ones(isolated_data, open_page, lang):
    store_with_services()
    at = open_page("impact", lang)
    assert not at.exception, [e.message for e in at.exception]
    rows = table_rows(at)
    ro = lang == "ro"
    tested = rows["Testare înainte de investiție" if ro else "Test before invest"]
    served, median, difference = (
        ("Cu servicii (membri)", "Cu servicii: schimbarea mediană", "Diferența medianelor")
        if ro
        else ("Served (members)", "Served: median change", "Difference of medians")
    )
    assert tested[served] == "6"
    assert tested[median] == ("+12,5" if ro else "+12.5")
    assert tested[difference] == ("+10,0" if ro else "+10.0")
    # Two trained members: a group under five, hidden in words, its numbers nowhere.
    trained = rows["Instruire și competențe" if ro else "Training and skills development"]
    hidden = "< 5 membri – ascuns" if ro else "< 5 members – hidden"
    assert trained[served] == hidden and trained[median] == hidden
    assert trained[difference] == hidden
    shown = texts(at)
    assert ("nu sunt formate aleatoriu" if ro else "are not randomised") in shown
    assert ("Ascuns: mai puțin de 5 membri." if ro else "Hidden: fewer than 5 members.") in shown
    specs = chart_specs(at)
    assert len(specs) == 1
    traces = {t.get("meta"): t for t in specs[0]["data"]}
    assert traces["served"]["x"] == [12.5] and traces["difference"]["x"] == [10.0]
    notes = [a["text"] for a in specs[0]["layout"]["annotations"] if "hidden" in a.get("name", "")]
    assert notes and all(hidden.replace("<", "&lt;") in n for n in notes)
    sent = everything_sent(at)
    assert "SecretCo" not in sent and "SECRET-" not in sent
    assert "55" not in json.dumps(traces)  # the trained group's median change


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_signed_in_view_shows_every_group(isolated_data, open_page, lang):
    store_with_services()
    at = open_page("impact", lang, admin=True)
    assert not at.exception, [e.message for e in at.exception]
    rows = table_rows(at)
    ro = lang == "ro"
    trained = rows["Instruire și competențe" if ro else "Training and skills development"]
    assert trained["Cu servicii (membri)" if ro else "Served (members)"] == "2"
    key = "Cu servicii: schimbarea mediană" if ro else "Served: median change"
    assert trained[key] == ("+55,00" if ro else "+55.00")
    assert ("aleatoriu" if ro else "randomised") in texts(at)
    traces = {t.get("meta"): t for t in chart_specs(at)[0]["data"]}
    assert traces["served"]["x"] == [12.5, 55.0]
    assert traces["difference"]["x"] == [10.0, 52.5]


def test_the_figures_are_the_same_on_every_run(isolated_data, open_page):
    store_with_services()
    first = table_rows(open_page("impact", "en", admin=True))
    again = table_rows(open_page("impact", "en", admin=True))
    assert first == again
    interval = first["Test before invest"]["90% interval"]
    low, high = (float(v) for v in interval.split(" to "))
    assert low <= 10.0 <= high


def test_an_empty_store_says_so(isolated_data, open_page):
    at = open_page("impact", "en")
    assert not at.exception, [e.message for e in at.exception]
    assert "No member assessments are stored yet" in texts(at)
    assert not chart_specs(at)


def test_no_services_says_so_and_still_runs(isolated_data, open_page):
    store_with_services(services=False)
    at = open_page("impact", "ro", admin=True)
    assert not at.exception, [e.message for e in at.exception]
    assert "Nu sunt încă înregistrate servicii" in texts(at)
    rows = table_rows(at)
    assert rows["Testare înainte de investiție"]["Fără servicii (membri)"] == "14"


def test_one_round_only_says_so(isolated_data, open_page):
    settings = load_settings()
    rows = [member(n, "T0", 30.0) for n in range(1, 4)]
    store = open_store(settings)
    report = import_file(store, hub_csv(rows), "m.csv", actor=ADMIN, settings=settings)
    assert report.stored
    at = open_page("impact", "en")
    assert not at.exception
    assert "No member has been assessed in two rounds yet" in texts(at)


def test_the_demo_cohort_is_labelled_and_psos_are_shown_apart(
    isolated_data, open_page, monkeypatch
):
    monkeypatch.setenv("DIH_DASH_AUTO_LOAD_DEMO", "1")
    at = open_page("impact", "en")
    assert not at.exception, [e.message for e in at.exception]
    assert "Demo data: the companies shown are fictional" in texts(at)
    (chooser,) = at.radio
    assert chooser.options[0].startswith("SMEs (") and chooser.options[1].startswith(
        "Public-sector organisations ("
    )
    sme_title = chart_specs(at)[0]["layout"]["title"]["text"]
    chooser.set_value("pso").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.query_params["instrument"] == "pso"
    pso_title = chart_specs(at)[0]["layout"]["title"]["text"]
    assert sme_title.startswith("SMEs:") and pso_title.startswith("Public-sector organisations:")
    assert "DEMO DATA" in chart_specs(at)[0]["layout"]["title"]["subtitle"]["text"]
    sent = everything_sent(at).replace("DEMO-…", "")
    assert "DEMO-" not in sent and "Demo " not in sent.replace("Demo data:", "")


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_the_chooser_says_fewer_than_the_minimum_to_the_public(
    isolated_data, open_page, monkeypatch, lang
):
    # The demo has 10 PSOs assessed in both rounds and 32 SMEs; a minimum of 11 hides
    # the PSOs' exact count from the public, as the member pages do.
    monkeypatch.setenv("DIH_DASH_AUTO_LOAD_DEMO", "1")
    monkeypatch.setenv("DIH_DASH_MIN_GROUP_SIZE", "11")
    public = open_page("impact", lang)
    assert not public.exception, [e.message for e in public.exception]
    (chooser,) = public.radio
    sme, pso = chooser.options  # as the page formats them
    if lang == "en":
        assert pso == "Public-sector organisations (fewer than 11 members assessed in both rounds)"
        assert sme == "SMEs (32 members assessed in both rounds)"
    else:
        assert pso == (
            "Organizații din sectorul public (mai puțin de 11 membri evaluați în ambele runde)"
        )
        assert sme == "IMM-uri (32 de membri evaluați în ambele runde)"
    staff = open_page("impact", lang, admin=True)
    (chooser,) = staff.radio
    exact = "10 members assessed" if lang == "en" else "10 membri evaluați"
    assert exact in chooser.options[1]


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_staff_are_told_they_see_what_the_public_does_not(open_page, lang):
    """Signed in, the impact and services pages say so (issue 13: a rehearsal signed in
    must not be projected by mistake); the public sees no such banner."""
    from dih_dash.i18n import Translator

    banner = Translator(lang)("member_pages.staff_view_groups")
    for page in ("impact", "hub_services"):
        staff = open_page(page, lang, admin=True)
        assert banner in [w.value for w in staff.warning], page
        public = open_page(page, lang)
        assert banner not in [w.value for w in public.warning], page
