"""Engine set-up: URLs, and the SQLite settings a multi-process store needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from dih_dash.store import Store, make_engine, normalise_url
from dih_dash.store.engine import BUSY_TIMEOUT_S, StoreURLError


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u:p@db.example/dih", "postgresql+psycopg"),
        ("postgres://u:p@db.example/dih", "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@db.example/dih", "postgresql+psycopg"),
        ("sqlite:///data/dih.sqlite", "sqlite+pysqlite"),
    ],
)
def test_urls_get_the_drivers_the_store_uses(url: str, driver: str) -> None:
    assert normalise_url(url).drivername == driver


@pytest.mark.parametrize("url", ["mysql://u@h/db", "oracle://h/db", "sqlite+pysqlcipher:///x.db"])
def test_other_databases_are_refused_by_name(url: str) -> None:
    with pytest.raises(StoreURLError, match="unsupported"):
        normalise_url(url)


def test_a_sqlite_store_is_set_up_for_several_processes(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "store.sqlite"

    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        }
    engine.dispose()

    assert path.parent.is_dir()
    assert pragmas == {
        "journal_mode": "wal",
        "busy_timeout": int(BUSY_TIMEOUT_S * 1000),
        "foreign_keys": 1,
    }


def test_the_store_enforces_foreign_keys(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        with pytest.raises(Exception, match="FOREIGN KEY"), store.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO assessments (member_pk, wave, is_demo, created_at, updated_at) "
                "VALUES (999, 'T0', 0, '2025-01-01', '2025-01-01')"
            )
    finally:
        store.close()
