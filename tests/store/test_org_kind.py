"""Organisation kind (spec edih-services.md §1, §2, §4) in the store: the 0004 migration,
PSO exports imported on both backends, and a kind that never changes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import MetaData, select
from support.store_data import ADMIN, dump, hub_csv, row
from test_migrations import fill_revision_0001

from dih_dash.cli import main
from dih_dash.domain.cohort import cohort_medians, dimension_stats
from dih_dash.domain.survey_schema import PSO_DIMENSIONS
from dih_dash.services import import_file
from dih_dash.services.deck import scored_cohort, sme_rows
from dih_dash.settings import Settings, load_settings
from dih_dash.store import Store, make_engine
from dih_dash.store.migrate import current_revision, head_revision, upgrade

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "surveys"
PSO_XLSX = "my-psos-dma-results.xlsx"
PSO_CSV = "my-psos-dma-results-resaved.csv"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(env={"DIH_DASH_DATA_DIR": str(tmp_path / "data")}, secrets={})


def import_fixture(store: Store, settings: Settings, name: str) -> dict[str, object]:
    data = (FIXTURES / name).read_bytes()
    return import_file(store, data, name, actor=ADMIN, settings=settings).to_json_dict()


def test_a_store_at_0003_with_members_migrates_with_every_member_an_sme(store_url: str) -> None:
    fill_revision_0001(store_url)
    engine = make_engine(store_url)
    upgrade(engine, "0003")
    with engine.connect() as conn:
        assert current_revision(conn) == "0003"
        old = MetaData()
        old.reflect(conn)
        assert "org_type" not in old.tables["members"].c  # really the old schema
    engine.dispose()

    store = Store.open(store_url)
    try:
        with store.engine.connect() as conn:
            assert current_revision(conn) == head_revision()
            now = MetaData()
            now.reflect(conn)
            kinds = conn.execute(select(now.tables["members"].c.org_type)).scalars().all()
            history = now.tables["assessment_history"]
            pso_history = conn.execute(select(*(history.c[c] for c in PSO_DIMENSIONS))).all()
        assert kinds == ["sme"]
        assert pso_history == [(None,) * 6]
        loaded = store.load_assessments()
        assert loaded["org_type"].tolist() == ["sme"]
        assert loaded[list(PSO_DIMENSIONS)].isna().all().all()
        assert store.organisation_counts() == {"sme": 1, "pso": 0}
    finally:
        store.close()


@pytest.mark.parametrize("name", [PSO_XLSX, PSO_CSV])
def test_a_pso_export_is_stored_as_pso_members_with_their_own_dimensions(
    store: Store, settings: Settings, name: str
) -> None:
    result = import_fixture(store, settings, name)

    assert result["layout"] == "pso-dma-export"
    assert (result["rows"], result["inserted"], result["rejected"], result["stored"]) == (
        3, 3, 0, True,
    )  # fmt: skip
    assert result["errors"] == []
    assert [(w["row"], w["column"]) for w in result["warnings"]] == [(3, "DMA Score")]
    loaded = store.load_assessments()
    assert loaded["org_type"].tolist() == ["pso"] * 3
    assert loaded["member_id"].tolist() == ["PSO-RO-0001", "PSO-RO-0001", "PSO-RO-0002"]
    first = loaded.iloc[0]
    assert [first[c] for c in PSO_DIMENSIONS] == [40.0, 45.0, 38.0, 42.0, 30.0, 54.0]
    assert first["dma_overall"] == 41.5 and math.isnan(first["dma_strategy"])
    assert set(loaded["company_name"]) == {
        "Primăria Comunei Exemplu Țara Bârsei",
        "Școala Gimnazială Exemplu Târgu Mureș",
    }
    assert store.organisation_counts() == {"sme": 0, "pso": 2}
    assert store.list_uploads().iloc[0]["layout"] == "pso-dma-export"

    # The same file again changes nothing.
    again = import_fixture(store, settings, name)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_a_changed_pso_score_is_an_update_and_the_old_scores_stay_in_history(
    store: Store, settings: Settings
) -> None:
    import_fixture(store, settings, PSO_CSV)
    data = (FIXTURES / PSO_CSV).read_bytes().replace(b"T0;41,5;40;", b"T0;43,5;52;")
    report = import_file(store, data, "v2.csv", actor=ADMIN, settings=settings)
    assert (report.updated, report.unchanged, report.exit_code) == (1, 2, 0)
    loaded = store.load_assessments().set_index(["member_id", "wave"])
    assert loaded.loc[("PSO-RO-0001", "T0"), "pso_strategy"] == 52.0
    history = dump(store)["assessment_history"]
    assert len(history) == 1
    # pso_strategy is the first of the columns 0004 appended to the history table.
    assert history[0][-6:] == (40.0, 45.0, 38.0, 42.0, 30.0, 54.0)


def test_a_file_that_would_change_a_members_kind_is_an_error_naming_the_stored_kind(
    store: Store, settings: Settings
) -> None:
    import_fixture(store, settings, PSO_XLSX)
    before = dump(store)
    # A hub file that says PSO-RO-0001 is an SME (row 2), and a new SME (row 3).
    rows = [row("PSO-RO-0001", "T2", org_type="imm"), row("RO5", org_type="sme")]
    data = hub_csv(rows)
    report = import_file(store, data, "membri.csv", actor=ADMIN, settings=settings)

    assert report.exit_code == 1 and not report.stored and report.rejected == 1
    result = report.to_json_dict()
    assert [(e["row"], e["column"], e["value"]) for e in result["errors"]] == [
        (2, "org_type", "sme")
    ]
    message = result["errors"][0]["message"]
    assert "PSO-RO-0001 is stored as pso" in message and "make it sme" in message
    assert "înregistrat ca pso" in report.errors[0].message("ro")
    after = dump(store)
    assert {k: v for k, v in after.items() if k != "uploads"} == {
        k: v for k, v in before.items() if k != "uploads"
    }

    # With --skip-invalid the other row goes in, and the PSO stays a PSO.
    skipped = import_file(
        store, data, "membri.csv", actor=ADMIN, settings=settings, skip_invalid=True
    )
    assert (skipped.inserted, skipped.rejected, skipped.stored) == (1, 1, True)
    assert store.member_kinds(["PSO-RO-0001", "RO5"]) == {"PSO-RO-0001": "pso", "RO5": "sme"}


def test_an_sme_export_naming_a_stored_pso_is_an_error(store: Store, settings: Settings) -> None:
    import_fixture(store, settings, PSO_XLSX)
    data = b"SME name,SME ID,DMA Timing,DMA Score\r\nFirma SRL,PSO-RO-0002,T1,50\r\n"
    report = import_file(store, data, "smes.csv", actor=ADMIN, settings=settings)
    assert report.exit_code == 1 and [e.code for e in report.errors] == ["org_type_conflict"]
    assert report.errors[0].column == "SME ID"  # the file has no kind column: the id is named


def test_a_file_that_says_nothing_of_the_kind_keeps_the_stored_one(
    store: Store, settings: Settings
) -> None:
    import_fixture(store, settings, PSO_XLSX)
    rows = [row("PSO-RO-0002", "T1", org_type=None, company_name="Școala Exemplu")]
    report = import_file(store, hub_csv(rows), "h.csv", actor=ADMIN, settings=settings)
    assert (report.exit_code, report.inserted) == (0, 1)
    assert store.member_kinds(["PSO-RO-0002"]) == {"PSO-RO-0002": "pso"}
    assert store.organisation_counts() == {"sme": 0, "pso": 2}


def test_stats_json_counts_the_organisations_by_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DIH_DASH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'kinds.sqlite'}"
    hub = tmp_path / "membri.csv"
    hub.write_bytes(hub_csv([row("RO1"), row("RO2", org_type=None), row("RO3", "T1")]))
    pso = ["import", str(FIXTURES / PSO_CSV), "--db", url, "--json", "--layout", "pso-dma-export"]
    assert main(pso) == 0
    assert json.loads(capsys.readouterr().out)["layout"] == "pso-dma-export"
    assert main(["import", str(hub), "--db", url, "--json"]) == 0
    capsys.readouterr()
    assert main(["stats", "--db", url, "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["organisations"] == {"sme": 3, "pso": 2}
    assert (counts["members"], counts["assessments"]) == (5, 6)


def test_the_pages_and_deck_cohort_holds_the_smes_only_and_psos_change_no_sme_figure(
    store: Store, settings: Settings
) -> None:
    rows = [row(f"RO{i}", wave) for i in range(1, 6) for wave in ("T0", "T1")]
    assert import_file(store, hub_csv(rows), "smes.csv", actor=ADMIN, settings=settings).stored
    bounds = (settings.dma_band_bounds, settings.dii_band_bounds)
    smes_only = scored_cohort(store.load_assessments(), *bounds)

    import_fixture(store, settings, PSO_XLSX)
    everyone = store.load_assessments()
    assert set(everyone["org_type"]) == {"sme", "pso"}  # the loader hands both over
    cohort = scored_cohort(everyone, *bounds)

    assert set(cohort["org_type"]) == {"sme"}
    assert sorted(set(cohort["member_id"])) == [f"RO{i}" for i in range(1, 6)]
    pd.testing.assert_frame_equal(cohort.reset_index(drop=True), smes_only.reset_index(drop=True))
    for wave in ("T0", "T1"):
        pd.testing.assert_series_equal(
            cohort_medians(cohort, wave), cohort_medians(smes_only, wave)
        )
    # The PSOs' overall scores (41.5–60) would have moved the SMEs' T0 median.
    assert (
        cohort_medians(cohort, "T0")["dma_overall"] != cohort_medians(everyone, "T0")["dma_overall"]
    )
    assert dimension_stats(cohort).equals(dimension_stats(smes_only))


def test_a_frame_without_kinds_is_all_smes() -> None:
    frame = pd.DataFrame({"member_id": ["A", "B"], "org_type": ["sme", None]})
    assert sme_rows(frame)["member_id"].tolist() == ["A", "B"]
    assert sme_rows(frame.drop(columns="org_type"))["member_id"].tolist() == ["A", "B"]
    mixed = pd.DataFrame({"member_id": ["A", "P"], "org_type": ["sme", "pso"]})
    assert sme_rows(mixed)["member_id"].tolist() == ["A"]


def test_the_database_refuses_a_kind_other_than_sme_or_pso(store: Store) -> None:
    import datetime as dt

    from sqlalchemy.exc import IntegrityError

    from dih_dash.store.schema import members

    now = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    values = {"company_name": "X", "created_at": now, "updated_at": now}
    with store.engine.begin() as conn:
        conn.execute(members.insert().values(member_id="OK", **values))
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(members.insert().values(member_id="BAD", org_type="ngo", **values))
    assert store.member_kinds(["OK", "BAD"]) == {"OK": "sme"}
