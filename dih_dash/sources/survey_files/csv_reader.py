"""Text → the records of a CSV/TXT file, and the table they make.

Rows are numbered as a spreadsheet shows them: one row per CSV record (a quoted cell with
line breaks stays in its row), blank lines counted but not returned, header = row 1.

A file may have a million rows, so the text is never held whole as Python text (up to
four bytes a character) and no cell becomes a Python object (~55 bytes each; a million rows
of 30 would not fit the memory budget): the bytes are checked with byte-level scans, and
the cells are kept in Arrow string columns, as packed UTF-8. The records themselves are
what Python's csv module reads, one of two ways:

* when every quotation mark in the file opens or closes a well-formed quoted cell (or there
  is none), Arrow's CSV reader gives the same records, many times faster;
* otherwise (a stray quote, an unclosed one, a cell over the csv module's size limit, rows
  of different widths…) the csv module itself reads the text, decoded a megabyte at a time,
  and its records are moved batch by batch into the columns.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import NoReturn

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from dih_dash.domain.phrases import FileRefused
from dih_dash.domain.survey_table import RawTable
from dih_dash.gc_pause import gc_paused
from dih_dash.sources.survey_files.decoding import Bytes, Text
from dih_dash.sources.survey_files.table import (
    ARROW_TEXT,
    MAX_COLUMNS,
    TableBuilder,
    arrow_pool,
    damaged_cells,
    is_blank,
)

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
# i18n key under `surveys.delimiters` for saying which separator was found.
DELIMITER_NAMES: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SNIFF_RECORDS = 200
_BATCH_RECORDS = 16_384  # CSV records turned into columns at a time
_MAX_RUNS = 100  # runs of data rows kept as slices; more (many blank rows) are joined


def _records(lines: Iterable[str], delimiter: str, *, strict: bool) -> Iterator[list[str]]:
    return csv.reader(lines, delimiter=delimiter, strict=strict)


def _sniff_delimiter(sample: str, *, truncated: bool) -> str:
    """The separator under which the header and the rows after it agree on a column count.

    Parsing with the csv module (not counting characters) keeps separators inside quoted
    cells, and line breaks inside them, from confusing the count.
    """
    best: tuple[float, int, int] = (-1.0, 0, 0)
    chosen = DELIMITERS[0]
    for preference, delimiter in enumerate(DELIMITERS):
        try:
            records = _records(io.StringIO(sample, newline=""), delimiter, strict=False)
            rows = [r for r in records if not is_blank(r)]
        except csv.Error:
            continue
        if truncated and len(rows) > 1:
            rows = rows[:-1]  # the last record may be cut in the middle
        rows = rows[:_SNIFF_RECORDS]
        if not rows:
            # Nothing but separators under this delimiter (`;;;` lines): an empty table.
            return delimiter
        if len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:] or rows
        agreement = sum(1 for r in body if len(r) == width) / len(body)
        score = (agreement, width, -preference)
        if score > best:
            best, chosen = score, delimiter
    return chosen


def _numbered_records(
    lines: Iterable[str], delimiter: str, *, strict: bool
) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row, cells) for every record, blank ones included so they are counted."""
    reader = _records(lines, delimiter, strict=strict)
    row = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                # A quote that is never closed would swallow the rest of the file.
                raise FileRefused("unclosed_quote", row=row + 1) from None
            if strict:
                raise
            if "field larger than field limit" in str(exc):
                # Python's own wording; a cell this long is never a survey answer.
                raise FileRefused(
                    "cell_too_long", row=row + 1, most=float(csv.field_size_limit())
                ) from None
            raise FileRefused("csv_unreadable", row=row + 1, detail=str(exc)) from None
        row += 1
        yield row, record


def _too_many_columns(count: int) -> FileRefused:
    # Floats, because localise_params says them with the reader's digit grouping (200,000).
    return FileRefused("too_many_columns", columns=float(count), limit=float(MAX_COLUMNS))


