"""The raw survey table passed from the file reader (`sources/survey_files`, bytes →
table) to validation (`domain/survey_validation.py`, table → assessments)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd


@dataclass(frozen=True)
class DamagedText:
    """A cell whose bytes were not all in the file's encoding: read with U+FFFD in their
    place (never as another encoding), to be reported by validation."""

    row: int  # the spreadsheet row; `RawTable.header_row` for a header cell
    column: int  # 0-based position in the frame
    count: int  # how many sequences of bad bytes the cell holds
    offset: int | None  # the byte offset in the file of the first one (None: unknown)
    byte: int | None  # its first byte


@dataclass(frozen=True, eq=False)
class RawTable:
    """A survey file as read: every cell a `str` exactly as in the file ("" when empty).

    `frame` has the header as read (cedilla letters already turned into comma-below) as
    its column labels, which may repeat or be empty; read it by position. `row_numbers[i]`
    is the row a spreadsheet shows for `frame.iloc[i]` (the header is `header_row`, 1 for
    any ordinary file); blank rows are left out of `frame` but still counted.
    """

    frame: pd.DataFrame
    row_numbers: tuple[int, ...]
    format: Literal["csv", "xlsx"]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int = 1
    damaged: tuple[DamagedText, ...] = ()  # in row order, then column order

    def __post_init__(self) -> None:
        if len(self.row_numbers) != len(self.frame):
            raise ValueError("row_numbers must give one row number per data row")

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(str(label) for label in self.frame.columns)

    def __len__(self) -> int:
        return len(self.frame)
