"""The demo cohort: fictional members to explore the dashboard before real data exists.

`load_demo` imports `data/demo/demo_cohort.csv` (written by scripts/make_demo_cohort.py)
through the same reader and validation as any file, with every row flagged `is_demo` and
the upload logged with kind `demo`; `remove_demo` takes all of it out again in one
transaction. Only this module marks rows as demo: `import_file` (the upload page and
`dih-dash import`) never does, whatever the file holds.
"""

from __future__ import annotations

from pathlib import Path

from dih_dash.i18n import t
from dih_dash.services.importing import ImportReport, _import_bytes
from dih_dash.settings import Settings
from dih_dash.store.store import Actor, Store

DEMO_FILE = "demo_cohort.csv"


def demo_file(settings: Settings) -> Path:
    return settings.demo_dir / DEMO_FILE


def load_demo(store: Store, settings: Settings, actor: Actor) -> ImportReport | None:
    """Import the demo cohort; None (and nothing done) if demo data is already there.

    Raises `PermissionError` for a non-admin, `FileNotFoundError` when the file is missing,
    and `DemoConflictError` when a demo id is already a real member (nothing is stored).
    """
    if not actor.is_admin:
        raise PermissionError(t("store.not_admin_demo", "en"))
    if store.has_demo():
        return None
    path = demo_file(settings)
    return _import_bytes(
        store,
        path.read_bytes(),
        path.name,
        actor=actor,
        settings=settings,
        layout="hub",
        mapping=None,
        wave=None,
        dry_run=False,
        skip_invalid=False,
        demo=True,
    )


def remove_demo(store: Store, actor: Actor) -> dict[str, int]:
    """Delete every demo member, assessment and upload (see `Store.remove_demo`)."""
    return store.remove_demo(actor)
