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
import struct
import unicodedata
import zipfile
import zlib
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

from dih_dash.domain.survey_table import (
    FileRefused,
    RawTable,
    column_letter,
    comma_below,
    gc_paused,
)

__all__ = [
    "DELIMITERS",
    "DELIMITER_NAMES",
    "MAX_CELLS",
    "MAX_COLUMNS",
    "PREFERRED_SHEETS",
    "FileRefused",
    "RawTable",
    "read_table",
    "too_large",
]

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
# i18n key under `surveys.delimiters` for saying which separator was found.
DELIMITER_NAMES: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# Sheet names that hold the answers when a workbook has several (compared case-insensitively).
PREFERRED_SHEETS: tuple[str, ...] = ("my smes dma results", "survey", "chestionar")
# The most columns a file may have. A survey never comes near it: the hub template has 33,
# the DMA tool's export 11, a Forms or LimeSurvey export of a long questionnaire a few hundred.
# Far more means something else (often a sheet whose used range runs to the right edge), and
# every column costs work of its own (a column of the table, a warning when it is ignored):
# a 200,000-column header once took minutes and a report of 28 MB.
MAX_COLUMNS = 1_000
# The most cells an XLSX sheet may span, counted as it is read: from A1 to its last row and
# column, empty ones included. calamine allocates 32 bytes for each before anything else, and
# the whole read measured ~125 bytes a cell at its peak (3 million cells: 375 MB). 40 million
# takes the row limit (1,000,000) at the hub template's width (33 columns) with room to spare,
# and keeps the peak near 5 GB; a sheet reaching XFD1048576 would ask for 550 GB.
MAX_CELLS = 40_000_000

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


def too_large(size: int, max_bytes: int) -> FileRefused:
    """The refusal of a file of `size` bytes over the `max_bytes` limit (for callers that
    know the size before reading the file)."""
    return FileRefused(
        "too_large",
        # Rounded up, so a file just over a 50 MB limit never reads as "50 MB".
        size_mb=math.ceil(size / 1_048_576 * 10) / 10,
        limit_mb=round(max_bytes / 1_048_576, 1),
    )


def read_table(data: bytes, filename: str, *, max_bytes: int, max_rows: int) -> RawTable:
    """The table in `data` (CSV/TXT or XLSX); `FileRefused` when the file cannot be read."""
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    if not _NOT_BLANK_BYTE.search(data):  # `not data.strip()`, without copying the file
        raise FileRefused("empty")
    if data.startswith(_OLE_MAGIC):
        # An encrypted XLSX is an OLE container holding an `EncryptedPackage` stream; any
        # other OLE file is a legacy .xls (or .doc), which the contract does not take.
        if _ENCRYPTED_STREAM in data or filename.lower().endswith((".xlsx", ".xlsm")):
            raise FileRefused("xlsx_encrypted")
        raise FileRefused("xls_legacy")
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, max_bytes=max_bytes, max_rows=max_rows)
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


def _too_many_columns(count: int) -> FileRefused:
    # Floats, because localise_params says them with the reader's digit grouping (200,000).
    return FileRefused("too_many_columns", columns=float(count), limit=float(MAX_COLUMNS))


def _check_header_width(text: _Text, delimiter: str) -> None:
    """Refuse a file whose first row is wider than `MAX_COLUMNS`, before any table is built.

    The sample settles it for any ordinary header; only when the sample's first row alone is
    too wide is that whole row read once more, to say how many columns it really has."""
    try:
        records = _records(io.StringIO(text.sample, newline=""), delimiter, strict=False)
        first = next((r for r in records if not _is_blank(r)), [])
    except csv.Error:
        return  # a cell over the csv module's limit: reading the file will name its row
    if len(first) <= MAX_COLUMNS:
        return
    try:
        records = _records(text.lines(), delimiter, strict=False)
        first = next((r for r in records if not _is_blank(r)), first)
    except csv.Error:
        pass  # the count within the sample is still more than the limit
    raise _too_many_columns(len(first))


def _read_csv(text: _Text, *, max_rows: int) -> RawTable:
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
    )


