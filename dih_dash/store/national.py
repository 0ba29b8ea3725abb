"""National data versions and refresh runs in the store (SQLite or PostgreSQL).

The bytes are the Parquet files a data-folder version would hold; this module only moves
them in and out of the database. Deciding *what* to publish and turning bytes into frames
is `dih_dash.sources.national_store`'s job.

Publishing is one transaction under the store's writers' lock: the new version, its
datasets (those not refreshed are copied from the active version inside the database),
the switch of `national_active`, and the pruning of old versions. A reader therefore sees
the old version or the new one, never a mix, on every replica at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from dih_dash.store.engine import SCHEMA_KEY_SQL, WRITE_OPTION, lock_writers
from dih_dash.store.schema import (
    national_active,
    national_datasets,
    national_versions,
    refresh_runs,
    refresh_schedule,
)

# Versions kept in the database (the active one is always the newest).
KEEP_VERSIONS = 3

# Session-level advisory lock held for a whole refresh (fetch, check, publish) on
# PostgreSQL: the bytes "dihn" and the store's schema, as for the writers' lock (engine.py).
# Distinct from that lock, which only covers the short publishing transaction and which
# member imports share.
REFRESH_LOCK_CLASS = int.from_bytes(b"dihn", "big")
_REFRESH_LOCK = f"{REFRESH_LOCK_CLASS}, {SCHEMA_KEY_SQL}"


@dataclass(frozen=True)
class StoredDataset:
    parquet: bytes
    rows: int
    sha256: str
    entry: Mapping[str, object]


@dataclass(frozen=True)
class StoredVersion:
    id: int
    stamp: str
    created_at: dt.datetime
    manifest: dict


@dataclass(frozen=True)
class RefreshRun:
    id: int
    trigger: str
    worker: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    ok: bool | None
    reason: str | None
    version_stamp: str | None


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands times back without a zone)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            lock_writers(conn)
            yield conn


# --- versions -------------------------------------------------------------------------------


def publish_version(
    engine: Engine,
    stamp: str,
    datasets: Mapping[str, StoredDataset],
    published_by: str,
    *,
    keep: int = KEEP_VERSIONS,
) -> StoredVersion:
    """Store `datasets` as version `stamp` and make it the active one, in one transaction.

    Datasets of the active version that `datasets` does not name are carried into the new
    version (copied inside the database), so refreshing one dataset never drops another.
    """
    if not datasets:
        raise ValueError("nothing to publish")
    now = dt.datetime.now(dt.UTC)
    with _writing(engine) as conn:
        previous = _active_id(conn)
        carried: dict[str, dict] = {}
        if previous is not None:
            rows = conn.execute(
                select(national_datasets.c.dataset, national_datasets.c.entry).where(
                    national_datasets.c.version_id == previous,
                    national_datasets.c.dataset.not_in(list(datasets)),
                )
            )
            carried = {name: json.loads(entry) for name, entry in rows}
        manifest_entries = {**carried, **{n: dict(d.entry) for n, d in datasets.items()}}
        manifest = {"version": stamp, "datasets": dict(sorted(manifest_entries.items()))}
        version_id = conn.execute(
            insert(national_versions)
            .values(
                stamp=stamp,
                created_at=now,
                published_by=published_by[:200],
                manifest=json.dumps(manifest, ensure_ascii=False, sort_keys=True),
            )
            .returning(national_versions.c.id)
        ).scalar_one()
        if carried:
            old = national_datasets.alias("old")
            conn.execute(
                insert(national_datasets).from_select(
                    ["version_id", "dataset", "parquet", "rows", "sha256", "entry"],
                    select(
                        literal(version_id),
                        old.c.dataset,
                        old.c.parquet,
                        old.c.rows,
                        old.c.sha256,
                        old.c.entry,
                    ).where(old.c.version_id == previous, old.c.dataset.in_(list(carried))),
                )
            )
        conn.execute(
            insert(national_datasets),
            [
                {
                    "version_id": version_id,
                    "dataset": name,
                    "parquet": data.parquet,
                    "rows": data.rows,
                    "sha256": data.sha256,
                    "entry": json.dumps(dict(data.entry), ensure_ascii=False, sort_keys=True),
                }
                for name, data in datasets.items()
            ],
        )
        if previous is None:
            conn.execute(
                insert(national_active).values(id=1, version_id=version_id, activated_at=now)
            )
        else:
            conn.execute(
                update(national_active)
                .where(national_active.c.id == 1)
                .values(version_id=version_id, activated_at=now)
            )
        _prune(conn, keep)
    return StoredVersion(id=version_id, stamp=stamp, created_at=now, manifest=manifest)


def _prune(conn: Connection, keep: int) -> None:
    kept = select(national_versions.c.id).order_by(national_versions.c.id.desc()).limit(keep)
    old = [
        row.id
        for row in conn.execute(
            select(national_versions.c.id).where(
                national_versions.c.id.not_in(kept.scalar_subquery())
            )
        )
    ]
    if old:
        # Datasets first: SQLite only cascades with foreign keys on, and that is a
        # connection setting an external tool might not have made.
        conn.execute(delete(national_datasets).where(national_datasets.c.version_id.in_(old)))
        conn.execute(delete(national_versions).where(national_versions.c.id.in_(old)))


def _active_id(conn: Connection) -> int | None:
    return conn.execute(
        select(national_active.c.version_id).where(national_active.c.id == 1)
    ).scalar_one_or_none()


def active_stamp(engine: Engine) -> str | None:
    """The active version's stamp, or None (the snapshot): the cheap query replicas poll."""
    query = (
        select(national_versions.c.stamp)
        .join(national_active, national_active.c.version_id == national_versions.c.id)
        .where(national_active.c.id == 1)
    )
    with engine.connect() as conn:
        return conn.execute(query).scalar_one_or_none()


