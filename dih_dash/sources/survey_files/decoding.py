"""The bytes of a text file → its characters (spec §4), without holding them all at once.

Encodings, in the order they are tried:

* a BOM decides: `EF BB BF` → `utf-8-sig`, `FF FE` / `FE FF` → `utf-16`; a file whose
  bytes break the encoding its BOM promises is refused, naming the line;
* bytes that decode as UTF-8 → `utf-8` (legacy single-byte text practically never does);
* bytes that are *mostly* UTF-8 → still `utf-8`: a cut-off last character, or a row pasted
  from a Windows-1250 file, must not turn the whole file into mojibake ("Piața" read as
  "PiaČ›a"). Each sequence that is not UTF-8 becomes U+FFFD, and its byte offset is kept,
  so the table can say which row and column it damaged (validation rejects such a row when
  the column is stored, and warns when it is ignored). "Mostly": the file holds the UTF-8
  form of a Romanian letter (ă â î ș ț, cedilla forms too: as Windows-1250 text these are
  pairs such as "Č™" that no writer makes), or more of its non-ASCII bytes belong to valid
  UTF-8 sequences than not;
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

Control characters: a file with more than a stray few is not text ("binary"). A stray NUL,
ESC or other control code that no spreadsheet writes (TAB, the line breaks, and the
Ctrl-Z old DOS tools put at the end are fine; so are vertical tab and form feed, which
some exports use as a line break inside a cell) refuses the file naming its line, as a
NUL cannot be stored and an ESC in a company name is never meant.
"""

from __future__ import annotations

import codecs
import io
import itertools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from dih_dash.domain.phrases import FileRefused
from dih_dash.domain.text import comma_below

_SNIFF_CHARS = 64 * 1024
_CHUNK_BYTES = 1 << 20  # text decoded at a time: small next to the file, large next to a line


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
_CP1250_UNDEFINED_BYTE = re.compile(b"[" + re.escape(_CP1250_UNDEFINED) + b"]")
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
class Text:
    """A text file's characters, for the csv module, without holding them all at once."""

    encoding: str  # as the report says it
    sample: str  # the first `_SNIFF_CHARS` characters
    truncated: bool  # whether more text follows the sample
    lines: Callable[[], Iterator[str]]  # every line from the start, comma-below letters
    utf8: Callable[[], Bytes]  # the whole text in UTF-8, comma-below letters
    # Where each U+FFFD of the text comes from, in order: the file offset of a sequence
    # that is not UTF-8 (or of a U+FFFD the file itself holds) and its first byte.
    damaged: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Bytes:
    """`data[start:end]`, without copying it to cut it out."""

    data: bytes
    start: int
    end: int

    def view(self) -> memoryview:
        return memoryview(self.data)[self.start : self.end]