def _check_header_width(text: Text, delimiter: str) -> None:
    """Refuse a file whose first row is wider than `MAX_COLUMNS`, before any table is built.

    The sample settles it for any ordinary header; only when the sample's first row alone is
    too wide is that whole row read once more, to say how many columns it really has."""
    try:
        records = _records(io.StringIO(text.sample, newline=""), delimiter, strict=False)
        first = next((r for r in records if not is_blank(r)), [])
    except csv.Error:
        return  # a cell over the csv module's limit: reading the file will name its row
    if len(first) <= MAX_COLUMNS:
        return
    try:
        records = _records(text.lines(), delimiter, strict=False)
        first = next((r for r in records if not is_blank(r)), first)
    except csv.Error:
        pass  # the count within the sample is still more than the limit
    raise _too_many_columns(len(first))


def read_csv(text: Text, *, max_rows: int) -> RawTable:
    delimiter = _sniff_delimiter(text.sample, truncated=text.truncated)
    _check_header_width(text, delimiter)
    table = _parse_with_arrow(text, delimiter, max_rows=max_rows)
    if table is None:
        try:
            # Strict first, only to catch an unclosed quote (see above) ...
            table = _parse(text, delimiter, strict=True, max_rows=max_rows)
        except csv.Error:
            # ... any other strict complaint (a stray quote in a cell) is read as Excel does.
            table = _parse(text, delimiter, strict=False, max_rows=max_rows)
    frame, numbers, header_row = table
    return RawTable(
        frame=frame,
        row_numbers=numbers,
        header_row=header_row,
        format="csv",
        encoding=text.encoding,
        delimiter=delimiter,
        damaged=damaged_cells(frame, numbers, header_row, text.damaged),
    )


def _parse(
    text: Text, delimiter: str, *, strict: bool, max_rows: int
) -> tuple[pd.DataFrame, tuple[int, ...], int]:
    builder = TableBuilder(max_rows)
    reader = _width_checked(_records(text.lines(), delimiter, strict=strict))
    with gc_paused():
        try:
            while batch := list(itertools.islice(reader, _BATCH_RECORDS)):
                builder.add(batch)
        except csv.Error:
            # A batch does not tell which record failed; reading again one record at a
            # time raises what the first unreadable one calls for.
            _raise_csv_error(text, delimiter, strict=strict, max_rows=max_rows)
        return builder.finish()


def _width_checked(records: Iterator[list[str]]) -> Iterator[list[str]]:
    """`records`, refused at the first one wider than `MAX_COLUMNS`: a row below a narrow
    header can be as wide as the file is long, and a batch of such rows would take far more
    memory as Python strings than the file does as bytes."""
    for record in records:
        if len(record) > MAX_COLUMNS:
            raise _too_many_columns(len(record))
        yield record


# A quoted cell as the csv module reads one: doubled quotes inside, a single one to close.
_QUOTED_CELL = re.compile(rb'"[^"]*(?:""[^"]*)*"')


