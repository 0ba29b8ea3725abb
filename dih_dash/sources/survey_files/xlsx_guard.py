"""What calamine may be given: an XLSX checked in its packed bytes before it is opened.

calamine aborts the whole process when an allocation fails, and allocates by what the
workbook claims (a sheet's extent, a shared-string table), so every claim is measured here
first, a megabyte at a time, against limits derived from the settings.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from dih_dash.domain.phrases import FileRefused
from dih_dash.domain.text import column_letter
from dih_dash.sources.survey_files.table import MAX_COLUMNS

# The most cells an XLSX sheet may span, counted as it is read: from A1 to its last row and
# column, empty ones included. calamine allocates 32 bytes for each before anything else, and
# a whole import, rows read a batch at a time, measured ~75 bytes a cell at its peak on top
# of ~200 MB (410,000 members × 29 columns, 11.9 million cells: 1.05 GB). 12 million keeps
# an import within 1.5 GB with room for the shared strings the guard lets through; that is
# 360,000 members at the hub template's full width (a hub has thousands), and a million
# at the DMA tool's. Larger files are read as CSV, which is not held this way. (40 million,
# the limit before, took ~3 GB; a sheet reaching XFD1048576 would ask for 550 GB.)
MAX_CELLS = 12_000_000

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
# calamine reads a workbook's whole shared-string table before any sheet: one allocation a
# string plus ~25 bytes of the table's own (measured at the peak: 61 million empty strings
# 1.56 GB, 29 s; one string of 900 MB 2.76 GB), and it sizes the table by the uniqueCount
# the part claims (2,000,000,000 claimed in a 10 KB file: the process aborts). So the
# strings are counted, and the part measured, before calamine sees them. 4 million strings
# are more than a survey of a million members uses (its names and ids; the other columns
# repeat a few values) and cost calamine ~150 MB; 128 MB of XML holds ~100 MB of text.
MAX_SHARED_STRINGS = 4_000_000
MAX_SHARED_STRINGS_BYTES = 128 << 20
_SHARED_STRING = re.compile(rb"<(?:[^\s/>:<]+:)?si[\s/>]")
_STRINGS_ROOT = re.compile(rb"<(?:[^\s/>:<]+:)?sst[\s/>][^>]*")
_STRINGS_CLAIM = re.compile(rb"(?:^|\s)(?:count|uniqueCount)\s*=\s*[\"']\s*([0-9]{1,30})")
_STRINGS_CARRY = 4096  # bytes kept from one piece for the next: a tag cut in two
# ... and calamine copies a shared string into every cell that shows it (then python-calamine
# into a Python string): the text the cells show, in all, is limited too. 256 MB is a
# million rows of seven text columns of 30 characters, at the XML's own size.
MAX_STRING_COPIES_BYTES = 256 << 20
_NAME = rb"<(?:[^\s/>:<]+:)?"
_CELL_START_TAG = re.compile(_NAME + rb"c[\s/>]")
# Both begin with a literal, which the regex engine finds fast: a million-row sheet has
# thirty million cells. The first counts every value "s" (t="s" or not: more is safe), the
# second the cells written as every usual writer does; the others count as the longest.
_SHARED_STRING_TYPE = re.compile(rb"=\s*[\"']s[\"']")
_SHARED_STRING_CELL = re.compile(rb't="s"><v>\s*([0-9]{1,12})\s*</v>')
ZIP_MAGIC = b"PK\x03\x04"
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


def check_workbook(data: bytes, *, max_bytes: int, max_rows: int) -> None:
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
    strings_limits = _StringsLimits(
        # No sheet within the limits can show more strings than it has cells.
        count=min(MAX_SHARED_STRINGS, (max_rows + 1) * MAX_COLUMNS, MAX_CELLS),
        size=min(MAX_SHARED_STRINGS_BYTES, most),
    )
    unpacked = 0
    unusual = []
    references: list[_ReferenceScan] = []
    tables: list[np.ndarray] = []
    for member in members:
        sheet = _SheetScan(limits, fast=True) if _SHEET_PART.match(member.filename) else None
        # Any other part may be the one calamine takes for the table (it finds it by name,
        # in any letter case): each is measured alike, and holds none in a real workbook.
        strings = _StringsScan(strings_limits) if sheet is None else None
        cells = _ReferenceScan(strings_limits.count) if sheet is not None else None
        text = _TextScan() if sheet is not None else None
        for piece in _unpack(data, member):
            unpacked += len(piece)
            if unpacked > most:  # sizes that lied, or a bomb split into many members
                raise _unpacked_too_large(most)
            if sheet is not None and not sheet.gave_up:
                sheet.feed(piece)
            if strings is not None:
                strings.feed(piece)
            if cells is not None:
                cells.feed(piece)
            if text is not None:
                text.feed(piece)
                text.check()  # as it arrives: a bomb is refused before it is all unpacked
        if sheet is not None and not sheet.finish():
            unusual.append(member)
        if strings is not None:
            tables.append(strings.sizes())
        if cells is not None:
            cells.finish()
            references.append(cells)
    _check_string_copies(references, tables)
    for member in unusual:  # unpacked once already: within the limit
        sheet = _SheetScan(limits, fast=False)
        for piece in _unpack(data, member):
            sheet.feed(piece)
        sheet.finish()


@dataclass(frozen=True)
class _StringsLimits:
    count: int  # <si> entries
    size: int  # bytes of the part, unpacked: its text can be no longer


class _StringsScan:
    """The shared-string table of one part, fed its XML a piece at a time: refused once it
    holds, or says it holds (`count`, `uniqueCount`), more strings than the limit, or once
    it has more bytes than the limit while holding any string at all. `sizes()` gives the
    bytes of XML of each string, which its text cannot exceed."""

    def __init__(self, limits: _StringsLimits) -> None:
        self._limits = limits
        self._carry = b""
        self._count = 0
        self._size = 0
        self._root_seen = False
        self._starts: list[np.ndarray] = []  # where each string starts, in the part

    def feed(self, piece: bytes) -> None:
        base = self._size - len(self._carry)  # where `text` starts in the part
        self._size += len(piece)
        # A tag cut at the end of the piece is read with the next one; a name or an
        # attribute list is far shorter than what is carried.
        text = self._carry + piece
        cut = text.rfind(b"<", max(0, len(text) - _STRINGS_CARRY))
        if cut < 0:
            cut = len(text)
        starts = [found.start() for found in _SHARED_STRING.finditer(text, 0, cut)]
        if starts:
            self._count += len(starts)
            if self._count > self._limits.count:
                raise self._refusal()
            self._starts.append(np.asarray(starts, dtype=np.int64) + base)
        if not self._root_seen and (root := _STRINGS_ROOT.search(text, 0, cut)) is not None:
            self._root_seen = True
            claims = [int(value) for value in _STRINGS_CLAIM.findall(root.group())]
            # calamine makes room for as many strings as the table claims, before any.
            if claims and max(claims) > self._limits.count:
                raise self._refusal()
        self._carry = text[cut:]
        if self._size > self._limits.size and (self._count or self._root_seen):
            raise self._refusal()

    def sizes(self) -> np.ndarray:
        if not self._starts:
            return np.zeros(0, dtype=np.int64)
        starts = np.concatenate(self._starts)
        return np.diff(starts, append=self._size)

    def _refusal(self) -> FileRefused:
        return FileRefused(
            "xlsx_shared_strings_too_large",
            # Floats, because localise_params says them with the reader's digit grouping.
            max_count=float(self._limits.count),
            max_mb=round(self._limits.size / 1_048_576, 1),
        )


class _ReferenceScan:
    """The shared strings the cells of one sheet part use, fed its XML a piece at a time.

    calamine copies a shared string into every cell that shows it, so a few hundred cells
    showing one string of 20 MB ask for 10 GB. `refs` counts the cells that show each
    string (their <v> index, as Excel, LibreOffice and openpyxl write them: `<c … t="s">
    <v>7</v></c>`); `unread` the values "s" written any other way, each then counted as
    the longest string of the table."""

    def __init__(self, most_strings: int) -> None:
        self._most = most_strings
        self._carry = b""
        self.refs = np.zeros(0, dtype=np.int64)
        self.unread = 0

    def feed(self, piece: bytes) -> None:
        text = self._carry + piece
        # Cut before the last cell that starts near the end: a cell is read whole or not yet.
        tail = max(0, len(text) - _STRINGS_CARRY)
        last = None
        for last in _CELL_START_TAG.finditer(text, tail):  # noqa: B007 - only the last one
            pass
        cut = last.start() if last is not None else len(text)
        if last is None and (lt := text.rfind(b"<", tail)) >= 0:
            cut = lt
        self._read(text[:cut])
        self._carry = text[cut:]

    def finish(self) -> None:
        self._read(self._carry)
        self._carry = b""

    def _read(self, chunk: bytes) -> None:
        marked = len(_SHARED_STRING_TYPE.findall(chunk))
        if not marked:
            return
        indices = np.asarray(
            [int(value) for value in _SHARED_STRING_CELL.findall(chunk)], dtype=np.int64
        )
        self.unread += marked - len(indices)
        # An index past any table the guard lets through names no string: calamine fails.
        indices = indices[indices < self._most]
        counts = np.bincount(indices, minlength=len(self.refs))
        if len(self.refs) < len(counts):
            self.refs = np.concatenate(
                [self.refs, np.zeros(len(counts) - len(self.refs), np.int64)]
            )
        self.refs += counts


# The text a sheet holds in its own XML (inline strings, numbers, shared-string indices):
# calamine holds it several times over (an 800 MB sheet of inline strings peaked at 4.1 GB),
# so it is bounded like the shared-string copies. 12 million numeric cells, the most a sheet
# may have, come to ~60 MB of it.
MAX_SHEET_TEXT_BYTES = 128 << 20


class _TextScan:
    """The bytes of a sheet's XML outside its tags, counted as the XML arrives in pieces.
    Excel escapes `<` and `>` in text, so the tags' brackets mark the text; a stray `>` in
    text only makes the count larger, never smaller."""

    def __init__(self) -> None:
        self.inside = 0  # 1 while a tag opened in an earlier piece is not closed yet
        self.text = 0

    def feed(self, piece: bytes) -> None:
        raw = np.frombuffer(piece, dtype=np.uint8)
        opens = raw == ord("<")
        closes = raw == ord(">")
        # Depth before each byte: tags opened minus tags closed so far.
        depth = self.inside + np.cumsum(opens) - opens - (np.cumsum(closes) - closes)
        self.text += int(np.count_nonzero((depth <= 0) & ~opens))
        self.inside = max(0, int(depth[-1] + opens[-1] - closes[-1])) if len(raw) else self.inside

    def check(self) -> None:
        if self.text > MAX_SHEET_TEXT_BYTES:
            raise FileRefused(
                "xlsx_sheet_text_too_large",
                size_mb=round(self.text / 1_048_576, 1),
                max_mb=round(MAX_SHEET_TEXT_BYTES / 1_048_576, 1),
            )


def _check_string_copies(sheets: list[_ReferenceScan], tables: list[np.ndarray]) -> None:
    """Refuse a workbook whose cells would hold more shared-string text than
    `MAX_STRING_COPIES_BYTES` (each string counted by its XML, which bounds its text)."""
    if not tables or not any(len(table) for table in tables):
        return
    sizes = tables[0]
    for table in tables[1:]:  # which table calamine takes: the largest strings of each
        longer = np.zeros(max(len(sizes), len(table)), dtype=np.int64)
        longer[: len(sizes)] = sizes
        longer[: len(table)] = np.maximum(longer[: len(table)], table)
        sizes = longer
    longest = int(sizes.max()) if len(sizes) else 0
    total = 0
    for sheet in sheets:
        refs = sheet.refs[: len(sizes)]
        total += int(np.dot(refs, sizes[: len(refs)])) + sheet.unread * longest
    if total > MAX_STRING_COPIES_BYTES:
        raise FileRefused(
            "xlsx_string_copies_too_large",
            size_mb=round(total / 1_048_576, 1),
            max_mb=round(MAX_STRING_COPIES_BYTES / 1_048_576, 1),
        )


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
    if signature != ZIP_MAGIC or end > len(data):
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
