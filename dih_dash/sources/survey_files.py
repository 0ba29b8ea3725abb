"""Member survey files → `RawTable` (spec/survey-format.md §4).

The reader decides the format from the bytes, not from the file name (a CSV saved as
`.xlsx` by mistake is still read), and keeps every cell as the text it holds: turning
text into numbers and dates is validation's job, where every failure can be named.

Encodings of text files, in the order they are tried:

* a BOM decides: `EF BB BF` → `utf-8-sig`, `FF FE` / `FE FF` → `utf-16`;
* NUL bytes without a UTF-16 BOM → not text, refused;
* bytes that decode as UTF-8 → `utf-8` (legacy single-byte text practically never does);
* otherwise Windows-1250 or ISO-8859-2. The Romanian letters ă â î ş ţ (and capitals)
  have the same bytes in both, so they can only be told apart by other bytes:
  - 0x80–0x9F are printable in cp1250 („ ” – € …) but control codes in ISO-8859-2,
    so any of them means `cp1250`;
  - otherwise a byte that is a letter in ISO-8859-2 but a symbol in cp1250
    (0xA6 Ś/¦, 0xA9 Š/©, 0xAB Ť/«, 0xAC Ź/¬, 0xAE Ž/®, 0xB1 ą/±, 0xB6 ś/¶, 0xBB ť/»)
    *between two letters* means `iso-8859-2`: inside a word it is a letter, whereas
    « » © ® ± stand next to spaces or digits;
  - when nothing tells them apart the text reads the same either way and we say
    `cp1250`, which is what Excel on a Romanian Windows writes.

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

import codecs
import csv
import datetime as dt
import io
import itertools
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import NoReturn, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from dih_dash.domain.survey_table import FileRefused, RawTable, comma_below, gc_paused

__all__ = [
    "DELIMITERS",
    "DELIMITER_NAMES",
    "PREFERRED_SHEETS",
    "FileRefused",
    "RawTable",
    "read_table",
]

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
# i18n key under `surveys.delimiters` for saying which separator was found.
DELIMITER_NAMES: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# Sheet names that hold the answers when a workbook has several (compared case-insensitively).
PREFERRED_SHEETS: tuple[str, ...] = ("my smes dma results", "survey", "chestionar")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_SNIFF_CHARS = 64 * 1024
_SNIFF_RECORDS = 200
_CHUNK_BYTES = 1 << 20  # text decoded at a time: small next to the file, large next to a line
_BATCH_RECORDS = 16_384  # CSV records turned into columns at a time
# What `bytes.strip()` removes: a file of nothing else is empty.
_NOT_BLANK_BYTE = re.compile(rb"[^ \t\n\r\x0b\x0c]")
_ARROW_TEXT = pa.large_string()  # what pandas' `str` columns hold: no conversion
_MAX_RUNS = 100  # runs of data rows kept as slices; more (many blank rows) are joined


@cache
def _pool() -> pa.MemoryPool:
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


def read_table(data: bytes, filename: str, *, max_bytes: int, max_rows: int) -> RawTable:
    """The table in `data` (CSV/TXT or XLSX); `FileRefused` when the file cannot be read."""
    if len(data) > max_bytes:
        raise FileRefused(
            "too_large",
            # Rounded up, so a file just over a 50 MB limit never reads as "50 MB".
            size_mb=math.ceil(len(data) / 1_048_576 * 10) / 10,
            limit_mb=round(max_bytes / 1_048_576, 1),
        )
    if not _NOT_BLANK_BYTE.search(data):  # `not data.strip()`, without copying the file
        raise FileRefused("empty")
    if data.startswith(_OLE_MAGIC):
        # An encrypted XLSX is an OLE container holding an `EncryptedPackage` stream; any
        # other OLE file is a legacy .xls (or .doc), which the contract does not take.
        if _ENCRYPTED_STREAM in data or filename.lower().endswith((".xlsx", ".xlsm")):
            raise FileRefused("xlsx_encrypted")
        raise FileRefused("xls_legacy")
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, max_rows=max_rows)
    return _read_csv(_decode(data), max_rows=max_rows)


# --- text --------------------------------------------------------------------------------


def _is_letter(char: str) -> bool:
    return unicodedata.category(char) in ("Lu", "Ll")


# Bytes that are letters in ISO-8859-2 but symbols in cp1250 (see the module docstring).
_ISO_ONLY_LETTERS = bytes(
    b
    for b in range(0xA0, 0x100)
    if _is_letter(bytes([b]).decode("iso-8859-2")) and not _is_letter(bytes([b]).decode("cp1250"))
)
# 0xC0-0xFF are letters in both code pages (except × ÷, rare enough to ignore).
_LETTER_BYTE = rb"[A-Za-z\xc0-\xff]"
_ISO_LETTER_IN_WORD = re.compile(
    _LETTER_BYTE + b"[" + re.escape(_ISO_ONLY_LETTERS) + b"]" + _LETTER_BYTE
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Byte classes for checking a file without decoding it whole. `bytes.translate(None, X)`
# deletes the bytes in X, so deleting the complement of a class keeps just its bytes.
_ASCII_CONTROLS = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_HIGH_CONTROLS = bytes(range(0x80, 0xA0))  # C1 controls in ISO-8859-2, typography in cp1250

_CP1250_UNDEFINED = b"\x81\x83\x88\x90\x98"  # no character in cp1250: the file is not text
_UTF8_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")  # U+0080–U+009F in UTF-8
_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))
# The letters `comma_below` replaces, as UTF-8: two bytes each, like their replacements, and
# all starting with 0xC5, which Romanian text written with comma-below letters hardly has.
_UTF8_CEDILLA = tuple(
    (cedilla.encode(), comma_below(cedilla).encode()) for cedilla in ("ş", "ţ", "Ş", "Ţ")
)
_UTF8_CEDILLA_PAIR = re.compile(b"|".join(re.escape(cedilla) for cedilla, _ in _UTF8_CEDILLA))
_T = TypeVar("_T")


def _all_but(keep: bytes) -> bytes:
    return bytes(b for b in range(256) if b not in keep)


def _only(data: bytes, byte_class: bytes) -> bytes:
    """The bytes of `data` that are in `byte_class`, in order (one pass in C)."""
    return data.translate(None, _all_but(byte_class))


def _charmap(codec: str) -> str:
    """A decoding table for `codecs.charmap_decode` that reads `codec` with comma-below
    letters where the code page has cedilla ones, so decoding does `comma_below` for free;
    U+FFFE marks the bytes the code page leaves undefined, as the codec itself does."""
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode(codec))
        except UnicodeDecodeError:
            chars.append("\ufffe")
    return comma_below("".join(chars))


_CHARMAPS = {codec: _charmap(codec) for codec in ("cp1250", "iso-8859-2")}


@dataclass(frozen=True)
class _Text:
    """A text file's characters, for the csv module, without holding them all at once."""

    encoding: str  # as the report says it
    sample: str  # the first `_SNIFF_CHARS` characters
    truncated: bool  # whether more text follows the sample
    lines: Callable[[], Iterator[str]]  # every line from the start, comma-below letters
    utf8: Callable[[], _Bytes]  # the whole text in UTF-8, comma-below letters