def _parse(
    text: _Text, delimiter: str, *, strict: bool, max_rows: int
) -> tuple[pd.DataFrame, tuple[int, ...], int]:
    builder = _TableBuilder(max_rows)
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
    if table.num_columns > MAX_COLUMNS:  # a header longer than the sample said
        raise _too_many_columns(table.num_columns)
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


# --- XLSX: what calamine may be given ----------------------------------------------------
#
# calamine reads a sheet into one dense block, from its first cell to its last, empty cells
# included, and to_python(skip_empty_area=False) copies it from A1; an allocation it cannot
# make aborts the process (Rust does not raise). So before calamine opens a workbook, the ZIP
# is unpacked here, a chunk at a time, and:
#
# * its members may not unpack to more than `_UNPACKED_PER_BYTE` times the size limit, by
#   their sizes as declared and as they really inflate (declared sizes can lie);
# * every part calamine could read as a sheet (anything under xl/worksheets/, chartsheets/
#   or dialogsheets/, matched as loosely as it matches names) may span neither more rows
#   than the row limit (+ the header; blank rows count, as calamine keeps them) nor more
#   than `MAX_COLUMNS` columns nor more than `MAX_CELLS` cells: first by its
#   <dimension ref="A1:XFD200000"/>, then by the cells themselves, since the dimension may
#   be missing or lie.
#
# The cells are found in the XML bytes, not by parsing it: a million rows are 30 million
# cells, which a Python XML parser would take a minute over. Every cell Excel and the usual
# writers make starts `<c r="B7"`, so numpy finds them all in a chunk at once (the fast
# path). Sheets written otherwise (cells without r, r not first, namespace prefixes) are
# read tag by tag, following calamine's own rules (the exact path): a cell without r takes
# the next column, a row without r the next row. Both leave out value-less cells written
# <c .../>, as calamine does (Excel writes them for formatting), and count every other cell,
# even one that turns out to hold nothing: that errs on the side of refusing.

# Unpacked, a workbook is ~10 times its ZIP size (measured: openpyxl 10x, a synthetic
# sheet 11-13x); 20 times leaves room for very repetitive answers and stops a ZIP bomb at
# 1 GB for the default 50 MB limit.
_UNPACKED_PER_BYTE = 20
_SHEET_PART = re.compile(r"xl/(?:worksheets|chartsheets|dialogsheets)/", re.IGNORECASE)
_UNPACK_BYTES = 1 << 20  # inflated at a time
_TAG_CARRY_LIMIT = 4 << 20  # bytes without a '<': no sheet holds text that long
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, …, name length, extra length
_DIMENSION = re.compile(
    rb"<(?:[^\s/>:<]+:)*dimension\s(?:[^>]*\s)?ref\s*=\s*[\"']([A-Za-z]*[0-9]+)"
    rb"(?::([A-Za-z]*[0-9]+))?[\"']"
)
_SHEET_DATA = re.compile(rb"<(?:[^\s/>:<]+:)*sheetData[\s/>]")
# Where the fast path gives way: a cell or row tag with a namespace prefix.
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
# A whole cell tag without a value (attributes read with their quotes).
_EMPTY_CELL = re.compile(rb"<c(?:\s+[^\s=/>\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/>")
# One c or row tag (start, end or empty), its attributes read with their quotes, so a '>'
# inside a value does not end the tag. Any number of prefixes: calamine goes by local name.
_CELL_OR_ROW_TAG = re.compile(
    rb"<(/?)(?:[^\s/>:<]+:)*(c|row)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
)
_CELL_OR_ROW_START = re.compile(rb"</?(?:[^\s/>:<]+:)*(?:c|row)(?=[\s/>])")
# Anything that may be an r attribute: calamine takes `r=` even straight after a quote, and
# the last of several. (\s is wider than the XML reader's white space, so some of these are
# not attributes to it; those make the reading assume the worst, see `_SheetScan`.)
_R_LIKE = re.compile(rb"r(\s*)=(\s*)(?:\"([^\"]*)\"|'([^']*)')")
_XML_SPACE = frozenset(b" \t\r\n")  # white space the XML reader surely takes as such
_PLAIN_END = re.compile(rb"</(?:[^\s/>:<]+:)*(?:c|row)[ \t\r\n]*>")
_REFERENCE = re.compile(rb"([A-Za-z]*)([0-9]+)")


