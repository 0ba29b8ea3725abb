"""The raw survey table passed from the file reader to validation, and the refusal of a file.

Both `sources/survey_files.py` (bytes → table) and `domain/survey_validation.py` (table →
assessments) refuse whole files, so the refusal and the table live here, below both, and
the domain never imports from `sources`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from dih_dash.gc_pause import gc_paused  # noqa: F401 - shared by the readers and validation
from dih_dash.i18n import format_number, t

# Windows-1250 and ISO-8859-2 only have the cedilla forms, so most Romanian text arrives
# with them; the correct letters are the comma-below ones (glossary-ro.md, spelling rule).
_CEDILLA_TO_COMMA = str.maketrans({"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"})


def comma_below(text: str) -> str:
    """`text` with cedilla ş ţ Ş Ţ replaced by comma-below ș ț Ș Ț."""
    return text.translate(_CEDILLA_TO_COMMA)


def fold_diacritics(text: str) -> str:
    """`text` without accents (ă→a, ș→s, …), for matching only, never for storing."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


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


@dataclass(frozen=True)
class Phrase:
    """A message part said in the reader's language: an i18n key and its params."""

    key: str
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **params: object) -> Phrase:
        return cls(key, tuple(params.items()))

    def localise(self, lang: str) -> str:
        return t(self.key, lang, **localise_params(dict(self.params), lang))


def _localise(value: object, lang: str) -> object:
    if isinstance(value, Phrase):
        return value.localise(lang)
    if isinstance(value, float):
        # As many decimals as the value has, up to two: 1.1 MB, 38.5, 61.42.
        decimals = next((d for d in (0, 1) if round(value, d) == value), 2)
        return format_number(value, lang, decimals)
    if isinstance(value, list | tuple):
        parts = [str(_localise(v, lang)) for v in value]
        return "; ".join(parts) if any(isinstance(v, Phrase) for v in value) else ", ".join(parts)
    return value


def localise_params(params: dict[str, object], lang: str) -> dict[str, object]:
    """Params ready for `t`: phrases said in `lang`, decimals with its mark, lists joined."""
    return {key: _localise(value, lang) for key, value in params.items()}


# The name is the project's contract (the CLI and pages catch it), hence no "Error" suffix.
class FileRefused(Exception):  # noqa: N818
    """The whole file is refused (spec §4, exit 2); `reason(lang)` says why, on one line."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, object] = params

    def reason(self, lang: str = "en") -> str:
        params = localise_params(self.params, lang)
        return " ".join(t(f"surveys.refused.{self.code}", lang, **params).split())

    def __str__(self) -> str:
        return self.reason("en")
