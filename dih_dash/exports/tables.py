"""CSV and XLSX of what a chart or table shows, safe to open in a spreadsheet.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run
as a formula by Excel or LibreOffice (CSV/formula injection: a company name typed as
`=HYPERLINK(...)` in a survey file ends up in a download). Such cells get a leading
apostrophe, which spreadsheets show as text. Numbers, negative gaps included, are
written as numbers and never touched.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells cannot run as formulas; numeric columns untouched."""
    out = frame.copy()
    for column in out.columns:
        if not (
            pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column])
        ):
            out[column] = out[column].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def to_csv_bytes(
    frame: pd.DataFrame, *, notes: Mapping[str, str] | None = None, lang: str = "en"
) -> bytes:
    """UTF-8 with BOM (so Excel on Windows reads diacritics right). In Romanian `;` between
    fields and a decimal comma, as Excel on a Romanian Windows reads and writes CSV; in
    English `,` and a decimal point.

    `notes` (source, data year, flags) become trailing columns with one value repeated on
    every row, so the provenance travels with the numbers and any CSV reader still works.
    """
    out = neutralise(frame)
    for key, value in (notes or {}).items():
        out[neutralise_cell(key)] = neutralise_cell(value)
    # CRLF line ends: Excel expects them, and the csv writer then quotes any cell holding
    # a bare carriage return instead of letting it split the row.
    separator, decimal = (";", ",") if lang == "ro" else (",", ".")
    text = out.to_csv(index=False, lineterminator="\r\n", sep=separator, decimal=decimal)
    return text.encode("utf-8-sig")


def _write_sheet(sheet: Worksheet, frame: pd.DataFrame) -> None:
    sheet.append([str(c) for c in frame.columns])
    for record in frame.itertuples(index=False):
        row = []
        for value in record:
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                row.append(None)
            elif isinstance(value, bool | int | float | str | dt.date | dt.datetime):
                row.append(value)
            else:
                row.append(str(value))
        sheet.append(row)
    # openpyxl turns any text starting with "=" into a formula; force such cells back to
    # text and mark them quote-prefixed, so Excel shows and keeps them as typed.
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith(DANGEROUS_PREFIXES):
                cell.data_type = "s"
                cell.quotePrefix = True


def to_xlsx_bytes(
    frame: pd.DataFrame, *, sheet: str = "data", notes: Mapping[str, str] | None = None
) -> bytes:
    """One data sheet plus, when given, a `source` sheet with the provenance notes."""
    workbook = Workbook()
    data_sheet = workbook.active
    data_sheet.title = sheet[:31]
    _write_sheet(data_sheet, frame)
    if notes:
        _write_sheet(
            workbook.create_sheet("source"),
            pd.DataFrame({"field": list(notes), "value": list(notes.values())}),
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
