"""The PSO DMA export (layout `pso-dma-export`) and the hub template's `org_type`
(spec edih-services.md §1–§2), read from real-shaped files and validated."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from support.reference import validate

from dih_dash.domain.survey_schema import DMA_DIMENSIONS, PSO_DIMENSIONS
from dih_dash.domain.survey_validation import (
    FileRefused,
    ValidationResult,
    detect_layout,
    parse_org_type,
)
from dih_dash.sources.survey_files import RawTable, read_table

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "surveys"
TODAY = dt.date(2025, 6, 1)

# What the fixtures hold (PROVENANCE.md): ids, waves, overall and the six PSO dimensions.
EXPECTED = [
    ("PSO-RO-0001", "T0", 41.5, (40.0, 45.0, 38.0, 42.0, 30.0, 54.0)),
    ("PSO-RO-0002", "T0", 60.0, (60.0, 55.0, 70.0, 50.0, 45.0, 62.0)),
    ("PSO-RO-0001", "T1", 50.8, (50.0, 55.0, 48.0, 52.0, 40.0, 60.0)),
]


def fixture(name: str) -> RawTable:
    return read_table((FIXTURES / name).read_bytes(), name, max_bytes=10**6, max_rows=1000)


def table(header: list[str], rows: list[list[str]]) -> RawTable:
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    numbers = tuple(range(2, 2 + len(rows)))
    return RawTable(frame=frame, row_numbers=numbers, format="csv", encoding="utf-8")


def check_pso_export(result: ValidationResult) -> None:
    assert result.layout == "pso-dma-export"
    assert result.errors == [] and result.rejected == 0 and result.rows == 3
    frame = result.assessments
    got = [
        (r["member_id"], r["wave"], r["dma_overall"], tuple(r[c] for c in PSO_DIMENSIONS))
        for _, r in frame.iterrows()
    ]
    assert got == EXPECTED
    assert frame["org_type"].tolist() == ["pso"] * 3
    # Cedilla letters as Excel on a Romanian Windows writes them are stored comma-below.
    assert frame["company_name"].tolist() == [
        "Primăria Comunei Exemplu Țara Bârsei",
        "Școala Gimnazială Exemplu Târgu Mureș",
        "Primăria Comunei Exemplu Țara Bârsei",
    ]
    # The SME instrument's dimensions stay empty: the two are never mixed.
    assert frame[list(DMA_DIMENSIONS)].isna().all().all()
    # EDIH Name is information, not an ignored column; the one warning is the score 3 points
    # off the mean of the six (row 3: 60 against 57), and 50.8 against 50.83 is not one.
    assert [(w.code, w.row, w.params) for w in result.warnings] == [
        ("overall_mismatch", 3, {"overall": 60.0, "mean": 57.0})
    ]
    assert result.warnings[0].column == "DMA Score"


def test_the_xlsx_export_is_read_from_its_sheet_and_validated() -> None:
    tbl = fixture("my-psos-dma-results.xlsx")
    assert tbl.sheet == "My PSOs DMA Results"  # not the first sheet, `Info`
    check_pso_export(validate(tbl, today=TODAY))


def test_the_export_saved_as_csv_by_romanian_excel_is_read_and_validated() -> None:
    tbl = fixture("my-psos-dma-results-resaved.csv")
    assert (tbl.encoding, tbl.delimiter) == ("cp1250", ";")
    check_pso_export(validate(tbl, today=TODAY))


def test_the_first_sheet_is_read_when_the_export_sheet_is_renamed(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(FIXTURES / "my-psos-dma-results.xlsx")
    del workbook["Info"]
    workbook["My PSOs DMA Results"].title = "Foaie1"
    path = tmp_path / "renamed.xlsx"
    workbook.save(path)
    tbl = read_table(path.read_bytes(), path.name, max_bytes=10**6, max_rows=1000)
    assert tbl.sheet == "Foaie1"
    assert validate(tbl, today=TODAY).layout == "pso-dma-export"


@pytest.mark.parametrize(
    "header",
    [
        ["PSO ID", "PSO name", "DMA Timing"],
        ["pso id", " PSO  NAME ", "dma timing"],
        ["PSO Id", "PSO nâme", "DMA Timing"],  # diacritics folded, as survey-format.md §1
    ],
)
def test_the_layout_is_detected_by_its_three_headers_in_any_spelling(header: list[str]) -> None:
    assert detect_layout(header) == "pso-dma-export"
    result = validate(table(header, [["ps1", "Primăria X", "t0"]]), today=TODAY)
    assert result.layout == "pso-dma-export" and result.errors == []
    assert result.assessments[["member_id", "wave", "org_type"]].values.tolist() == [
        ["PS1", "T0", "pso"]
    ]
    # Without scores there is no overall to compute.
    assert math.isnan(result.assessments["dma_overall"].iloc[0])


def test_an_empty_score_is_the_mean_of_the_six_pso_dimensions() -> None:
    header = ["PSO ID", "PSO name", "DMA Timing", "DMA Score", "Digital Strategy and Investments",
              "Digital Readiness", "Human-Centric Digitalisation", "Data Management and Security",
              "Interoperability", "Green Digitalisation"]  # fmt: skip
    result = validate(
        table(header, [["P1", "X", "T0", "", "10", "20", "30", "40", "50", "60"]]), today=TODAY
    )
    assert result.assessments["dma_overall"].tolist() == [35.0]
    assert result.warnings == []


def test_the_hub_template_fills_each_rows_score_from_its_own_instrument() -> None:
    """A hub file mixing kinds: a PSO row's empty score is the mean of its PSO dimensions,
    an SME row's of its SME ones; a PSO row far from its PSO mean is warned about."""
    header = ["member_id", "company_name", "wave", "org_type", "dma_overall",
              *DMA_DIMENSIONS, *PSO_DIMENSIONS]  # fmt: skip
    sme = ["S1", "Firma", "T0", "imm", "", "10", "20", "30", "40", "50", "60", *[""] * 6]
    pso = ["P1", "Primăria", "T0", "pso", "", *[""] * 6, "20", "20", "20", "20", "20", "80"]
    far = ["P2", "Școala", "T0", "institutie_publica", "90", *[""] * 6, *["30"] * 6]
    result = validate(table(header, [sme, pso, far]), today=TODAY)
    assert result.rejected == 0
    frame = result.assessments.set_index("member_id")
    assert frame.loc["S1", "dma_overall"] == 35.0 and frame.loc["P1", "dma_overall"] == 30.0
    assert list(frame["org_type"]) == ["sme", "pso", "pso"]
    assert [(w.code, w.row) for w in result.warnings] == [("overall_mismatch", 4)]


