"""The linking page (hub staff only): each unlinked customer name once, a chooser of the
members of its kind, and a link that is remembered when the same file comes again."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import texts
from support.staff_data import UNLINKED_PSO, UNLINKED_SME, import_export, seed_members
from support.tables import shown_tables

from dih_dash.i18n import t
from dih_dash.services.services_import import ServicesReport
from dih_dash.settings import load_settings
from dih_dash.store import open_store
from dih_dash.store.services_store import load_services
from dih_dash.text_safety import markdown_text

# The linking page names a customer by its latest spelling in the files.
LATEST_SME = "ATELIER NOU S.R.L."
KEY_SME = "name:ateliernou"
KEY_PSO = "name:primariaorasuluitest"


@pytest.fixture
def stored(isolated_data) -> ServicesReport:
    settings = load_settings()
    store = open_store(settings)
    try:
        seed_members(store)
        return import_export(store, settings)
    finally:
        store.close()


def chooser(at: AppTest, customer_key: str):
    return next(s for s in at.selectbox if s.key.endswith(f"-{customer_key}"))


def link_button(at: AppTest, customer_key: str):
    return next(b for b in at.button if b.key and b.key.endswith(f"-{customer_key}"))


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_the_public_is_refused(open_page, stored, lang):
    at = open_page("service_links", lang)
    assert not at.exception
    shown = texts(at)
    assert "ATELIER" not in shown.upper()
    assert not at.selectbox and not [b for b in at.button if b.key and b.key.startswith("link-")]
    refusal = "hub staff" if lang == "en" else "personalul hubului"
    assert refusal in shown.lower() or refusal in shown


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_each_unlinked_name_once_with_members_of_its_kind(open_page, stored, lang):
    at = open_page("service_links", lang, admin=True)
    assert not at.exception, [e.message for e in at.exception]
    shown = texts(at)
    heading = "Unlinked customers (2)" if lang == "en" else "Clienți neasociați (2)"
    assert heading in shown
    # Two spellings of the SME, one name (the latest spelling); the customer linked on
    # import by its name is not listed.
    assert shown.count(markdown_text(LATEST_SME)) == 1 and UNLINKED_SME not in shown
    assert "Alfa Mobilier S.R.L." not in shown
    assert t("staff_pages.links.services", lang, count=2) in shown
    dates = "2025-04-07 – 2025-10-15" if lang == "en" else "07.04.2025 – 15.10.2025"
    assert dates in shown
    # An SME customer: the three SMEs, not the public body; a PSO: the public body only.
    assert chooser(at, KEY_SME).options == [
        "ALFA01 — Alfa Mobilier SRL",
        "BETA02 — Beta Soft SRL",
        "GAMA03 — Gama Construct SRL",
    ]
    assert chooser(at, KEY_PSO).options == ["PUB04 — Primăria Comunei Exemplu"]
    assert link_button(at, KEY_SME).disabled, "nothing to link before a member is chosen"
    made = "No links made yet." if lang == "en" else "Nicio asociere făcută încă."
    assert made in shown


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_a_link_is_made_listed_and_remembered_on_reimport(open_page, stored, lang):
    at = open_page("service_links", lang, admin=True)
    chooser(at, KEY_SME).set_value("BETA02").run()
    link_button(at, KEY_SME).click().run()
    assert not at.exception, [e.message for e in at.exception]
    shown = texts(at)
    name = markdown_text(LATEST_SME)
    assert t("staff_pages.links.linked", lang, name=name, member_id="BETA02", count=2) in shown
    assert t("staff_pages.links.unlinked_heading", lang, count=1) in shown
    assert not [s for s in at.selectbox if s.key.endswith(KEY_SME)]
    links = shown_tables(at)[-1]
    assert list(links.iloc[0])[:4] == [LATEST_SME, "BETA02", "Beta Soft SRL", "Ana Test"]

    settings = load_settings()
    store = open_store(settings)
    try:
        frame = load_services(store)
        assert set(frame.loc[frame["customer_key"] == KEY_SME, "member_id"]) == {"BETA02"}
        # The same file once more: the link holds, nothing changes, one name stays unlinked.
        again = import_export(store, settings)
        assert again.unlinked == [UNLINKED_PSO]
        assert again.unchanged == 4 and again.inserted == 0 and again.updated == 0
        frame = load_services(store)
        assert set(frame.loc[frame["customer_key"] == KEY_SME, "member_id"]) == {"BETA02"}
    finally:
        store.close()


def test_the_pso_customer_is_linked_to_the_public_body(open_page, stored):
    at = open_page("service_links", "en", admin=True)
    chooser(at, KEY_PSO).set_value("PUB04").run()
    link_button(at, KEY_PSO).click().run()
    chooser(at, KEY_SME).set_value("GAMA03").run()
    link_button(at, KEY_SME).click().run()
    assert not at.exception
    assert "No unlinked customers" in texts(at)
    assert not at.selectbox
    frame = load_services(open_store(load_settings()))
    assert frame["member_id"].notna().all()
    kinds = dict(zip(frame["customer_name"], frame["org_type"], strict=True))
    assert kinds[UNLINKED_PSO] == "pso" and kinds[UNLINKED_SME] == kinds[LATEST_SME] == "sme"


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_an_empty_store_says_there_is_nothing_to_link(open_page, lang):
    at = open_page("service_links", lang, admin=True)
    assert not at.exception
    expected = "No unlinked customers" if lang == "en" else "Nu există clienți neasociați"
    assert expected in texts(at)
