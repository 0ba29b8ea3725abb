"""One member survey file into the store: bytes → read → validate → store.

The upload page and `dih-dash import` both call `import_file`, so they accept, refuse and
report exactly the same way (spec/survey-format.md §4–§7). The demo cohort goes through
the same steps (`dih_dash.services.demo`), only flagged as demo data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import numpy as np
import pandas as pd

from dih_dash.domain.phrases import FileRefused
from dih_dash.domain.survey_mapping import ColumnMapping
from dih_dash.domain.survey_schema import DMA_DIMENSIONS, DMA_OVERALL, PSO_DIMENSIONS
from dih_dash.domain.survey_table import RawTable
from dih_dash.domain.survey_validation import Issue, ValidationResult, validate
from dih_dash.gc_pause import gc_paused
from dih_dash.i18n import t
from dih_dash.settings import Settings
from dih_dash.sources.reference import load_counties
from dih_dash.sources.survey_files import read_table
from dih_dash.store.store import Actor, ImportCounts, NameChange, Store, UploadInfo

_Checked = TypeVar("_Checked")

EXIT_ACCEPTED = 0
EXIT_ROWS_REJECTED = 1
EXIT_REFUSED = 2


class ReportIssue(Protocol):
    """What the report needs of a validation issue or a store warning."""

    row: int | None
    column: str | None

    def message(self, lang: str = "en") -> str: ...

    def to_dict(self, lang: str = "en") -> dict[str, Any]: ...


@dataclass
class ImportReport:
    """The outcome of one import, as the CLI prints it and the upload page shows it."""

    file: str
    dry_run: bool = False
    layout: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    stored: bool = False
    errors: list[ReportIssue] = field(default_factory=list)
    warnings: list[ReportIssue] = field(default_factory=list)
    refused: FileRefused | None = None
    upload_id: int | None = None

    @property
    def exit_code(self) -> int:
        """Spec §7: 0 whole file accepted, 1 rows rejected, 2 file refused."""
        if self.refused is not None:
            return EXIT_REFUSED
        return EXIT_ROWS_REJECTED if self.rejected else EXIT_ACCEPTED

    @property
    def name_changes(self) -> list[NameChange]:
        return [w for w in self.warnings if isinstance(w, NameChange)]

    def to_json_dict(self, lang: str = "en") -> dict[str, Any]:
        """The JSON object of spec §7 (`dih-dash import --json`)."""
        if self.refused is not None:
            return {"file": self.file, "stored": False, "refused": self.refused.reason(lang)}
        return {
            "file": self.file,
            "layout": self.layout,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "stored": self.stored,
            "errors": [issue.to_dict(lang) for issue in self.errors],
            "warnings": [issue.to_dict(lang) for issue in self.warnings],
        }


def import_file(
    store: Store,
    data: bytes,
    filename: str,
    *,
    actor: Actor,
    settings: Settings,
    layout: str = "auto",
    mapping: ColumnMapping | None = None,
    wave: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportReport:
    """Read, check and (unless `dry_run`) store one survey file, all or nothing.

    Raises `PermissionError` for a non-admin actor unless `dry_run`. A file that cannot be
    read, or whose header fits no layout, comes back as a report with `refused` set.
    """
    return _import_bytes(
        store,
        data,
        filename,
        actor=actor,
        settings=settings,
        layout=layout,
        mapping=mapping,
        wave=wave,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        demo=False,
    )


def _import_bytes(
    store: Store,
    data: bytes,
    filename: str,
    *,
    actor: Actor,
    settings: Settings,
    layout: str,
    mapping: ColumnMapping | None,
    wave: str | None,
    dry_run: bool,
    skip_invalid: bool,
    demo: bool,
) -> ImportReport:
    check_may_import(actor, dry_run=dry_run)
    report = ImportReport(file=filename, dry_run=dry_run)

    def check(table: RawTable) -> ValidationResult:
        return validate(table, counties=load_counties(), layout=layout, mapping=mapping, wave=wave)

    # The raw text cells stay inside read_and_check: a million rows of them is a lot.
    result = read_and_check(data, filename, settings=settings, report=report, check=check)
    if result is None:
        return report
    result = reject_kind_changes(result, store.member_kinds(result.assessments["member_id"]))

    upload = upload_of(data, filename, result.layout, report, demo=demo)
    outcome = store.import_assessments(
        result.assessments,
        upload,
        actor=actor,
        rows=result.rows,
        rejected=result.rejected,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        is_demo=demo,
        carried=carried_columns(result.columns),
    )
    fill_counts(report, result.layout, outcome)
    report.errors = list(result.errors)
    report.warnings = by_row([*result.warnings, *outcome.name_changes])
    return report


def check_may_import(actor: Actor, *, dry_run: bool) -> None:
    """Raise `PermissionError` for a non-admin storing a file."""
    # Refuse before the work: reading a large file only to be told "not allowed" is rude.
    if not dry_run and not actor.is_admin:
        raise PermissionError(t("store.not_admin_import", "en"))


def read_within_limits(data: bytes, filename: str, settings: Settings) -> RawTable:
    """`read_table` with the settings' upload size and row limits."""
    return read_table(
        data,
        filename,
        max_bytes=settings.max_upload_mb * 1_048_576,
        max_rows=settings.max_rows,
    )


