"""Schema changes go through alembic; every store is brought to head when opened."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect, select
from support.store_data import ADMIN, dump, frame, row, upload

from dih_dash.store import Store, make_engine
from dih_dash.store.migrate import (
    SchemaTooNewError,
    current_revision,
    head_revision,
    upgrade,
)
from dih_dash.store.schema import metadata

NOW = dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC)


def fill_revision_0001(url: str) -> None:
    """A store as revision 0001 left it, with one of everything in it.

    Ids come from the database (a fresh one numbers from 1), as they would have then;
    explicit ids would leave PostgreSQL's sequences behind.
    """
    engine = make_engine(url)
    upgrade(engine, "0001")
    old = MetaData()
    with engine.begin() as conn:
        old.reflect(conn)
        assert "kind" not in old.tables["uploads"].c  # really the old schema
        conn.execute(
            old.tables["uploads"].insert(),
            [
                {
                    "filename": "t0.csv",
                    "sha256": "a" * 64,
                    "size_bytes": 1234,
                    "layout": "hub",
                    "encoding": "cp1250",
                    "delimiter": ";",
                    "rows": 1,
                    "inserted": 1,
                    "updated": 0,
                    "unchanged": 0,
                    "rejected": 0,
                    "stored": True,
                    "imported_by": "ana",
                    "imported_at": NOW,
                }
            ],
        )
        conn.execute(
            old.tables["members"].insert(),
            [
                {
                    "member_id": "RO1",
                    "company_name": "Firma Nouă SRL",
                    "is_demo": False,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            ],
        )
        values = {
            key: value
            for key, value in row("RO1").items()
            if key not in ("member_id", "company_name", "wave")
        }
        conn.execute(
            old.tables["assessments"].insert(),
            [
                {
                    "member_pk": 1,
                    "wave": "T0",
                    **values,
                    "is_demo": False,
                    "created_at": NOW,
                    "updated_at": NOW,
                    "upload_id": 1,
                }
            ],
        )
        conn.execute(
            old.tables["assessment_history"].insert(),
            [{"assessment_id": 1, **values, "dma_green": 1.0, "replaced_at": NOW}],
        )
        conn.execute(
            old.tables["member_name_history"].insert(),
            [{"member_pk": 1, "company_name": "Firma Veche SRL", "replaced_at": NOW}],
        )
    engine.dispose()


def old_columns(rows: list[tuple[object, ...]], like: list[tuple[object, ...]]) -> list:
    """`rows` cut to the columns the rows `like` have: later revisions add columns at the
    end of a table (0004: members.org_type, the pso_* scores)."""
    width = len(like[0]) if like else 0
    return [r[:width] for r in rows]


def test_a_store_at_0001_with_data_is_upgraded_to_head_with_its_data_intact(
    store_url: str,
) -> None:
    fill_revision_0001(store_url)
    engine = make_engine(store_url)
    with engine.connect() as conn:
        assert current_revision(conn) == "0001"
        old = MetaData()
        old.reflect(conn)
        before = {
            name: sorted(tuple(r) for r in conn.execute(select(table)))
            for name, table in old.tables.items()
            if name != "alembic_version"
        }
    engine.dispose()

    store = Store.open(store_url)
    try:
        after = dump(store)
        assert after["alembic_version"] == [(head_revision(),)]
        # Every old row is still there, unchanged; uploads gained kind = 'file'.
        for name in ("members", "assessments", "assessment_history", "member_name_history"):
            assert old_columns(after[name], before[name]) == before[name], name
        assert [r[:-1] for r in after["uploads"]] == before["uploads"]
        assert [r[-1] for r in after["uploads"]] == ["file"]
        indexes = {ix["name"] for ix in inspect(store.engine).get_indexes("uploads")}
        assert "ix_uploads_imported_at" in indexes

        # And the old rows behave like new ones.
        loaded = store.load_assessments()
        assert loaded[["member_id", "company_name", "upload_id"]].values.tolist() == [
            ["RO1", "Firma Nouă SRL", 1]
        ]
        outcome = store.import_assessments(
            frame([row("RO1", dma_green=55.0)]), upload(), actor=ADMIN
        )
        assert (outcome.updated, outcome.inserted) == (1, 0)
        assert store.list_uploads()["kind"].tolist() == ["file", "file"]
    finally:
        store.close()


def test_the_schema_module_matches_the_migrations(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_opening_an_up_to_date_store_again_changes_nothing(store_url: str) -> None:
    first = Store.open(store_url)
    first.import_assessments(frame([row("A")]), upload(), actor=ADMIN)
    before = dump(first)
    first.close()

    second = Store.open(store_url)
    try:
        assert dump(second) == before
    finally:
        second.close()


def test_a_store_from_a_newer_dih_dash_is_refused(store_url: str) -> None:
    Store.open(store_url).close()
    engine = make_engine(store_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    engine.dispose()

    with pytest.raises(SchemaTooNewError, match="0999"):
        Store.open(store_url)


def test_stores_opened_at_once_migrate_a_new_database_once(store_url: str) -> None:
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def open_store() -> None:
        barrier.wait()
        try:
            Store.open(store_url).close()
        except BaseException as exc:  # reported below, with the thread's exception
            failures.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    store = Store.open(store_url)
    try:
        assert dump(store)["alembic_version"] == [(head_revision(),)]
    finally:
        store.close()


def test_a_store_at_0002_with_data_gains_the_national_tables_and_keeps_its_rows(
    store_url: str,
) -> None:
    fill_revision_0001(store_url)
    engine = make_engine(store_url)
    upgrade(engine, "0002")
    with engine.connect() as conn:
        assert current_revision(conn) == "0002"
        old = MetaData()
        old.reflect(conn)
        assert "national_versions" not in old.tables  # really the old schema
        before = {
            name: sorted(tuple(r) for r in conn.execute(select(table)))
            for name, table in old.tables.items()
            if name != "alembic_version"
        }
    engine.dispose()

    store = Store.open(store_url)
    try:
        after = dump(store)
        assert after["alembic_version"] == [(head_revision(),)]
        for name, rows in before.items():
            assert old_columns(after[name], rows) == rows, name
        tables = set(inspect(store.engine).get_table_names())
        new = {"national_versions", "national_datasets", "national_active", "refresh_runs"}
        assert new | {"refresh_schedule"} <= tables
        # The upgraded store publishes and records like a new one.
        from dih_dash.store import national as stored

        version = stored.publish_version(
            store.engine,
            "20261204T000000000000Z",
            {"isoc_e_dii": stored.StoredDataset(b"PAR1", 1, "0" * 64, {"file": "x"})},
            "test",
        )
        assert stored.active_stamp(store.engine) == version.stamp
        run_id = stored.start_run(store.engine, "once", "test")
        stored.finish_run(store.engine, run_id, False, "HTTP 500")
        assert stored.last_run(store.engine, ok=False).reason == "HTTP 500"
        members = dump(store)["members"]
        assert old_columns(members, before["members"]) == before["members"]
    finally:
        store.close()
