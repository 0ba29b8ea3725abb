"""One services-delivered file into the store, and a customer's name linked to a member
(spec/edih-services.md §3): bytes → `read_table` → `validate_services` → the store.

Read, refused, counted and reported like a survey file (`importing.py`), so the CLI and,
later, the upload page show both alike; the report adds the customers left unlinked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dih_dash.domain.phrases import FileRefused
from dih_dash.domain.services_schema import LAYOUTS, detect_services_layout
from dih_dash.domain.services_validation import validate_services
from dih_dash.services.importing import (
    ImportReport,
    by_row,
    check_may_import,
    fill_counts,
    read_and_check,
    read_within_limits,
    upload_of,
)
from dih_dash.settings import Settings
from dih_dash.store.services_store import import_services, link_customer, service_counts
from dih_dash.store.store import Actor, Store

__all__ = [
    "LAYOUTS",
    "ServicesReport",
    "import_services_file",
    "is_services_file",
    "link_customer",
    "service_counts",
]


@dataclass
class ServicesReport(ImportReport):
    """An `ImportReport` with the customer names stored unlinked (spec §3.4)."""

    unlinked: list[str] = field(default_factory=list)

    def to_json_dict(self, lang: str = "en") -> dict[str, Any]:
        found = super().to_json_dict(lang)
        if self.refused is None:
            found["unlinked"] = list(self.unlinked)
        return found


def is_services_file(data: bytes, filename: str, settings: Settings) -> bool:
    """Whether the file's header is one of the services layouts (False also when the file
    cannot be read: the survey import has said why already)."""
    try:
        table = read_within_limits(data, filename, settings)
    except FileRefused:
        return False
    return detect_services_layout(table.header) is not None


def import_services_file(
    store: Store,
    data: bytes,
    filename: str,
    *,
    actor: Actor,
    settings: Settings,
    layout: str = "auto",
    dry_run: bool = False,
    skip_invalid: bool = False,
    demo: bool = False,
) -> ServicesReport:
    """Read, check and (unless `dry_run`) store one services file, all or nothing.
    `demo` marks every row and the upload as demo data (only `services.demo` passes it)."""
    check_may_import(actor, dry_run=dry_run)
    report = ServicesReport(file=filename, dry_run=dry_run)
    result = read_and_check(
        data,
        filename,
        settings=settings,
        report=report,
        check=lambda table: validate_services(table, layout),
    )
    if result is None:
        return report
    upload = upload_of(data, filename, result.layout, report, demo=demo)
    outcome = import_services(
        store,
        result.services,
        upload,
        actor=actor,
        file_rows=result.rows,
        rejected=result.rejected,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        is_demo=demo,
    )
    fill_counts(report, result.layout, outcome)
    report.errors = by_row([*result.errors, *outcome.errors])
    report.warnings = by_row([*result.warnings, *outcome.warnings])
    report.unlinked = outcome.unlinked
    return report
