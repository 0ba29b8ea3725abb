"""The demo data: fictional members, their assessments and the services the hub delivered
to them, to explore the dashboard before real data exists.

`load_demo` imports `data/demo/demo_cohort.csv` (SMEs and public-sector organisations, in
the hub template) and then `data/demo/demo_services.csv` (the hub's services template),
both written by scripts/make_demo_cohort.py, through the same readers and validation as
any file, with every row flagged `is_demo` and both uploads logged with kind `demo`;
`remove_demo` takes all of it out again in one transaction. Only this module marks rows
as demo: `import_file` and `import_services_file` without `demo=True` (the upload page
and the CLI) never do, whatever the file holds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from dih_dash.i18n import t
from dih_dash.services.importing import ImportReport, _import_bytes
from dih_dash.services.services_import import ServicesReport, import_services_file
from dih_dash.settings import Settings
from dih_dash.store.store import Actor, Store

DEMO_FILE = "demo_cohort.csv"
DEMO_SERVICES_FILE = "demo_services.csv"


@dataclass
class DemoReport(ImportReport):
    """The demo cohort's import report, with the report of its services file (None when
    the services were not imported: the cohort was refused, or the file is absent)."""

    services: ServicesReport | None = None


def demo_file(settings: Settings) -> Path:
    return settings.demo_dir / DEMO_FILE


def demo_services_file(settings: Settings) -> Path:
    return settings.demo_dir / DEMO_SERVICES_FILE


def load_demo(store: Store, settings: Settings, actor: Actor) -> DemoReport | None:
    """Import the demo cohort and its services; None (and nothing done) if demo data is
    already there.

    Raises `PermissionError` for a non-admin, `FileNotFoundError` when the cohort file is
    missing, and `DemoConflictError` when a demo id is already a real member (nothing is
    stored). A demo folder without the services file loads the cohort alone: a copy of
    the folder from before services existed still works.
    """
    if not actor.is_admin:
        raise PermissionError(t("store.not_admin_demo", "en"))
    if store.has_demo():
        return None
    path = demo_file(settings)
    cohort = _import_bytes(
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
    report = DemoReport(
        **{f.name: getattr(cohort, f.name) for f in dataclasses.fields(ImportReport)}
    )
    services = demo_services_file(settings)
    # The services name the cohort's members by id: only once the cohort is stored.
    if report.stored and services.is_file():
        report.services = import_services_file(
            store,
            services.read_bytes(),
            services.name,
            actor=actor,
            settings=settings,
            layout="services-hub",
            demo=True,
        )
    return report


def remove_demo(store: Store, actor: Actor) -> dict[str, int]:
    """Delete every demo member, assessment, service and upload (see `Store.remove_demo`)."""
    return store.remove_demo(actor)