def decode_text(data: bytes) -> Text:
    if data.startswith(b"\xef\xbb\xbf"):
        if not _is_utf8(data, 3):
            _strict(data[3:], "utf-8", "UTF-8")  # raises, naming the line
        return _utf8_text(data, 3, "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Rare, and two bytes a character: decoded whole, as it is small enough anyway.
        return _whole_text(_checked_text(_strict(data, "utf-16", "UTF-16")), "utf-16")
    if _is_utf8(data, 0):
        return _utf8_text(data, 0, "utf-8")
    if _mostly_utf8(data):
        return _utf8_text(data, 0, "utf-8", damaged=True)
    return _legacy_text(data)


# A valid UTF-8 sequence of two to four bytes (RFC 3629: no overlong forms, no surrogates).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
# The Romanian letters as UTF-8. Read as Windows-1250 or ISO-8859-2 each is a capital and a
# symbol or control code ("Č™", "Ă®", "Ä‚"), which legacy text does not hold.
_UTF8_ROMANIAN = re.compile(b"|".join(re.escape(c.encode()) for c in "ăâîșțşţĂÂÎȘȚŞŢ"))
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _mostly_utf8(data: bytes) -> bool:
    """Whether `data`, which is not valid UTF-8, is UTF-8 with some bytes damaged rather
    than legacy single-byte text (see the module docstring)."""
    if _UTF8_ROMANIAN.search(data):
        return True
    high = len(_only(data, _HIGH_BYTES))
    outside = len(_only(_UTF8_SEQUENCE.sub(b"", data), _HIGH_BYTES))
    return high - outside > outside


def _damaged_utf8(
    data: bytes, start: int, end: int, *, invalid: bool
) -> tuple[tuple[int, int], ...]:
    """(offset, first byte) of each sequence of `data[start:end]` that is not UTF-8 (when
    `invalid`: there are some) and of each U+FFFD it holds (a letter an earlier program
    already lost): where the U+FFFD of the decoded text come from, in order. At most
    `_MAX_MARKS`: past that the cells are still reported, without offsets.

    The text is decoded once more, by the same chunks as `Text.lines` decodes it, with an
    error handler that notes where each U+FFFD goes: the decoder calls it for the very
    sequences "replace" replaces."""
    marks = itertools.islice(_REPLACEMENT.finditer(data, start, end), _MAX_MARKS + 1)
    found = [mark.start() for mark in marks]
    if invalid:
        _MARKING.offsets = found
        pos = start
        try:
            while pos < end:
                stop = _line_end(data, pos, pos + _CHUNK_BYTES, end)
                _MARKING.base = pos
                data[pos:stop].decode("utf-8", _MARK_ERRORS)
                pos = stop
        except _EnoughMarksError:
            pass
        finally:
            del _MARKING.offsets
    return tuple((offset, data[offset]) for offset in sorted(found))


class _EnoughMarksError(Exception):
    """More than `_MAX_MARKS` bad sequences: the rest go unmarked."""


# Per thread: the upload page may read two files at once.
_MARKING = threading.local()
_MARK_ERRORS = "dih_dash.survey_files.mark"


def _mark(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    offsets: list[int] = _MARKING.offsets
    offsets.append(_MARKING.base + error.start)
    if len(offsets) > _MAX_MARKS:
        raise _EnoughMarksError
    return "\ufffd", error.end


codecs.register_error(_MARK_ERRORS, _mark)


# Bad sequences whose offsets are kept: enough for any file a person typed, and few enough
# that a file of nothing else (1 MB of 0xFF after one Romanian letter) costs no memory.
_MAX_MARKS = 100_000
_REPLACEMENT = re.compile(re.escape("\ufffd".encode()))


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


def _utf8_text(data: bytes, start: int, encoding: str, *, damaged: bool = False) -> Text:
    """UTF-8 `data[start:]` as text, checked as `_checked_text` would check it; with
    `damaged`, the sequences that are not UTF-8 are read as U+FFFD (and their offsets
    kept), as are the (not) characters they cut short."""
    end = _text_end(data, start)
    ascii_controls = _only(data, _ASCII_CONTROLS)
    # A C1 control is two bytes in UTF-8; the trailing Ctrl-Z bytes do not count.
    controls = len(ascii_controls) - (len(data) - end)
    controls += sum(1 for _ in _UTF8_C1_CONTROL.finditer(data, start, end))
    if controls > 3:  # only then can the length matter
        body = data[start:end]
        if _binary(controls, len(body) - len(_only(body, _UTF8_CONTINUATION))):
            raise FileRefused("binary")
    _refuse_stray_control(data, start, end)
    errors = "replace" if damaged else "strict"

    def decode(chunk: bytes) -> str:
        if b"\xc5" in chunk:
            # UTF-8 is self-synchronising: these byte pairs can only be these letters.
            for cedilla, comma in _UTF8_CEDILLA:
                chunk = chunk.replace(cedilla, comma)
        return chunk.decode("utf-8", errors)

    def utf8() -> Bytes:
        if not damaged and not _UTF8_CEDILLA_PAIR.search(data, start, end):
            return Bytes(data, start, end)  # as it is: no copy
        text = b"".join(_chunks(data, start, end, lambda chunk: decode(chunk).encode()))
        return Bytes(text, 0, len(text))

    prefix_end = min(end, start + 4 * _SNIFF_CHARS + 4)  # ≥ one character more than needed
    prefix, _ = codecs.utf_8_decode(data[start:prefix_end], errors, prefix_end == end)
    return Text(
        encoding=encoding,
        sample=prefix[:_SNIFF_CHARS],
        truncated=len(prefix) > _SNIFF_CHARS,
        lines=lambda: _byte_lines(data, start, end, decode),
        utf8=utf8,
        damaged=_damaged_utf8(data, start, end, invalid=damaged),
    )


# Control codes that refuse a file even alone (see the module docstring). Ctrl-Z (0x1A)
# counts only inside the text: `_text_end` leaves the trailing ones out.
_STRAY_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1b\x7f]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x1A: "SUB", 0x1B: "ESC", 0x7F: "DEL"}


