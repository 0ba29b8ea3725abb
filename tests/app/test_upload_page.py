"""The upload page, driven like hub staff drive it: a Romanian Excel CSV, the validation
report, all-or-nothing and "valid rows only", the import log, templates and mappings."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import APP, texts
from support.tables import shown_tables

from dih_dash.i18n import t
from dih_dash.settings import load_settings
from dih_dash.store import open_store

GOOD_RO = (
    "cod_membru;denumire;etapa;judet;clasa_marime;dma_strategy;dma_readiness;dma_human;"
    "dma_data;dma_automation;dma_green\r\n"
    "RO111;Mobila Ştefan SRL;T0;Cluj;mica;40,5;50;30;20;10;60\r\n"
    "RO222;Soft Ţara SRL;T0;BH;mijlocie;70;60;50;40;30;20\r\n"
).encode("cp1250")
BAD_ROW = "RO333;Fără Scor SRL;T0;CJ;micro;130;10;10;10;10;10\r\n".encode("cp1250")


def upload(lang: str, name: str, data: bytes, **state) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.session_state["admin_name"] = "Ana Test"
    at.run()
    at.switch_page("app_pages/upload.py").run()
    for key, value in state.items():
        at.session_state[key] = value
    at.file_uploader(key="survey_file").set_value((name, data, "text/csv"))
    at.run()
    return at


def test_romanian_excel_csv_is_detected_checked_and_imported(isolated_data):
    at = upload("ro", "membri.csv", GOOD_RO)
    assert not at.exception, [e.message for e in at.exception]
    shown = texts(at)
    assert "Codificare: **cp1250**" in shown
    assert "Separator: **punct și virgulă (;)**" in shown
    assert "Rânduri de date: **2**" in shown
    assert {m.label: m.value for m in at.metric}["Evaluări noi"] == "2"
    preview = shown_tables(at)[0]
    assert "Mobila Ștefan SRL" in preview.to_csv(), "cedilla read as comma-below"
    assert load_settings().database_url.endswith("store.sqlite")
    assert open_store(load_settings()).stats()["assessments"] == 0, "checking stores nothing"

    at.button(key="import_button").click().run()
    assert not at.exception
    assert "Salvat: 2 noi" in texts(at)
    # The page ran again: the same file now checks as unchanged.
    assert {m.label: m.value for m in at.metric}["Neschimbate"] == "2"
    stats = open_store(load_settings()).stats()
    assert stats == {"members": 2, "assessments": 2, "uploads": 1}
    log = shown_tables(at)[0]
    assert log.iloc[0]["Fișier"] == "membri.csv" and log.iloc[0]["Importat de"] == "Ana Test"


def test_all_or_nothing_then_valid_rows_only(isolated_data):
    at = upload("en", "broken.csv", GOOD_RO + BAD_ROW)
    report = shown_tables(at)[-1]
    error = report[report["Kind"] == "error"].iloc[0]
    assert error["Row"] == 4 and error["Column"] == "dma_strategy" and error["Value"] == "130"
    assert at.button(key="import_button").disabled
    assert "All or nothing" in texts(at)
    at.checkbox(key="upload_skip_invalid").check().run()
    assert not at.button(key="import_button").disabled
    at.button(key="import_button").click().run()
    assert "Stored: 2 new, 0 changed, 0 unchanged, 1 rejected." in texts(at)


def test_refused_file_says_why(isolated_data):
    at = upload("en", "empty.csv", b"")
    assert not at.exception
    assert "The file was refused as a whole" in texts(at)


def test_templates_are_offered_in_both_languages(isolated_data):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["admin_name"] = "Ana"
    at.run()
    at.switch_page("app_pages/upload.py").run()
    labels = {b.label for b in at.get("download_button")}
    assert {"CSV, English headers", "XLSX, Romanian headers"} <= labels or {
        "CSV, antete în engleză",
        "XLSX, antete în română",
    } <= labels


def test_mapping_builder_suggests_and_saves(isolated_data):
    forms = (
        "Timestamp,Denumirea firmei,Cod fiscal (CUI),Județ\n"
        "14.03.2025 10:22:01,Lemn Bun SRL,RO123,Cluj\n"
    ).encode()
    at = upload("en", "forms.csv", forms, **{"upload_layout-en": "mapped"}, upload_wave="T1")
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="map-member_id").value == "Cod fiscal (CUI)"
    assert at.selectbox(key="map-company_name").value == "Denumirea firmei"
    at.text_input(key="upload_new_mapping_name").input("Formular CUI").run()
    at.button(key="save_mapping").click().run()
    assert 'Mapping "Formular CUI" saved' in texts(at)
    assert (isolated_data / "mappings").is_dir()
    assert {m.label: m.value for m in at.metric}["New assessments"] == "1"


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_remove_demo_in_one_action(isolated_data, lang):
    from dih_dash.services import load_demo
    from dih_dash.store import Actor

    settings = load_settings()
    load_demo(open_store(settings), settings, Actor("t", True))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.session_state["admin_name"] = "Ana"
    at.run()
    at.switch_page("app_pages/upload.py").run()
    at.button(key="remove_demo").click().run()
    assert not at.exception
    assert open_store(settings).stats()["members"] == 0


# --- services files (spec/edih-services.md §3) ------------------------------------------------


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_a_services_export_is_detected_and_its_unlinked_customers_lead_to_linking(
    isolated_data, lang
):
    from support.staff_data import SERVICES_EXPORT, UNLINKED_PSO, UNLINKED_SME, seed_members

    from dih_dash.store.services_store import load_services

    seed_members(open_store(load_settings()))
    at = upload(lang, "servicii.csv", SERVICES_EXPORT)
    assert not at.exception, [e.message for e in at.exception]
    shown = texts(at)
    layout = t("upload.layout_services_export", lang)
    assert layout.endswith("(services-export)")
    assert f"**{layout}**" in shown
    new = "New services" if lang == "en" else "Servicii noi"
    assert {m.label: m.value for m in at.metric}[new] == "4"
    assert f"- {UNLINKED_SME}\n- {UNLINKED_PSO}" in shown
    (link,) = at.get("page_link")
    assert link.proto.page == "service-links"
    assert load_services(open_store(load_settings())).empty, "checking stores nothing"

    at.button(key="import_button").click().run()
    assert not at.exception
    stored = load_services(open_store(load_settings()))
    assert len(stored) == 4
    assert set(stored.loc[stored["member_id"].notna(), "customer_name"]) == {"Alfa Mobilier S.R.L."}
    unchanged = "Unchanged" if lang == "en" else "Neschimbate"
    assert {m.label: m.value for m in at.metric}[unchanged] == "4"
    log = shown_tables(at)[0]
    assert log.iloc[0].tolist()[1] == "servicii.csv"


def test_the_layout_chooser_names_every_layout(isolated_data):
    from support.staff_data import SERVICES_EXPORT

    at = upload("en", "services.csv", SERVICES_EXPORT)
    chooser = at.selectbox(key="upload_layout-en")
    options = chooser.options
    assert any("(services-export)" in o for o in options)
    assert any("(services-hub)" in o for o in options)
    assert any("public-sector" in o for o in options)
    assert all(
        code in chooser.help for code in ("pso-dma-export", "services-export", "services-hub")
    )
    # Forcing the hub's services template on an export: refused, with the reason.
    chooser.set_value("services-hub").run()
    assert not at.exception
    assert "refused" in texts(at)


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_services_templates_in_both_languages(isolated_data, lang):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.session_state["admin_name"] = "Ana"
    at.run()
    at.switch_page("app_pages/upload.py").run()
    buttons = {b.key: b for b in at.get("download_button")}
    keys = {f"services-template-{lg}-{kind}" for lg in ("en", "ro") for kind in ("csv", "xlsx")}
    assert keys <= set(buttons)
    assert "(services-hub)" in texts(at)


def test_the_file_is_read_once_per_content(isolated_data, monkeypatch):
    """Widgets rerun the page; the file is read again only when another file comes."""
    from dih_dash.sources import survey_files

    reads: list[str] = []
    original = survey_files.read_table

    def counting(data: bytes, name: str, **kwargs: object) -> object:
        reads.append(name)
        return original(data, name, **kwargs)

    # The page imports read_table on each run, so it finds this one.
    monkeypatch.setattr(survey_files, "read_table", counting)
    at = upload("en", "broken.csv", GOOD_RO + BAD_ROW)
    assert reads == ["broken.csv"]
    at.checkbox(key="upload_skip_invalid").check().run()
    at.text_input(key="upload_wave").input("T1").run()
    assert not at.exception
    assert reads == ["broken.csv"], "a rerun read the same file again"
    at.file_uploader(key="survey_file").set_value(("good.csv", GOOD_RO, "text/csv"))
    at.run()
    assert reads == ["broken.csv", "good.csv"]


# --- issue 13: after Import, what the page shows; labels that fit; the menu to use ----------


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_after_import_the_outcome_is_in_view_and_import_is_off(isolated_data, lang):
    at = upload(lang, "membri.csv", GOOD_RO)
    assert not at.button(key="import_button").disabled
    at.button(key="import_button").click().run()
    assert not at.exception
    saved = t("upload.imported", lang, inserted=2, updated=0, unchanged=0, rejected=0)
    # A toast (seen wherever the page is scrolled) and the message above the report.
    assert saved in [toast.value for toast in at.toast]
    above = t("upload.already_imported", lang, stored=saved)
    assert above in [s.value for s in at.success]
    assert at.button(key="import_button").disabled, "the file just imported is not offered again"
    # Another run (any widget change) keeps the button off for the same file and options.
    at.run()
    assert at.button(key="import_button").disabled
    # Changing an option makes it a new import.
    at.checkbox(key="upload_skip_invalid").check().run()
    assert not at.button(key="import_button").disabled


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_report_labels_are_short_enough_for_a_quarter_of_the_page(isolated_data, lang):
    """Four metrics share the width: at 1280×720 a label of more than about 22 characters was
    cut ("Modificate (valorile vechi rămân în ist…")."""
    at = upload(lang, "membri.csv", GOOD_RO)
    labels = [m.label for m in at.metric]
    assert len(labels) == 4
    assert all(len(label) <= 22 for label in labels), labels
    for key in ("would_insert_services", "would_update_services"):
        assert len(t(f"upload.{key}", lang)) <= 22


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_a_file_that_needs_a_mapping_is_told_which_menu(isolated_data, lang):
    at = upload(lang, "forms.csv", b"Timestamp,Your company,Score\n2025-01-01,X SRL,40\n")
    assert not at.exception
    assert at.error, "the file is refused"
    menu = t("upload.layout", lang)
    option = t("upload.layout_mapped", lang)
    hint = " ".join(i.value for i in at.info)
    assert menu in hint and option in hint
    # The menu and option the hint names are on the page, above it.
    layout_menu = next(box for box in at.selectbox if box.label == menu)
    assert option in layout_menu.options