@dataclass(frozen=True)
class _Bytes:
    """`data[start:end]`, without copying it to cut it out."""

    data: bytes
    start: int
    end: int

    def view(self) -> memoryview:
        return memoryview(self.data)[self.start : self.end]


def _decode(data: bytes) -> _Text:
    if data.startswith(b"\xef\xbb\xbf"):
        if not _is_utf8(data, 3):
            _strict(data[3:], "utf-8", "UTF-8")  # raises, naming the line
        return _utf8_text(data, 3, "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Rare, and two bytes a character: decoded whole, as it is small enough anyway.
        return _whole_text(_checked_text(_strict(data, "utf-16", "UTF-16")), "utf-16")
    if b"\x00" in data:
        raise FileRefused("binary")
    if _is_utf8(data, 0):
        return _utf8_text(data, 0, "utf-8")
    return _legacy_text(data)


def _is_utf8(data: bytes, start: int) -> bool:
    """Whether `data[start:]` decodes as UTF-8, a megabyte at a time (the decoded text is
    thrown away: the whole of it would be up to four bytes a character)."""
    view = memoryview(data)
    pos, end = start, len(data)
    try:
        while pos < end:
            stop = min(pos + max(_CHUNK_BYTES, 4), end)  # 4: the longest character
            # Not final before the end: a character cut by the chunk waits for the next one.
            _, used = codecs.utf_8_decode(view[pos:stop], "strict", stop == end)
            pos += used
    except UnicodeDecodeError:
        return False
    return True


def _strict(data: bytes, codec: str, label: str) -> str:
    """`data` decoded; a file whose BOM promises an encoding its bytes break is refused
    rather than read with replacement characters, which would change names silently."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRefused("bad_encoding", encoding=label, line=line) from None


def _binary(controls: int, length: int) -> bool:
    """Whether text of `length` characters with `controls` control characters is really
    binary: more than a stray few of them."""
    return controls > max(3, length // 1000)


def _checked_text(text: str) -> str:
    """`text` unless it is really binary: NULs, or control characters beyond a stray one."""
    # Old DOS tools end files with Ctrl-Z; that alone does not make the file binary.
    text = text.rstrip("\x1a")
    if "\x00" in text or _binary(len(_CONTROL.findall(text)), len(text)):
        raise FileRefused("binary")
    return text


def _text_end(data: bytes, start: int) -> int:
    """Where the text ends: before the Ctrl-Z bytes old DOS tools put at the end."""
    if not data.endswith(b"\x1a"):
        return len(data)
    return max(start, len(data.rstrip(b"\x1a")))


def _utf8_text(data: bytes, start: int, encoding: str) -> _Text:
    """Valid UTF-8 `data[start:]` as text, checked as `_checked_text` would check it."""
    end = _text_end(data, start)
    ascii_controls = _only(data, _ASCII_CONTROLS)
    # A C1 control is two bytes in UTF-8; the trailing Ctrl-Z bytes do not count.
    controls = len(ascii_controls) - (len(data) - end)
    controls += sum(1 for _ in _UTF8_C1_CONTROL.finditer(data, start, end))
    if b"\x00" in data:
        raise FileRefused("binary")
    if controls > 3:  # only then can the length matter
        body = data[start:end]
        if _binary(controls, len(body) - len(_only(body, _UTF8_CONTINUATION))):
            raise FileRefused("binary")

    def decode(chunk: bytes) -> str:
        if b"\xc5" in chunk:
            # UTF-8 is self-synchronising: these byte pairs can only be these letters.
            for cedilla, comma in _UTF8_CEDILLA:
                chunk = chunk.replace(cedilla, comma)
        return chunk.decode("utf-8")

    def utf8() -> _Bytes:
        if not _UTF8_CEDILLA_PAIR.search(data, start, end):
            return _Bytes(data, start, end)  # as it is: no copy
        text = b"".join(_chunks(data, start, end, lambda chunk: decode(chunk).encode()))
        return _Bytes(text, 0, len(text))

    prefix_end = min(end, start + 4 * _SNIFF_CHARS + 4)  # ≥ one character more than needed
    prefix, _ = codecs.utf_8_decode(data[start:prefix_end], "strict", prefix_end == end)
    return _Text(
        encoding=encoding,
        sample=prefix[:_SNIFF_CHARS],
        truncated=len(prefix) > _SNIFF_CHARS,
        lines=lambda: _byte_lines(data, start, end, decode),
        utf8=utf8,
    )


def _legacy_text(data: bytes) -> _Text:
    """Windows-1250 or ISO-8859-2 (see the module docstring), checked like `_checked_text`."""
    # The few bytes that decide: controls, 0x80–0x9F and the letters only ISO-8859-2 has.
    rare = _only(data, _ASCII_CONTROLS + _HIGH_CONTROLS + _ISO_ONLY_LETTERS)
    high = any(b in rare for b in _HIGH_CONTROLS)
    iso_letters = any(b in rare for b in _ISO_ONLY_LETTERS)
    if not high and iso_letters and _ISO_LETTER_IN_WORD.search(data):
        codec = "iso-8859-2"
    else:
        codec = "cp1250"
        if any(b in rare for b in _CP1250_UNDEFINED):
            # Bytes undefined in cp1250 (0x81, 0x83, …) are control codes in ISO-8859-2 too.
            raise FileRefused("binary")
    end = _text_end(data, 0)
    # One byte a character, so the rare bytes decoded hold every control character.
    controls = len(_CONTROL.findall(rare.decode(codec))) - (len(data) - end)
    if _binary(controls, end):
        raise FileRefused("binary")
    table = _CHARMAPS[codec]

    def decode(chunk: bytes) -> str:
        return codecs.charmap_decode(chunk, "strict", table)[0]

    def utf8() -> _Bytes:
        text = b"".join(_chunks(data, 0, end, lambda chunk: decode(chunk).encode()))
        return _Bytes(text, 0, len(text))

    return _Text(
        encoding=codec,
        sample=decode(data[: min(end, _SNIFF_CHARS)]),
        truncated=end > _SNIFF_CHARS,
        lines=lambda: _byte_lines(data, 0, end, decode),
        utf8=utf8,
    )


def _whole_text(text: str, encoding: str) -> _Text:
    text = comma_below(text)

    def utf8() -> _Bytes:
        encoded = text.encode()
        return _Bytes(encoded, 0, len(encoded))

    return _Text(
        encoding=encoding,
        sample=text[:_SNIFF_CHARS],
        truncated=len(text) > _SNIFF_CHARS,
        lines=lambda: iter(io.StringIO(text, newline="")),
        utf8=utf8,
    )


def _line_end(data: bytes, pos: int, cut: int, end: int) -> int:
    """The end of the last line that starts in `data[pos:cut]`, past its line break.

    Cutting only at line ends keeps the lines the csv module sees the same as the whole
    text would give; \\r\\n stays together, since splitting it would add a blank record."""
    if cut >= end:
        return end
    brk = max(data.rfind(b"\n", pos, cut), data.rfind(b"\r", pos, cut))
    if brk < 0:  # a line longer than a chunk: up to its end
        found = [i for i in (data.find(b"\n", cut, end), data.find(b"\r", cut, end)) if i >= 0]
        if not found:
            return end
        brk = min(found)
    stop = brk + 1
    if data[brk] == 0x0D and stop < end and data[stop] == 0x0A:
        stop += 1
    return stop


def _chunks(data: bytes, start: int, end: int, decode: Callable[[bytes], _T]) -> Iterator[_T]:
    """`data[start:end]` decoded a chunk of whole lines at a time."""
    pos = start
    while pos < end:
        stop = _line_end(data, pos, pos + _CHUNK_BYTES, end)
        yield decode(data[pos:stop])
        pos = stop


def _byte_lines(data: bytes, start: int, end: int, decode: Callable[[bytes], str]) -> Iterator[str]:
    """The lines of `data[start:end]` with their line breaks, as `io.StringIO(text,
    newline="")` gives them, decoding one chunk at a time."""
    return itertools.chain.from_iterable(map(_split_lines, _chunks(data, start, end, decode)))


def _split_lines(text: str) -> list[str] | io.StringIO:
    """`text` (ending at a line break or the end of the file) line by line, as the csv
    module reads it: broken at \r, \n and \r\n only."""
    lines = text.splitlines(keepends=True)  # the fast way, which also breaks at \v, \f, …
    returns = text.count("\r")
    breaks = text.count("\n") + returns - (text.count("\r\n") if returns else 0)
    if len(lines) == breaks + (not text.endswith(("\n", "\r"))):
        return lines  # no other break characters: the same lines
    return io.StringIO(text, newline="")


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
            rows = [r for r in records if not _is_blank(r)]
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
            raise FileRefused("csv_unreadable", row=row + 1, detail=str(exc)) from None
        row += 1
        yield row, record


def _read_csv(text: _Text, *, max_rows: int) -> RawTable:
    delimiter = _sniff_delimiter(text.sample, truncated=text.truncated)
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
    )


def _parse(
    text: _Text, delimiter: str, *, strict: bool, max_rows: int
) -> tuple[pd.DataFrame, tuple[int, ...], int]:
    builder = _TableBuilder(max_rows)
    reader = _records(text.lines(), delimiter, strict=strict)
    with gc_paused():
        try:
            while batch := list(itertools.islice(reader, _BATCH_RECORDS)):
                builder.add(batch)
        except csv.Error:
            # A batch does not tell which record failed; reading again one record at a
            # time raises what the first unreadable one calls for.
            _raise_csv_error(text, delimiter, strict=strict, max_rows=max_rows)
        return builder.finish()


# A quoted cell as the csv module reads one: doubled quotes inside, a single one to close.
_QUOTED_CELL = re.compile(rb'"[^"]*(?:""[^"]*)*"')


def _quotes_well_formed(text: _Bytes, delimiter: str) -> bool:
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
    text: _Text, delimiter: str, *, max_rows: int
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
            memory_pool=_pool(),
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
                column_types={f"f{i}": _ARROW_TEXT for i in range(len(first))},
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # rows of different widths, an empty text, a row over a block…
    del body
    columns = table.columns
    del table  # the columns below are let go one by one, once their data rows are taken
    if any(column.type != _ARROW_TEXT for column in columns):
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
        cells = pa.chunked_array([c for piece in pieces for c in piece.chunks], _ARROW_TEXT)
        if len(runs) > _MAX_RUNS:  # many pieces: one array again, by copying them in turn
            cells = pa.chunked_array([cells.combine_chunks(memory_pool=_pool())])
        del column
        # As `_TableBuilder.finish`: a column with neither a header nor a value is dropped.
        if not header[index].strip() and _blank_rows([cells]).all():
            continue
        series[len(labels)] = pd.Series(cells, dtype="str")
        labels.append(header[index])
    frame = pd.DataFrame(series, copy=False)  # the columns are new: no copy
    frame.columns = labels
    return frame, tuple((rows + 1).tolist()), header_index + 1


def _raise_csv_error(text: _Text, delimiter: str, *, strict: bool, max_rows: int) -> NoReturn:
    """Read `text` again record by record, as `_TableBuilder` counts them, up to the record
    the csv module cannot read: the refusal (or, strict, the csv.Error) names its row."""
    header_seen = False
    rows = 0
    for _, cells in _numbered_records(text.lines(), delimiter, strict=strict):
        if _is_blank(cells):
            continue
        if not header_seen:
            header_seen = True
            continue
        if rows >= max_rows:
            raise FileRefused("too_many_rows", limit=max_rows)
        rows += 1
    raise RuntimeError("the csv module failed on a batch but not record by record")


# --- shared ------------------------------------------------------------------------------


def _is_blank(cells: Sequence[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _empty_strings(length: int) -> pa.Array:
    return pa.repeat(pa.scalar("", _ARROW_TEXT), length, memory_pool=_pool())


class _TableBuilder:
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
            list(itertools.chain.from_iterable(rows)), type=_ARROW_TEXT, memory_pool=_pool()
        )
        while len(self._columns) < width:  # a column first seen here: empty above
            self._columns.append([_empty_strings(self._rows)] if self._rows else [])
        count = len(rows)
        for index, chunks in enumerate(self._columns):
            if index < width:
                picked = np.arange(index, count * width, width)
                chunks.append(pc.take(cells, picked, memory_pool=_pool()))
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
            column = pa.chunked_array(chunks or [_empty_strings(self._rows)], type=_ARROW_TEXT)
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


# --- XLSX --------------------------------------------------------------------------------


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
    # The first sheet a person sees: hidden sheets are skipped.
    for meta in workbook.sheets_metadata:
        if meta.visible == SheetVisibleEnum.Visible and meta.name in names:
            return meta.name
    return names[0]


def _read_xlsx(data: bytes, *, max_rows: int) -> RawTable:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        raise FileRefused("xlsx_corrupt") from None
    if "xl/workbook.xml" not in members:
        # A ZIP that is not a workbook: a .docx, an .ods, a zipped folder…
        raise FileRefused("not_xlsx")
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = _choose_sheet(workbook)
        sheet = workbook.get_sheet_by_name(sheet_name)
        # Without skipping the empty area, list index + 1 is the row Excel shows.
        records = sheet.to_python(skip_empty_area=False)
        builder = _TableBuilder(max_rows)
        with gc_paused():
            for start in range(0, len(records), _BATCH_RECORDS):
                batch = records[start : start + _BATCH_RECORDS]
                builder.add([[_cell_text(v) for v in cells] for cells in batch])
            frame, numbers, header_row = builder.finish()
    except FileRefused:
        raise
    except (CalamineError, ValueError, OSError, zipfile.BadZipFile):
        raise FileRefused("xlsx_corrupt") from None
    return RawTable(
        frame=frame,
        row_numbers=numbers,
        header_row=header_row,
        format="xlsx",
        encoding=None,
        delimiter=None,
        sheet=sheet_name,
    )
