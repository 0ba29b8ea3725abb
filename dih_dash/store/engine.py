"""Engines for the member store: one code path for SQLite (a laptop) and PostgreSQL (a server).

SQLite gets the settings a multi-process app needs: WAL (readers never block the writer),
a busy timeout (a second writer waits instead of failing at once), foreign keys on, and
transactions we begin ourselves, so a writer can take the write lock up front with
`BEGIN IMMEDIATE` (see `Store.write_transaction`).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url

# How long a writer waits for another writer's lock before giving up. An import of a
# million rows takes well under a minute, so five minutes only trips on a stuck process.
BUSY_TIMEOUT_S = 300.0

# Connection execution option that asks `_begin` for `BEGIN IMMEDIATE` on SQLite.
WRITE_OPTION = "dih_dash_write"


class StoreURLError(ValueError):
    """The database URL names a backend the store does not support."""


def normalise_url(url: str | URL) -> URL:
    """The URL with the driver the store uses: psycopg 3 for PostgreSQL, pysqlite for SQLite.

    A plain `postgresql://` (what `psql` and most hosting panels print) would make
    SQLAlchemy look for psycopg2, which is not installed, so it is switched here.
    """
    parsed = make_url(url) if isinstance(url, str) else url
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if parsed.get_driver_name() not in ("pysqlite", ""):
            raise StoreURLError(f"unsupported SQLite driver in {parsed.drivername!r}")
        return parsed.set(drivername="sqlite+pysqlite")
    raise StoreURLError(
        f"unsupported database {parsed.drivername!r}: use sqlite:///path or postgresql://..."
    )


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL, or None for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine for the store at `url` (SQLite file or PostgreSQL), configured for writers."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    # pool_pre_ping: a server restart between two page runs must not surface as an error.
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def _adapt_none(value: None) -> None:
    return value


def _fast_sqlite_nulls() -> None:
    """Let Python's sqlite3 bind None (NULL) without its slow path.

    sqlite3 binds exact int/float/str directly; anything else, None included, first goes
    through the adapter registry, and a miss there costs two failed attribute look-ups
    per value (a third of an import's database time, survey rows being full of empty
    cells). An identity adapter for None turns the miss into a hit; the value bound is
    still None, i.e. NULL, so nothing else in the process sees a difference.
    """
    sqlite3.register_adapter(type(None), _adapt_none)


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Switch the database file to WAL (once: the mode is stored in the file).

    The switch needs the file to itself, and SQLite answers "database is locked" at once,
    without waiting on the busy timeout, when several processes open a new store together;
    so it is retried until the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.005
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.25)


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        url = url.set(database=str(path))
    _fast_sqlite_nulls()
    connect_args = {"timeout": BUSY_TIMEOUT_S, **kwargs.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Autocommit at the driver level: pysqlite would otherwise open transactions on
        # its own (and never IMMEDIATE ones); `_begin` below issues BEGIN instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            if path is not None:
                _use_wal(cursor)
                # NORMAL is durable across application crashes in WAL mode; only a power
                # loss can lose the last commits, never corrupt the file.
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A writer takes the database's write lock before its first read, so the diff it
        # computes cannot be invalidated by another writer (and two deferred transactions
        # never deadlock on the read-to-write upgrade, which SQLite reports as BUSY).
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


# The PostgreSQL advisory lock that serialises the store's writers. Advisory locks belong
# to the database, while a store is a schema (a server may hold several, and the tests do),
# so the lock has two keys: the bytes "dihd" as a number, recognisable in pg_locks
# (`classid`), and the schema (`objid`, its name hashed), so stores never block each other.
WRITERS_LOCK_CLASS = int.from_bytes(b"dihd", "big")
SCHEMA_KEY_SQL = "hashtext(current_schema())"


def lock_writers(conn: Connection) -> None:
    """Make `conn`'s transaction the only writer until it ends.

    SQLite: the transaction was begun with BEGIN IMMEDIATE (WRITE_OPTION), which already
    holds the database's write lock. PostgreSQL: a transaction-level advisory lock, which
    the server releases at commit or rollback, also when the client is killed.
    """
    if conn.dialect.name == "postgresql":
        key = f"{WRITERS_LOCK_CLASS}, {SCHEMA_KEY_SQL}"
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({key})")
    elif not conn.get_execution_options().get(WRITE_OPTION):
        raise RuntimeError("a SQLite writer must begin with WRITE_OPTION set (BEGIN IMMEDIATE)")
