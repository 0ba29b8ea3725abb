"""`import_file` (bytes → read → validate → store) and the demo cohort, on both backends."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest
from support.store_data import ADMIN, VIEWER, dump, hub_csv, row

from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.domain.survey_schema import DMA_DIMENSIONS, PSO_DIMENSIONS
from dih_dash.services import demo_file, import_file, load_demo, remove_demo
from dih_dash.services.demo import demo_services_file
from dih_dash.settings import PROJECT_ROOT, Settings, load_settings
from dih_dash.store import Store
from dih_dash.store.services_store import load_services


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


SPEC_KEYS = [
    "file", "layout", "encoding", "delimiter", "rows", "inserted", "updated", "unchanged",
    "rejected", "stored", "errors", "warnings",
]  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(env={"DIH_DASH_DATA_DIR": str(tmp_path / "data")}, secrets={})


def test_a_good_file_is_stored_and_reported_as_the_spec_shows(
    store: Store, settings: Settings
) -> None:
    # What Excel on a Romanian Windows saves: cp1250 (cedilla ş), semicolons, decimal commas.
    rows = [row("RO1", company_name="Mobilă Şerban SRL"), row("RO1", "T1"), row("RO2")]
    rows[1]["company_name"] = rows[0]["company_name"]
    data = hub_csv(rows, delimiter=";", encoding="cp1250", decimal=",")

    report = import_file(store, data, "membri.csv", actor=ADMIN, settings=settings)

    result = report.to_json_dict()
    assert list(result) == SPEC_KEYS
    assert result["file"] == "membri.csv" and result["layout"] == "hub"
    assert (result["encoding"], result["delimiter"]) == ("cp1250", ";")
    assert (result["rows"], result["inserted"], result["rejected"], result["stored"]) == (
        3, 3, 0, True,
    )  # fmt: skip
    assert report.exit_code == 0
    # Cedilla letters are stored as comma-below (spec §2).
    assert set(store.load_assessments()["company_name"]) == {"Mobilă Șerban SRL", "Firma RO2 SRL"}
    log = store.list_uploads().iloc[0]
    assert (log["filename"], log["encoding"], log["delimiter"], log["kind"]) == (
        "membri.csv", "cp1250", ";", "file",
    )  # fmt: skip
    assert log["size_bytes"] == len(data)


def test_a_file_with_errors_stores_nothing_and_lists_every_error(
    store: Store, settings: Settings
) -> None:
    rows = [row("RO1"), row("RO2", dma_green=130.0), row("RO3", wave="X1")]
    before = dump(store)

    report = import_file(store, hub_csv(rows), "bad.csv", actor=ADMIN, settings=settings)

    assert report.exit_code == 1 and not report.stored
    errors = report.to_json_dict()["errors"]
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        (3, "dma_green", "130.0"),
        (4, "wave", "X1"),
    ]
    assert all(e["message"] for e in errors)
    assert dump(store)["assessments"] == before["assessments"]

    skipped = import_file(
        store, hub_csv(rows), "bad.csv", actor=ADMIN, settings=settings, skip_invalid=True
    )
    assert skipped.exit_code == 1 and skipped.stored
    assert (skipped.inserted, skipped.rejected) == (1, 2)


def test_a_refused_file_gives_the_short_json(store: Store, settings: Settings) -> None:
    report = import_file(store, b"", "empty.csv", actor=ADMIN, settings=settings)

    assert report.exit_code == 2
    result = report.to_json_dict()
    assert set(result) == {"file", "stored", "refused"}
    assert result["stored"] is False and result["refused"] and "\n" not in result["refused"]
    assert store.stats()["uploads"] == 0


def test_name_changes_join_the_warnings_in_row_order(store: Store, settings: Settings) -> None:
    import_file(store, hub_csv([row("RO1", company_name="Vechi SRL")]), "a.csv", actor=ADMIN,
                settings=settings)  # fmt: skip
    rows = [row("RO2", dii_ai=None), row("RO1", company_name="Nou SRL")]

    report = import_file(store, hub_csv(rows), "b.csv", actor=ADMIN, settings=settings)

    warnings = report.to_json_dict()["warnings"]
    assert [w["row"] for w in warnings] == [2, 3]
    assert warnings[1]["column"] == "company_name" and warnings[1]["value"] == "Nou SRL"
    assert "company name differs from the one stored" in warnings[1]["message"]
    assert [c.new for c in report.name_changes] == ["Nou SRL"]


def test_only_admins_import_but_anyone_may_dry_run(store: Store, settings: Settings) -> None:
    data = hub_csv([row("RO1")])
    with pytest.raises(PermissionError):
        import_file(store, data, "a.csv", actor=VIEWER, settings=settings)

    report = import_file(store, data, "a.csv", actor=VIEWER, settings=settings, dry_run=True)

    assert (report.inserted, report.stored, report.exit_code) == (1, False, 0)
    assert store.stats() == {"members": 0, "assessments": 0, "uploads": 0}


def test_the_demo_cohort_loads_once_flagged_demo_and_goes_away(
    store: Store, settings: Settings
) -> None:
    assert demo_file(settings) == PROJECT_ROOT / "data" / "demo" / "demo_cohort.csv"
    assert demo_services_file(settings) == PROJECT_ROOT / "data" / "demo" / "demo_services.csv"
    cohort_rows = _csv_rows(demo_file(settings))
    service_rows = _csv_rows(demo_services_file(settings))
    report = load_demo(store, settings, ADMIN)

    assert report is not None and report.stored and report.rejected == 0
    loaded = store.load_assessments()
    assert len(loaded) == report.inserted == len(cohort_rows) and loaded["is_demo"].all()
    assert loaded["member_id"].str.startswith("DEMO-").all()
    assert loaded["company_name"].str.startswith("Demo ").all()
    assert set(loaded["wave"]) == {"T0", "T1"}
    # Both kinds of member, each scored with its own instrument only.
    kinds = {kind: set(rows["member_id"]) for kind, rows in loaded.groupby("org_type")}
    assert set(kinds) == {"sme", "pso"} and len(kinds["pso"]) >= 5
    assert store.organisation_counts() == {k: len(v) for k, v in kinds.items()}
    psos = loaded[loaded["org_type"] == "pso"]
    pso_scores = psos[list(PSO_DIMENSIONS)].astype(float)
    assert pso_scores.notna().all().all()
    assert psos[list(DMA_DIMENSIONS)].isna().all().all()
    assert (pso_scores.mean(axis=1) - psos["dma_overall"].astype(float)).abs().max() <= 0.051
    assert set(psos["wave"]) == {"T0", "T1"}
    # The services: every row stored, linked to its demo member, flagged demo.
    assert report.services is not None and report.services.stored
    assert report.services.inserted == len(service_rows) and report.services.rejected == 0
    services = load_services(store)
    assert len(services) == len(service_rows) and services["is_demo"].all()
    assert services["member_id"].notna().all()
    assert set(services["member_id"]) <= set(loaded["member_id"])
    assert set(services["org_type"]) == {"sme", "pso"}
    # Some members were served nothing: the impact page's comparison group.
    assert set(loaded["member_id"]) - set(services["member_id"])
    assert store.list_uploads()["kind"].tolist() == ["demo", "demo"]
    assert load_demo(store, settings, ADMIN) is None  # already there: nothing done
    assert store.stats()["uploads"] == 2
    with pytest.raises(PermissionError):
        load_demo(store, settings, VIEWER)

    removed = remove_demo(store, ADMIN)

    assert removed["services"] == len(service_rows)
    assert removed["members"] == loaded["member_id"].nunique()
    assert store.stats() == {"members": 0, "assessments": 0, "uploads": 0}
    assert load_services(store).empty
    assert store.organisation_counts() == {"sme": 0, "pso": 0}


def test_the_demo_services_make_an_impact_comparison_worth_showing(settings: Settings) -> None:
    """The impact page's public view shows a group of at least the minimum size: the demo
    must have one category with that many SMEs served and as many served nothing, both
    assessed in T0 and T1, a service counting from the member's T0 on (spec §5)."""
    cohort = _csv_rows(demo_file(settings))
    first = {r["member_id"]: r["assessed_on"] for r in cohort if r["wave"] == "T0"}
    twice = {r["member_id"] for r in cohort if r["wave"] == "T1" and r["org_type"] == "sme"}
    services = _csv_rows(demo_services_file(settings))
    not_served = twice - {s["member_id"] for s in services}
    served = {
        category: {
            s["member_id"]
            for s in services
            if s["service_category"] == category
            and s["member_id"] in twice
            and s["start_date"] >= first[s["member_id"]]
        }
        for category in CATEGORIES
    }
    minimum = settings.min_group_size
    assert len(not_served) >= minimum
    assert any(len(members) >= minimum for members in served.values())
    # Someone was served in one category only, and a few services predate their member's T0.
    per_member: dict[str, set[str]] = {}
    for s in services:
        per_member.setdefault(s["member_id"], set()).add(s["service_category"])
    assert any(len(categories) == 1 for categories in per_member.values())
    assert any(s["start_date"] < first[s["member_id"]] for s in services)


