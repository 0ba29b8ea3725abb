"""The reassessment tracker (hub staff only): who is due or overdue for the next round,
with the services received since, filtered by status and kind, downloadable."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import texts
from support.staff_data import import_export, seed_members
from support.tables import shown_tables

from dih_dash.domain.reassessment import add_months, due_status
from dih_dash.i18n import Translator
from dih_dash.settings import load_settings
from dih_dash.store import open_store

# seed_members' assessment dates: what the page must say about each, worked out here from
# today's date (the page uses the real clock).
ASSESSED = {
    "ALFA01": dt.date(2025, 3, 1),
    "BETA02": dt.date(2024, 1, 15),
    "GAMA03": dt.date(2025, 2, 1),
}


@pytest.fixture
def stored(isolated_data) -> None:
    settings = load_settings()
    store = open_store(settings)
    try:
        seed_members(store)
        import_export(store, settings)
    finally:
        store.close()


def expected_status(member: str, months: int) -> str:
    return due_status(add_months(ASSESSED[member], months), dt.date.today())


def shown_table(at: AppTest) -> pd.DataFrame:
    return shown_tables(at)[-1]


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_the_public_is_refused(open_page, stored, lang):
    at = open_page("reassessment", lang)
    assert not at.exception
    assert not shown_tables(at) and not at.dataframe and not at.metric
    assert ("hub staff" if lang == "en" else "personalul hubului") in texts(at)


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_every_member_with_its_due_date_status_and_services(open_page, stored, lang):
    at = open_page("reassessment", lang, admin=True)
    assert not at.exception, [e.message for e in at.exception]
    table = shown_table(at)
    columns = (
        ["Member id", "Status", "Next round due", "Services since", "Service categories since"]
        if lang == "en"
        else [
            "Codul membrului",
            "Stare",
            "Următoarea rundă, scadentă la",
            "Servicii de atunci",
            "Categorii de servicii de atunci",
        ]
    )
    member, status, due, count, categories = columns
    rows = table.set_index(member)
    assert set(rows.index) == {"ALFA01", "BETA02", "GAMA03", "PUB04"}
    names = {
        "en": {"overdue": "Overdue", "due_soon": "Due soon", "not_due": "Not yet due"},
        "ro": {
            "overdue": "Depășită",
            "due_soon": "Scadentă în curând",
            "not_due": "Încă nu e scadentă",
        },
    }[lang]
    for code, assessed in ASSESSED.items():
        assert rows.loc[code, status] == names[expected_status(code, 12)]
        # As the page writes a date: 01.03.2026 in Romanian, 2026-03-01 in English.
        assert rows.loc[code, due] == Translator(lang).date(add_months(assessed, 12))
    unknown = (
        "Unknown (no assessment date)" if lang == "en" else "Necunoscută (fără data evaluării)"
    )
    assert rows.loc["PUB04", status] == unknown
    # Alfa's one service (linked by its name on import) started after its assessment.
    assert rows.loc["ALFA01", count] == 1
    tbi = "Test before invest" if lang == "en" else "Testare înainte de investiție"
    assert rows.loc["ALFA01", categories] == tbi
    assert rows.loc["BETA02", count] == 0
    # The counts above the table add up to the members.
    assert sum(int(m.value) for m in at.metric) == 4
    # CSV and XLSX of the table shown.
    assert len(at.get("download_button")) == 2


def test_filters_by_status_and_kind(open_page, stored):
    at = open_page("reassessment", "en", admin=True)
    at.multiselect(key="reassessment_status-en").set_value(["unknown"]).run()
    assert list(shown_table(at)["Member id"]) == ["PUB04"]
    at.multiselect(key="reassessment_kind-en").set_value(["sme"]).run()
    assert "No member matches the filters." in texts(at)
    assert {m.label: m.value for m in at.metric}["Unknown (no assessment date)"] == "0"
    at.multiselect(key="reassessment_status-en").set_value(
        ["overdue", "due_soon", "not_due", "unknown"]
    ).run()
    assert set(shown_table(at)["Member id"]) == {"ALFA01", "BETA02", "GAMA03"}
    assert set(shown_table(at)["Kind"]) == {"SME"}


def test_the_months_setting_is_read(open_page, stored, monkeypatch):
    monkeypatch.setenv("DIH_DASH_REASSESS_MONTHS", "60")
    at = open_page("reassessment", "en", admin=True)
    assert not at.exception
    assert "due 60 months after" in texts(at)
    rows = shown_table(at).set_index("Member id")
    assert rows.loc["BETA02", "Next round due"] == add_months(ASSESSED["BETA02"], 60).isoformat()
    assert rows.loc["BETA02", "Status"] == "Not yet due"


def test_an_empty_store(open_page):
    at = open_page("reassessment", "en", admin=True)
    assert not at.exception
    assert "No member assessments stored yet." in texts(at)
