"""The hub's services template (spec/edih-services.md §3.2): CSV and XLSX, English or
Romanian headers, with two fictional example rows to overwrite.

Next to the survey templates (`templates.py`) and made the same way: UTF-8 with a BOM, the
Romanian CSV separated by `;` with decimal commas and day-first dates. Both read back
through `read_table` and `validate_services` as a `services-hub` file with no errors (a
test makes sure); importing them unchanged fails on purpose, since the example member ids
are not stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from dih_dash.domain.services_schema import CATEGORIES, CATEGORIES_RO, HUB_COLUMNS
from dih_dash.i18n import LANGS

SERVICES_TEMPLATE_BASENAME = {"en": "dih-dash-services", "ro": "dih-dash-servicii"}
SERVICES_SHEET = {"en": "services", "ro": "servicii"}
_FIELDS = tuple(HUB_COLUMNS)


def services_template_headers(lang: str) -> list[str]:
    _check_lang(lang)
    return list(_FIELDS) if lang == "en" else [HUB_COLUMNS[name] for name in _FIELDS]


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")


def _examples(lang: str) -> list[dict[str, object]]:
    prefix = "EXEMPLU" if lang == "ro" else "EXAMPLE"
    categories = CATEGORIES_RO if lang == "ro" else CATEGORIES
    return [
        {
            "member_id": f"{prefix}-01",
            "service_category": categories[0],
            "start_date": dt.date(2025, 4, 1),
            "end_date": dt.date(2025, 5, 15),
            "description": "Pilot de mentenanță predictivă (exemplu)"
            if lang == "ro"
            else "Predictive maintenance pilot (example)",
            "price_eur": 1250.5,
            "status": "Finalizat" if lang == "ro" else "Completed",
        },
        {
            "member_id": f"{prefix}-02",
            "service_category": categories[1],
            "start_date": dt.date(2025, 10, 6),
            "end_date": dt.date(2025, 10, 6),
            "description": "Curs de securitate cibernetică (exemplu)"
            if lang == "ro"
            else "Cybersecurity course (example)",
            "price_eur": 0.0,
            "status": "În desfășurare" if lang == "ro" else "Ongoing",
        },
    ]


def _text(value: object, lang: str) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y") if lang == "ro" else value.isoformat()
    if isinstance(value, float):
        text = f"{value:.2f}"
        return text.replace(".", ",") if lang == "ro" else text
    return str(value)


def services_template_csv(lang: str) -> bytes:
    """The template as CSV, UTF-8 with a BOM (Excel then reads ă, ș, ț right)."""
    _check_lang(lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if lang == "ro" else ",", lineterminator="\r\n")
    writer.writerow(services_template_headers(lang))
    for example in _examples(lang):
        writer.writerow([_text(example[name], lang) for name in _FIELDS])
    return buffer.getvalue().encode("utf-8-sig")


def services_template_xlsx(lang: str) -> bytes:
    """The template as an XLSX workbook (dates and prices as real cells)."""
    _check_lang(lang)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SERVICES_SHEET[lang]
    sheet.append(services_template_headers(lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for example in _examples(lang):
        sheet.append([example[name] for name in _FIELDS])
    date_format = "dd.mm.yyyy" if lang == "ro" else "yyyy-mm-dd"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.datetime | dt.date):
                cell.number_format = date_format
    for letter, width in zip("ABCDEFG", (14, 36, 12, 12, 48, 10, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