def _byte_class(chars: bytes, *, high: bool = False) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(chars)] = True
    if high:
        table[0x80:] = True
    return table


# What may continue an XML name: `<c` followed by one of these is some other element.
_NAME_BYTE = _byte_class(
    bytes(range(0x41, 0x5B)) + bytes(range(0x61, 0x7B)) + b"0123456789-._:", high=True
)
_SPACE_BYTE = _byte_class(b" \t\r\n\x0b\x0c")
_CELL_START = b'<c r="'
_CELL_START_PAIR = int.from_bytes(_CELL_START[:2], "little")
_CELL_START_QUAD = int.from_bytes(_CELL_START[2:], "little")
# An r value the fast path reads: 1-3 capital letters (up to column XFD), 1-7 digits (up
# to row 1,048,576) and the closing quote.
_REF_WINDOW = 3 + 7 + 1
_PAD = bytes(len(_CELL_START) + _REF_WINDOW)  # so no look past a chunk's end falls off it


class _NotFastError(Exception):
    """The fast path cannot vouch for this sheet: read it the exact way."""


def _check_workbook(data: bytes, *, max_bytes: int, max_rows: int) -> None:
    """Refuse (`FileRefused`) a ZIP that is no workbook, one that unpacks to too much, or
    one with a sheet larger than a survey upload may be (see above)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRefused("xlsx_corrupt") from None
    if "xl/workbook.xml" not in {member.filename for member in members}:
        # A ZIP that is not a workbook: a .docx, an .ods, a zipped folder…
        raise FileRefused("not_xlsx")
    most = _UNPACKED_PER_BYTE * max_bytes
    if sum(member.file_size for member in members) > most:
        raise _unpacked_too_large(most)
    limits = _SheetLimits(data_rows=max_rows, columns=MAX_COLUMNS, cells=MAX_CELLS)
    unpacked = 0
    unusual = []
    for member in members:
        sheet = _SheetScan(limits, fast=True) if _SHEET_PART.match(member.filename) else None
        for piece in _unpack(data, member):
            unpacked += len(piece)
            if unpacked > most:  # sizes that lied, or a bomb split into many members
                raise _unpacked_too_large(most)
            if sheet is not None and not sheet.gave_up:
                sheet.feed(piece)
        if sheet is not None and not sheet.finish():
            unusual.append(member)
    for member in unusual:  # unpacked once already: within the limit
        sheet = _SheetScan(limits, fast=False)
        for piece in _unpack(data, member):
            sheet.feed(piece)
        sheet.finish()


def _unpacked_too_large(most: int) -> FileRefused:
    return FileRefused("xlsx_unpacked_too_large", limit_mb=round(most / 1_048_576, 1))


def _unpack(data: bytes, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """`member` inflated a chunk at a time, from the bytes where its header says, as far as
    the compressed data goes: what calamine's ZIP reader will see, whatever its declared
    size. OOXML packages are stored or deflated only; anything else is refused."""
    if member.flag_bits & 0x1:  # an encrypted member: not a workbook Excel could open
        raise FileRefused("xlsx_corrupt")
    header = data[member.header_offset : member.header_offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise FileRefused("xlsx_corrupt")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    start = member.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    end = start + member.compress_size
    if signature != _ZIP_MAGIC or end > len(data):
        raise FileRefused("xlsx_corrupt")
    packed = memoryview(data)[start:end]
    if member.compress_type == zipfile.ZIP_STORED:
        for pos in range(0, len(packed), _UNPACK_BYTES):
            yield bytes(packed[pos : pos + _UNPACK_BYTES])
        return
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise FileRefused("xlsx_corrupt")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pos = 0
    try:
        while not inflater.eof:
            source: bytes | memoryview = b""  # none left: what zlib still holds, if any
            if inflater.unconsumed_tail:
                source = inflater.unconsumed_tail
            elif pos < len(packed):
                source, pos = packed[pos : pos + _UNPACK_BYTES], pos + _UNPACK_BYTES
            # At most a chunk out, however much a few bytes in would inflate to.
            piece = inflater.decompress(source, _UNPACK_BYTES)
            if piece:
                yield piece
            elif not source:  # cut short: calamine would fail on it too
                raise FileRefused("xlsx_corrupt")
    except zlib.error:
        raise FileRefused("xlsx_corrupt") from None


@dataclass(frozen=True)
class _SheetLimits:
    data_rows: int  # the row limit; a sheet may have one more, the header
    columns: int
    cells: int

    def check(self, last_row: int, last_column: int) -> None:
        """Refuse a sheet whose last cell (0-based) lies beyond the limits."""
        rows, columns = last_row + 1, last_column + 1
        if columns <= self.columns and rows * columns <= self.cells:
            if rows <= self.data_rows + 1:
                return
            # Too long but not too wide: the refusal a CSV file of as many rows gets.
            raise FileRefused("too_many_rows", limit=self.data_rows)
        raise FileRefused(
            "sheet_too_large",
            cell=f"{column_letter(last_column)}{rows}",
            # Floats, because localise_params says them with the reader's digit grouping.
            rows=float(rows),
            columns=float(columns),
            max_rows=float(self.data_rows + 1),
            max_columns=float(self.columns),
            max_cells=float(self.cells),
        )


class _SheetScan:
    """The extent of one sheet part, fed its XML a piece at a time (see the notes above):
    `finish` refuses a sheet too large, or returns whether it could tell (False: the fast
    path gave up on a sheet not written as it expects; read it again, the exact way)."""

    def __init__(self, limits: _SheetLimits, *, fast: bool) -> None:
        self._limits = limits
        self._fast = fast
        self.gave_up = False  # the fast path found something only the exact one can read
        self._carry = b""
        self._in_data = False  # past <sheetData>: the dimension, if any, has been seen
        self._last_row = -1  # 0-based, of the cells that count so far
        self._last_column = -1
        # The exact path's reading position, as calamine keeps it.
        self._row = 0
        self._column = 0
        self._in_cell = False

    def feed(self, piece: bytes) -> None:
        # Whole tags only: everything up to the last '<' is read now, the rest waits.
        text = self._carry + piece
        cut = text.rfind(b"<")
        if cut <= 0:
            if len(text) > _TAG_CARRY_LIMIT:
                raise FileRefused("xlsx_corrupt")
            self._carry = text
            return
        self._carry = text[cut:]
        self._read(text[:cut])

    def finish(self) -> bool:
        if self._carry and not self.gave_up:
            self._read(self._carry)
        if self.gave_up:
            return False
        self._limits.check(self._last_row, self._last_column)
        return True

    def _read(self, chunk: bytes) -> None:
        if not self._in_data:
            self._check_dimension(chunk)
        try:
            if self._fast:
                self._read_fast(chunk)
            else:
                self._read_exact(chunk)
        except _NotFastError:
            self.gave_up = True

    def _check_dimension(self, chunk: bytes) -> None:
        """The sheet's own claim of its used range, before its cells: refused at once when
        too large. A dimension calamine cannot read makes it fail on its own."""
        data_at = _SHEET_DATA.search(chunk)
        head = chunk if data_at is None else chunk[: data_at.start()]
        self._in_data = data_at is not None
        found = _DIMENSION.search(head)
        if found is None:
            return
        last = _position(found.group(2) or found.group(1))
        if last is not None and last[1] is not None:
            self._limits.check(last[0], last[1])

    def _record(self, row: int, column: int) -> None:
        self._last_row = max(self._last_row, row)
        self._last_column = max(self._last_column, column)

    def _read_fast(self, chunk: bytes) -> None:
        if _PREFIXED.search(chunk):
            raise _NotFastError
        padded = chunk + _PAD
        raw = np.frombuffer(padded, dtype=np.uint8)
        size = len(chunk)
        # The same bytes read two and four at a time from every offset, to match '<c' and
        # ' r="' with one comparison each.
        pairs = np.ndarray((size,), dtype="<u2", buffer=padded, strides=(1,))
        quads = np.ndarray((size,), dtype="<u4", buffer=padded, strides=(1,))
        cells = np.flatnonzero(pairs == _CELL_START_PAIR)
        cells = cells[~_NAME_BYTE[raw[cells + 2]]]  # '<c' and not '<col', '<cfRule', …
        if not len(cells):
            return
        if not (quads[cells + 2] == _CELL_START_QUAD).all():  # '<c r="' every one
            raise _NotFastError
        # calamine takes the last r of a cell, so no other may hide in its tag (or after a
        # '>' inside a quoted value there): every '=' whose name is just r, in a tag or in
        # text alike, must be a cell's or a row's own.
        names_end = np.flatnonzero(raw[:size] == 0x3D) - 1  # before each '='
        for index in np.flatnonzero(_SPACE_BYTE[raw[names_end]]).tolist():
            # `r = "…"`: no writer's way, but XML's; rare in text ("a = b"), so walk back.
            end = int(names_end[index])
            while end > 0 and _SPACE_BYTE[raw[end]]:
                end -= 1
            names_end[index] = end
        r_like = (raw[names_end] == 0x72) & ~_NAME_BYTE[raw[names_end - 1]]  # 'r' alone
        if np.count_nonzero(r_like) != len(cells) + chunk.count(b'<row r="'):
            raise _NotFastError
        if b"/>" in chunk:
            cells = self._without_empty_cells(chunk, raw, cells)
            if not len(cells):
                return
        # The r values, one vector per place (0: the first letter): capital letters, digits
        # and the closing quote; numpy reads every cell's place at once.
        window = raw[cells + len(_CELL_START) + np.arange(_REF_WINDOW)[:, None]]
        upper = (window >= 0x41) & (window <= 0x5A)
        digit = (window >= 0x30) & (window <= 0x39)
        letters = np.zeros(len(cells), dtype=np.int64)
        running = np.ones(len(cells), dtype=bool)
        for place in range(3):  # XFD, the last column, has three
            running &= upper[place]
            letters += running
        column = np.zeros(len(cells), dtype=np.int64)
        for place in range(3):
            column = np.where(place < letters, column * 26 + window[place] - 0x40, column)
        row = np.zeros(len(cells), dtype=np.int64)
        digits = np.zeros(len(cells), dtype=np.int64)
        running = np.ones(len(cells), dtype=bool)
        for place in range(_REF_WINDOW):
            after = place >= letters
            running &= ~after | digit[place]  # the digits end at the first non-digit
            step = running & after
            row = np.where(step, row * 10 + window[place] - 0x30, row)
            digits += step
        each = np.arange(len(cells))
        ends = np.minimum(letters + digits, _REF_WINDOW - 1)
        plain = (
            (letters >= 1)
            & (digits >= 1)
            & (digits <= 7)  # row 1,048,576 has seven; more is some other writer's way
            & (window[ends, each] == 0x22)  # '"' right after the digits
            & (window[np.minimum(letters, _REF_WINDOW - 1), each] != 0x30)  # no leading 0
        )
        if not plain.all():
            raise _NotFastError
        self._record(int(row.max()) - 1, int(column.max()) - 1)

    @staticmethod
    def _without_empty_cells(chunk: bytes, raw: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """`cells` less those written <c .../>, when the whole tag says so: a '>' inside a
        quoted value could seem to end it early, and then the cell counts."""
        tag_ends = np.flatnonzero(raw[: len(chunk)] == 0x3E)  # '>'
        which = np.searchsorted(tag_ends, cells)
        if which[-1] >= len(tag_ends):  # a tag left open: not XML calamine could read
            raise _NotFastError
        closed = tag_ends[which]
        counted = np.ones(len(cells), dtype=bool)
        for index in np.flatnonzero(raw[closed - 1] == 0x2F).tolist():  # '/'
            tag = (int(cells[index]), int(closed[index]) + 1)
            counted[index] = not _EMPTY_CELL.fullmatch(chunk, *tag)
        return cells[counted]

    def _read_exact(self, chunk: bytes) -> None:
        """Every c and row tag in turn, as calamine's reader steps through them. Where
        this reading and the XML reader could differ on a tag (white space that only one
        of them takes as such, several r), the position kept is the farthest either could
        give, so the sheet can only seem larger than calamine will find it."""
        # Comments, CDATA and the like may hold what looks like tags but are text to the
        # XML reader; Excel writes none in a sheet, so rather than parse them, refuse.
        if b"<!" in chunk:
            raise FileRefused("xlsx_corrupt")
        for start in _CELL_OR_ROW_START.finditer(chunk):
            tag = _CELL_OR_ROW_TAG.match(chunk, start.start())
            if tag is None:
                # No '>' before the chunk ends: a '<' inside one of its values (where the
                # chunk was cut), which the XML reader may take but no writer makes.
                raise FileRefused("xlsx_corrupt")
            closing, name, attributes = tag.groups()
            plain_name = not attributes or attributes[0] in _XML_SPACE or attributes[:1] == b"/"
            if closing and name == b"c":
                if _PLAIN_END.fullmatch(tag.group()) is None:
                    raise FileRefused("xlsx_corrupt")  # the XML reader might read on past it
                self._in_cell = False
                continue
            if self._in_cell:  # a row, or a cell, inside a cell: calamine would read it in
                raise FileRefused("xlsx_corrupt")
            if closing:
                self._end_row(plain=_PLAIN_END.fullmatch(tag.group()) is not None)
                continue
            empty = attributes.endswith(b"/")
            given, sure = _r_values(attributes)
            sure = sure and plain_name
            if name == b"row":
                if given:
                    rows = [row for row, _ in given]
                    self._row = rows[0] if sure else max(self._row, *rows)
                if empty:
                    self._end_row(plain=plain_name)
                continue
            columns = [column for _, column in given if column is not None]
            if sure and columns:
                row, column = given[0][0], columns[0]
            elif given or not plain_name:
                row = max([self._row, *(row for row, _ in given)])
                column = max([self._column, *columns])
            else:  # no r: the next column of the row
                row, column = self._row, self._column
            self._column = column + 1
            if not empty:  # <c r="X9" s="1"/> has no value: calamine leaves it out
                self._in_cell = True
                self._record(row, column)

    def _end_row(self, *, plain: bool) -> None:
        self._row += 1
        if plain:  # otherwise the XML reader might not end the row: keep the column
            self._column = 0


def _position(reference: bytes) -> tuple[int, int | None] | None:
    """(row, column), 0-based, of a reference such as `B7` (column None for `7`), read as
    calamine reads it; None where calamine would fail on it (and so refuse the file)."""
    match = _REFERENCE.fullmatch(reference)
    if match is None or int(match.group(2)) == 0:
        return None
    column = None
    if match.group(1):
        column = 0
        for letter in match.group(1).upper():
            column = column * 26 + letter - 0x40
        column -= 1
    return int(match.group(2)) - 1, column


def _r_values(attributes: bytes) -> tuple[list[tuple[int, int | None]], bool]:
    """The positions that whatever may be an r attribute among `attributes` give, and
    whether the XML reader surely sees just that one r: one alone, after white space it
    takes as such. Values calamine cannot read are left out: it fails on them."""
    found = list(_R_LIKE.finditer(attributes))
    given = [
        position
        for match in found
        if (position := _position(match.group(3) or match.group(4) or b"")) is not None
    ]
    sure = (
        len(found) == len(given) == 1
        and found[0].start() > 0
        and attributes[found[0].start() - 1] in _XML_SPACE
        and set(found[0].group(1) + found[0].group(2)) <= _XML_SPACE
    )
    return given, sure


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


def _read_xlsx(data: bytes, *, max_bytes: int, max_rows: int) -> RawTable:
    # calamine must never see a workbook it cannot hold: it aborts the whole process when an
    # allocation fails (a 5 KB file with one cell at XFD200000 asks for 100 GB).
    _check_workbook(data, max_bytes=max_bytes, max_rows=max_rows)
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
