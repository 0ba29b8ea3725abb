"""Reading the real-shaped services exports (spec/edih-services.md §3.1): the XLSX sheet whose
name Excel cut at 31 characters, chosen over the sheet before it, and a cp1250 CSV with `;`."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from dih_dash.sources.survey_files import RawTable, read_table

FIXTURES = Path(__file__).parents[1] / "fixtures" / "services"


def read(data: bytes, name: str) -> RawTable:
    return read_table(data, name, max_bytes=10_000_000, max_rows=1_000)


def test_the_reporting_sheet_is_chosen_over_the_first() -> None:
    table = read((FIXTURES / "services_export.xlsx").read_bytes(), "export.xlsx")
    assert table.sheet == "Reporting of EDIH services deli"
    assert table.header[:3] == ("Customer", "Customer type ", "Service category delivered")
    assert table.row_numbers == (2, 3, 4, 5, 6)
    # The cedilla letters of the export are read as comma-below ones.
    assert table.frame.iloc[1, 0] == "ȘTEFĂNESCU SOFT SRL"
    assert table.frame.iloc[0, 3] == "2025-03-03 / 2025-04-30"


def test_without_the_reporting_sheet_the_first_one_is_read() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Services"
    workbook.active.append(["Customer", "Customer type", "Service category delivered"])
    workbook.active.append(["Alfa SRL", "SME", "Test before invest"])
    workbook.create_sheet("Reporting of something else").append(["x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read(buffer.getvalue(), "s.xlsx").sheet == "Services"


def test_the_cp1250_csv_with_semicolons() -> None:
    table = read((FIXTURES / "services_export_cp1250.csv").read_bytes(), "export.csv")
    assert (table.encoding, table.delimiter) == ("cp1250", ";")
    assert table.header[3:5] == ("Start Date", "End Date")
    assert table.frame.iloc[0, 0] == "Ștefănescu Soft S.R.L."
    assert table.frame.iloc[1, 5] == "Curs ERP pentru echipa de producție"
