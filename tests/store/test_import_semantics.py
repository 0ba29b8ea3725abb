"""Spec §6 storing semantics on both backends, with assessment frames built by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select
from support.store_data import ADMIN, VIEWER, dump, frame, members, row, upload

from dih_dash.domain.survey_schema import ASSESSMENT_COLUMNS, DII_ITEMS
from dih_dash.store import DemoConflictError, Store
from dih_dash.store import store as store_module
from dih_dash.store.schema import (
    assessment_history,
    assessments,
    member_name_history,
    uploads,
)
from dih_dash.store.schema import members as member_table


def history(store: Store) -> pd.DataFrame:
    with store.engine.connect() as conn:
        records = conn.execute(select(assessment_history)).mappings().all()
    return pd.DataFrame([dict(r) for r in records])


def history_by_member(store: Store) -> dict[str, dict[str, object]]:
    query = (
        select(member_table.c.member_id, assessment_history)
        .join_from(
            assessment_history, assessments, assessment_history.c.assessment_id == assessments.c.id
        )
        .join(member_table, assessments.c.member_pk == member_table.c.id)
    )
    with store.engine.connect() as conn:
        return {r["member_id"]: dict(r) for r in conn.execute(query).mappings()}


def test_new_keys_are_inserted_and_read_back_exactly(store: Store) -> None:
    data = frame(
        [
            row("RO123", "T0"),
            row("RO123", "T1", dma_green=None, dii_ai=None, assessed_on=None, county=None),
            row("RO456", "T0", employees=None, cluster=None),
        ]
    )
    outcome = store.import_assessments(data, upload(), actor=ADMIN)

    assert (outcome.inserted, outcome.updated, outcome.unchanged, outcome.rejected) == (3, 0, 0, 0)
    assert outcome.stored and outcome.rows == 3
    loaded = store.load_assessments()
    assert list(loaded.columns) == [*ASSESSMENT_COLUMNS, "is_demo", "upload_id"]
    pd.testing.assert_frame_equal(
        loaded[list(ASSESSMENT_COLUMNS)],
        data[list(ASSESSMENT_COLUMNS)],
        check_dtype=False,
    )
    assert loaded["dii_ai"].dtype == "boolean" and loaded.loc[1, "dii_ai"] is pd.NA
    assert loaded["employees"].dtype == "Int64"
    assert loaded.loc[1, "assessed_on"] is None
    assert isinstance(loaded.loc[0, "assessed_on"], dt.date)
    assert not loaded["is_demo"].any()
    assert set(loaded["upload_id"]) == {outcome.upload_id}


def test_member_ids_compare_case_insensitively(store: Store) -> None:
    values = row("RO123")
    store.import_assessments(frame([{**values, "member_id": " ro123"}]), upload(), actor=ADMIN)
    again = store.import_assessments(frame([values]), upload(), actor=ADMIN)

    assert again.unchanged == 1
    assert store.load_assessments()["member_id"].tolist() == ["RO123"]


def test_same_values_are_unchanged_and_other_values_update_with_history(store: Store) -> None:
    first = store.import_assessments(members("M", 0, 4), upload("t0.csv"), actor=ADMIN)
    edited = members("M", 0, 4)
    edited.loc[1, "dma_green"] = 99.5
    edited.loc[2, "dii_cloud"] = pd.NA  # "unknown" is a value of its own, not "no"
    edited.loc[3, "sector"] = "C31"

    second = store.import_assessments(edited, upload("t0-fixed.csv"), actor=ADMIN)

    assert (second.inserted, second.updated, second.unchanged) == (0, 3, 1)
    loaded = store.load_assessments().set_index("member_id")
    assert loaded.loc["M00001", "dma_green"] == 99.5
    assert loaded.loc["M00002", "dii_cloud"] is pd.NA
    assert loaded.loc["M00003", "sector"] == "C31"
    assert loaded.loc["M00000", "upload_id"] == first.upload_id  # unchanged keeps its writer
    assert loaded.loc["M00001", "upload_id"] == second.upload_id

    old = history_by_member(store)
    assert set(old) == {"M00001", "M00002", "M00003"}
    assert {r["written_by_upload"] for r in old.values()} == {first.upload_id}
    assert {r["replaced_by_upload"] for r in old.values()} == {second.upload_id}
    original = members("M", 0, 4).set_index("member_id")
    assert old["M00001"]["dma_green"] == original.loc["M00001", "dma_green"]
    assert old["M00002"]["dii_cloud"] is bool(original.loc["M00002", "dii_cloud"])
    assert old["M00003"]["sector"] == "J62"
    # The whole previous row is kept, not only the column that changed.
    assert old["M00001"]["dma_data"] == original.loc["M00001", "dma_data"]
    assert old["M00003"]["assessed_on"] == original.loc["M00003", "assessed_on"]


def test_unknown_stays_equal_to_unknown(store: Store) -> None:
    sparse = frame([row("M1", **{name: None for name in DII_ITEMS}, dma_overall=None)])
    store.import_assessments(sparse, upload(), actor=ADMIN)

    again = store.import_assessments(sparse, upload(), actor=ADMIN)

    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(store: Store) -> None:
    data = frame([row("A1"), row("A1", "T1"), row("B2", company_name="Beta SRL")])
    store.import_assessments(data, upload(), actor=ADMIN)
    before = dump(store)

    again = store.import_assessments(data, upload(), actor=ADMIN)

    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert not again.name_changes
    after = dump(store)
    for table in ("members", "assessments", "assessment_history", "member_name_history"):
        assert after[table] == before[table], table
    assert len(after["uploads"]) == len(before["uploads"]) + 1  # the import is still logged


def test_a_new_company_name_is_kept_the_old_one_goes_to_history_with_a_warning(
    store: Store,
) -> None:
    store.import_assessments(frame([row("RO9", company_name="Mobila Veche SRL")]), upload(),
                             actor=ADMIN)  # fmt: skip
    renamed = frame(
        [
            row("RO9", "T0", company_name="Mobila Nouă SRL"),
            row("RO9", "T1", company_name="Mobila Nouă SRL"),
        ]
    )

    outcome = store.import_assessments(renamed, upload("t1.csv"), actor=ADMIN)

    assert (outcome.inserted, outcome.unchanged) == (1, 1)  # the T0 values did not change
    assert [(c.row, c.old, c.new) for c in outcome.name_changes] == [
        (2, "Mobila Veche SRL", "Mobila Nouă SRL"),
        (3, "Mobila Veche SRL", "Mobila Nouă SRL"),
    ]
    warning = outcome.name_changes[0].to_dict()
    assert warning["row"] == 2 and warning["column"] == "company_name"
    assert warning["value"] == "Mobila Nouă SRL" and warning["old_value"] == "Mobila Veche SRL"
    assert "company name differs from the one stored for that member_id" in warning["message"]
    assert "Mobila Veche SRL" in warning["message"]
    assert "denumirea firmei diferă" in outcome.name_changes[0].message("ro")

    assert set(store.load_assessments()["company_name"]) == {"Mobila Nouă SRL"}
    with store.engine.connect() as conn:
        names = conn.execute(select(member_name_history)).mappings().all()
    assert [(n["company_name"], n["replaced_by_upload"]) for n in names] == [
        ("Mobila Veche SRL", outcome.upload_id)
    ]


def test_rejected_rows_block_the_whole_file_unless_skip_invalid(store: Store) -> None:
    store.import_assessments(members("M", 0, 2), upload(), actor=ADMIN)
    before = dump(store)
    data = members("M", 1, 4)  # one known key, two new ones
    data.loc[0, "dma_green"] = 77.0

    blocked = store.import_assessments(data, upload("bad.csv"), actor=ADMIN, rows=4, rejected=1)

    assert not blocked.stored
    # Nothing went in, and the counts say so; a dry run is what tells what would happen.
    assert (blocked.rows, blocked.inserted, blocked.updated, blocked.rejected) == (4, 0, 0, 1)
    assert blocked.unchanged == 0
    after = dump(store)
    for table in ("members", "assessments", "assessment_history", "member_name_history"):
        assert after[table] == before[table], table
    log = store.list_uploads().iloc[0]
    assert log["filename"] == "bad.csv" and not log["stored"] and log["rejected"] == 1
    assert log["inserted"] == 0 and log["updated"] == 0
    dry = store.import_assessments(data, upload(), actor=ADMIN, rows=4, rejected=1, dry_run=True)
    assert (dry.inserted, dry.updated) == (2, 1), "the dry run tells what would go in"

    skipped = store.import_assessments(
        data, upload("bad.csv"), actor=ADMIN, rows=4, rejected=1, skip_invalid=True
    )

    assert skipped.stored
    assert (skipped.inserted, skipped.updated, skipped.rejected) == (2, 1, 1)
    assert store.stats()["assessments"] == 4


def test_a_dry_run_reports_the_same_and_stores_nothing(store: Store) -> None:
    store.import_assessments(frame([row("X1", company_name="Old SRL")]), upload(), actor=ADMIN)
    before = dump(store)
    data = frame([row("X1", company_name="New SRL", dma_data=1.0), row("X2"), row("X3")])

    dry = store.import_assessments(data, upload(), actor=VIEWER, dry_run=True)

    assert dump(store) == before  # not even logged
    assert not dry.stored and dry.upload_id is None
    real = store.import_assessments(data, upload(), actor=ADMIN)
    assert (
        (dry.inserted, dry.updated, dry.unchanged)
        == (real.inserted, real.updated, 0)
        == (
            2,
            1,
            0,
        )
    )
    assert dry.name_changes == real.name_changes


def test_the_import_log_records_each_import(store: Store) -> None:
    before = dt.datetime.now(dt.UTC)
    info = upload("cohort 2025.csv")
    store.import_assessments(members("M", 0, 3), info, actor=ADMIN)
    store.import_assessments(members("M", 2, 5), info, actor=ADMIN, rows=4, rejected=1)

    log = store.list_uploads()

    assert len(log) == 2
    newest, oldest = log.iloc[0], log.iloc[1]
    assert oldest["filename"] == "cohort 2025.csv" and oldest["sha256"] == info.sha256
    assert oldest["size_bytes"] == info.size_bytes
    assert (oldest["layout"], oldest["encoding"], oldest["delimiter"]) == ("hub", "utf-8", ",")
    assert (oldest["rows"], oldest["inserted"], oldest["updated"], oldest["unchanged"]) == (
        3,
        3,
        0,
        0,
    )
    assert bool(oldest["stored"]) and oldest["kind"] == "file"
    assert oldest["imported_by"] == ADMIN.name
    assert before - dt.timedelta(seconds=1) <= oldest["imported_at"] <= newest["imported_at"]
    # Blocked by its rejected row: logged, nothing stored, nothing counted as stored.
    assert (newest["rows"], newest["inserted"], newest["unchanged"], newest["rejected"]) == (
        4,
        0,
        0,
        1,
    )
    assert not bool(newest["stored"])


def test_rows_dropped_as_identical_copies_count_as_unchanged(store: Store) -> None:
    data = frame([row("C1"), row("C1")])  # validation may also drop the copy itself

    outcome = store.import_assessments(data, upload(), actor=ADMIN, rows=3)

    assert (outcome.inserted, outcome.unchanged, outcome.rows) == (1, 2, 3)


def test_conflicting_repeats_of_a_key_are_a_caller_error(store: Store) -> None:
    with pytest.raises(ValueError, match="different values"):
        store.import_assessments(
            frame([row("C1"), row("C1", dma_green=1.0)]), upload(), actor=ADMIN
        )
    assert store.stats()["uploads"] == 0


def test_many_chunks_give_the_same_result(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "MEMBERS_PER_CHUNK", 7)
    monkeypatch.setattr(store_module, "WRITE_BATCH", 5)
    store.import_assessments(members("M", 0, 40), upload(), actor=ADMIN)
    data = pd.concat([members("M", 20, 60), members("M", 0, 10, wave="T1")], ignore_index=True)
    data.loc[data["member_id"] == "M00025", "dma_human"] = 3.0
    data.loc[data["member_id"] == "M00030", "company_name"] = "Renamed SRL"

    outcome = store.import_assessments(data, upload(), actor=ADMIN)

    assert (outcome.inserted, outcome.updated, outcome.unchanged) == (30, 1, 19)
    assert [c.member_id for c in outcome.name_changes] == ["M00030"]
    assert store.stats() == {"members": 60, "assessments": 70, "uploads": 2}
    assert len(history(store)) == 1


def test_permissions_are_checked_by_the_store(store: Store) -> None:
    with pytest.raises(PermissionError):
        store.import_assessments(members("M", 0, 2), upload(), actor=VIEWER)
    store.import_assessments(members("M", 0, 2), upload(), actor=ADMIN)
    with pytest.raises(PermissionError):
        store.delete_member("M00000", VIEWER)
    with pytest.raises(PermissionError):
        store.remove_demo(VIEWER)
    assert store.stats() == {"members": 2, "assessments": 2, "uploads": 1}


def test_delete_member_removes_its_assessments_and_history(store: Store) -> None:
    store.import_assessments(frame([row("D1"), row("D1", "T1"), row("D2")]), upload(),
                             actor=ADMIN)  # fmt: skip
    store.import_assessments(frame([row("D1", company_name="Renamed", dma_data=5.0)]), upload(),
                             actor=ADMIN)  # fmt: skip

    assert store.delete_member(" d1 ", ADMIN)
    assert not store.delete_member("D1", ADMIN)

    assert store.load_assessments()["member_id"].tolist() == ["D2"]
    assert store.stats() == {"members": 1, "assessments": 1, "uploads": 2}
    tables = dump(store)
    assert tables["assessment_history"] == [] and tables["member_name_history"] == []


def test_remove_demo_takes_out_demo_data_only(store: Store) -> None:
    assert not store.has_data() and not store.has_demo()
    store.import_assessments(
        frame([row("DEMO-1"), row("DEMO-1", "T1"), row("DEMO-2"), row("DEMO-3")]),
        upload("demo_cohort.csv", kind="demo"),
        actor=ADMIN,
        is_demo=True,
    )
    real = store.import_assessments(frame([row("REAL-1")]), upload(), actor=ADMIN)
    # A real file that writes to a demo member: its rows are real from then on.
    store.import_assessments(
        frame([row("DEMO-2", dma_green=1.0), row("DEMO-3", "T1")]), upload(), actor=ADMIN
    )
    assert store.has_demo()
    assert store.load_assessments(include_demo=False)["member_id"].tolist() == [
        "DEMO-2",
        "DEMO-3",
        "REAL-1",
    ]

    removed = store.remove_demo(ADMIN)

    assert removed == {"members": 1, "assessments": 3, "history": 0, "services": 0, "uploads": 1}
    left = store.load_assessments()
    assert left[["member_id", "wave"]].values.tolist() == [
        ["DEMO-2", "T0"],
        ["DEMO-3", "T1"],
        ["REAL-1", "T0"],
    ]
    assert not left["is_demo"].any() and not store.has_demo()
    assert store.stats() == {"members": 3, "assessments": 3, "uploads": 2}
    assert real.upload_id in set(store.list_uploads()["id"])


def test_demo_rows_never_overwrite_real_members(store: Store) -> None:
    store.import_assessments(frame([row("DEMO-7")]), upload(), actor=ADMIN)
    before = dump(store)

    with pytest.raises(DemoConflictError, match="DEMO-7"):
        store.import_assessments(
            frame([row("DEMO-6"), row("DEMO-7", "T1")]),
            upload(kind="demo"),
            actor=ADMIN,
            is_demo=True,
        )

    assert dump(store) == before


def test_stats_and_has_data(store: Store) -> None:
    assert store.stats() == {"members": 0, "assessments": 0, "uploads": 0}
    assert not store.has_data()
    store.import_assessments(frame([row("S1"), row("S1", "T1"), row("S2")]), upload(),
                             actor=ADMIN)  # fmt: skip
    assert store.stats() == {"members": 2, "assessments": 3, "uploads": 1}
    assert store.has_data()


def test_upload_kind_is_checked() -> None:
    with pytest.raises(ValueError, match="kind"):
        upload(kind="other")


def test_list_uploads_on_an_empty_store(store: Store) -> None:
    assert store.list_uploads().empty
    assert list(store.list_uploads().columns) == [c.name for c in uploads.columns]
