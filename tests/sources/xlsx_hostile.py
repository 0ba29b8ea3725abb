"""Hostile XLSX workbooks for the memory tests, written to disk a piece at a time (the
test process never holds what they unpack to)."""

from __future__ import annotations

import zipfile
from pathlib import Path

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPES}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPES}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPES}.sharedStrings+xml"/>'
    "</Types>"
)
_PACKAGE_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="survey" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
# The hub template's three required columns, the header inline; each member's name is a
# shared string: the first member's string 0, every other member's string `reference`.
_HEAD = (
    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>member_id</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>company_name</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>wave</t></is></c></row>'
)
_ROW = (
    '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>RO{r}</t></is></c>'
    '<c r="B{r}" t="s"><v>{index}</v></c>'
    '<c r="C{r}" t="inlineStr"><is><t>T0</t></is></c></row>'
)


def _sheet(members: int, reference: int) -> str:
    rows = [_ROW.format(r=r, index=0 if r == 2 else reference) for r in range(2, members + 2)]
    return _HEAD + "".join(rows) + "</sheetData></worksheet>"


_PIECE = 8 << 20


def shared_strings_xlsx(
    path: Path,
    *,
    count: int,
    text_bytes: int = 0,
    claimed: int | None = None,
    name: str = "xl/sharedStrings.xml",
    level: int = 9,
    members: int = 1,
    reference: int = 1,
) -> Path:
    """A valid workbook whose shared-string table holds `count` strings: the first "Acme
    SRL", then (if `text_bytes`) one string of that many bytes, the others empty.
    `claimed` is its uniqueCount. The sheet has `members` rows, the first showing string 0
    ("Acme SRL"), the others string `reference` (1: the long one). Deflated at `level` (9:
    a gigabyte packs into about a megabyte; 1 is faster to write)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", _sheet(members, reference))
        unique = count if claimed is None else claimed
        with archive.open(name, "w", force_zip64=True) as table:
            table.write(
                f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" '
                f'count="{unique}" uniqueCount="{unique}"><si><t>Acme SRL</t></si>'.encode()
            )
            written = 1
            if text_bytes:  # one string of them all
                table.write(b"<si><t>")
                for start in range(0, text_bytes, _PIECE):
                    table.write(b"x" * min(_PIECE, text_bytes - start))
                table.write(b"</t></si>")
                written += 1
            empty = b"<si><t></t></si>"
            while written < count:
                batch = min(count - written, _PIECE // len(empty))
                table.write(empty * batch)
                written += batch
            table.write(b"</sst>")
    return path
