"""An XLSX workbook → `RawTable`, through calamine, once `xlsx_guard` has passed it."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterator

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, SheetVisibleEnum

from dih_dash.domain.phrases import FileRefused
from dih_dash.domain.survey_table import RawTable
from dih_dash.domain.text import column_letter, comma_below
from dih_dash.gc_pause import gc_paused
from dih_dash.sources.survey_files.table import TableBuilder
from dih_dash.sources.survey_files.xlsx_guard import check_workbook

# Sheet names that hold the answers when a workbook has several (compared case-insensitively).
PREFERRED_SHEETS: tuple[str, ...] = (
    "my smes dma results",
    "my psos dma results",
    "survey",
    "chestionar",
)
# Sheets preferred by the start of their name: the EDIH services reporting export names its
# sheet "Reporting of EDIH services delivered…", cut by Excel at 31 characters.
PREFERRED_SHEET_PREFIXES: tuple[str, ...] = ("reporting of edih services del",)

_BATCH_ROWS = 16_384  # sheet rows turned into columns at a time

# The control codes a CSV is refused for (decoding.py); XML 1.0 forbids them too, yet calamine
# passes a character reference such as `&#27;` through as the character itself.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x1A: "SUB", 0x1B: "ESC", 0x7F: "DEL"}


def _cell_text(value: object) -> str:
    """A calamine cell as the text a person would type for it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return comma_below(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        # repr is the shortest text that reads back as the same float: 67.5 → "67.5".
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    return str(value)


def _choose_sheet(workbook: CalamineWorkbook) -> str:
    names = list(workbook.sheet_names)
    if not names:
        raise FileRefused("empty")
    by_key = {name.strip().casefold(): name for name in reversed(names)}
    for preferred in PREFERRED_SHEETS:
        if preferred in by_key:
            return by_key[preferred]
    for prefix in PREFERRED_SHEET_PREFIXES:
        for name in names:
            if name.strip().casefold().startswith(prefix):
                return name
    # The first sheet a person sees: hidden sheets are skipped.
    for meta in workbook.sheets_metadata:
        if meta.visible == SheetVisibleEnum.Visible and meta.name in names:
            return meta.name
    return names[0]


class _NotFromA1Error(Exception):
    """`iter_rows` did not give the rows from row 1 on."""


def _rows_from_a1(sheet: CalamineSheet) -> Iterator[list[list[str]]]:
    """The sheet's rows from A1 as text, a batch at a time, so a row's place in them is the
    row Excel shows. A batch at a time, not `to_python`, which makes every cell a Python
    object at once (~60 bytes each, on top of calamine's own copy): 300,000 rows of 29
    cells took 958 MB that way.

    `iter_rows` (python-calamine 0.9) starts at row 1 but at the first column that holds
    anything, so the columns left of it are put back as empty ones; should another version
    start elsewhere, `_NotFromA1Error` says so and the caller reads the sheet the old way."""
    start, end = sheet.start, sheet.end
    if start is None or end is None:
        return
    pad = [""] * start[1]
    rows = sheet.iter_rows()
    count = 0
    while batch := list(itertools.islice(rows, _BATCH_ROWS)):
        count += len(batch)
        if count > end[0] + 1:
            raise _NotFromA1Error
        yield [pad + [_cell_text(value) for value in cells] for cells in batch]
    if count != end[0] + 1:
        raise _NotFromA1Error


def _rows_of_python(sheet: CalamineSheet) -> Iterator[list[list[str]]]:
    # Without skipping the empty area, list index + 1 is the row Excel shows.
    records = sheet.to_python(skip_empty_area=False)
    for start in range(0, len(records), _BATCH_ROWS):
        yield [[_cell_text(v) for v in cells] for cells in records[start : start + _BATCH_ROWS]]


def read_xlsx(data: bytes, *, max_bytes: int, max_rows: int) -> RawTable:
    # calamine must never see a workbook it cannot hold: it aborts the whole process when an
    # allocation fails (a 5 KB file with one cell at XFD200000 asks for 100 GB).
    check_workbook(data, max_bytes=max_bytes, max_rows=max_rows)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = _choose_sheet(workbook)
        sheet = workbook.get_sheet_by_name(sheet_name)
        with gc_paused():
            try:
                builder = TableBuilder(max_rows)
                for batch in _rows_from_a1(sheet):
                    builder.add(batch)
            except _NotFromA1Error:
                builder = TableBuilder(max_rows)
                for batch in _rows_of_python(sheet):
                    builder.add(batch)
            frame, numbers, header_row = builder.finish()
    except FileRefused:
        raise
    except (CalamineError, ValueError, OSError, zipfile.BadZipFile):
        raise FileRefused("xlsx_corrupt") from None
    _refuse_control_characters(frame, numbers, header_row)
    return RawTable(
        frame=frame,
        row_numbers=numbers,
        header_row=header_row,
        format="xlsx",
        encoding=None,
        delimiter=None,
        sheet=sheet_name,
    )


def _refuse_control_characters(frame: object, numbers: object, header_row: int) -> None:
    """Refuse a workbook whose header or cells hold a control character (ESC, NUL, …), naming
    the first cell, as a CSV holding one is refused naming its line: such text is never a
    company's name, and an ESC could colour a terminal that prints the import log."""
    header = [str(label) for label in frame.columns]  # type: ignore[attr-defined]
    for pos, label in enumerate(header):
        if _CONTROL.search(label):
            _refuse(label, pos, header_row)
    for pos in range(len(header)):
        column = frame.iloc[:, pos]  # type: ignore[attr-defined]
        hits = column.str.contains(_CONTROL.pattern, regex=True).fillna(False)
        if bool(hits.any()):
            index = int(hits.to_numpy().nonzero()[0][0])
            _refuse(str(column.iloc[index]), pos, int(numbers[index]))  # type: ignore[index]


def _refuse(text: str, column: int, row: int) -> None:
    code = ord(_CONTROL.search(text).group())  # type: ignore[union-attr]
    raise FileRefused(
        "xlsx_control_character",
        cell=f"{column_letter(column)}{row}",
        character=f"{_CONTROL_NAMES.get(code, f'U+{code:04X}')} (0x{code:02X})",
    )
