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
from dih_dash.gc_pause import gc_paused
from dih_dash.i18n import t
from dih_dash.services.importing import ImportReport, _by_row
from dih_dash.settings import Settings
from dih_dash.sources.survey_files import read_table
from dih_dash.store.services_store import import_services, link_customer, service_counts
from dih_dash.store.store import Actor, Store, UploadInfo

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
        table = read_table(
            data,
            filename,
            max_bytes=settings.max_upload_mb * 1_048_576,
            max_rows=settings.max_rows,
        )
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
) -> ServicesReport:
    """Read, check and (unless `dry_run`) store one services file, all or nothing."""
    if not dry_run and not actor.is_admin:
        raise PermissionError(t("store.not_admin_import", "en"))
    report = ServicesReport(file=filename, dry_run=dry_run)
    try:
        table = read_table(
            data,
            filename,
            max_bytes=settings.max_upload_mb * 1_048_576,
            max_rows=settings.max_rows,
        )
        report.encoding = table.encoding
        report.delimiter = table.delimiter
        with gc_paused():
            result = validate_services(table, layout)
    except FileRefused as refused:
        report.refused = refused
        return report
    upload = UploadInfo.for_bytes(
        data,
        filename,
        layout=result.layout,
        encoding=report.encoding,
        delimiter=report.delimiter,
    )
    outcome = import_services(
        store,
        result.services,
        upload,
        actor=actor,
        file_rows=result.rows,
        rejected=result.rejected,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
    )
    report.layout = result.layout
    report.rows = outcome.rows
    report.inserted = outcome.inserted
    report.updated = outcome.updated
    report.unchanged = outcome.unchanged
    report.rejected = outcome.rejected
    report.stored = outcome.stored
    report.upload_id = outcome.upload_id
    report.errors = _by_row([*result.errors, *outcome.errors])
    report.warnings = _by_row([*result.warnings, *outcome.warnings])
    report.unlinked = outcome.unlinked
    return report
