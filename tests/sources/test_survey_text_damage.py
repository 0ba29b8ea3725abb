"""Text files with damaged bytes, NUL bytes and control characters (spec §4, §5).

A UTF-8 file with a few bytes that are not UTF-8 (a cut-off last character, a row pasted
from a Windows-1250 file) used to be re-read whole as Windows-1250, storing "Piața Brașov
SRL" as "PiaČ›a BraČ™ov SRL" without a word. Now it is read as UTF-8, the bad bytes become
U+FFFD, and each damaged cell is reported by row and column: an error where the column is
stored, a warning where it is ignored. A NUL byte or a stray control character refuses the
file naming its line, instead of "neither text nor an Excel workbook".
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from support.reference import validate

from dih_dash.cli import main
from dih_dash.domain.survey_table import DamagedText
from dih_dash.sources import survey_files
from dih_dash.sources.survey_files import FileRefused, RawTable, read_table

LIMITS = {"max_bytes": 5_000_000, "max_rows": 1000}
HEADER = "member_id;company_name;wave;note\n"


def read(data: bytes) -> RawTable:
    return read_table(data, "members.csv", **LIMITS)


def refusal(data: bytes) -> FileRefused:
    with pytest.raises(FileRefused) as info:
        read(data)
    return info.value


def read_by_csv_module(data: bytes, monkeypatch: pytest.MonkeyPatch) -> RawTable:
    with monkeypatch.context() as patch:
        patch.setattr(survey_files.csv_reader, "_parse_with_arrow", lambda *a, **k: None)
        patch.setattr(survey_files.decoding, "_CHUNK_BYTES", 5)
        patch.setattr(survey_files.csv_reader, "_BATCH_RECORDS", 2)
        return read(data)


# --- mostly UTF-8: read as UTF-8, the bad bytes reported by row -----------------------------

GOOD = (HEADER + "RO1;Piața Brașov SRL;T0;\n").encode()
PASTED = "RO2;Ţesătoria SRL;T1;\n".encode("cp1250")  # one row from a Windows-1250 file
MIXED = GOOD + PASTED + "RO3;Îmbinări Ștefan SRL;T0;\n".encode()


def test_a_row_pasted_from_windows_1250_leaves_the_rest_utf8() -> None:
    table = read(MIXED)
    assert table.encoding == "utf-8"
    names = table.frame["company_name"].tolist()
    assert names[0] == "Piața Brașov SRL"  # not "PiaČ›a BraČ™ov SRL"
    assert names[2] == "Îmbinări Ștefan SRL"
    assert names[1] == "\ufffdes\ufffdtoria SRL"  # Ţ, ă: a byte each in cp1250
    offset = len(GOOD) + len("RO2;")
    assert table.damaged == (DamagedText(row=3, column=1, count=2, offset=offset, byte=0xDE),)


def test_the_damaged_row_is_rejected_and_the_others_are_kept() -> None:
    result = validate(read(MIXED))
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "company_name", "damaged_text")
    ]
    error = result.errors[0]
    assert error.value == "\ufffdes\ufffdtoria SRL"
    assert error.message("en").startswith(
        'Row 3, column "company_name": the text holds 2 byte sequence(s) that are not '
        f"UTF-8, shown as \ufffd (the first: byte 0xDE at offset {len(GOOD) + 4} of the file)"
    )
    assert error.message("ro").startswith("Rândul 3, coloana „company_name”: textul conține 2")
    assert result.rejected == 1
    assert result.assessments["company_name"].tolist() == [
        "Piața Brașov SRL",
        "Îmbinări Ștefan SRL",
    ]


def test_a_cut_off_last_character_damages_only_the_last_row() -> None:
    data = GOOD + "RO2;Fabrica Brașov".encode()[:-3]  # ends inside the two bytes of ș
    table = read(data)
    assert table.encoding == "utf-8"
    assert table.frame["company_name"].tolist() == ["Piața Brașov SRL", "Fabrica Bra\ufffd"]
    assert table.damaged == (
        DamagedText(row=3, column=1, count=1, offset=len(data) - 1, byte=0xC8),
    )
    errors = [(e.row, e.column, e.code) for e in validate(table).errors]
    assert errors == [(3, "company_name", "damaged_text"), (3, "wave", "missing_value")]


def test_damage_in_a_column_that_is_not_imported_is_a_warning() -> None:
    data = GOOD + b"RO2;Acme SRL;T0;not\xe3 interna\xfe\n"
    result = validate(read(data))
    assert result.errors == []
    damaged = [w for w in result.warnings if w.code == "damaged_text"]
    assert [(w.row, w.column, w.severity) for w in damaged] == [(3, "note", "warning")]
    assert "the row is kept" in damaged[0].message("en")
    assert result.assessments["member_id"].tolist() == ["RO1", "RO2"]


def test_a_damaged_header_is_a_warning_on_the_header_row() -> None:
    data = "member_id;company_name;wave;Observa\u021bii\n".encode().replace(b"\xc8\x9b", b"\xfe")
    data += "RO1;Piața SRL;T0;x\n".encode()
    table = read(data)
    assert table.header[3] == "Observa\ufffdii"
    assert [(d.row, d.column) for d in table.damaged] == [(1, 3)]
    result = validate(table)
    assert result.errors == []
    assert [(w.row, w.code) for w in result.warnings if w.code == "damaged_text"] == [
        (1, "damaged_text")
    ]


def test_rows_are_found_across_blank_lines_crlf_and_multi_line_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = (
        'member_id;company_name;wave;note\r\n\r\nRO1;"Piața\r\nBrașov";T0;\r\nRO2;A;T0;'
    ).encode()
    data += b'"two\r\nlines \xff"\r\n\r\nRO3;B\xe3;T1;\r\n'
    for table in (read(data), read_by_csv_module(data, monkeypatch)):
        assert table.row_numbers == (3, 4, 6)
        assert [(d.row, d.column, d.count, d.byte) for d in table.damaged] == [
            (4, 3, 1, 0xFF),
            (6, 1, 1, 0xE3),
        ]
        assert [d.offset for d in table.damaged] == [data.index(b"\xff"), data.index(b"\xe3")]


def test_a_replacement_character_in_valid_utf8_is_reported_too() -> None:
    # An earlier program already lost this letter; the store must not take it silently.
    table = read(GOOD + "RO2;Pia\ufffda SRL;T0;\n".encode())
    assert table.encoding == "utf-8"
    assert [(d.row, d.column, d.byte) for d in table.damaged] == [(3, 1, 0xEF)]
    assert [(e.row, e.code) for e in validate(table).errors] == [(3, "damaged_text")]


def test_a_file_that_is_windows_1250_throughout_is_still_read_as_such() -> None:
    # "ÎŞI" is CE AA 49: CE AA happens to be valid UTF-8 (a Greek letter), but the other
    # letters are not, and no Romanian letter is there in UTF-8.
    text = HEADER + "RO1;ÎŞI FAC CASĂ SRL;T0;\nRO2;Ţesătoria Bârlad;T1;ştiinţă\n"
    table = read(text.encode("cp1250"))
    assert table.encoding == "cp1250"
    assert table.damaged == ()
    assert table.frame["company_name"].tolist() == ["ÎȘI FAC CASĂ SRL", "Țesătoria Bârlad"]


def test_a_windows_1250_file_with_a_utf8_row_is_not_mis_decoded_either() -> None:
    # The UTF-8 form of a Romanian letter means UTF-8: the Windows-1250 rows are reported
    # as damaged, rather than "Piața" turned into "PiaČ›a" without a word.
    data = (HEADER + "RO1;Ţesătoria SRL;T0;\nRO2;Bârlad SA;T1;\n").encode("cp1250")
    data += "RO3;Piața SRL;T0;\n".encode()
    table = read(data)
    assert table.encoding == "utf-8"
    assert table.frame["company_name"].tolist()[2] == "Piața SRL"
    result = validate(table)
    assert [(e.row, e.code) for e in result.errors] == [(2, "damaged_text"), (3, "damaged_text")]


def test_the_import_command_reports_the_damaged_row_and_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DIH_DASH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIH_DASH_DATABASE_URL", f"sqlite:///{tmp_path / 'members.sqlite'}")
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    code = main(["import", str(path), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert (report["encoding"], report["rejected"], report["stored"]) == ("utf-8", 1, False)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "company_name")]
    assert report["errors"][0]["value"] == "\ufffdes\ufffdtoria SRL"


# --- NUL bytes and control characters: refused, naming the line -----------------------------


@pytest.mark.parametrize(
    ("data", "line", "character"),
    [
        (b"member_id,company_name\nRO1,A\x00B\n", 2, "NUL (0x00)"),
        (GOOD + b"RO2;A\x1b[31mB;T0;\n", 3, "ESC (0x1B)"),
        (GOOD.replace(b"\n", b"\r") + b"RO2;\x07;T0;\r", 3, "BEL (0x07)"),
        (GOOD.replace(b"\n", b"\r\n") + b"RO2;A\r\nRO3;\x01;T0;\r\n", 4, "U+0001 (0x01)"),
        ("member_id;company_name\nRO1;Ţară\nRO2;A\x00\n".encode("cp1250"), 3, "NUL (0x00)"),
        (GOOD + PASTED + b"RO3;\x00;T0;\n", 4, "NUL (0x00)"),  # mostly UTF-8
        (b"member_id;company_name\nRO1;A\x1aB\nRO2;C\n", 2, "SUB (0x1A)"),  # not at the end
    ],
    ids=["nul", "esc", "bel-cr", "soh-crlf", "nul-cp1250", "nul-damaged-utf8", "ctrl-z-inside"],
)
def test_a_stray_control_character_refuses_the_file_naming_its_line(
    data: bytes, line: int, character: str
) -> None:
    error = refusal(data)
    assert error.code == "control_character"
    assert (error.params["line"], error.params["character"]) == (line, character)
    reason = error.reason("en")
    assert reason.startswith(f"Line {line} holds the control character {character} (byte ")
    assert "neither text" not in reason
    assert error.reason("ro").startswith(f"Linia {line} conține caracterul de control")


def test_the_offset_named_is_that_of_the_control_character() -> None:
    data = GOOD + b"RO2;A\x1bB;T0;\n"
    assert refusal(data).params["offset"] == float(data.index(b"\x1b"))


def test_line_break_controls_and_a_trailing_ctrl_z_are_still_read() -> None:
    table = read(GOOD + b"RO2;a\x0bb\x0cc;T0;\n\x1a\x1a")
    assert table.frame["company_name"].tolist()[1] == "a\x0bb\x0cc"


def test_many_control_characters_are_still_binary() -> None:
    assert refusal(b"member_id;x\n" + bytes(range(1, 9)) * 10).code == "binary"


def test_a_file_of_bad_bytes_is_read_in_time_without_offsets_past_the_cap() -> None:
    # One Romanian letter in UTF-8, then 150,000 rows each with a byte that is not UTF-8:
    # every cell is still reported, but only the first 100,000 sequences are located, so
    # no offset can be paired with its cell and none is given.
    rows = b"".join(b"RO%d;A\xff;T0;\n" % i for i in range(150_000))
    started = time.monotonic()
    table = read_table(GOOD + rows, "members.csv", max_bytes=5_000_000, max_rows=200_000)
    assert time.monotonic() - started < 20
    assert table.encoding == "utf-8"
    assert len(table.damaged) == 150_000
    assert {(d.column, d.offset, d.byte) for d in table.damaged} == {(1, None, None)}
    assert table.damaged[-1].row == 150_002


def test_a_stray_byte_that_is_no_character_names_its_line() -> None:
    # 0x81 is a character neither in UTF-8 nor in Windows-1250 (nor printable in ISO-8859-2).
    data = "member_id;company_name\nRO1;Ţară\n\nRO2;AB\n".encode("cp1250").replace(b"AB", b"A\x81B")
    error = refusal(data)
    assert (error.code, error.params["line"], error.params["byte"]) == ("undefined_byte", 4, "0x81")
    assert error.reason("en").startswith("Line 4 holds the byte 0x81 (byte ")
    assert error.reason("ro").startswith("Linia 4 conține octetul 0x81")