def _refuse_stray_control(data: bytes, start: int, end: int) -> None:
    found = _STRAY_CONTROL.search(data, start, end)
    if found is None:
        return
    byte = data[found.start()]
    raise FileRefused(
        "control_character",
        line=line_of(data, start, found.start()),
        character=f"{_CONTROL_NAMES.get(byte, f'U+{byte:04X}')} (0x{byte:02X})",
        offset=float(found.start()),  # said with digit grouping
    )


def line_of(data: bytes, start: int, offset: int) -> int:
    """The line (1-based, as a text editor counts them: CR, LF and CRLF each end one) of
    `data[start:]` that holds the byte at `offset`."""
    crlf = data.count(b"\r\n", start, offset)
    return data.count(b"\n", start, offset) + data.count(b"\r", start, offset) - crlf + 1


def _legacy_text(data: bytes) -> Text:
    """Windows-1250 or ISO-8859-2 (see the module docstring), checked like `_checked_text`."""
    # The few bytes that decide: controls, 0x80–0x9F and the letters only ISO-8859-2 has.
    rare = _only(data, _ASCII_CONTROLS + _HIGH_CONTROLS + _ISO_ONLY_LETTERS)
    high = any(b in rare for b in _HIGH_CONTROLS)
    iso_letters = any(b in rare for b in _ISO_ONLY_LETTERS)
    if not high and iso_letters and _ISO_LETTER_IN_WORD.search(data):
        codec = "iso-8859-2"
    else:
        codec = "cp1250"
        undefined = sum(rare.count(b) for b in _CP1250_UNDEFINED)
        if undefined:
            # Bytes undefined in cp1250 (0x81, 0x83, …) are control codes in ISO-8859-2 too:
            # many of them, the file is not text; a stray few, it is named where they are.
            if _binary(undefined, len(data)):
                raise FileRefused("binary")
            found = _CP1250_UNDEFINED_BYTE.search(data)
            assert found is not None  # counted above
            raise FileRefused(
                "undefined_byte",
                line=line_of(data, 0, found.start()),
                byte=f"0x{data[found.start()]:02X}",
                offset=float(found.start()),  # said with digit grouping
            )
    end = _text_end(data, 0)
    # One byte a character, so the rare bytes decoded hold every control character.
    controls = len(_CONTROL.findall(rare.decode(codec))) - (len(data) - end)
    if _binary(controls, end):
        raise FileRefused("binary")
    _refuse_stray_control(data, 0, end)
    table = _CHARMAPS[codec]

    def decode(chunk: bytes) -> str:
        return codecs.charmap_decode(chunk, "strict", table)[0]

    def utf8() -> Bytes:
        text = b"".join(_chunks(data, 0, end, lambda chunk: decode(chunk).encode()))
        return Bytes(text, 0, len(text))

    return Text(
        encoding=codec,
        sample=decode(data[: min(end, _SNIFF_CHARS)]),
        truncated=end > _SNIFF_CHARS,
        lines=lambda: _byte_lines(data, 0, end, decode),
        utf8=utf8,
    )


def _whole_text(text: str, encoding: str) -> Text:
    text = comma_below(text)

    def utf8() -> Bytes:
        encoded = text.encode()
        return Bytes(encoded, 0, len(encoded))

    return Text(
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