def test_the_demo_file_imported_as_a_file_is_real_data(store: Store, settings: Settings) -> None:
    data = demo_file(settings).read_bytes()

    report = import_file(store, data, "demo_cohort.csv", actor=ADMIN, settings=settings)

    assert report.exit_code == 0 and report.stored
    assert not store.load_assessments()["is_demo"].any()
    assert store.list_uploads()["kind"].tolist() == ["file"]
    assert not store.has_demo()


def test_a_missing_demo_file_is_said_plainly(store: Store, tmp_path: Path) -> None:
    settings = load_settings(env={"DIH_DASH_DEMO_DIR": str(tmp_path / "nowhere")}, secrets={})
    with pytest.raises(FileNotFoundError):
        load_demo(store, settings, ADMIN)


def test_a_dma_export_keeps_what_the_hub_template_stored(tmp_path):
    """The DMA tool has no dates, no county and no DII: importing its export over a hub
    import updates the scores and leaves the rest as stored."""
    from dih_dash.services import import_file
    from dih_dash.settings import load_settings
    from dih_dash.store import Actor, open_store

    settings = load_settings(env={"DIH_DASH_DATA_DIR": str(tmp_path)})
    store = open_store(settings)
    admin = Actor("t", True)
    hub = (
        b"member_id,company_name,wave,assessed_on,county,cluster,dma_strategy,dma_readiness,"
        b"dma_human,dma_data,dma_automation,dma_green,dii_internet_staff,dii_fast_broadband,"
        b"dii_ai,dii_cloud,dii_cloud_advanced,dii_erp,dii_crm,dii_social_media,"
        b"dii_social_media_2plus,dii_data_analytics,dii_ecommerce_1pct,dii_web_sales_b2c\n"
        b"RO100,Lemn SRL,T0,2025-03-14,CJ,Mobilier,10,20,30,40,50,60,"
        b"yes,yes,no,no,no,no,no,yes,yes,no,no,no\n"
    )
    assert import_file(store, hub, "hub.csv", actor=admin, settings=settings).inserted == 1
    export = (
        b"SME name,SME ID,DMA Timing,DMA Score,Digital Business Strategy,Digital Readiness,"
        b"Human-Centric Digitalisation,Data Governance,Automation & Artificial Intelligence,"
        b"Green Digitalisation,EDIH Name\n"
        b"Lemn SRL,RO100,T0,40,15,25,35,45,55,65,Transilvania DIH\n"
    )
    report = import_file(store, export, "dma.csv", actor=admin, settings=settings)
    assert (report.updated, report.inserted) == (1, 0)
    row = store.load_assessments().iloc[0]
    assert row["dma_strategy"] == 15 and row["dma_overall"] == 40
    assert str(row["assessed_on"]) == "2025-03-14" and row["county"] == "CJ"
    assert row["cluster"] == "Mobilier" and bool(row["dii_internet_staff"]) is True
    # The same export again: nothing changes.
    again = import_file(store, export, "dma.csv", actor=admin, settings=settings)
    assert (again.updated, again.unchanged) == (0, 1)


def test_the_demo_files_are_what_the_seeded_script_writes(tmp_path: Path) -> None:
    """data/demo holds no typed numbers: both files are the script's output, byte for byte."""
    script = PROJECT_ROOT / "scripts" / "make_demo_cohort.py"
    spec = importlib.util.spec_from_file_location("make_demo_cohort", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cohort, services = tmp_path / "cohort.csv", tmp_path / "services.csv"
    module.write_demo(cohort, services)
    demo = PROJECT_ROOT / "data" / "demo"
    assert cohort.read_bytes() == (demo / "demo_cohort.csv").read_bytes()
    assert services.read_bytes() == (demo / "demo_services.csv").read_bytes()
