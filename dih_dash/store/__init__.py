"""The member store: survey assessments by (member_id, wave), on SQLite or PostgreSQL.

    store = open_store(load_settings())            # migrates to the current schema
    frame = store.load_assessments(include_demo=False)

See `store.py` for the import semantics, `migrate.py` and `migrations/` for schema changes.
A file is read, checked and stored by `dih_dash.services.import_file`, the demo cohort
loaded by `dih_dash.services.load_demo`.
"""

from __future__ import annotations

from dih_dash.settings import Settings
from dih_dash.store.engine import make_engine, normalise_url
from dih_dash.store.store import (
    Actor,
    DemoConflictError,
    NameChange,
    Store,
    StoreOutcome,
    UploadInfo,
)

__all__ = [
    "Actor",
    "DemoConflictError",
    "NameChange",
    "Store",
    "StoreOutcome",
    "UploadInfo",
    "make_engine",
    "normalise_url",
    "open_store",
]


def open_store(settings: Settings, url: str | None = None) -> Store:
    """The store at `url` (default: the setting DIH_DASH_DATABASE_URL), at the current schema."""
    return Store.open(url or settings.database_url)
