"""XLSX shared-string tables: counted and measured before calamine holds them.

calamine reads a workbook's whole shared-string table before any sheet, and makes room for
as many strings as the table claims. A 0.9 MB workbook unpacking to a 900 MB table took
2.76 GB; 61 million empty strings 1.56 GB and half a minute; a 10 KB one claiming two
billion strings aborted the process. Each is built here (tests/sources/xlsx_hostile.py)
and imported by `dih-dash import --dry-run` in a child process whose peak RSS is measured.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dih_dash.settings import PROJECT_ROOT
from dih_dash.sources import survey_files
from dih_dash.sources.survey_files import FileRefused, read_table
from dih_dash.sources.survey_files.xlsx_guard import _TextScan
from tests.sources.xlsx_hostile import shared_strings_xlsx

BUDGET_KB = 1536 * 1024  # 1.5 GB, what an import may take at its peak
# Runs a command and prints its peak RSS in kB: the wrapper's only child is the command,
# so RUSAGE_CHILDREN is that command's own peak (the test process has had other children).
_MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{done.returncode}\\n{peak}\\n{done.stdout}", end="")
sys.stderr.write(done.stderr)
"""


def import_dry_run(path: Path, tmp_path: Path) -> tuple[int, int, dict[str, object]]:
    """(exit status, peak RSS in kB, JSON report) of `dih-dash import --dry-run --json`."""
    env = {
        **os.environ,
        "DIH_DASH_DATA_DIR": str(tmp_path / "data"),
        "DIH_DASH_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'members.sqlite'}",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    command = [sys.executable, "-m", "dih_dash", "import", str(path), "--dry-run", "--json"]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    status, peak, report = done.stdout.split("\n", 2)
    assert report, done.stderr[-2000:]
    return int(status), int(peak), json.loads(report)


@pytest.mark.parametrize(
    "hostile",
    [
        {"count": 2, "text_bytes": 900_000_000},  # one string of 900 MB
        {"count": 61_000_000},  # 61 million empty strings
        {"count": 2, "claimed": 2_000_000_000},  # a 10 KB file that claims two billion
        # 500 cells showing one string of 20 MB: calamine copies it into each, 10 GB.
        {"count": 2, "text_bytes": 20_000_000, "members": 500},
    ],
    ids=["900-mb-string", "61-million-strings", "claims-two-billion", "string-copied-500-times"],
)
def test_a_hostile_shared_string_table_is_refused_within_the_budget(
    hostile: dict[str, int], tmp_path: Path
) -> None:
    path = shared_strings_xlsx(tmp_path / "hostile.xlsx", level=1, **hostile)
    assert path.stat().st_size < 10 << 20  # under the 50 MB upload limit by far
    with zipfile.ZipFile(path) as archive:  # ... and within the unpacked-size guard
        assert sum(info.file_size for info in archive.infolist()) < 20 * (50 << 20)

    status, peak_kb, report = import_dry_run(path, tmp_path)

    assert status == 2, report
    assert report["stored"] is False
    assert "shared texts" in str(report["refused"])
    assert peak_kb <= BUDGET_KB, f"peak RSS {peak_kb / 1024:.0f} MB"


def test_a_table_within_the_limits_is_read_within_the_budget(tmp_path: Path) -> None:
    # 100 MB of text in one string, and 1,000,000 more strings: both under the limits.
    path = shared_strings_xlsx(
        tmp_path / "large.xlsx", count=1_000_000, text_bytes=100_000_000, level=1
    )
    status, peak_kb, report = import_dry_run(path, tmp_path)
    assert status == 0, report
    assert report["rows"] == 1
    assert peak_kb <= BUDGET_KB, f"peak RSS {peak_kb / 1024:.0f} MB"


# --- the limits, in process ----------------------------------------------------------------

LIMITS = {"max_bytes": 5_000_000}


def workbook(tmp_path: Path, **options: object) -> bytes:
    return shared_strings_xlsx(tmp_path / "m.xlsx", **options).read_bytes()  # type: ignore[arg-type]


def refusal(data: bytes, **limits: int) -> FileRefused:
    with pytest.raises(FileRefused) as info:
        read_table(data, "m.xlsx", **{**LIMITS, **limits})
    return info.value


def test_the_string_count_limit_follows_the_row_limit(tmp_path: Path) -> None:
    # One data row of at most 1,000 columns: a sheet that size shows at most 2,000 strings.
    at_limit = workbook(tmp_path, count=2_000)
    table = read_table(at_limit, "m.xlsx", max_rows=1, **LIMITS)
    assert table.frame["company_name"].tolist() == ["Acme SRL"]

    error = refusal(workbook(tmp_path, count=2_001), max_rows=1)
    assert (error.code, error.params) == (
        "xlsx_shared_strings_too_large",
        {"max_count": 2000.0, "max_mb": 95.4},
    )
    assert error.reason("en") == (
        "The workbook's table of shared texts holds more than one upload may (at most 2,000 "
        "texts and 95.4 MB of them); save it again from Excel (or as CSV) and upload it again."
    )
    assert "2.000 texte" in error.reason("ro")


def test_a_table_that_claims_more_strings_than_the_limit_is_refused(tmp_path: Path) -> None:
    error = refusal(workbook(tmp_path, count=2, claimed=2_001), max_rows=1)
    assert error.code == "xlsx_shared_strings_too_large"
    assert len(read_table(workbook(tmp_path, count=2, claimed=2_000), "m.xlsx", max_rows=1,
                          **LIMITS)) == 1  # fmt: skip


def test_the_size_limit_counts_the_unpacked_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(survey_files.xlsx_guard, "MAX_SHARED_STRINGS_BYTES", 1 << 20)
    error = refusal(workbook(tmp_path, count=2, text_bytes=1 << 20), max_rows=1000)
    assert (error.code, error.params["max_mb"]) == ("xlsx_shared_strings_too_large", 1.0)
    assert len(read_table(workbook(tmp_path, count=2, text_bytes=900_000), "m.xlsx",
                          max_rows=1000, **LIMITS)) == 1  # fmt: skip


def test_a_table_under_another_name_or_prefix_is_counted_too(tmp_path: Path) -> None:
    # calamine finds the table whatever the letter case of its name.
    upper = workbook(tmp_path, count=2_001, name="XL/SharedStrings.xml")
    assert refusal(upper, max_rows=1).code == "xlsx_shared_strings_too_large"
    prefixed = io.BytesIO()
    original = io.BytesIO(workbook(tmp_path, count=1))
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(prefixed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = b'<x:sst xmlns:x="urn:x">' + b"<x:si><x:t>a</x:t></x:si>" * 2_001
                data += b"</x:sst>"
            target.writestr(info, data)
    assert refusal(prefixed.getvalue(), max_rows=1).code == "xlsx_shared_strings_too_large"


@pytest.mark.parametrize("piece", [1, 7, 4096, 1 << 20])
def test_the_count_does_not_depend_on_where_the_xml_is_cut(piece: int) -> None:
    xml = (
        b'<?xml version="1.0"?><sst xmlns="urn:x" uniqueCount="5"><si><t>a</t></si>'
        b'<si>\n<t xml:space="preserve"> b </t></si><x:si><x:t>c</x:t></x:si><si/>'
        b"<sig/><six>d</six><si\t><r><t>e</t></r></si></sst>"
    )
    guard = survey_files.xlsx_guard
    scan = guard._StringsScan(guard._StringsLimits(count=10, size=1 << 20))
    for start in range(0, len(xml), piece):
        scan.feed(xml[start : start + piece])
    assert scan._count == 5
    with pytest.raises(FileRefused):
        scan = guard._StringsScan(guard._StringsLimits(count=4, size=1 << 20))
        for start in range(0, len(xml), piece):
            scan.feed(xml[start : start + piece])


# --- shared strings copied into many cells ---------------------------------------------------


def test_the_text_cells_copy_from_the_table_is_limited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(survey_files.xlsx_guard, "MAX_STRING_COPIES_BYTES", 1 << 20)
    # A string of 100,000 bytes of text (100,016 of XML) shown by 10 cells fits in 1 MB ...
    ten = workbook(tmp_path, count=2, text_bytes=100_000, members=11)
    table = read_table(ten, "m.xlsx", max_rows=1000, **LIMITS)
    assert table.frame["company_name"].str.len().tolist() == [8] + [100_000] * 10
    # ... shown by 11 it does not; the first member's "Acme SRL" counts too.
    eleven = workbook(tmp_path, count=2, text_bytes=100_000, members=12)
    error = refusal(eleven, max_rows=1000)
    assert (error.code, error.params) == (
        "xlsx_string_copies_too_large",
        {"size_mb": round((11 * 100_016 + 17) / 1_048_576, 1), "max_mb": 1.0},
    )
    assert error.reason("en").startswith("The workbook's cells repeat its shared texts 1")
    # Shown by cells written another way (a formula before the value), each counts as the
    # longest string of the table: 2 × 600,016 bytes, though one of them shows "Acme SRL".
    formula = workbook(tmp_path, count=2, text_bytes=600_000, members=1)
    with zipfile.ZipFile(io.BytesIO(formula)) as source:
        sheet = source.read("xl/worksheets/sheet1.xml").decode()
    formulas = (
        '<row r="3"><c r="B3" t="s"><f>X</f><v>1</v></c></row>'
        '<row r="4"><c r="B4" t="s"><f>Y</f><v>0</v></c></row>'
    )
    sheet = sheet.replace("</sheetData>", formulas + "</sheetData>")
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(formula)) as source, zipfile.ZipFile(rebuilt, "w") as target:
        for info in source.infolist():
            target.writestr(
                info, sheet if info.filename.endswith("sheet1.xml") else source.read(info)
            )
    assert refusal(rebuilt.getvalue(), max_rows=1000).code == "xlsx_string_copies_too_large"


@pytest.mark.parametrize("piece", [1, 7, 100, 1 << 20])
def test_the_cells_are_counted_wherever_the_xml_is_cut(piece: int) -> None:
    xml = (
        b'<sheetData><row r="1"><c r="A1" t="s"><v>3</v></c><c r="B1" s="2" t="s">'
        b'<v> 1 </v></c><x:c r="C1" t=\'s\'><x:v>3</x:v></x:c><c r="D1" t="n"><v>7</v></c>'
        b'<c r="E1" t="s"><f>A1</f><v>2</v></c><c r="F1" t="s"><v>99999999</v></c></row>'
        b"</sheetData>"
    )
    scan = survey_files.xlsx_guard._ReferenceScan(1000)
    for start in range(0, len(xml), piece):
        scan.feed(xml[start : start + piece])
    scan.finish()
    assert scan.refs.tolist() == [0, 1, 0, 1]
    # Written otherwise: C1 (a prefix, single quotes) and E1 (a formula before the value).
    # Index 99,999,999 names no string a table let through can have: no copy.
    assert scan.unread == 2


# --- inline strings: text in the sheet's own XML --------------------------------------------


def inline_strings_xlsx(path: Path, rows: int, text_bytes: int) -> Path:
    """A hub-template sheet whose company names are inline strings of `text_bytes` each."""

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    header = ["member_id", "company_name", "wave", "dma_overall"]
    body = ['<row r="1">' + "".join(cell(f"{chr(65 + i)}1", h) for i, h in enumerate(header))]
    body.append("</row>")
    name = "A" * text_bytes
    for r in range(2, rows + 2):
        body.append(
            f'<row r="{r}">{cell(f"A{r}", f"M{r}")}{cell(f"B{r}", name)}{cell(f"C{r}", "T0")}'
            f'<c r="D{r}"><v>50</v></c></row>'
        )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
            'formats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{rels}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rels}"><sheets><sheet name="survey" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{rels}/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{main}"><sheetData>{"".join(body)}</sheetData></worksheet>',
        )
    return path


