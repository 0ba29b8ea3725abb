"""Cells → the columns of a `RawTable`, shared by the CSV and XLSX readers."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dih_dash.domain.phrases import FileRefused
from dih_dash.domain.survey_table import DamagedText

# The most columns a file may have. A survey never comes near it: the hub template has 33,
# the DMA tool's export 11, a Forms or LimeSurvey export of a long questionnaire a few hundred.
# Far more means something else (often a sheet whose used range runs to the right edge), and
# every column costs work of its own (a column of the table, a warning when it is ignored):
# a 200,000-column header once took minutes and a report of 28 MB.
MAX_COLUMNS = 1_000
ARROW_TEXT = pa.large_string()  # what pandas' `str` columns hold: no conversion


@cache
def arrow_pool() -> pa.MemoryPool:
    """Where the columns are allocated.

    Arrow's default allocator (mimalloc) keeps the memory a read frees for later use, so
    cells copied once (batch by batch from the csv module, or pieces of columns joined)
    would count twice in the RSS for the rest of the import. jemalloc told to purge at once
    (its own setting: the default pool is untouched) gives it back. Builds of pyarrow
    without jemalloc (Windows) keep the default.
    """
    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)
    except NotImplementedError:
        return pa.default_memory_pool()
    return pool


def is_blank(cells: Sequence[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _empty_strings(length: int) -> pa.Array:
    return pa.repeat(pa.scalar("", ARROW_TEXT), length, memory_pool=arrow_pool())


class TableBuilder:
    """(frame, row numbers, header row) from records added in order, blank ones included:
    the first record that is not blank is the header, blank ones are counted and dropped.

    Cells must already have comma-below letters (`comma_below`)."""

    def __init__(self, max_rows: int) -> None:
        self._max_rows = max_rows
        self._records = 0  # records added so far, blank ones too: the last one's row
        self._header: list[str] | None = None
        self._header_row = 1
        self._rows = 0  # data rows kept
        self._numbers: list[np.ndarray] = []
        self._columns: list[list[pa.Array]] = []  # Arrow chunks of each column

    def add(self, records: list[list[str]]) -> None:
        first = self._records + 1
        self._records += len(records)
        # Not blank: text in the first cell, as a rule, else in any other.
        kept = [
            i
            for i, cells in enumerate(records)
            if (cells and cells[0].strip()) or any(map(str.strip, cells))
        ]
        if kept and self._header is None:
            self._header, self._header_row = records[kept[0]], first + kept[0]
            kept = kept[1:]
        if not kept:
            return
        if self._rows + len(kept) > self._max_rows:
            raise FileRefused("too_many_rows", limit=self._max_rows)
        rows = records if len(kept) == len(records) else [records[i] for i in kept]
        self._numbers.append(np.asarray(kept, dtype=np.int64) + first)
        self._add_columns(rows)
        self._rows += len(rows)

    def _add_columns(self, rows: list[list[str]]) -> None:
        widths = set(map(len, rows))
        width = max(widths)
        if len(widths) > 1:  # short rows are padded, as a spreadsheet shows them
            rows = [r if len(r) == width else r + [""] * (width - len(r)) for r in rows]
        # One Arrow array of all the cells (row by row), then each column picked out of it:
        # far fewer conversions than one per column of Python strings.
        cells = pa.array(
            list(itertools.chain.from_iterable(rows)), type=ARROW_TEXT, memory_pool=arrow_pool()
        )
        while len(self._columns) < width:  # a column first seen here: empty above
            self._columns.append([_empty_strings(self._rows)] if self._rows else [])
        count = len(rows)
        for index, chunks in enumerate(self._columns):
            if index < width:
                picked = np.arange(index, count * width, width)
                chunks.append(pc.take(cells, picked, memory_pool=arrow_pool()))
            else:
                chunks.append(_empty_strings(count))

    def finish(self) -> tuple[pd.DataFrame, tuple[int, ...], int]:
        if self._header is None:
            raise FileRefused("empty")
        if not self._rows:
            raise FileRefused("no_rows")
        width = max(len(self._header), len(self._columns))
        header = self._header + [""] * (width - len(self._header))
        labels: list[str] = []
        columns: dict[int, pd.Series] = {}
        for index in range(width):
            chunks = self._columns[index] if index < len(self._columns) else []
            column = pa.chunked_array(chunks or [_empty_strings(self._rows)], type=ARROW_TEXT)
            # Trailing separators (`a;b;;;`) give columns with neither a header nor a value;
            # they are formatting, not data, and are dropped. Unnamed columns holding values
            # stay, so validation can say they were ignored.
            if not header[index].strip() and not _has_text(column):
                continue
            columns[len(labels)] = pd.Series(column, dtype="str")
            labels.append(header[index])
        frame = pd.DataFrame(columns, copy=False)  # the columns are new: no copy
        frame.columns = labels
        numbers = np.concatenate(self._numbers).tolist()
        return frame, tuple(numbers), self._header_row


def _has_text(column: pa.ChunkedArray) -> bool:
    return any(value.strip() for value in pc.unique(column).to_pylist())


_REPLACEMENT = "\ufffd"


def damaged_cells(
    frame: pd.DataFrame,
    numbers: tuple[int, ...],
    header_row: int,
    marks: tuple[tuple[int, int], ...],
) -> tuple[DamagedText, ...]:
    """The cells (header included) holding U+FFFD, each with where in the file its first
    one comes from. `marks` are (offset, first byte) of every U+FFFD of the decoded text,
    in file order, which is the order of the cells row by row (a dropped column is blank,
    so it holds none). Should the two counts ever differ, the offsets are not given."""
    if not marks:
        return ()
    found: list[tuple[int, int, int]] = []  # (row index, -1 for the header; column; count)
    for pos, label in enumerate(frame.columns):
        if count := str(label).count(_REPLACEMENT):
            found.append((-1, pos, count))
    for pos in range(frame.shape[1]):
        counts = frame.iloc[:, pos].str.count(_REPLACEMENT).to_numpy(dtype=np.int64)
        for index in np.flatnonzero(counts).tolist():
            found.append((index, pos, int(counts[index])))
    found.sort()
    exact = sum(count for _, _, count in found) == len(marks)
    damaged = []
    next_mark = 0
    for index, pos, count in found:
        offset, byte = marks[next_mark] if exact else (None, None)
        next_mark += count
        row = header_row if index < 0 else numbers[index]
        damaged.append(DamagedText(row=row, column=pos, count=count, offset=offset, byte=byte))
    return tuple(damaged)