def read_and_check(
    data: bytes,
    filename: str,
    *,
    settings: Settings,
    report: ImportReport,
    check: Callable[[RawTable], _Checked],
) -> _Checked | None:
    """Read the file within the settings' limits and `check` it; None when the file is
    refused, with `report.refused` set. Encoding and delimiter go into `report`."""
    try:
        table = read_within_limits(data, filename, settings)
        report.encoding = table.encoding
        report.delimiter = table.delimiter
        # Validating a large file makes millions of short-lived objects that are never
        # cyclic garbage: without the pause, collections took a third of the import.
        with gc_paused():
            return check(table)
    except FileRefused as refused:
        report.refused = refused
        return None


def upload_of(
    data: bytes, filename: str, layout: str, report: ImportReport, *, demo: bool
) -> UploadInfo:
    """The import log's record of one file, as its reading found it (a survey or services
    file alike; the demo data's uploads are kind `demo`)."""
    return UploadInfo.for_bytes(
        data,
        filename,
        layout=layout,
        encoding=report.encoding,
        delimiter=report.delimiter,
        kind="demo" if demo else "file",
    )


def fill_counts(report: ImportReport, layout: str, outcome: ImportCounts) -> None:
    """Copy the layout and the store's counts into `report`."""
    report.layout = layout
    report.rows = outcome.rows
    report.inserted = outcome.inserted
    report.updated = outcome.updated
    report.unchanged = outcome.unchanged
    report.rejected = outcome.rejected
    report.stored = outcome.stored
    report.upload_id = outcome.upload_id


def carried_columns(found: Mapping[str, str]) -> set[str]:
    """The value columns a file gives: those it has, plus what is derived from them (the
    DMA overall from the six dimensions, the size class from the head count)."""
    carried = set(found)
    if all(d in carried for d in DMA_DIMENSIONS) or all(d in carried for d in PSO_DIMENSIONS):
        carried.add(DMA_OVERALL)
    if "employees" in carried:
        carried.add("size_class")
    return carried


def reject_kind_changes(result: ValidationResult, stored: Mapping[str, str]) -> ValidationResult:
    """`result` with an error on every valid row that would change a stored member's kind
    (spec edih-services.md §1): such rows move from the valid frame to the rejected ones.

    `stored` is the stored kind of the file's members that are stored. A row without a kind
    (a hub file without `org_type`, or an empty cell) claims none and passes.
    """
    frame = result.assessments
    if not stored or not len(frame):
        return result
    given = frame["org_type"].to_numpy(dtype=object, na_value=None)
    ids = frame["member_id"].to_numpy(dtype=object)
    kinds = np.array([stored.get(m) for m in ids], dtype=object)
    clash = np.array(
        [g is not None and k is not None and g != k for g, k in zip(given, kinds, strict=True)],
        dtype=bool,
    )
    if not clash.any():
        return result
    label = result.columns.get("org_type") or result.columns.get("member_id")
    errors = list(result.errors)
    for i in np.flatnonzero(clash).tolist():
        params = {"member_id": ids[i], "stored": kinds[i], "given": given[i]}
        row = frame["source_row"].iat[i] if "source_row" in frame.columns else None
        errors.append(
            Issue(
                None if row is None or pd.isna(row) else int(row),
                label,
                str(given[i]),
                "org_type_conflict",
                params,
            )
        )
    errors.sort(key=lambda issue: (issue.row is None, issue.row or 0))
    return ValidationResult(
        layout=result.layout,
        rows=result.rows,
        assessments=frame[~clash].reset_index(drop=True),
        errors=errors,
        warnings=result.warnings,
        rejected=result.rejected + int(clash.sum()),
        columns=result.columns,
    )


def by_row(issues: Sequence[ReportIssue]) -> list[ReportIssue]:
    """File-wide issues first, then by spreadsheet row; ties keep their order."""
    return sorted(issues, key=lambda issue: (issue.row is not None, issue.row or 0))
