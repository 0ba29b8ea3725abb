"""The member store: survey assessments by (member_id, wave), on SQLite or PostgreSQL.

    store = open_store(load_settings())            # migrates to the current schema
    report = import_file(store, data, "members.csv", actor=actor, settings=settings)
    frame = store.load_assessments(include_demo=False)

See `store.py` for the import semantics, `importing.py` for the file pipeline, `demo.py`
for the demo cohort, `migrate.py` and `migrations/` for schema changes.
"""

from __future__ import annotations

from dih_dash.settings import Settings
from dih_dash.store.demo import demo_file, load_demo, remove_demo
from dih_dash.store.engine import make_engine, normalise_url
from dih_dash.store.importing import ImportReport, import_file
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
    "ImportReport",
    "NameChange",
    "Store",
    "StoreOutcome",
    "UploadInfo",
    "demo_file",
    "import_file",
    "load_demo",
    "make_engine",
    "normalise_url",
    "open_store",
    "remove_demo",
]


def open_store(settings: Settings, url: str | None = None) -> Store:
    """The store at `url` (default: the setting DIH_DASH_DATABASE_URL), at the current schema."""
    return Store.open(url or settings.database_url)
