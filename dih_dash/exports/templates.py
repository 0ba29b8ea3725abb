"""The hub template offered for download (spec/survey-format.md §2): CSV and XLSX, with
English or Romanian headers, and two clearly fictional example rows to overwrite.

Romanian headers use the aliases of `HUB_COLUMNS` (the readers accept the same aliases), a
column without one keeps its field name. Both templates read back through `read_table` and
`validate` as a `hub` file with no errors (a test makes sure).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dih_dash.domain.survey_schema import (
    ASSESSMENT_COLUMNS,
    DII_ITEMS,
    DMA_COLUMNS,
    HUB_COLUMNS,
    PSO_DIMENSIONS,
)
from dih_dash.i18n import LANGS, t

TEMPLATE_BASENAME = {"en": "dih-dash-member-survey", "ro": "dih-dash-chestionar-membri"}
DATA_SHEET = {"en": "survey", "ro": "chestionar"}  # names `read_table` looks for first

_SIZE_WORDS = {"ro": {"micro": "micro", "small": "mică", "medium": "mijlocie", "large": "mare"}}
_COUNTY_NAMES = {"ro": {"CJ": "Cluj", "BH": "Bihor"}}
_DII_WORDS = {"en": ("yes", "no"), "ro": ("da", "nu")}
_NOTE_KEYS = (
    "examples", "required", "wave", "date", "size", "county", "org_type", "dma", "dii", "other",
)  # fmt: skip
_ORG_WORDS = {"ro": {"sme": "imm", "pso": "institutie_publica"}}

# The template's columns: the PSO instrument's dimensions come from the PSO DMA export, so
# the template (filled in by hand, mostly for SMEs) leaves them out; a hub file may still
# carry them.
TEMPLATE_COLUMNS: tuple[str, ...] = tuple(c for c in ASSESSMENT_COLUMNS if c not in PSO_DIMENSIONS)


def _yes_no(flags: str) -> dict[str, bool]:
    return {item: flag == "1" for item, flag in zip(DII_ITEMS, flags, strict=True)}


def _examples(lang: str) -> list[dict[str, object]]:
    """Two fictional members (EXEMPLU-/EXAMPLE- ids, "(exemplu)" in the name)."""
    tag = t("surveys.template.example_tag", lang)
    prefix = "EXEMPLU" if lang == "ro" else "EXAMPLE"
    return [
        {
            "member_id": f"{prefix}-01",
            "company_name": f"Exemplu Mobilă SRL ({tag})",
            "wave": "T0",
            "assessed_on": dt.date(2025, 3, 14),
            "cluster": "Mobilier",
            "sector": "C31",
            "size_class": "small",
            "employees": 23,
            "county": "CJ",
            "org_type": "sme",
            "dma_strategy": 42.5,
            "dma_readiness": 38.0,
            "dma_human": 55.0,
            "dma_data": 30.5,
            "dma_automation": 20.0,
            "dma_green": 45.0,
            "dma_overall": 38.5,
            **_yes_no("110101011000"),
        },
        {
            "member_id": f"{prefix}-02",
            "company_name": f"Exemplu Soft SRL ({tag})",
            "wave": "T1",
            "assessed_on": dt.date(2025, 9, 30),
            "cluster": "IT",
            "sector": "J62",
            "size_class": "micro",
            "employees": 7,
            "county": "BH",
            "org_type": "sme",
            "dma_strategy": 70.5,
            "dma_readiness": 65.5,
            "dma_human": 60.0,
            "dma_data": 72.0,
            "dma_automation": 50.0,
            "dma_green": 51.0,
            "dma_overall": 61.5,
            **_yes_no("111111111100"),
        },
    ]


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")


def template_headers(lang: str) -> list[str]:
    """Column headers of the template: field names, or their Romanian aliases for `ro`."""
    _check_lang(lang)
    if lang == "en":
        return list(TEMPLATE_COLUMNS)
    return [HUB_COLUMNS.get(name) or name for name in TEMPLATE_COLUMNS]


def _number_text(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "ro" else text


def _cell_text(name: str, value: object, lang: str) -> str:
    if isinstance(value, bool):
        yes, no = _DII_WORDS[lang]
        return yes if value else no
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y") if lang == "ro" else value.isoformat()
    if isinstance(value, float):
        return _number_text(value, lang)
    if name == "size_class":
        return _SIZE_WORDS.get(lang, {}).get(str(value), str(value))
    if name == "org_type":
        return _ORG_WORDS.get(lang, {}).get(str(value), str(value))
    if name == "county":
        return _COUNTY_NAMES.get(lang, {}).get(str(value), str(value))
    return str(value)


def template_csv(lang: str) -> bytes:
    """The template as CSV, UTF-8 with a BOM: without it Excel reads the file in the PC's
    ANSI code page and garbles ă, ș, ț. The Romanian one is separated by `;` and writes
    decimal commas (`42,5`) and dates as `14.03.2025`, which is what Excel in a Romanian
    locale opens in columns and saves back; the English one uses `,` and `42.5`."""
    _check_lang(lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if lang == "ro" else ",", lineterminator="\r\n")
    writer.writerow(template_headers(lang))
    for example in _examples(lang):
        writer.writerow([_cell_text(name, example[name], lang) for name in TEMPLATE_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(lang: str) -> bytes:
    """The template as an XLSX workbook: the sheet `survey` / `chestionar` with the header
    and the two examples (numbers and dates as real cells), then a sheet of notes."""
    _check_lang(lang)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET[lang]
    headers = template_headers(lang)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    date_format = "dd.mm.yyyy" if lang == "ro" else "yyyy-mm-dd"
    for example in _examples(lang):
        row: list[object] = []
        for name in TEMPLATE_COLUMNS:
            value = example[name]
            is_typed = isinstance(value, int | float | dt.date) and not isinstance(value, bool)
            row.append(value if is_typed else _cell_text(name, value, lang))
        sheet.append(row)
    for col, name in enumerate(TEMPLATE_COLUMNS, start=1):
        if name == "assessed_on":
            for cell in sheet[get_column_letter(col)][1:]:
                cell.number_format = date_format
        width = max(len(headers[col - 1]), 8) + 2
        if name == "company_name":
            width = 32
        elif name in DMA_COLUMNS or name in DII_ITEMS:
            width = max(width, 10)
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(t("surveys.template.notes_sheet", lang))
    notes.column_dimensions["A"].width = 120
    notes.append([t("surveys.template.notes_title", lang)])
    notes["A1"].font = Font(bold=True)
    for key in _NOTE_KEYS:
        notes.append([t(f"surveys.template.note_{key}", lang)])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
