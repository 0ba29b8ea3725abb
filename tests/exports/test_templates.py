"""The downloadable hub templates read back with no errors (spec/survey-format.md §2)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from support.reference import validate

from dih_dash.domain.scoring import dii_score
from dih_dash.domain.survey_schema import ASSESSMENT_COLUMNS, DII_ITEMS, HUB_COLUMNS, PSO_DIMENSIONS
from dih_dash.exports.templates import template_csv, template_headers, template_xlsx
from dih_dash.sources.survey_files import read_table

TODAY = dt.date(2025, 12, 1)
BUILDERS = {"csv": template_csv, "xlsx": template_xlsx}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["en", "ro"])
def test_template_round_trips_with_zero_errors_and_two_example_rows(lang: str, kind: str) -> None:
    data = BUILDERS[kind](lang)
    table = read_table(data, f"template.{kind}", max_bytes=10**6, max_rows=100)
    prefix = "EXEMPLU" if lang == "ro" else "EXAMPLE"

    # As downloaded, the two example rows are refused, so they never become members.
    untouched = validate(table, today=TODAY)
    assert untouched.rejected == 2
    assert {(e.row, e.code) for e in untouched.errors} == {(2, "example_row"), (3, "example_row")}

    # With real ids in their place, every other cell of the examples is valid.
    ids = table.frame.columns[0]
    table.frame[ids] = table.frame[ids].str.replace(f"{prefix}-", "RO", regex=False)
    result = validate(table, today=TODAY)
    assert result.layout == "hub"
    assert result.errors == [] and result.warnings == []
    assert result.rows == 2 and result.rejected == 0
    frame = result.assessments
    tag = "exemplu" if lang == "ro" else "example"
    assert frame["member_id"].tolist() == ["RO01", "RO02"]
    assert frame["company_name"].tolist() == [
        f"Exemplu Mobilă SRL ({tag})",
        f"Exemplu Soft SRL ({tag})",
    ]
    assert frame["wave"].tolist() == ["T0", "T1"]
    assert frame["assessed_on"].tolist() == [dt.date(2025, 3, 14), dt.date(2025, 9, 30)]
    assert frame["size_class"].tolist() == ["small", "micro"]
    assert frame["org_type"].tolist() == ["sme", "sme"]
    assert frame["county"].tolist() == ["CJ", "BH"]
    assert frame["dma_strategy"].tolist() == [42.5, 70.5]
    assert frame["dma_overall"].tolist() == [38.5, 61.5]
    assert [dii_score(r) for r in frame[list(DII_ITEMS)].to_dict("records")] == [6, 10]
    assert frame["source_row"].tolist() == [2, 3]


def test_headers_english_names_and_romanian_aliases() -> None:
    # Every hub column but the PSO dimensions, which come from the PSO DMA export.
    assert template_headers("en") == [c for c in ASSESSMENT_COLUMNS if c not in PSO_DIMENSIONS]
    ro = template_headers("ro")
    assert ro[:10] == [HUB_COLUMNS[c] for c in ASSESSMENT_COLUMNS[:10]]
    assert ro[:3] == ["cod_membru", "denumire", "etapa"]
    assert ro[9] == "tip_organizatie"
    # DMA and DII columns: their Romanian alias where one is defined, else their name.
    assert ro[10:] == [
        HUB_COLUMNS.get(c) or c for c in ASSESSMENT_COLUMNS[10:] if c not in PSO_DIMENSIONS
    ]


def test_csv_is_utf8_with_bom_comma_and_point_in_english() -> None:
    data = template_csv("en")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == template_headers("en")
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["dma_strategy"], first["assessed_on"], first["dii_ai"]) == (
        "42.5",
        "2025-03-14",
        "no",
    )
    assert b"\r\n" in data


def test_csv_is_utf8_with_bom_semicolon_and_decimal_comma_in_romanian() -> None:
    data = template_csv("ro")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(rows) == 3 and all(len(r) == len(template_headers("ro")) for r in rows)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["dma_strategie"] == "42,5" and first["dma_general"] == "38,5"
    assert first["data_evaluarii"] == "14.03.2025"
    assert (first["clasa_marime"], first["judet"], first["dii_ia"]) == ("mică", "Cluj", "nu")
    assert first["tip_organizatie"] == "imm"
    assert not set("şţŞŢ") & set(text)


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_xlsx_has_typed_cells_and_a_notes_sheet(lang: str) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(lang)))
    data_sheet, notes_sheet = ("chestionar", "note") if lang == "ro" else ("survey", "notes")
    assert workbook.sheetnames == [data_sheet, notes_sheet]
    sheet = workbook[data_sheet]
    assert [c.value for c in sheet[1]] == template_headers(lang)
    assert sheet.max_row == 3
    row = {h: c for h, c in zip(template_headers(lang), sheet[2], strict=True)}
    strategy = "dma_strategie" if lang == "ro" else "dma_strategy"
    assert row[strategy].value == 42.5 and row[strategy].data_type == "n"
    date_header = "data_evaluarii" if lang == "ro" else "assessed_on"
    assert row[date_header].value.date() == dt.date(2025, 3, 14)
    assert sheet.freeze_panes == "A2"
    notes = [c.value for c in workbook[notes_sheet]["A"]]
    assert len(notes) == 11 and all(notes)
    assert ("EXEMPLU-01" if lang == "ro" else "EXAMPLE-01") in notes[1]


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        template_csv("de")
    with pytest.raises(ValueError, match="language"):
        template_xlsx("fr")


# Issue 13: the Romanian template showed English codes (dma_strategy, dii_ai…) as headers. The
# Romanian aliases live in domain/survey_schema.HUB_COLUMNS (the readers accept them too); the
# template takes them from there.
def test_the_romanian_template_has_romanian_dma_and_dii_headers() -> None:
    from dih_dash.domain.survey_schema import DMA_COLUMNS

    headers = template_headers("ro")
    english = {*DMA_COLUMNS, *DII_ITEMS}
    assert not english & set(headers), sorted(english & set(headers))
    for name in (*DMA_COLUMNS, *DII_ITEMS):
        assert HUB_COLUMNS.get(name) in headers
