"""Reading member survey files: encodings, separators, line ends, XLSX, refusals (spec §4)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from dih_dash.settings import PROJECT_ROOT
from dih_dash.sources import survey_files
from dih_dash.sources.survey_files import FileRefused, RawTable, read_table

LIMITS = {"max_bytes": 5_000_000, "max_rows": 1000}


def read(data: bytes, filename: str = "members.csv", **limits: int) -> RawTable:
    return read_table(data, filename, **{**LIMITS, **limits})


def refusal(data: bytes, filename: str = "members.csv", **limits: int) -> FileRefused:
    with pytest.raises(FileRefused) as info:
        read(data, filename, **limits)
    return info.value


def column(table: RawTable, name: str) -> list[str]:
    return table.frame[name].tolist()


# --- the encoding × separator × line-end matrix -----------------------------------------

# Romanian text as Excel on Windows writes it (cedilla ş ţ), comma-below where the
# encoding can hold it, a Polish place name (its ą tells ISO-8859-2 from cp1250), decimal
# commas, a cell holding the separator and a line break, and a blank line.
HEADER = ["member_id", "company_name", "wave", "county", "dma_green", "cluster"]
ROWS = [
    ["RO1", "Ţesătoria Şerban SRL", "T0", "Bistriţa-Năsăud", "67,5", "Mobilier"],
    None,  # a blank line: counted by a spreadsheet, not returned
    ["RO2", "Fabrica din Ząbkowice", "T1", "Timiş", "12", "IT"],
    ["RO3", "Îmbinări Ăâî SRL", "T0", "Iaşi", "0,25", "linia 1{sep} cu separator\nlinia 2"],
]
EXPECTED_NAMES = ["Țesătoria Șerban SRL", "Fabrica din Ząbkowice", "Îmbinări Ăâî SRL"]
EXPECTED_COUNTIES = ["Bistrița-Năsăud", "Timiș", "Iași"]


def matrix_text(sep: str, newline: str, comma_below: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator=newline)
    writer.writerow(HEADER)
    for row in ROWS:
        if row is None:
            out.write(newline)
        else:
            writer.writerow([cell.replace("{sep}", sep) for cell in row])
    text = out.getvalue()
    if comma_below:  # the Unicode encodings also meet the correct letters
        text = text.replace("Timiş", "Timiș")
    return text


ENCODINGS = {
    "utf-8": ("utf-8", "utf-8", True),
    "utf-8-sig": ("utf-8-sig", "utf-8-sig", True),
    "utf-16": ("utf-16", "utf-16", True),
    "cp1250": ("cp1250", "cp1250", False),
    "iso-8859-2": ("iso-8859-2", "iso-8859-2", False),
}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("sep", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_encoding_separator_line_end_matrix(encoding: str, sep: str, newline: str) -> None:
    codec, reported, comma_below = ENCODINGS[encoding]
    data = matrix_text(sep, newline, comma_below).encode(codec)

    table = read(data)

    assert table.format == "csv"
    assert table.encoding == reported
    assert table.delimiter == sep
    assert table.sheet is None
    assert list(table.header) == HEADER
    assert column(table, "company_name") == EXPECTED_NAMES
    assert column(table, "county") == EXPECTED_COUNTIES
    assert column(table, "dma_green") == ["67,5", "12", "0,25"]  # as read: validation parses
    assert column(table, "cluster")[2] == f"linia 1{sep} cu separator\nlinia 2"
    # header 1, RO1 2, blank 3, RO2 4, RO3 5 (its cell spans two lines but is one row)
    assert table.row_numbers == (2, 4, 5)


def test_utf16_big_endian_with_bom() -> None:
    text = "member_id;company_name\r\nRO1;Ştefan SRL\r\n"
    table = read(b"\xfe\xff" + text.encode("utf-16-be"))
    assert table.encoding == "utf-16"
    assert column(table, "company_name") == ["Ștefan SRL"]


# --- telling Windows-1250 from ISO-8859-2 -----------------------------------------------


def test_romanian_text_that_reads_the_same_in_both_is_called_cp1250() -> None:
    # ă â î ş ţ have the same bytes in both code pages; Excel on Romanian Windows writes cp1250.
    data = "member_id;company_name\nRO1;Ţăndărei Şi Fiii SRL\n".encode("iso-8859-2")
    assert data == "member_id;company_name\nRO1;Ţăndărei Şi Fiii SRL\n".encode("cp1250")
    table = read(data)
    assert table.encoding == "cp1250"
    assert column(table, "company_name") == ["Țăndărei Și Fiii SRL"]


def test_bytes_0x80_to_0x9f_mean_cp1250() -> None:
    data = "member_id;company_name\nRO1;„Exemplu” – Mobilă SRL\n".encode("cp1250")
    table = read(data)
    assert table.encoding == "cp1250"
    assert column(table, "company_name") == ["„Exemplu” – Mobilă SRL"]


def test_a_letter_only_iso_has_inside_a_word_means_iso_8859_2() -> None:
    data = "member_id;company_name\nRO1;Ząbkowice Śląskie SA\n".encode("iso-8859-2")
    table = read(data)
    assert table.encoding == "iso-8859-2"
    assert column(table, "company_name") == ["Ząbkowice Śląskie SA"]


def test_cp1250_symbols_between_spaces_do_not_pass_for_iso_letters() -> None:
    # « » © are letters (Ť ť Š) in ISO-8859-2, but here they stand beside spaces.
    data = "member_id;company_name\nRO1;Firma «Exemplu» © 2025\n".encode("cp1250")
    table = read(data)
    assert table.encoding == "cp1250"
    assert column(table, "company_name") == ["Firma «Exemplu» © 2025"]


def test_plain_ascii_is_utf8() -> None:
    assert read(b"member_id,company_name\nRO1,Acme SRL\n").encoding == "utf-8"


# --- separators --------------------------------------------------------------------------


def test_semicolon_file_with_unquoted_decimal_commas() -> None:
    data = b"member_id;company_name;dma_green;dma_data\nRO1;A;67,5;12,25\nRO2;B;1,5;3\n"
    table = read(data)
    assert table.delimiter == ";"
    assert column(table, "dma_data") == ["12,25", "3"]


def test_comma_file_whose_quoted_cells_hold_semicolons_and_line_breaks() -> None:
    data = (
        b"member_id,company_name,note\r\n"
        b'RO1,"A; B; C SRL","x;y;z\r\nmore;text"\r\n'
        b'RO2,"D SRL","a;b"\r\n'
    )
    table = read(data)
    assert table.delimiter == ","
    assert column(table, "company_name") == ["A; B; C SRL", "D SRL"]
    assert table.row_numbers == (2, 3)


def test_tab_file_with_commas_and_semicolons_in_cells() -> None:
    data = b"member_id\tcompany_name\tnote\nRO1\tA, B; C\tx,y\nRO2\tD\tz;w\n"
    table = read(data)
    assert table.delimiter == "\t"
    assert column(table, "company_name") == ["A, B; C", "D"]


def test_pipe_file() -> None:
    table = read(b"member_id|company_name\nRO1|A, B\n")
    assert table.delimiter == "|"
    assert column(table, "company_name") == ["A, B"]


# --- rows as a spreadsheet numbers them --------------------------------------------------


def test_blank_lines_and_separator_only_lines_are_counted_but_not_returned() -> None:
    data = b"member_id;company_name\n\nRO1;A\n;\n\nRO2;B\n\n\n"
    table = read(data)
    assert column(table, "member_id") == ["RO1", "RO2"]
    assert table.row_numbers == (3, 6)


def test_leading_blank_lines_move_the_header_down() -> None:
    table = read(b"\n\nmember_id;company_name\nRO1;A\n")
    assert table.header_row == 3
    assert table.row_numbers == (4,)


def test_multi_line_cells_keep_one_row_each() -> None:
    data = b'member_id,note\nRO1,"a\nb\nc"\nRO2,"d"\nRO3,"e\r\nf"\n'
    table = read(data)
    assert table.row_numbers == (2, 3, 4)
    assert column(table, "note") == ["a\nb\nc", "d", "e\r\nf"]


def test_short_rows_are_padded_and_trailing_empty_columns_dropped() -> None:
    data = b"member_id;company_name;;;\nRO1;A;;;\nRO2\n"
    table = read(data)
    assert list(table.header) == ["member_id", "company_name"]
    assert column(table, "company_name") == ["A", ""]


def test_values_without_a_header_are_kept_in_an_unnamed_column() -> None:
    table = read(b"member_id;company_name\nRO1;A;stray\n")
    assert list(table.header) == ["member_id", "company_name", ""]
    assert table.frame.iloc[0, 2] == "stray"


def test_cells_are_kept_exactly_as_read() -> None:
    table = read(b'member_id;company_name\n  ro1 ;" A  SRL "\n')
    assert column(table, "member_id") == ["  ro1 "]
    assert column(table, "company_name") == [" A  SRL "]


def test_headers_get_comma_below_letters_too() -> None:
    table = read("Judeţ;Denumire\nCJ;A\n".encode("cp1250"))
    assert list(table.header) == ["Județ", "Denumire"]


def test_a_stray_quote_inside_a_cell_is_read_as_excel_does() -> None:
    table = read(b'member_id;company_name\nRO1;Firma "Exemplu" SRL\nRO2;"B" SRL\n')
    assert column(table, "company_name")[0] == 'Firma "Exemplu" SRL'
    assert table.row_numbers == (2, 3)


def test_a_trailing_ctrl_z_is_not_binary() -> None:
    assert column(read(b"member_id;company_name\nRO1;A\n\x1a"), "member_id") == ["RO1"]


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n\n", b"\xef\xbb\xbf", b"\xff\xfe", b";;;\n;;\n"],
    ids=["zero-bytes", "white-space", "utf8-bom-only", "utf16-bom-only", "separators-only"],
)
def test_empty_file_is_refused(data: bytes) -> None:
    assert refusal(data).code == "empty"


@pytest.mark.parametrize(
    "data", [b"member_id;company_name;wave\n", b"member_id;company_name;wave\r\n\r\n;;\r\n"]
)
def test_header_without_rows_is_refused(data: bytes) -> None:
    assert refusal(data).code == "no_rows"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        bytes(range(0x80, 0x100)) * 4,
        b"ok\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10",
    ],
    ids=["png", "high-bytes", "control-characters"],
)
def test_bytes_that_are_not_text_are_refused(data: bytes) -> None:
    assert refusal(data).code == "binary"


def test_file_over_the_size_limit_is_refused_with_both_sizes() -> None:
    error = refusal(b"member_id;company_name\n" + b"RO1;A\n" * 200_000, max_bytes=1_048_576)
    assert error.code == "too_large"
    assert error.reason("en") == "The file is 1.2 MB, over the limit of 1 MB."
    assert error.reason("ro") == "Fișierul are 1,2 MB, peste limita de 1 MB."


def test_more_rows_than_the_limit_is_refused_and_the_limit_itself_is_fine() -> None:
    data = b"member_id;company_name\nRO1;A\n\nRO2;B\nRO3;C\n"
    assert len(read(data, max_rows=3)) == 3
    error = refusal(data, max_rows=2)
    assert error.code == "too_many_rows"
    assert "2" in error.reason("en")


def test_an_unclosed_quote_is_refused_naming_its_row() -> None:
    error = refusal(b'member_id,company_name\nRO1,A\n\nRO2,"B SRL\nRO3,C\n')
    assert error.code == "unclosed_quote"
    assert error.params == {"row": 4}
    assert error.reason("en") == (
        "A quotation mark opened in row 4 is never closed, so the rest of the file cannot be read."
    )


OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def test_password_protected_xlsx_is_refused() -> None:
    # Excel saves an encrypted workbook as an OLE container, whatever the extension says.
    assert refusal(OLE_HEADER, "members.xlsx").code == "xlsx_encrypted"
    stream = "EncryptedPackage".encode("utf-16-le")
    assert refusal(OLE_HEADER + stream + b"\x00" * 64, "upload.bin").code == "xlsx_encrypted"


def test_legacy_xls_is_refused_with_its_own_reason() -> None:
    error = refusal(OLE_HEADER + "Workbook".encode("utf-16-le"), "old.xls")
    assert error.code == "xls_legacy"
    assert ".xlsx" in error.reason("en") and ".xlsx" in error.reason("ro")


def test_corrupt_xlsx_is_refused() -> None:
    assert refusal(b"PK\x03\x04" + b"\x00garbage" * 50, "m.xlsx").code == "xlsx_corrupt"
    good = xlsx_bytes({"survey": [["member_id", "company_name"], ["RO1", "A"]]})
    assert refusal(good[: len(good) // 2], "m.xlsx").code == "xlsx_corrupt"


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refusal(buffer.getvalue(), "m.docx").code == "not_xlsx"


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01binary\x02", b"a,b\n", OLE_HEADER, b"PK\x03\x04xx"],
)
def test_every_refusal_reason_is_one_line_in_both_languages(data: bytes) -> None:
    error = refusal(data, "m.xlsx")
    for lang in ("en", "ro"):
        reason = error.reason(lang)
        assert reason and "\n" not in reason
    assert str(error) == error.reason("en")


def test_romanian_reasons_use_comma_below_letters() -> None:
    reason = refusal(b"a,b\n").reason("ro")
    assert reason == "Fișierul are un rând de antet, dar niciun rând de date."
    assert not set("şţŞŢ") & set(reason)


# --- XLSX --------------------------------------------------------------------------------


def xlsx_bytes(sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HUB_ROWS: list[list[object]] = [["member_id", "company_name", "wave"], ["RO1", "A", "T0"]]


def test_xlsx_first_sheet_when_none_is_named_for_answers() -> None:
    data = xlsx_bytes({"Foaie1": HUB_ROWS, "Foaie2": [["x"], ["y"]]})
    table = read(data, "m.xlsx")
    assert (table.format, table.sheet, table.encoding, table.delimiter) == (
        "xlsx", "Foaie1", None, None,
    )  # fmt: skip
    assert column(table, "member_id") == ["RO1"]


@pytest.mark.parametrize("name", ["My SMEs DMA Results", "SURVEY", "Chestionar ", "survey"])
def test_xlsx_sheet_named_for_answers_wins_over_the_first(name: str) -> None:
    data = xlsx_bytes({"Instrucțiuni": [["citiți"], ["asta"]], name: HUB_ROWS})
    table = read(data, "m.xlsx")
    assert table.sheet == name
    assert column(table, "member_id") == ["RO1"]


def test_xlsx_dma_results_sheet_wins_over_survey() -> None:
    data = xlsx_bytes({"survey": [["x"], ["1"]], "My SMEs DMA Results": HUB_ROWS})
    assert read(data, "m.xlsx").sheet == "My SMEs DMA Results"


@pytest.mark.parametrize("by_python_objects", [False, True], ids=["by-batches", "to-python"])
def test_xlsx_rows_and_columns_before_the_first_cell_keep_their_numbers(
    by_python_objects: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["C4"], sheet["D4"], sheet["E4"] = "member_id", "company_name", "wave"
    sheet["C6"], sheet["D6"], sheet["E6"] = "RO1", "A", "T0"
    sheet["D9"] = "B"
    buffer = io.BytesIO()
    workbook.save(buffer)
    if by_python_objects:  # the way taken should python-calamine's iter_rows change
        reader = survey_files.xlsx_reader

        def not_from_a1(sheet: object) -> object:
            raise reader._NotFromA1Error
            yield

        monkeypatch.setattr(reader, "_rows_from_a1", not_from_a1)
    table = read(buffer.getvalue(), "m.xlsx")
    assert (table.header_row, table.row_numbers) == (4, (6, 9))
    assert list(table.header) == ["member_id", "company_name", "wave"]
    assert table.frame.values.tolist() == [["RO1", "A", "T0"], ["", "B", ""]]


def test_xlsx_hidden_first_sheet_is_skipped() -> None:
    data = xlsx_bytes({"lists": [["x"], ["1"]], "Data": HUB_ROWS}, hidden=("lists",))
    assert read(data, "m.xlsx").sheet == "Data"


def test_xlsx_numbers_dates_and_booleans_become_round_trip_text() -> None:
    rows: list[list[object]] = [
        ["member_id", "score", "whole", "int", "tiny", "date", "stamp", "flag", "name"],
        [12345678, 67.5, 12.0, 7, 2.675, dt.date(2025, 3, 14),
         dt.datetime(2025, 3, 14, 10, 22, 1), True, "Şcoala"],
        ["RO2", 100, 0.0, 0, 1e-05, dt.datetime(2025, 3, 15), "", False, ""],
    ]  # fmt: skip
    table = read(xlsx_bytes({"survey": rows}), "m.xlsx")
    assert table.frame.iloc[0].tolist() == [
        "12345678", "67.5", "12", "7", "2.675", "2025-03-14",
        "2025-03-14 10:22:01", "TRUE", "Școala",
    ]  # fmt: skip
    assert table.frame.iloc[1].tolist() == [
        "RO2", "100", "0", "0", "1e-05", "2025-03-15", "", "FALSE", "",
    ]  # fmt: skip
    for text in ("67.5", "2.675", "1e-05"):
        assert repr(float(text)) == text


def test_xlsx_rows_are_numbered_as_excel_shows_them() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet["B3"], sheet["C3"] = "member_id", "company_name"
    sheet["B4"], sheet["C4"] = "RO1", "A"
    sheet["B6"], sheet["C6"] = "RO2", "B"  # row 5 left blank
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read(buffer.getvalue(), "m.xlsx")
    assert table.header_row == 3
    assert list(table.header) == ["member_id", "company_name"]
    assert table.row_numbers == (4, 6)


def test_xlsx_empty_sheet_and_header_only_are_refused() -> None:
    assert refusal(xlsx_bytes({"survey": []}), "m.xlsx").code == "empty"
    assert refusal(xlsx_bytes({"survey": [HUB_ROWS[0]]}), "m.xlsx").code == "no_rows"


def test_xlsx_row_limit() -> None:
    rows = [HUB_ROWS[0], *[[f"RO{i}", "A", "T0"] for i in range(5)]]
    assert refusal(xlsx_bytes({"survey": rows}), "m.xlsx", max_rows=4).code == "too_many_rows"


def test_format_comes_from_the_bytes_not_the_name() -> None:
    assert read(b"member_id;company_name\nRO1;A\n", "members.xlsx").format == "csv"
    assert read(xlsx_bytes({"survey": HUB_ROWS}), "members.csv").format == "xlsx"


def test_a_cell_too_large_for_the_csv_reader_is_refused_naming_its_row() -> None:
    error = refusal(b'member_id,note\nRO1,ok\nRO2,"' + b"x" * 200_000 + b'"\n')
    assert error.code == "cell_too_long"
    assert error.params["row"] == 3
    # Said in the hub's words, not the csv module's ("field larger than field limit").
    assert error.reason("en").startswith("Row 3 holds a cell longer than 131,072 characters")
    assert "Rândul 3 conține o celulă mai lungă de 131.072 de caractere" in error.reason("ro")
    assert "field limit" not in error.reason("en")


def test_a_utf8_bom_followed_by_other_bytes_is_refused_not_garbled() -> None:
    data = b"\xef\xbb\xbfmember_id;company_name\nRO1;A\n" + "RO2;Ţară\n".encode("cp1250")
    error = refusal(data)
    assert error.code == "bad_encoding"
    assert error.params == {"encoding": "UTF-8", "line": 3}
    assert "near line 3" in error.reason("en")


# --- the two ways of reading records -----------------------------------------------------
# Well-formed files are read by Arrow's CSV reader, others by the csv module, a chunk of
# lines and a batch of records at a time; every way must give the same table.


def read_by_csv_module(data: bytes, monkeypatch: pytest.MonkeyPatch, **limits: int) -> RawTable:
    with monkeypatch.context() as patch:
        patch.setattr(survey_files.csv_reader, "_parse_with_arrow", lambda *args, **kwargs: None)
        # Tiny chunks and batches: every line and record boundary is a chunk or batch edge.
        patch.setattr(survey_files.decoding, "_CHUNK_BYTES", 5)
        patch.setattr(survey_files.csv_reader, "_BATCH_RECORDS", 2)
        return read(data, **limits)


def same_table(a: RawTable, b: RawTable) -> None:
    assert list(a.header) == list(b.header)
    assert a.frame.astype(object).values.tolist() == b.frame.astype(object).values.tolist()
    assert (a.row_numbers, a.header_row) == (b.row_numbers, b.header_row)
    assert (a.encoding, a.delimiter) == (b.encoding, b.delimiter)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("sep", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_arrow_and_csv_module_read_the_matrix_alike(
    encoding: str, sep: str, newline: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    codec, _, comma_below = ENCODINGS[encoding]
    data = matrix_text(sep, newline, comma_below).encode(codec)
    same_table(read(data), read_by_csv_module(data, monkeypatch))


@pytest.mark.parametrize(
    "data",
    [
        # blank lines, a quoted line break, doubled quotes, white space only (NBSP too)
        b'member_id;note\n\n\nRO1;"a\r\nb"\n;\nRO2;"x ""y"" z"\n \t;\xc2\xa0\nRO3;\xc8\x99\n',
        b'member_id,note,\n"RO1","a,b",\n"RO2","",\n',  # every cell quoted, a blank column
        "member_id;name\nRO1;\u2028\x0b\x85\nRO2;Ş\n".encode(),  # breaks only splitlines sees
        b"member_id\n\nRO1\n\nRO2\n\n",  # one column: blank lines are rows of one blank cell
        b"member_id;x\n" + b"RO1;a\n\n" * 150,  # more blank rows than runs kept as slices
    ],
)
def test_arrow_and_csv_module_read_edge_cases_alike(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    same_table(read(data), read_by_csv_module(data, monkeypatch))


@pytest.mark.parametrize(
    ("text", "well_formed"),
    [
        (b"a;b\nc;d\n", True),
        (b'a;"b;c"\n"d""e";"f\ng"\n', True),
        (b'a;"b"\n', True),
        (b'a;Firma "X" SRL\n', False),  # a literal quote inside a cell
        (b'a;"B" SRL\n', False),  # text after a closing quote
        (b'a;"b\n', False),  # never closed
        (b'a;"b""\n', False),  # the last quote is doubled, so still open
        (b'a;x"b"\n', False),
    ],
)
def test_quotes_well_formed(text: bytes, well_formed: bool) -> None:
    body = survey_files.decoding.Bytes(text, 0, len(text))
    assert survey_files.csv_reader._quotes_well_formed(body, ";") is well_formed


def test_a_stray_quote_sends_the_file_to_the_csv_module_with_the_same_rows() -> None:
    table = read(b'member_id;name\nRO1;"B" SRL\n\nRO2;Firma "X"\n')
    assert column(table, "name") == ["B SRL", 'Firma "X"']
    assert table.row_numbers == (2, 4)


# --- too many columns --------------------------------------------------------------------


def wide_csv(columns: int, rows: int = 1, name: str = "c{}") -> bytes:
    header = ";".join(name.format(i) for i in range(columns))
    body = "".join("\n" + ";".join(str(i % 10) for i in range(columns)) for _ in range(rows))
    return (header + body + "\n").encode()


def test_a_csv_with_the_column_limit_is_read_and_one_more_is_refused() -> None:
    limit = survey_files.MAX_COLUMNS
    assert limit == 1_000
    assert read(wide_csv(limit)).frame.shape == (1, limit)

    error = refusal(wide_csv(limit + 1))
    assert error.code == "too_many_columns"
    assert error.params == {"columns": 1001.0, "limit": 1000.0}
    assert error.reason("en").startswith("The file has 1,001 columns, more than the 1,000 ")
    assert error.reason("ro").startswith("Numărul de coloane ale fișierului (1.001) depășește")


def test_a_header_of_200_000_columns_is_refused_at_once_with_its_count() -> None:
    # 1.4 MB of header: once read whole, then reported column by column for minutes.
    data = wide_csv(200_000, rows=2)
    started = time.monotonic()
    error = refusal(data, max_bytes=len(data))
    assert time.monotonic() - started < 10
    assert (error.code, error.params["columns"]) == ("too_many_columns", 200_000.0)


def test_a_header_longer_than_the_sample_is_counted_whole() -> None:
    # 1,001 names of 70 characters: the sample's first record stops short of the limit, so
    # the table itself tells.
    data = wide_csv(1001, name="column {:04d} " + "x" * 58)
    assert len(data.split(b"\n")[0]) > 64 * 1024
    error = refusal(data)
    assert (error.code, error.params["columns"]) == ("too_many_columns", 1001.0)


def test_a_wide_row_below_a_narrow_header_is_refused() -> None:
    data = b"member_id;company_name\nRO1;A\n" + b"x;" * 5000 + b"\nRO2;B\n"
    error = refusal(data)
    assert (error.code, error.params["columns"]) == ("too_many_columns", 5001.0)


# --- XLSX that calamine must never see -----------------------------------------------------
# Built by hand, so each part says exactly what the test needs. Anything that could make
# calamine allocate is read in a child process with little memory: should the guard fail,
# calamine aborts that process (the test fails) instead of this one.

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{_RELATIONSHIPS}"><sheets>'
    '<sheet name="survey" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def text_cell(ref: str, text: str, tag: str = "c") -> str:
    return f'<{tag} r="{ref}" t="inlineStr"><is><t>{text}</t></is></{tag}>'


# A header and one data row, as every sheet below starts.
HEAD = (
    f'<row r="1">{text_cell("A1", "member_id")}{text_cell("B1", "company_name")}</row>'
    f'<row r="2">{text_cell("A2", "RO1")}{text_cell("B2", "A")}</row>'
)


def sheet_xml(cells: str, dimension: str | None = None, root: str = "worksheet") -> str:
    claimed = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<{root} xmlns="{_MAIN}">{claimed}<sheetData>{cells}</sheetData></{root}>'
    )


def hand_made_xlsx(
    sheet: str | bytes,
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


_CHILD = """
import json, resource, sys
# The guard keeps calamine well under this; without it, calamine asks for up to 100 GB.
resource.setrlimit(resource.RLIMIT_DATA, (2 << 30, 2 << 30))
from dih_dash.sources.survey_files import FileRefused, read_table
for path in sys.argv[1:]:
    with open(path, "rb") as file:
        data = file.read()
    try:
        table = read_table(data, "m.xlsx", max_bytes=5_000_000, max_rows=1000)
        result = {"rows": len(table), "header": list(table.header)}
    except FileRefused as refused:
        result = {"refused": refused.code, "params": refused.params}
    print(json.dumps(result), flush=True)
