"""Bring any store to the schema this code expects: alembic, configured in code.

`ensure_schema` is called on every open. It only reads the stored revision when the store
is current; otherwise it takes the writers' lock and upgrades inside one transaction, so
two processes that open a new store together migrate it once.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from dih_dash.store.engine import WRITE_OPTION, lock_writers

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class SchemaTooNewError(RuntimeError):
    """The store was migrated by a newer dih-dash than this one."""


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    # Config values go through configparser interpolation, hence the escaped `%`.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


# Alembic keeps the running migration in module globals (`alembic.context`, `alembic.op`),
# so two threads of one process (two app sessions) must not run it at the same time; the
# database lock below covers other processes.
_ALEMBIC_LOCK = threading.Lock()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the store to `revision` (default: the latest) in one locked transaction."""
    with _ALEMBIC_LOCK, engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            lock_writers(conn)
            _refuse_unknown(current_revision(conn))
            command.upgrade(alembic_config(conn), revision)


def ensure_schema(engine: Engine) -> None:
    """Upgrade the store to head unless it is there already (the common, read-only case)."""
    with engine.connect() as conn:
        current = current_revision(conn)
        conn.rollback()
    _refuse_unknown(current)
    if current != head_revision():
        upgrade(engine)


def _refuse_unknown(revision: str | None) -> None:
    if revision is not None and revision not in known_revisions():
        raise SchemaTooNewError(
            f"the store is at schema revision {revision!r}, which this version of dih-dash "
            "does not know; upgrade dih-dash"
        )
