"""A services file (`RawTable`) → the service rows to store, and every problem by row
(spec/edih-services.md §3; row numbers, errors and warnings as in survey-format.md §5).

Pure: whether a hub row's member exists, and which member an export row's customer is, are
questions for the store, asked after this.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from dih_dash.domain.phrases import FileRefused, Phrase, localise_params
from dih_dash.domain.services_schema import (
    CATEGORIES,
    CUSTOMER_TYPES,
    EXPORT_REQUIRED,
    HUB_REQUIRED,
    LAYOUT_EXPORT,
    LAYOUT_HUB,
    customer_key,
    detect_services_layout,
    export_names,
    hub_names,
    parse_category,
    parse_customer_type,
    service_key,
)
from dih_dash.domain.survey_table import RawTable
from dih_dash.domain.survey_values import normalise_header
from dih_dash.i18n import t

MAX_TEXT = 2_000  # description and status: longer is not a description but a pasted page


@dataclass(frozen=True)
class ServiceIssue:
    """An error (row not stored) or a warning about a services file."""

    row: int | None
    column: str | None
    value: str | None
    code: str
    params: dict[str, object] = field(default_factory=dict)
    level: str = "error"

    def message(self, lang: str = "en") -> str:
        text = t(f"services_import.{self.code}", lang, **localise_params(self.params, lang))
        where = []
        if self.row is not None:
            where.append(t("services_import.at_row", lang, row=self.row))
        if self.column:
            where.append(t("services_import.at_column", lang, column=self.column))
        return f"{', '.join(where)}: {text}" if where else text

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        found: dict[str, Any] = {"row": self.row, "column": self.column}
        if self.value is not None:
            found["value"] = self.value
        found["message"] = self.message(lang)
        return found


@dataclass(frozen=True)
class ServiceRow:
    """One valid service row. Exactly one of `customer` (export) and `member_id` (hub)."""

    row: int
    key: str  # services_schema.service_key
    customer_key: str
    customer: str | None
    member_id: str | None
    customer_type: str | None
    category: str
    start_date: dt.date | None
    end_date: dt.date | None
    description: str
    price_eur: float | None
    status: str | None


@dataclass
class ServicesResult:
    layout: str
    rows: int
    services: list[ServiceRow]
    errors: list[ServiceIssue]
    warnings: list[ServiceIssue]

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors if e.row is not None})


# --- values ----------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


def parse_date(text: str) -> dt.date | None:
    """`2025-03-14` (an XLSX date cell reads so), or `14.03.2025` / `14/03/2025` (day
    first, as in Romania); None when it is neither."""
    text = text.strip()
    try:
        if m := _ISO_DATE.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DAY_FIRST.match(text):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def parse_dates(text: str) -> tuple[dt.date, dt.date] | None:
    """`YYYY-MM-DD / YYYY-MM-DD` (start / end) or one date (start = end); None otherwise."""
    parts = [p for p in re.split(r"\s+/\s+|\s*\u2013\s*|\s+-\s+", text.strip()) if p]
    if len(parts) == 1:
        day = parse_date(parts[0])
        return (day, day) if day else None
    if len(parts) == 2:
        start, end = parse_date(parts[0]), parse_date(parts[1])
        return (start, end) if start and end else None
    return None


_PRICE_CHARS = re.compile(r"[\s\u00a0\u202f€]|eur(?:o)?$", re.IGNORECASE)


def parse_price(text: str) -> float | None:
    """A price in euro: `1.250,50`, `1,250.50`, `1250,5`, `1 250`, `€ 1250`.

    With both marks, the last one is the decimal mark. With one mark: several of it are
    thousands separators; a single one followed by exactly three digits (`1.250`, `1,250`)
    is a thousands separator too (a price in euro has no third decimal); otherwise it is
    the decimal mark. None when the text is no number."""
    text = _PRICE_CHARS.sub("", text.strip())
    if not re.fullmatch(r"-?[0-9.,]*[0-9][0-9.,]*", text):
        return None
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    else:
        mark = "," if "," in text else "." if "." in text else None
        if mark is not None:
            head, _, tail = text.rpartition(mark)
            if text.count(mark) > 1 or (len(tail) == 3 and head.lstrip("-")):
                text = text.replace(mark, "")
            else:
                text = text.replace(mark, ".")
    try:
        return float(text)
    except ValueError:
        return None


# --- the file --------------------------------------------------------------------------------


def _columns(table: RawTable, names: dict[str, str]) -> tuple[dict[str, int], list[ServiceIssue]]:
    found: dict[str, int] = {}
    warnings: list[ServiceIssue] = []
    for pos, label in enumerate(table.header):
        fld = names.get(normalise_header(label))
        if fld is None:
            if label.strip():
                warnings.append(
                    ServiceIssue(None, label.strip(), None, "ignored_column", level="warning")
                )
        elif fld in found:
            warnings.append(
                ServiceIssue(None, label.strip(), None, "duplicate_column", level="warning")
            )
        else:
            found[fld] = pos
    return found, warnings


def validate_services(table: RawTable, layout: str = "auto") -> ServicesResult:
    """Check every row of a services file. `FileRefused` when its header fits neither
    services layout (or not the one asked for)."""
    found_layout = detect_services_layout(table.header)
    if layout == "auto":
        layout = found_layout or ""
    if layout not in (LAYOUT_EXPORT, LAYOUT_HUB) or found_layout != layout:
        required = EXPORT_REQUIRED if layout != LAYOUT_HUB else HUB_REQUIRED
        present = {normalise_header(h) for h in table.header}
        names = export_names() if layout != LAYOUT_HUB else hub_names()
        have = {names[h] for h in present if h in names}
        missing = [r for r in required if names[normalise_header(r)] not in have]
        raise FileRefused(
            "missing_columns",
            layout=Phrase.of(f"services_import.layouts.{layout or LAYOUT_EXPORT}"),
            missing=missing or list(required),
        )
    names = export_names() if layout == LAYOUT_EXPORT else hub_names()
    columns, warnings = _columns(table, names)
    if layout == LAYOUT_EXPORT and "dates" not in columns and "start_date" not in columns:
        warnings.append(ServiceIssue(None, "Dates", None, "no_dates", level="warning"))
    result = ServicesResult(layout, len(table), [], [], warnings)
    header = table.header
    cells = {fld: table.frame.iloc[:, pos].tolist() for fld, pos in columns.items()}
    seen: dict[str, ServiceRow] = {}
    for index, row_number in enumerate(table.row_numbers):
        values = {fld: str(cells[fld][index]).strip() for fld in cells}
        labels = {fld: header[pos].strip() for fld, pos in columns.items()}
        row, errors = _check_row(layout, row_number, values, labels)
        result.errors.extend(errors)
        if row is None:
            continue
        earlier = seen.get(row.key)
        if earlier is None:
            seen[row.key] = row
            result.services.append(row)
        elif (earlier.price_eur, earlier.status, earlier.customer_type, earlier.customer) != (
            row.price_eur,
            row.status,
            row.customer_type,
            row.customer,
        ):
            result.errors.append(
                ServiceIssue(row_number, None, None, "duplicate_key", {"first": earlier.row})
            )
        else:
            result.warnings.append(
                ServiceIssue(
                    row_number, None, None, "repeated_row", {"first": earlier.row}, "warning"
                )
            )
    if result.errors:
        bad = {e.row for e in result.errors}
        result.services = [s for s in result.services if s.row not in bad]
    return result


def _check_row(
    layout: str, row: int, values: dict[str, str], labels: dict[str, str]
) -> tuple[ServiceRow | None, list[ServiceIssue]]:
    errors: list[ServiceIssue] = []

    def error(fld: str, code: str, **params: object) -> None:
        errors.append(ServiceIssue(row, labels.get(fld, fld), values.get(fld, ""), code, params))

    customer = member_id = customer_type = None
    if layout == LAYOUT_EXPORT:
        customer = " ".join(values.get("customer", "").split())
        if not customer:
            error("customer", "required")
        elif len(customer) > 200:
            error("customer", "too_long", limit=200)
        customer_type = parse_customer_type(values.get("customer_type", ""))
        if customer_type is None:
            error("customer_type", "bad_customer_type", accepted=", ".join(CUSTOMER_TYPES))
    else:
        member_id = values.get("member_id", "").upper()
        if not member_id:
            error("member_id", "required")
        elif len(member_id) > 64:
            error("member_id", "too_long", limit=64)
    category = parse_category(values.get("category", ""))
    if category is None:
        error("category", "bad_category", accepted="; ".join(CATEGORIES))
    start = end = None
    if values.get("dates"):
        span = parse_dates(values["dates"])
        if span is None:
            error("dates", "bad_dates")
        else:
            start, end = span
    else:
        for fld in ("start_date", "end_date"):
            text = values.get(fld, "")
            if text:
                day = parse_date(text)
                if day is None:
                    error(fld, "bad_date")
                elif fld == "start_date":
                    start = day
                else:
                    end = day
        if start is not None and end is None and "end_date" not in values:
            end = start  # only a start column: a service of one day
    if start is not None and end is not None and end < start:
        error("end_date" if "end_date" in values else "dates", "end_before_start")
    price = None
    if values.get("price_eur"):
        price = parse_price(values["price_eur"])
        if price is None:
            error("price_eur", "bad_price")
        elif price < 0:
            error("price_eur", "negative_price")
            price = None
    description = " ".join(values.get("description", "").split())
    status = " ".join(values.get("status", "").split()) or None
    for fld, text in (("description", description), ("status", status or "")):
        if len(text) > MAX_TEXT:
            error(fld, "too_long", limit=MAX_TEXT)
    if errors or category is None:
        return None, errors
    who = customer_key(name=customer) if customer else customer_key(member_id=member_id)
    key = service_key(
        who,
        category,
        start.isoformat() if start else None,
        end.isoformat() if end else None,
        description,
    )
    return (
        ServiceRow(
            row=row,
            key=key,
            customer_key=who,
            customer=customer,
            member_id=member_id,
            customer_type=customer_type,
            category=category,
            start_date=start,
            end_date=end,
            description=description,
            price_eur=price,
            status=status,
        ),
        [],
    )