"""


def read_in_child(tmp_path: Path, **files: bytes) -> dict[str, dict]:
    """Each file read by `read_table` in one child process with 2 GB of data memory; a file
    that kills it is missing from the results, which name the exit status and stderr."""
    paths = []
    for name, data in files.items():
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(data)
        paths.append(path)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    failure = {"exit": done.returncode, "stderr": done.stderr[-2000:]}
    return {name: results[i] if i < len(results) else failure for i, name in enumerate(files)}


FAR_CELL = text_cell("XFD200000", "x")


def test_a_cell_at_xfd200000_is_refused_whatever_the_dimension_says(tmp_path: Path) -> None:
    far = f'{HEAD}<row r="200000">{FAR_CELL}</row>'
    results = read_in_child(
        tmp_path,
        honest=hand_made_xlsx(sheet_xml(far, "A1:XFD200000")),
        lying=hand_made_xlsx(sheet_xml(far, "A1:B2")),
        missing=hand_made_xlsx(sheet_xml(far)),
        # Rows out of order: calamine still spans them all.
        unordered=hand_made_xlsx(sheet_xml(f'<row r="200000">{FAR_CELL}</row>{HEAD}', "A1")),
    )
    expected_params = {
        "cell": "XFD200000", "rows": 200000.0, "columns": 16384.0,
        "max_rows": 1001.0, "max_columns": 1000.0, "max_cells": 12_000_000.0,
    }  # fmt: skip
    for name, result in results.items():
        assert result == {"refused": "sheet_too_large", "params": expected_params}, name
    assert len(hand_made_xlsx(sheet_xml(far, "A1:XFD200000"))) < 5000  # a 5 KB file


def test_far_cells_a_fast_reading_cannot_vouch_for_are_refused(tmp_path: Path) -> None:
    head = HEAD.replace("<row ", "<x:row ").replace("</row>", "</x:row>")
    results = read_in_child(
        tmp_path,
        # A namespace prefix: calamine goes by the local name.
        prefixed=hand_made_xlsx(
            sheet_xml(
                f'{head}<x:row r="300">{text_cell("XFD300", "x", tag="x:c")}</x:row>'
            ).replace("<worksheet ", f'<worksheet xmlns:x="{_MAIN}" ')
        ),
        # r after another attribute, in single quotes, with spaces round '='.
        reordered=hand_made_xlsx(
            sheet_xml(
                f"{HEAD}<row r='300'><c t='inlineStr' r = 'XFD300'><is><t>x</t></is></c></row>"
            )
        ),
        # No r at all: each cell takes the next column, 1,500 of them.
        implicit_columns=hand_made_xlsx(
            sheet_xml(HEAD + '<row r="3">' + "<c><v>1</v></c>" * 1500 + "</row>")
        ),
        # A row without r follows the one before: the last of these is row 1,005.
        implicit_rows=hand_made_xlsx(sheet_xml(HEAD + "<row><c><v>1</v></c></row>" * 1003)),
    )
    for name in ("prefixed", "reordered", "implicit_columns"):
        assert results[name]["refused"] == "sheet_too_large", (name, results[name])
    assert results["prefixed"]["params"]["cell"] == "XFD300"
    assert results["reordered"]["params"]["cell"] == "XFD300"
    assert results["implicit_columns"]["params"]["cell"] == "BER3"
    assert results["implicit_rows"] == {"refused": "too_many_rows", "params": {"limit": 1000}}


def test_an_r_attribute_calamine_would_take_is_never_missed(tmp_path: Path) -> None:
    # calamine takes the last of several r, and an r straight after a quote.
    far = '<c r="XFD200000" t="inlineStr"><is><t>x</t></is></c>'
    row = '<row r="200000">{}</row>'
    results = read_in_child(
        tmp_path,
        second_r=hand_made_xlsx(sheet_xml(HEAD + row.format(far.replace("<c ", '<c r="A3" ')))),
        after_quote=hand_made_xlsx(
            sheet_xml(HEAD + row.format('<c t="inlineStr"r="XFD200000"><v>1</v></c>'))
        ),
        after_a_gt=hand_made_xlsx(
            sheet_xml(HEAD + row.format(far.replace("<c ", '<c r="A3" a=">" ')))
        ),
    )
    for name, result in results.items():
        assert result.get("refused") == "sheet_too_large", (name, result)
        assert result["params"]["cell"] == "XFD200000"


@pytest.mark.parametrize(
    "cell",
    ['<c t="inlineStr"\x0br="XFD200000">', '<c\x0cr="XFD200000" t="inlineStr">'],
    ids=["vertical-tab-before-r", "form-feed-after-the-name"],
)
def test_white_space_only_python_takes_as_such_errs_on_the_side_of_refusing(cell: str) -> None:
    # Python's \s is wider than the XML reader's white space: calamine sees no far cell in
    # either (it reads one column), but where the two readings could differ the guard
    # assumes the farther position, so a reader that disagrees can only refuse, not crash.
    sheet = sheet_xml(f'{HEAD}<row r="200000">{cell}<is><t>x</t></is></c></row>')
    error = refusal(hand_made_xlsx(sheet), "m.xlsx")
    assert (error.code, error.params["cell"]) == ("sheet_too_large", "XFD200000")


def test_sheets_written_without_r_within_the_limits_are_read(tmp_path: Path) -> None:
    cells = (
        '<row><c t="inlineStr"><is><t>member_id</t></is></c>'
        '<c t="inlineStr"><is><t>company_name</t></is></c></row>'
        '<row><c t="inlineStr"><is><t>RO1</t></is></c><c><v>5</v></c></row>'
        '<row r="5"><c s="1"/><c t="inlineStr"><is><t>RO2</t></is></c></row>'
    )
    results = read_in_child(tmp_path, plain=hand_made_xlsx(sheet_xml(cells)))
    assert results["plain"] == {"rows": 2, "header": ["member_id", "company_name"]}


def test_value_less_cells_far_away_do_not_count(tmp_path: Path) -> None:
    # Formatting alone (<c r=".." s="1"/>) makes no cell for calamine, nor here.
    far = f'{HEAD}<row r="200000"><c r="XFD200000" s="1"/><c r = "XFD200001" s="2" /></row>'
    results = read_in_child(tmp_path, styled=hand_made_xlsx(sheet_xml(far)))
    assert results["styled"] == {"rows": 1, "header": ["member_id", "company_name"]}


def test_a_dimension_too_large_is_refused_before_the_cells_are_read() -> None:
    # The cells would fit; the sheet's own claim of its used range is enough to refuse.
    error = refusal(hand_made_xlsx(sheet_xml(HEAD, "A1:XFD200000")), "m.xlsx")
    assert (error.code, error.params["cell"]) == ("sheet_too_large", "XFD200000")
    assert "\n" not in error.reason("ro") and "XFD200000" in error.reason("ro")


def test_the_row_column_and_cell_limits_of_a_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    # With max_rows 1000 a sheet may reach row 1,001 (the header and 1,000 rows).
    last_row = f'{HEAD}<row r="1001">{text_cell("B1001", "x")}</row>'
    assert len(read(hand_made_xlsx(sheet_xml(last_row)), "m.xlsx")) == 2
    # Row 1,002, even with blank rows above: refused as a CSV file of as many rows is.
    beyond = f'{HEAD}<row r="1002">{text_cell("B1002", "x")}</row>'
    error = refusal(hand_made_xlsx(sheet_xml(beyond)), "m.xlsx")
    assert (error.code, error.params) == ("too_many_rows", {"limit": 1000})
    error = refusal(hand_made_xlsx(sheet_xml(HEAD, "A1:B1002")), "m.xlsx")
    assert (error.code, error.params) == ("too_many_rows", {"limit": 1000})

    # 1,000 columns are fine (ALL), 1,001 (ALM) are not.
    assert read(xlsx_bytes({"survey": [list(range(1000)), list(range(1000))]}), "m.xlsx")
    error = refusal(xlsx_bytes({"survey": [list(range(1001)), list(range(1001))]}), "m.xlsx")
    assert (error.code, error.params["cell"]) == ("sheet_too_large", "ALM2")

    monkeypatch.setattr(survey_files.xlsx_guard, "MAX_CELLS", 20)
    assert read(xlsx_bytes({"survey": [list(range(10)), list(range(10))]}), "m.xlsx")
    error = refusal(xlsx_bytes({"survey": [list(range(7)), list(range(7)), [1]]}), "m.xlsx")
    assert (error.code, error.params["cell"], error.params["max_cells"]) == (
        "sheet_too_large", "G3", 20.0,
    )  # fmt: skip


def test_a_zip_bomb_is_refused_by_its_declared_size() -> None:
    # 3 MB of zeros packs into 3 KB; with a 100 KB limit a workbook may unpack to 2 MB.
    data = hand_made_xlsx(sheet_xml(HEAD), {"xl/media/filler.bin": bytes(3_000_000)})
    assert len(data) < 10_000
    error = refusal(data, "m.xlsx", max_bytes=100_000)
    assert (error.code, error.params) == ("xlsx_unpacked_too_large", {"limit_mb": 1.9})
    assert read(data, "m.xlsx", max_bytes=200_000).frame.shape == (1, 2)  # 3.8 MB allowed


def with_declared_size(data: bytes, name: str, size: int) -> bytes:
    """`data` with the uncompressed size of member `name` given as `size`, in its local
    header and in the central directory alike: a ZIP whose sizes lie."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    patched = bytearray(data)
    local = info.header_offset
    assert patched[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", patched, local + 22, size)
    central = data.index(b"PK\x01\x02")  # the central directory's first entry
    while data[central + 46 : central + 46 + len(name)] != name.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", patched, central + 24, size)
    return bytes(patched)


def test_a_zip_bomb_whose_sizes_lie_is_refused_as_it_unpacks(tmp_path: Path) -> None:
    # The sheet itself: 3 MB of blanks between two rows, declared as 1 KB.
    cells = HEAD.replace('<row r="2">', " " * 3_000_000 + '<row r="2">')
    data = with_declared_size(hand_made_xlsx(sheet_xml(cells)), "xl/worksheets/sheet1.xml", 1024)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sum(info.file_size for info in archive.infolist()) < 100_000
    error = refusal(data, "m.xlsx", max_bytes=100_000)
    assert error.code == "xlsx_unpacked_too_large"


def test_members_that_are_cut_short_or_packed_oddly_are_corrupt() -> None:
    good = hand_made_xlsx(sheet_xml(HEAD))
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    cut = bytearray(good)
    cut[start + info.compress_size // 2 : start + info.compress_size] = bytes(
        info.compress_size - info.compress_size // 2
    )  # the second half of the deflated sheet zeroed
    assert refusal(bytes(cut), "m.xlsx").code == "xlsx_corrupt"

    # OOXML packages are stored or deflated; Excel opens nothing else.
    bzip2 = hand_made_xlsx(sheet_xml(HEAD), compression=zipfile.ZIP_BZIP2)
    assert refusal(bzip2, "m.xlsx").code == "xlsx_corrupt"


def test_stored_members_are_read_and_checked_like_deflated_ones() -> None:
    stored = hand_made_xlsx(sheet_xml(HEAD), compression=zipfile.ZIP_STORED)
    assert column(read(stored, "m.xlsx"), "member_id") == ["RO1"]
    far = sheet_xml(f'{HEAD}<row r="3">{text_cell("ALM3", "x")}</row>')
    error = refusal(hand_made_xlsx(far, compression=zipfile.ZIP_STORED), "m.xlsx")
    assert (error.code, error.params["cell"]) == ("sheet_too_large", "ALM3")


def test_every_part_calamine_could_read_as_a_sheet_is_checked(tmp_path: Path) -> None:
    # A second sheet, named in no relationship Python reads, under another letter case.
    far = sheet_xml(f'{HEAD}<row r="5">{text_cell("ZZZ5", "x")}</row>')
    data = hand_made_xlsx(sheet_xml(HEAD), {"XL/Worksheets/sheet9.xml": far.encode()})
    error = refusal(data, "m.xlsx")
    assert (error.code, error.params["cell"]) == ("sheet_too_large", "ZZZ5")


def sheet_extent(xml: bytes, *, fast: bool, piece: int = 1 << 20) -> tuple[int, int] | None:
    """(last row, last column), 0-based, as one reading finds them; None when the fast one
    gives up. Fed `piece` bytes at a time, so every way a tag can be cut is tried."""
    limits = survey_files.xlsx_guard._SheetLimits(data_rows=10**7, columns=10**5, cells=10**12)
    scan = survey_files.xlsx_guard._SheetScan(limits, fast=fast)
    for start in range(0, len(xml), piece):
        scan.feed(xml[start : start + piece])
    if not scan.finish():
        return None
    return scan._last_row, scan._last_column


@pytest.mark.parametrize("piece", [1 << 20, 7, 1])
@pytest.mark.parametrize(
    "cells",
    [
        HEAD,
        f'{HEAD}<row r="9" spans="1:3"><c r="C9" s="1"/><c r="B9"><v>1</v></c></row>',
        f'{HEAD}<row r="40"><c r="AB40" s="2" t="s"><v>0</v></c><c r="ZZ41" s="3" /></row>',
        f'{HEAD}<row r="7"><c r="A7" a=">" t="inlineStr"><is><t>x &gt; y</t></is></c></row>',
        f'{HEAD}<row r="8">{text_cell("C8", "cost = 500, bar=2")}</row>',
    ],
    ids=["head", "styled-empty-cell", "shared-string", "quoted-gt", "text-with-equals"],
)
def test_the_fast_and_the_exact_reading_agree(cells: str, piece: int) -> None:
    xml = sheet_xml(cells, "A1:ZZ41").encode()
    fast = sheet_extent(xml, fast=True, piece=piece)
    assert fast is not None
    assert fast == sheet_extent(xml, fast=False, piece=piece)


def test_a_tag_cut_where_a_value_holds_a_less_than_sign_is_refused() -> None:
    # '<' is not allowed in an attribute value, yet an XML reader may take it; where the
    # reading cuts the sheet into pieces there, the cell must not slip through unseen.
    xml = sheet_xml(f'{HEAD}<row r="3"><c a="<" r="XFD3"><v>1</v></c></row>').encode()
    cut = xml.index(b'<" r="XFD3"') + 1
    assert sheet_extent(xml[:cut] + xml[cut:], fast=True, piece=cut) is None  # gives up
    with pytest.raises(FileRefused) as refused:
        sheet_extent(xml, fast=False, piece=cut)
    assert refused.value.code == "xlsx_corrupt"
    # Not cut there, the tag is whole and the cell counts.
    assert sheet_extent(xml, fast=False) == (2, 16383)


def test_a_row_ended_inside_a_cell_is_refused() -> None:
    # calamine would read on to </c>, past the row's end, and count columns on from there.
    xml = sheet_xml(f'{HEAD}<row r="3"><c r="A3"><v>1</row><row r="4"><c><v>2</v></c></row>')
    with pytest.raises(FileRefused) as refused:
        sheet_extent(xml.encode(), fast=False)
    assert refused.value.code == "xlsx_corrupt"