def _quotes_well_formed(text: Bytes, delimiter: str) -> bool:
    """Whether every quotation mark in `text` opens or closes a quoted cell that the csv
    module reads without complaint: opened at the start of a cell, closed just before a
    separator, a line break or the end. Then Arrow's reader reads the cells as it does.

    A stray quote elsewhere is a literal character to the csv module (or an error in
    strict mode), which Arrow may read otherwise; such files are left to the csv module.
    """
    data, start, end = text.data, text.start, text.end
    quotes = data.count(b'"', start, end)
    if not quotes:
        return True
    if quotes > max(10_000, (end - start) // 16):
        # Nearly every cell quoted: checking them one by one costs what the csv module does.
        return False
    edges = {ord(delimiter), 0x0A, 0x0D}
    pos = start
    for match in _QUOTED_CELL.finditer(data, start, end):
        first, stop = match.span()
        if data.find(b'"', pos, first) >= 0:  # a quote outside any quoted cell
            return False
        if first > start and data[first - 1] not in edges:
            return False
        # A match that stops at a doubled quote is one the regex backtracked to, short of
        # a close the csv module would accept; it is followed by that other quote.
        if stop < end and data[stop] not in edges:
            return False
        pos = stop
    return data.find(b'"', pos, end) < 0


# Python's white space (`str.isspace`, what `str.strip` removes) as an RE2 class: a cell of
# nothing else is blank.
_BLANK_CELL = "^[{}]*$".format(
    "".join(f"\\x{{{code:x}}}" for code in range(0x110000) if chr(code).isspace())
)


def _blank_rows(columns: Sequence[pa.ChunkedArray]) -> np.ndarray:
    """Per row: whether every cell is blank (most rows are settled by the first cell)."""
    blank = pc.match_substring_regex(columns[0], _BLANK_CELL).to_numpy(zero_copy_only=False)
    for column in columns[1:]:
        maybe = np.flatnonzero(blank)
        if not len(maybe):
            break
        cells = column.take(pa.array(maybe))
        blank[maybe] = pc.match_substring_regex(cells, _BLANK_CELL).to_numpy(zero_copy_only=False)
    return blank


def _longest(column: pa.ChunkedArray) -> int:
    """The most characters in a cell of `column` (bytes first: as many or more, and cheap)."""
    most_bytes = pc.max(pc.binary_length(column)).as_py() or 0
    if most_bytes <= csv.field_size_limit():
        return most_bytes
    return pc.max(pc.utf8_length(column)).as_py() or 0


def _parse_with_arrow(
    text: Text, delimiter: str, *, max_rows: int
) -> tuple[pd.DataFrame, tuple[int, ...], int] | None:
    """The table as `_parse` would read it, by Arrow's CSV reader; None when the text is
    not one that reader is sure to read as the csv module does."""
    body = text.utf8()
    if not _quotes_well_formed(body, delimiter):
        return None
    # Every column as text (none guessed to be numbers). Arrow wants every row as wide as
    # the first that is not empty; a wider one fails, and its file goes to the csv module.
    first = next(
        (r for r in _records(io.StringIO(text.sample, newline=""), delimiter, strict=False) if r),
        [],
    )
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(body.view())),
            memory_pool=arrow_pool(),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,  # blank lines are rows a spreadsheet counts
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": ARROW_TEXT for i in range(len(first))},
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # rows of different widths, an empty text, a row over a block…
    del body
    if table.num_columns > MAX_COLUMNS:  # a header longer than the sample said
        raise _too_many_columns(table.num_columns)
    columns = table.columns
    del table  # the columns below are let go one by one, once their data rows are taken
    if any(column.type != ARROW_TEXT for column in columns):
        return None
    if any(_longest(column) > csv.field_size_limit() for column in columns):
        return None  # the csv module refuses such a cell, naming its row
    blank = _blank_rows(columns)
    kept = np.flatnonzero(~blank)
    if not len(kept):
        raise FileRefused("empty")
    header_index, rows = int(kept[0]), kept[1:]
    if not len(rows):
        raise FileRefused("no_rows")
    if len(rows) > max_rows:
        raise FileRefused("too_many_rows", limit=max_rows)
    header = [column[header_index].as_py() for column in columns]
    # The data rows are runs between blank ones: slices of the columns, which copy nothing.
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    runs = [(int(run[0]), len(run)) for run in np.split(rows, breaks)]
    labels: list[str] = []
    series: dict[int, pd.Series] = {}
    columns.reverse()
    for index in range(len(header)):
        column = columns.pop()
        pieces = [column.slice(start, length) for start, length in runs]
        cells = pa.chunked_array([c for piece in pieces for c in piece.chunks], ARROW_TEXT)
        if len(runs) > _MAX_RUNS:  # many pieces: one array again, by copying them in turn
            cells = pa.chunked_array([cells.combine_chunks(memory_pool=arrow_pool())])
        del column
        # As `TableBuilder.finish`: a column with neither a header nor a value is dropped.
        if not header[index].strip() and _blank_rows([cells]).all():
            continue
        series[len(labels)] = pd.Series(cells, dtype="str")
        labels.append(header[index])
    frame = pd.DataFrame(series, copy=False)  # the columns are new: no copy
    frame.columns = labels
    return frame, tuple((rows + 1).tolist()), header_index + 1


def _raise_csv_error(text: Text, delimiter: str, *, strict: bool, max_rows: int) -> NoReturn:
    """Read `text` again record by record, as `TableBuilder` counts them, up to the record
    the csv module cannot read: the refusal (or, strict, the csv.Error) names its row."""
    header_seen = False
    rows = 0
    for _, cells in _numbered_records(text.lines(), delimiter, strict=strict):
        if is_blank(cells):
            continue
        if not header_seen:
            header_seen = True
            continue
        if rows >= max_rows:
            raise FileRefused("too_many_rows", limit=max_rows)
        rows += 1
    raise RuntimeError("the csv module failed on a batch but not record by record")