def active_version(engine: Engine) -> StoredVersion | None:
    query = (
        select(
            national_versions.c.id,
            national_versions.c.stamp,
            national_versions.c.created_at,
            national_versions.c.manifest,
        )
        .join(national_active, national_active.c.version_id == national_versions.c.id)
        .where(national_active.c.id == 1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).one_or_none()
    if row is None:
        return None
    return StoredVersion(
        id=row.id,
        stamp=row.stamp,
        created_at=utc(row.created_at),  # type: ignore[arg-type]
        manifest=json.loads(row.manifest),
    )


def version_datasets(engine: Engine, version_id: int) -> dict[str, StoredDataset]:
    """Every dataset of a version, bytes included (read when a replica caches a version)."""
    query = select(national_datasets).where(national_datasets.c.version_id == version_id)
    with engine.connect() as conn:
        return {
            row.dataset: StoredDataset(
                parquet=bytes(row.parquet),
                rows=row.rows,
                sha256=row.sha256,
                entry=json.loads(row.entry),
            )
            for row in conn.execute(query)
        }


def version_stamps(engine: Engine) -> list[str]:
    """The stamps of the stored versions, oldest first."""
    with engine.connect() as conn:
        return list(
            conn.execute(select(national_versions.c.stamp).order_by(national_versions.c.id))
            .scalars()
            .all()
        )


@contextmanager
def refresh_lock(engine: Engine) -> Iterator[bool]:
    """Yield True while this process holds the PostgreSQL refresh lock, False if another
    process (on any machine using this database) holds it. Never waits.

    A session lock on a connection of its own, held for the whole refresh: the server
    releases it when the process dies, so a killed worker never blocks the next refresh.
    """
    if engine.dialect.name != "postgresql":
        raise ValueError("the database refresh lock needs PostgreSQL")
    with engine.connect() as conn:
        got = bool(conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({_REFRESH_LOCK})").scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_REFRESH_LOCK})")
                conn.commit()


# --- refresh runs -----------------------------------------------------------------------------


def start_run(engine: Engine, trigger: str, worker: str, at: dt.datetime | None = None) -> int:
    with engine.begin() as conn:
        return conn.execute(
            insert(refresh_runs)
            .values(
                trigger=trigger,
                worker=worker[:200],
                started_at=at or dt.datetime.now(dt.UTC),
            )
            .returning(refresh_runs.c.id)
        ).scalar_one()


def finish_run(
    engine: Engine,
    run_id: int,
    ok: bool,
    reason: str | None = None,
    version_stamp: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(refresh_runs)
            .where(refresh_runs.c.id == run_id)
            .values(
                finished_at=at or dt.datetime.now(dt.UTC),
                ok=ok,
                reason=reason,
                version_stamp=version_stamp,
            )
        )


def close_unfinished_runs(engine: Engine, reason: str) -> int:
    """Mark runs that never finished (their worker died) as failed; call holding the
    refresh lock, when no run can be in progress. Returns how many there were."""
    with engine.begin() as conn:
        result = conn.execute(
            update(refresh_runs)
            .where(refresh_runs.c.finished_at.is_(None))
            .values(finished_at=dt.datetime.now(dt.UTC), ok=False, reason=reason)
        )
        return int(result.rowcount or 0)


def _run(row: Any) -> RefreshRun:
    return RefreshRun(
        id=row.id,
        trigger=row.trigger,
        worker=row.worker,
        started_at=utc(row.started_at),  # type: ignore[arg-type]
        finished_at=utc(row.finished_at),
        ok=row.ok,
        reason=row.reason,
        version_stamp=row.version_stamp,
    )


def recent_runs(
    engine: Engine, limit: int = 50, triggers: tuple[str, ...] | None = None
) -> list[RefreshRun]:
    """The latest runs, newest first."""
    query = select(refresh_runs).order_by(refresh_runs.c.id.desc()).limit(limit)
    if triggers is not None:
        query = query.where(refresh_runs.c.trigger.in_(triggers))
    with engine.connect() as conn:
        return [_run(row) for row in conn.execute(query)]


def last_run(engine: Engine, ok: bool | None = None) -> RefreshRun | None:
    """The newest run; with `ok`, the newest that succeeded (True) or failed (False)."""
    query = select(refresh_runs).order_by(refresh_runs.c.id.desc()).limit(1)
    if ok is not None:
        query = query.where(refresh_runs.c.ok.is_(ok))
    with engine.connect() as conn:
        row = conn.execute(query).one_or_none()
    return None if row is None else _run(row)


def set_next_run(engine: Engine, next_run_at: dt.datetime | None, worker: str) -> None:
    now = dt.datetime.now(dt.UTC)
    values = {"next_run_at": next_run_at, "worker": worker[:200], "updated_at": now}
    with engine.begin() as conn:
        done = conn.execute(
            update(refresh_schedule).where(refresh_schedule.c.id == 1).values(**values)
        )
        if done.rowcount:
            return
    try:
        with engine.begin() as conn:
            conn.execute(insert(refresh_schedule).values(id=1, **values))
    except IntegrityError:
        # Another worker created the row between our update and insert.
        with engine.begin() as conn:
            conn.execute(
                update(refresh_schedule).where(refresh_schedule.c.id == 1).values(**values)
            )


@dataclass(frozen=True)
class PlannedRun:
    next_run_at: dt.datetime | None
    worker: str
    updated_at: dt.datetime


def planned_run(engine: Engine) -> PlannedRun | None:
    with engine.connect() as conn:
        row = conn.execute(select(refresh_schedule).where(refresh_schedule.c.id == 1)).one_or_none()
    if row is None:
        return None
    return PlannedRun(
        next_run_at=utc(row.next_run_at),
        worker=row.worker,
        updated_at=utc(row.updated_at),  # type: ignore[arg-type]
    )