def test_a_sheet_of_huge_inline_strings_is_refused_within_the_budget(tmp_path: Path) -> None:
    # 400 names of 2 MB: 800 MB of text in the sheet itself, within the unpacked-size guard.
    # Before the sheet's text was counted this import peaked at 4.1 GB and took 3 minutes.
    path = inline_strings_xlsx(tmp_path / "inline.xlsx", rows=400, text_bytes=2_000_000)
    assert path.stat().st_size < 10 << 20

    status, peak_kb, report = import_dry_run(path, tmp_path)

    assert status == 2, report
    assert "text in its own cells" in str(report["refused"])
    assert peak_kb <= BUDGET_KB, f"peak RSS {peak_kb / 1024:.0f} MB"


def test_inline_strings_within_the_limit_are_read(tmp_path: Path) -> None:
    path = inline_strings_xlsx(tmp_path / "inline.xlsx", rows=3, text_bytes=1_000)
    table = read_table(
        path.read_bytes(), filename="inline.xlsx", max_bytes=5_000_000, max_rows=1_000
    )
    assert table.frame.iloc[:, 1].tolist() == ["A" * 1_000] * 3


@pytest.mark.parametrize("piece", [1, 7, 64, 4096])
def test_the_sheet_text_is_counted_wherever_the_xml_is_cut(piece: int) -> None:
    xml = (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>Pia\xc8\x9ba</t></is></c><c><v>50</v></c></row>'
    )
    scan = _TextScan()
    for start in range(0, len(xml), piece):
        scan.feed(xml[start : start + piece])
    assert scan.text == len("Pia\u021ba".encode()) + len("50")