def test_a_sme_export_is_not_taken_for_a_pso_one_and_gives_sme() -> None:
    header = ["SME ID", "SME name", "DMA Timing"]
    result = validate(table(header, [["S1", "Firma SRL", "T0"]]), today=TODAY)
    assert result.layout == "dma-export"
    assert result.assessments["org_type"].tolist() == ["sme"]


def test_a_pso_export_without_its_timing_is_refused_naming_the_pso_layout() -> None:
    tbl = table(["PSO ID", "PSO name", "DMA Timings"], [["P1", "X", "T0"]])
    with pytest.raises(FileRefused) as info:
        validate(tbl, today=TODAY, layout="pso-dma-export")
    assert info.value.reason("en") == (
        "The file looks like the EDIH DMA tool export of public-sector organisations but "
        'lacks required columns: DMA Timing (closest header found: "DMA Timings").'
    )


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("sme", "sme"),
        ("IMM", "sme"),
        (" Imm ", "sme"),
        ("pso", "pso"),
        ("PSO", "pso"),
        ("institutie_publica", "pso"),
        ("Instituție publică", "pso"),
        ("INSTITUŢIE_PUBLICĂ", "pso"),
        ("", None),
    ],
)
def test_org_type_answers_are_folded(cell: str, kind: str | None) -> None:
    parsed = parse_org_type(cell)
    assert (parsed.value, parsed.problem) == (kind, None)


def test_the_hub_template_reads_org_type_by_its_romanian_alias() -> None:
    header = ["cod_membru", "denumire", "etapa", "tip_organizatie"]
    rows = [
        ["RO1", "Firma SRL", "T0", "imm"],
        ["RO2", "Primăria Y", "T0", "instituție publică"],
        ["RO3", "Firma Z SRL", "T0", ""],
        ["RO4", "Firma W SRL", "T0", "ONG"],
    ]
    result = validate(table(header, rows), today=TODAY)
    assert result.layout == "hub"
    # An empty cell claims no kind (a new member becomes an SME when stored).
    assert result.assessments["org_type"].tolist() == ["sme", "pso", None]
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (5, "tip_organizatie", "bad_org_type")
    ]
    assert "sme (or imm)" in result.errors[0].message("en")
    assert "imm (sau sme)" in result.errors[0].message("ro")


def test_a_hub_file_without_org_type_claims_no_kind() -> None:
    result = validate(table(["member_id", "company_name", "wave"], [["a", "B", "T0"]]), today=TODAY)
    assert result.assessments["org_type"].tolist() == [None]
