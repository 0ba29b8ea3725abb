"""Validating member survey tables (spec/survey-format.md §1–§3, §5)."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from support.reference import validate

from dih_dash.domain.survey_schema import (
    ASSESSMENT_COLUMNS,
    DII_ITEMS,
    DMA_DIMENSIONS,
    PSO_DIMENSIONS,
)
from dih_dash.domain.survey_validation import (
    ColumnMapping,
    FileRefused,
    Issue,
    MappingError,
    ValidationResult,
    detect_layout,
    empty_assessments,
    normalise_header,
    suggest_mapping,
)
from dih_dash.domain.survey_values import EMPLOYEES_MAX
from dih_dash.i18n import format_number
from dih_dash.sources.mapping_files import list_mappings, load_mapping, save_mapping
from dih_dash.sources.survey_files import RawTable, read_table

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "surveys"
TODAY = dt.date(2025, 6, 1)
HEADER = ["member_id", "company_name", "wave"]


def table(header: list[str], rows: list[list[str]], numbers: list[int] | None = None) -> RawTable:
    numbers = numbers or list(range(2, 2 + len(rows)))
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    return RawTable(frame=frame, row_numbers=tuple(numbers), format="csv", encoding="utf-8")


def one(column: str, value: str, **kwargs: object) -> ValidationResult:
    """A hub file with one otherwise valid row and one extra column."""
    return validate(
        table([*HEADER, column], [["RO1", "Firma SRL", "T0", value]]), today=TODAY, **kwargs
    )


def only_error(result: ValidationResult) -> Issue:
    assert len(result.errors) == 1, [e.message() for e in result.errors]
    return result.errors[0]


def codes(issues: list[Issue]) -> list[str]:
    return [issue.code for issue in issues]


def read_csv(text: str) -> RawTable:
    return read_table(text.encode("utf-8"), "m.csv", max_bytes=10**7, max_rows=10**5)


def refused(tbl: RawTable, **kwargs: object) -> FileRefused:
    with pytest.raises(FileRefused) as info:
        validate(tbl, today=TODAY, **kwargs)
    return info.value


# --- §1 header matching and layouts ------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Cod membru", "cod_membru"),
        ("COD_MEMBRU", "cod_membru"),
        ("cod-membru", "cod_membru"),
        ("  cod . membru\u00a0", "cod_membru"),
        ("Cod \u00a0 - membru", "cod_membru"),
        ("Județ", "judet"),
        ("Judeţ", "judet"),
        ("Clasă mărime", "clasa_marime"),
        ("Data evaluării", "data_evaluarii"),
        ("Înregistrare", "inregistrare"),
        ("\ufeffmember_id", "member_id"),
        ("SME ID\u00a0 ", "sme_id"),
    ],
)
def test_normalise_header(header: str, expected: str) -> None:
    assert normalise_header(header) == expected


@pytest.mark.parametrize(
    "header",
    [
        ["member_id", "company_name", "wave"],
        ["Cod membru", "Denumire", "Etapă"],
        ["COD_MEMBRU", "DENUMIRE", "ETAPA"],
        ["cod-membru", " denumire ", "etapa\u00a0"],
        ["Member ID", "Company Name", "Wave"],
    ],
)
def test_hub_layout_in_english_and_romanian_headers(header: list[str]) -> None:
    result = validate(table(header, [["ro1", "Firma SRL", "t2"]]), today=TODAY)
    assert result.layout == "hub"
    assert result.errors == [] and result.warnings == []
    assert result.assessments[["member_id", "company_name", "wave"]].iloc[0].tolist() == [
        "RO1", "Firma SRL", "T2",
    ]  # fmt: skip


def test_romanian_aliases_of_every_hub_column() -> None:
    header = ["cod_membru", "denumire", "etapa", "data_evaluarii", "cluster", "sector",
              "clasa_marime", "nr_angajati", "judet"]  # fmt: skip
    row = ["RO1", "Firma", "T1", "14.03.2025", "Mobilier", "C31", "mijlocie", "60", "Cluj"]
    result = validate(table(header, [row]), today=TODAY)
    assert result.errors == [] and result.warnings == []
    got = result.assessments.iloc[0]
    assert got["assessed_on"] == dt.date(2025, 3, 14)
    assert (got["cluster"], got["sector"], got["size_class"]) == ("Mobilier", "C31", "medium")
    assert (got["employees"], got["county"]) == (60, "CJ")
    assert result.columns["county"] == "judet"


def test_detect_layout() -> None:
    assert detect_layout(["Cod membru", "Etapa"]) == "hub"
    assert detect_layout([" SME ID ", "SME name\u00a0", "dma timing"]) == "dma-export"
    assert detect_layout(["Timestamp", "Email address"]) is None


def test_a_file_matching_no_layout_is_refused_naming_missing_columns_and_closest_headers() -> None:
    tbl = table(["Cod membr", "Firma", "Runda", "SME nam"], [["1", "A", "T0", "x"]])
    error = refused(tbl)
    assert error.code == "no_layout"
    assert error.reason("en") == (
        "The columns are neither those of the hub template (missing: member_id / cod_membru "
        '(closest header found: "Cod membr"); company_name / denumire (no similar header '
        "found); wave / etapa (no similar header found)) nor those of the EDIH DMA tool export "
        '(missing: SME ID (no similar header found); SME name (closest header found: "SME '
        'nam"); DMA Timing (no similar header found)); for other exports, choose a column '
        "mapping."
    )
    assert "lipsesc: member_id / cod_membru (cel mai apropiat antet găsit: „Cod membr”)" in (
        error.reason("ro")
    )


def test_hub_file_without_company_name_is_refused_naming_the_column() -> None:
    error = refused(table(["member_id", "Denumirea firmei", "wave"], [["1", "A", "T0"]]))
    assert error.code == "missing_columns"
    assert error.reason("en") == (
        "The file looks like the hub template but lacks required columns: "
        'company_name / denumire (closest header found: "Denumirea firmei").'
    )


def test_explicit_layout_is_obeyed() -> None:
    hub = table(HEADER, [["RO1", "A", "T0"]])
    assert validate(hub, layout="hub", today=TODAY).layout == "hub"
    error = refused(hub, layout="dma-export")
    assert error.code == "missing_columns"
    assert "SME ID" in error.reason("en") and "DMA Timing" in error.reason("en")
    with pytest.raises(ValueError, match="layout"):
        validate(hub, layout="google")


def test_ignored_columns_give_one_warning_each_without_a_row() -> None:
    tbl = table([*HEADER, "Observații", "EDIH Name"], [["RO1", "A", "T0", "x", "y"]] * 1)
    result = validate(tbl, today=TODAY)
    assert [(w.code, w.row, w.column) for w in result.warnings] == [
        ("ignored_column", None, "Observații"),
        ("ignored_column", None, "EDIH Name"),
    ]
    assert result.warnings[0].message("en") == (
        'Column "Observații": not a column of this layout; its values are ignored.'
    )
    assert result.warnings[0].message("ro") == (
        "Coloana „Observații”: nu este o coloană a acestui format; valorile ei sunt ignorate."
    )


def test_unnamed_column_with_values_is_named_by_its_letter() -> None:
    result = validate(table([*HEADER, ""], [["RO1", "A", "T0", "stray"]]), today=TODAY)
    assert [(w.code, w.row, w.column) for w in result.warnings] == [("unnamed_column", None, None)]
    assert result.warnings[0].message("en") == (
        "Column D has values but no header; they are ignored."
    )


def test_a_field_given_twice_reads_the_first_column_and_warns() -> None:
    tbl = table([*HEADER, "cod_membru"], [["RO1", "A", "T0", "RO9"]])
    result = validate(tbl, today=TODAY)
    assert result.assessments["member_id"].tolist() == ["RO1"]
    assert [(w.code, w.column) for w in result.warnings] == [("duplicate_column", "cod_membru")]
    assert 'same field as column "member_id"' in result.warnings[0].message("en")


# --- §2 values ---------------------------------------------------------------------------


def test_member_id_trimmed_upper_cased_and_bounded() -> None:
    assert one("cluster", "x").assessments["member_id"].tolist() == ["RO1"]
    result = validate(table(HEADER, [["  ro 123\u00a0", "A", "T0"]]), today=TODAY)
    assert result.assessments["member_id"].tolist() == ["RO 123"]
    assert validate(table(HEADER, [["x" * 64, "A", "T0"]]), today=TODAY).errors == []
    error = only_error(validate(table(HEADER, [["x" * 65, "A", "T0"]]), today=TODAY))
    assert (error.code, error.row, error.column) == ("too_long", 2, "member_id")
    assert "65 characters" in error.message("en") and "1–64" in error.message("en")


def test_company_name_any_unicode_comma_below_and_bounded() -> None:
    result = validate(table(HEADER, [["RO1", " Şoim & Ţarc — Ελληνικά 株式 ", "T0"]]), today=TODAY)
    assert result.assessments["company_name"].tolist() == ["Șoim & Țarc — Ελληνικά 株式"]
    assert validate(table(HEADER, [["RO1", "n" * 200, "T0"]]), today=TODAY).errors == []
    error = only_error(validate(table(HEADER, [["RO1", "n" * 201, "T0"]]), today=TODAY))
    assert (error.code, error.column) == ("too_long", "company_name")


@pytest.mark.parametrize("column", HEADER)
def test_a_missing_required_value_is_an_error(column: str) -> None:
    row = {"member_id": "RO1", "company_name": "A", "wave": "T0", column: "  "}
    error = only_error(validate(table(HEADER, [[row[c] for c in HEADER]]), today=TODAY))
    assert (error.code, error.row, error.column, error.value) == ("missing_value", 2, column, "  ")
    assert error.message("en").startswith(
        f'Row 2, column "{column}": the value is missing; expected'
    )


@pytest.mark.parametrize(
    ("raw", "stored"), [("T0", "T0"), ("t1", "T1"), (" T12 ", "T12"), ("T01", "T1")]
)
def test_wave_forms(raw: str, stored: str) -> None:
    result = validate(table(HEADER, [["RO1", "A", raw]]), today=TODAY)
    assert result.assessments["wave"].tolist() == [stored]


@pytest.mark.parametrize("raw", ["1", "T", "Wave 1", "T-1", "T1.5", "runda 1"])
def test_wave_not_of_the_form_t_n_is_an_error(raw: str) -> None:
    error = only_error(validate(table(HEADER, [["RO1", "A", raw]]), today=TODAY))
    assert (error.code, error.column, error.value) == ("bad_wave", "wave", raw)
    assert error.message("en") == (
        f'Row 2, column "wave": "{raw}" is not an assessment round; '
        "expected T0, T1, T2, … (t1 is read as T1)."
    )


@pytest.mark.parametrize(
    ("raw", "date"),
    [
        ("2025-03-14", dt.date(2025, 3, 14)),
        ("14.03.2025", dt.date(2025, 3, 14)),
        ("14/03/2025", dt.date(2025, 3, 14)),
        ("4/3/2025", dt.date(2025, 3, 4)),
        ("14.03.2025 10:22:01", dt.date(2025, 3, 14)),
        ("2025-03-14 10:22:01", dt.date(2025, 3, 14)),
        ("2025-03-14T10:22", dt.date(2025, 3, 14)),
        ("", None),
        ("2025-06-02", dt.date(2025, 6, 2)),  # tomorrow: allowed, time zones differ
    ],
)
def test_dates(raw: str, date: dt.date | None) -> None:
    result = one("assessed_on", raw)
    assert result.errors == []
    assert result.assessments["assessed_on"].tolist() == [date]


@pytest.mark.parametrize(
    "raw", ["31.02.2025", "2025-13-01", "14 martie 2025", "45730", "03/14/2025"]
)
def test_unreadable_date_is_an_error(raw: str) -> None:
    error = only_error(one("assessed_on", raw))
    assert (error.code, error.column, error.value) == ("bad_date", "assessed_on", raw)
    assert "14.03.2025" in error.message("en") and "day first" in error.message("en")


def test_date_after_tomorrow_is_an_error() -> None:
    error = only_error(one("data_evaluarii", "03.06.2025"))
    assert (error.code, error.column) == ("future_date", "data_evaluarii")
    assert error.message("en") == (
        'Row 2, column "data_evaluarii": the date "03.06.2025" lies in the future; '
        "expected a date no later than 2025-06-02."
    )


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("67.5", 67.5),
        ("67,5", 67.5),
        (" 0 ", 0.0),
        ("100", 100.0),
        ("100,0", 100.0),
        ("42%", 42.0),
        ("", None),
    ],
)
def test_scores_with_decimal_point_or_comma(raw: str, value: float | None) -> None:
    result = one("dma_green", raw)
    assert result.errors == []
    got = result.assessments["dma_green"].iloc[0]
    assert (value is None and math.isnan(got)) or got == value


@pytest.mark.parametrize(
    ("raw", "code"),
    [("100.01", "out_of_range"), ("-1", "out_of_range"), ("130", "out_of_range"),
     ("abc", "bad_number"), ("1.234,5", "bad_number"), ("n/a", "bad_number")],
)  # fmt: skip
def test_score_not_a_number_or_outside_0_100_is_an_error(raw: str, code: str) -> None:
    error = only_error(one("dma_strategy", raw))
    assert (error.code, error.column, error.value) == (code, "dma_strategy", raw)
    assert "a number from 0 to 100, with a decimal point or comma" in error.message("en")


def test_dma_overall_is_the_mean_of_the_six_when_absent() -> None:
    header = [*HEADER, *DMA_DIMENSIONS]
    result = validate(
        table(header, [["RO1", "A", "T0", "10", "20", "30", "40", "50", "60,5"]]), today=TODAY
    )
    assert result.assessments["dma_overall"].tolist() == [pytest.approx(210.5 / 6)]
    header = [*header, "dma_overall"]
    rows = [
        ["RO1", "A", "T0", "10", "20", "30", "40", "50", "60", ""],  # empty: computed
        ["RO2", "B", "T0", "10", "20", "30", "40", "50", "", ""],  # five of six: stays empty
    ]
    frame = validate(table(header, rows), today=TODAY).assessments
    assert frame["dma_overall"].iloc[0] == 35.0
    assert math.isnan(frame["dma_overall"].iloc[1])


def test_dma_overall_far_from_the_mean_is_a_warning() -> None:
    header = [*HEADER, *DMA_DIMENSIONS, "dma_overall"]
    rows = [
        ["RO1", "A", "T0", "10", "20", "30", "40", "50", "60", "36"],  # mean 35: 1 point, fine
        ["RO2", "B", "T0", "10", "20", "30", "40", "50", "60", "36,5"],
    ]
    result = validate(table(header, rows), today=TODAY)
    assert result.errors == []
    assert [(w.code, w.row, w.column, w.value) for w in result.warnings] == [
        ("overall_mismatch", 3, "dma_overall", "36,5")
    ]
    assert result.warnings[0].message("en") == (
        'Row 3, column "dma_overall": dma_overall 36.5 differs by more than 1 point from the '
        "mean of the six dimensions (35); it is stored as given."
    )
    assert "36,5" in result.warnings[0].message("ro")
    assert result.assessments["dma_overall"].tolist() == [36.0, 36.5]


@pytest.mark.parametrize(
    ("raw", "value"),
    [("yes", True), ("NO", False), ("Da", True), ("nu", False), ("1", True), ("0", False),
     ("TRUE", True), ("false", False), ("y", True), ("N", False), ("x", True), ("X", True),
     ("ADEVĂRAT", True), ("fals", False)],
)  # fmt: skip
def test_dii_answers(raw: str, value: bool) -> None:
    result = one("dii_erp", raw)
    assert result.errors == []
    assert result.assessments["dii_erp"].tolist() == [value]


@pytest.mark.parametrize("raw", ["maybe", "poate", "2", "da/nu", "-"])
def test_dii_answer_not_accepted_is_an_error(raw: str) -> None:
    error = only_error(one("dii_crm", raw))
    assert (error.code, error.column, error.value) == ("bad_dii", "dii_crm", raw)
    assert "yes/no, da/nu, 1/0, true/false, y/n, or x for yes" in error.message("en")


def test_dii_empty_is_unknown_and_partly_answered_is_a_warning() -> None:
    header = [*HEADER, *DII_ITEMS]
    rows = [
        ["RO1", "A", "T0", *(["da"] * 12)],
        ["RO2", "B", "T0", *(["nu"] * 10), "", " "],
        ["RO3", "C", "T0", *([""] * 12)],
    ]
    result = validate(table(header, rows), today=TODAY)
    assert result.errors == []
    assert [(w.code, w.row, w.column) for w in result.warnings] == [("dii_partial", 3, None)]
    assert result.warnings[0].message("en") == (
        "Row 3: DII items answered: 10 of 12, so the DII is left empty; "
        "unanswered: dii_ecommerce_1pct, dii_web_sales_b2c."
    )
    frame = result.assessments
    assert frame["dii_web_sales_b2c"].tolist()[1] is pd.NA
    assert frame["dii_ai"].tolist() == [True, False, pd.NA]


@pytest.mark.parametrize(
    ("raw", "size"),
    [("micro", "micro"), ("Small", "small"), ("MEDIUM", "medium"), ("large", "large"),
     ("mică", "small"), ("mica", "small"), ("Mijlocie", "medium"), ("mare", "large"), ("", None)],
)  # fmt: skip
def test_size_class_in_english_and_romanian(raw: str, size: str | None) -> None:
    result = one("clasa_marime", raw)
    assert result.errors == []
    assert result.assessments["size_class"].tolist() == [size]


def test_unknown_size_class_is_an_error() -> None:
    error = only_error(one("size_class", "SRL"))
    assert (error.code, error.column, error.value) == ("bad_size_class", "size_class", "SRL")
    assert "micro, small, medium or large" in error.message("en")


@pytest.mark.parametrize(
    ("employees", "size"),
    [("0", "micro"), ("9", "micro"), ("10", "small"), ("49", "small"), ("50", "medium"),
     ("249", "medium"), ("250", "large"), ("1.200", "large"), ("1 500", "large"),
     ("12,0", "small")],
)  # fmt: skip
def test_size_class_follows_employees_when_empty(employees: str, size: str) -> None:
    result = validate(
        table([*HEADER, "employees", "size_class"], [["RO1", "A", "T0", employees, ""]]),
        today=TODAY,
    )
    assert result.errors == []
    assert result.assessments["size_class"].tolist() == [size]
    assert str(result.assessments["employees"].dtype) == "Int64"


def test_a_given_size_class_is_kept_even_if_employees_say_otherwise() -> None:
    tbl = table([*HEADER, "employees", "size_class"], [["RO1", "A", "T0", "300", "micro"]])
    assert validate(tbl, today=TODAY).assessments["size_class"].tolist() == ["micro"]


def test_a_size_class_at_odds_with_the_head_count_is_a_warning_naming_both() -> None:
    tbl = table(
        [*HEADER, "employees", "clasa_marime"],
        [["RO1", "A", "T0", "5", "mijlocie"], ["RO2", "B", "T0", "60", "mijlocie"]],
    )
    result = validate(tbl, today=TODAY)
    assert result.rejected == 0 and result.assessments["size_class"].tolist() == ["medium"] * 2
    mismatch = [w for w in result.warnings if w.code == "size_class_mismatch"]
    assert [(w.row, w.column, w.value) for w in mismatch] == [(2, "clasa_marime", "mijlocie")]
    ro = mismatch[0].message("ro")
    assert "„mijlocie”" in ro and "5 angajați" in ro and "Micro (<10)" in ro
    assert "Micro (<10)" in mismatch[0].message("en") and "5 employees" in mismatch[0].message("en")


@pytest.mark.parametrize("raw", ["-1", "12,5", "doisprezece", "5%"])
def test_employees_not_a_whole_number_is_an_error(raw: str) -> None:
    error = only_error(one("nr_angajati", raw))
    assert (error.code, error.column, error.value) == ("bad_employees", "nr_angajati", raw)
    assert "a whole number from 0 to 10,000,000" in error.message("en")


@pytest.mark.parametrize(
    "raw",
    ["10000001", "99999999999999999999", "9223372036854775808", "1e30", "1e400",
     "10.000.001", "999.999.999.999.999.999.999", "1" + ".000" * 2000],
)  # fmt: skip
def test_a_head_count_over_the_maximum_is_an_error_not_a_crash(raw: str) -> None:
    # Beyond int64 these once crashed validate with OverflowError (or TypeError); 2,000
    # digit groups are more than int() even takes from a string.
    result = one("employees", raw)
    error = only_error(result)
    assert (error.code, error.column, error.value) == ("bad_employees", "employees", raw)
    assert result.assessments.empty


def test_the_maximum_head_count_itself_is_accepted_and_said_in_both_languages() -> None:
    result = validate(
        table([*HEADER, "employees", "size_class"], [["RO1", "A", "T0", "10.000.000", ""]]),
        today=TODAY,
    )
    assert result.errors == []
    assert result.assessments["employees"].tolist() == [EMPLOYEES_MAX]
    assert result.assessments["size_class"].tolist() == ["large"]
    error = only_error(one("employees", str(EMPLOYEES_MAX + 1)))
    for lang in ("en", "ro"):
        assert format_number(EMPLOYEES_MAX, lang, 0) in error.message(lang)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("CJ", "CJ"), ("cj", "CJ"), ("B", "B"), ("Cluj", "CJ"), ("Bistrița-Năsăud", "BN"),
     ("Bistrita Nasaud", "BN"), ("BISTRIŢA-NĂSĂUD", "BN"), ("Municipiul București", "B"),
     ("Bucuresti", "B"), ("București", "B"), ("bucureşti", "B"), ("Județul Timiș", "TM"),
     ("jud. Iasi", "IS"), ("RO-MM", "MM"), ("Caraș-Severin", "CS"), ("Vâlcea", "VL")],
)  # fmt: skip
def test_counties_by_code_or_name_with_or_without_diacritics(raw: str, code: str) -> None:
    result = one("judet", raw)
    assert result.errors == []
    assert result.assessments["county"].tolist() == [code]


@pytest.mark.parametrize("raw", ["Cluj-Napoca", "XX", "Transilvania", "Narnia"])
def test_unknown_county_is_an_error(raw: str) -> None:
    error = only_error(one("county", raw))
    assert (error.code, error.column, error.value) == ("bad_county", "county", raw)
    assert error.message("en") == (
        f'Row 2, column "county": "{raw}" is not a Romanian county; expected a county code '
        "(CJ, BH, B, …) or a county name, with or without diacritics (Cluj, Bistrița-Năsăud, "
        "București)."
    )


def test_all_42_counties_are_known() -> None:
    codes_seen = set()
    for code in ["AB", "AR", "AG", "BC", "BH", "BN", "BT", "BV", "BR", "B", "BZ", "CS", "CL",
                 "CJ", "CT", "CV", "DB", "DJ", "GL", "GR", "GJ", "HR", "HD", "IL", "IS", "IF",
                 "MM", "MH", "MS", "NT", "OT", "PH", "SM", "SJ", "SB", "SV", "TR", "TM", "TL",
                 "VS", "VL", "VN"]:  # fmt: skip
        codes_seen.update(one("county", code.lower()).assessments["county"])
    assert len(codes_seen) == 42


# --- §5 row-level rules, numbering, the result -------------------------------------------


def test_same_member_and_wave_twice_identical_keeps_one_and_warns() -> None:
    rows = [["RO1", "A", "T0"], ["RO2", "B", "T0"], ["ro1 ", "A", "t0"]]
    result = validate(table(HEADER, rows, [2, 3, 5]), today=TODAY)
    assert result.errors == [] and result.rejected == 0
    assert [(w.code, w.row, w.column, w.value) for w in result.warnings] == [
        ("duplicate_row", 5, "member_id", "ro1 ")
    ]
    assert result.warnings[0].message("en") == (
        'Row 5, column "member_id": the same as row 2 (member RO1, round T0); the copy is skipped.'
    )
    assert result.assessments["source_row"].tolist() == [2, 3]


def test_same_member_and_wave_twice_with_other_values_is_an_error_naming_the_earlier_row() -> None:
    rows = [["RO1", "A SRL", "T0"], ["RO1", "A SRL", "T1"], ["Ro1", "A S.R.L.", "T0"]]
    result = validate(table(HEADER, rows), today=TODAY)
    error = only_error(result)
    assert (error.code, error.row, error.column, error.value) == (
        "duplicate_key",
        4,
        "member_id",
        "Ro1",
    )
    assert error.message("en") == (
        'Row 4, column "member_id": member RO1 already has round T0 in row 2, with different '
        "values; keep only one of the two rows."
    )
    assert error.message("ro") == (
        "Rândul 4, coloana „member_id”: membrul RO1 are deja runda T0 pe rândul 2, cu alte "
        "valori; păstrați doar unul dintre cele două rânduri."
    )
    assert result.rejected == 1
    assert result.assessments["source_row"].tolist() == [2, 3]


def test_row_numbers_are_the_spreadsheet_rows_with_blank_lines_and_multi_line_cells() -> None:
    text = (
        "member_id;company_name;wave;cluster;dma_green\n"
        'RO1;A;T0;"line one\nline two\nline three";10\n'
        "\n"
        "RO2;B;T0;IT;130\n"
        ";;;;\n"
        "RO3;C;X1;IT;5\n"
    )
    result = validate(read_csv(text), today=TODAY)
    assert [(e.row, e.column, e.value, e.code) for e in result.errors] == [
        (4, "dma_green", "130", "out_of_range"),
        (6, "wave", "X1", "bad_wave"),
    ]
    assert result.rows == 3 and result.rejected == 2
    assert result.assessments["source_row"].tolist() == [2]


def test_every_error_names_row_column_value_and_what_is_accepted_in_both_languages() -> None:
    header = ["Cod membru", "Denumire", "Etapa", "Data evaluarii", "Judet", "dma_green",
              "dii_ai", "nr_angajati", "clasa_marime"]  # fmt: skip
    rows = [["", "A", "T", "31.02.2025", "Narnia", "abc", "poate", "-3", "uriașă"]]
    result = validate(table(header, rows, [17]), today=TODAY)
    assert len(result.errors) == 8
    for error in result.errors:
        assert error.row == 17 and error.severity == "error"
        for lang, prefix, expected in (
            ("en", "Row 17, column", "expected"),
            ("ro", "Rândul 17, coloana", "se a"),
        ):
            message = error.message(lang)
            assert message.startswith(f"{prefix} ") and error.column in message
            assert (error.value.strip() == "" or error.value in message) and expected in message
            assert "\n" not in message and not set("şţŞŢ") & set(message)


def test_issue_to_dict_is_json() -> None:
    result = one("dma_green", "130")
    payload = json.dumps([issue.to_dict("ro") for issue in result.errors], ensure_ascii=False)
    assert json.loads(payload) == [{
        "row": 2, "column": "dma_green", "value": "130",
        "message": "Rândul 2, coloana „dma_green”: „130” nu este între 0 și 100; se așteaptă un "
                   "număr de la 0 la 100, cu punct sau virgulă zecimală (67,5 sau 67.5).",
    }]  # fmt: skip
    assert result.errors[0].to_dict()["message"].startswith('Row 2, column "dma_green"')


def test_long_and_multi_line_values_are_shortened_in_messages_but_kept_in_the_issue() -> None:
    raw = "abc\n" + "x" * 200
    error = only_error(one("dma_green", raw))
    assert error.value == raw
    assert "\n" not in error.message("en") and "…" in error.message("en")


def test_assessment_frame_columns_and_dtypes() -> None:
    header = list(ASSESSMENT_COLUMNS)
    row = ["ro9", "Firma", "T3", "2025-01-31", "IT", "J62", "", "12", "BH", "IMM",
           "1", "2", "3", "4", "5", "6", "", *(["da", "nu"] * 6), *[""] * 6]  # fmt: skip
    frame = validate(table(header, [row]), today=TODAY).assessments
    assert list(frame.columns) == [*ASSESSMENT_COLUMNS, "source_row"]
    dtypes = {c: str(t) for c, t in frame.dtypes.items()}
    assert dtypes["employees"] == "Int64" and dtypes["source_row"] == "int64"
    assert {dtypes[c] for c in DII_ITEMS} == {"boolean"}
    assert {dtypes[c] for c in (*DMA_DIMENSIONS, "dma_overall")} == {"float64"}
    assert {dtypes[c] for c in PSO_DIMENSIONS} == {"float64"}
    got = frame.iloc[0]
    assert isinstance(got["assessed_on"], dt.date)
    assert (got["member_id"], got["size_class"], got["dma_overall"]) == ("RO9", "small", 3.5)
    assert got["org_type"] == "sme"
    assert got["cluster"] == "IT" and got["county"] == "BH"
    empty = empty_assessments()
    assert list(empty.columns) == list(frame.columns) and len(empty) == 0
    assert {c: str(t) for c, t in empty.dtypes.items()} == dtypes


def test_text_cells_left_empty_are_none() -> None:
    frame = validate(
        table([*HEADER, "cluster", "county"], [["RO1", "A", "T0", " ", ""]]), today=TODAY
    ).assessments
    assert frame["cluster"].tolist() == [None] and frame["county"].tolist() == [None]
    assert frame["assessed_on"].tolist() == [None]


# --- waves given for the upload ----------------------------------------------------------


def test_wave_argument_fills_a_hub_file_without_a_wave_column() -> None:
    result = validate(table(["member_id", "company_name"], [["RO1", "A"]]), wave="t1", today=TODAY)
    assert result.layout == "hub"
    assert result.assessments["wave"].tolist() == ["T1"]


def test_wave_argument_is_not_used_when_the_file_has_waves() -> None:
    result = validate(table(HEADER, [["RO1", "A", "T2"]]), wave="T0", today=TODAY)
    assert result.assessments["wave"].tolist() == ["T2"]
    assert [(w.code, w.column, w.value) for w in result.warnings] == [
        ("wave_argument_ignored", "wave", "T0")
    ]


def test_no_wave_anywhere_is_refused() -> None:
    mapping = ColumnMapping(name="m", columns={"member_id": "CUI", "company_name": "Firma"})
    error = refused(table(["CUI", "Firma"], [["1", "A"]]), mapping=mapping)
    assert error.code == "no_wave"
    assert error.reason("en") == (
        'The file (an export read through a column mapping) has no "wave" column (the '
        "assessment round): give the round (e.g. T0) for all its rows."
    )


def test_a_wave_argument_that_is_not_a_wave_is_refused() -> None:
    mapping = ColumnMapping(name="m", columns={"member_id": "CUI", "company_name": "Firma"})
    error = refused(table(["CUI", "Firma"], [["1", "A"]]), mapping=mapping, wave="runda 1")
    assert error.code == "bad_wave_argument"
    assert error.reason("ro") == "„runda 1” nu este o rundă de evaluare; indicați T0, T1, T2, …"


def test_mapping_and_explicit_layout_together_are_a_programming_error() -> None:
    mapping = ColumnMapping(name="m", columns={"member_id": "CUI", "company_name": "Firma"})
    with pytest.raises(ValueError, match="not both"):
        validate(table(["CUI", "Firma"], [["1", "A"]]), layout="hub", mapping=mapping, wave="T0")


# --- §3 the DMA tool export --------------------------------------------------------------

DMA_HEADER = [
    "SME name ", "SME ID\u00a0", "dma timing", "DMA Score", "Digital Business Strategy",
    "DIGITAL READINESS", "Human-Centric Digitalisation\u00a0", "Data Governance",
    "Automation & Artificial Intelligence", "Green  Digitalisation", "EDIH Name",
]  # fmt: skip
DMA_ROWS = [
    [
        "Exemplu Mobilă SRL",
        "RO10000001",
        "T0",
        "38.5",
        "42.5",
        "38",
        "55",
        "30.5",
        "20",
        "45",
        "EDIH Transilvania",
    ],
    [
        "Exemplu Soft SRL",
        "RO10000003",
        "T1",
        "61,5",
        "70.5",
        "65.5",
        "60",
        "72",
        "50",
        "51",
        "EDIH Transilvania",
    ],
]


def check_dma_export(result: ValidationResult) -> None:
    assert result.layout == "dma-export"
    assert result.errors == []
    assert [(w.code, w.column) for w in result.warnings] == [("ignored_column", "EDIH Name")]
    frame = result.assessments
    assert frame["member_id"].tolist() == ["RO10000001", "RO10000003"]
    assert frame["company_name"].tolist() == ["Exemplu Mobilă SRL", "Exemplu Soft SRL"]
    assert frame["wave"].tolist() == ["T0", "T1"]
    assert frame["dma_overall"].tolist() == [38.5, 61.5]
    assert frame["dma_data"].tolist() == [30.5, 72.0]
    assert frame["dma_automation"].tolist() == [20.0, 50.0]
    assert frame["assessed_on"].tolist() == [None, None]
    assert frame["dii_ai"].isna().all()
    assert result.columns["member_id"] == "SME ID"


def test_dma_tool_export_as_csv() -> None:
    text = ";".join(DMA_HEADER) + "\r\n" + "\r\n".join(";".join(r) for r in DMA_ROWS) + "\r\n"
    data = text.encode("utf-8-sig")
    check_dma_export(
        validate(read_table(data, "dma.csv", max_bytes=10**6, max_rows=10), today=TODAY)
    )


def number_or_text(cell: str) -> object:
    try:
        return float(cell.replace(",", "."))
    except ValueError:
        return cell


def test_dma_tool_export_as_xlsx_sheet() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Info"
    workbook.active.append(["Exported from the DMA tool"])
    sheet = workbook.create_sheet("My SMEs DMA Results")
    sheet.append(DMA_HEADER)
    for row in DMA_ROWS:
        sheet.append([number_or_text(cell) for cell in row])  # scores as numeric cells
    buffer = io.BytesIO()
    workbook.save(buffer)
    tbl = read_table(buffer.getvalue(), "my-smes-dma-results.xlsx", max_bytes=10**6, max_rows=10)
    assert tbl.sheet == "My SMEs DMA Results"
    check_dma_export(validate(tbl, today=TODAY))


def test_dma_export_missing_a_required_column_is_refused_with_the_closest_header() -> None:
    tbl = table(["SME name", "SME ID", "DMA Timings"], [["A", "1", "T0"]])
    error = refused(tbl, layout="dma-export")
    assert error.reason("en") == (
        "The file looks like the EDIH DMA tool export but lacks required columns: "
        'DMA Timing (closest header found: "DMA Timings").'
    )


# --- mapped exports (Google Forms, Microsoft Forms) --------------------------------------


def fixture_table(name: str) -> RawTable:
    return read_table((FIXTURES / name).read_bytes(), name, max_bytes=10**6, max_rows=1000)


def test_google_forms_romanian_export_through_its_mapping() -> None:
    tbl = fixture_table("google_forms_ro.csv")
    assert (tbl.encoding, tbl.delimiter) == ("utf-8", ",")
    mapping = load_mapping(FIXTURES / "google_forms_ro.toml")
    result = validate(tbl, mapping=mapping, wave="T0", today=TODAY)

    assert result.layout == "mapped" and result.rows == 4 and result.rejected == 1
    error = only_error(result)
    assert (error.row, error.column, error.value, error.code) == (
        5, "Folosiți cel puțin o tehnologie de inteligență artificială (IA)?", "Poate", "bad_dii",
    )  # fmt: skip
    assert [(w.code, w.row, w.column) for w in result.warnings] == [
        ("ignored_column", None, "Adresă de e-mail"),
        ("ignored_column", None, "Observații"),
        ("dii_partial", 4, None),
    ]
    assert result.warnings[2].message("ro") == (
        "Rândul 4: itemi DII cu răspuns: 9 din 12, așa că DII nu se calculează; fără răspuns: "
        "Cumpărați servicii de cloud computing?, Cumpărați servicii cloud sofisticate sau "
        "intermediare?, Efectuați analize de date (cu personal propriu sau extern)?."
    )
    frame = result.assessments
    assert frame["member_id"].tolist() == ["RO10000001", "RO10000002", "RO10000003"]
    assert frame["company_name"].tolist() == [
        "Exemplu Mobilă SRL", "Exemplu Lemn Prelucrat SRL", "Exemplu Soft Școală SRL",
    ]  # fmt: skip
    assert frame["wave"].tolist() == ["T0"] * 3
    assert frame["assessed_on"].tolist() == [dt.date(2025, 3, d) for d in (14, 15, 17)]
    assert frame["county"].tolist() == ["CJ", "BN", "BH"]
    assert frame["size_class"].tolist() == ["small", "micro", "medium"]
    assert frame["dii_erp"].tolist() == [True, False, True]  # "Da, folosim" → da
    assert frame["source_row"].tolist() == [2, 3, 4]


def test_google_forms_us_locale_export_reads_dates_month_first() -> None:
    mapping = load_mapping(FIXTURES / "google_forms_en.toml")
    assert mapping.day_first is False
    result = validate(fixture_table("google_forms_en.csv"), mapping=mapping, today=TODAY)
    assert result.errors == []
    assert [(w.code, w.column) for w in result.warnings] == [("ignored_column", "Email Address")]
    frame = result.assessments
    assert frame["assessed_on"].tolist() == [dt.date(2025, 4, 11), dt.date(2025, 4, 12)]
    assert frame["wave"].tolist() == ["T1", "T1"]
    assert frame["size_class"].tolist() == ["small", "medium"]
    assert frame["dma_overall"].tolist() == [
        pytest.approx((45 + 50.5 + 60 + 35 + 25 + 40) / 6),
        pytest.approx((80 + 75 + 70.5 + 82 + 64 + 58) / 6),
    ]
    bad = validate(
        table(["Timestamp", "Company name", "VAT number?", "Assessment round"],
              [["4/31/2025 10:00:00", "A", "RO1", "T1"]]),
        mapping=ColumnMapping(
            name="us", day_first=False,
            columns={"assessed_on": "Timestamp", "company_name": "Company name",
                     "member_id": "VAT number?", "wave": "Assessment round"},
        ),
        today=TODAY,
    )  # fmt: skip
    assert "03/14/2025 (month first" in only_error(bad).message("en")


MS_HEADER = ["ID", "Start time", "Completion time", "Email", "Name", "Denumirea companiei",
             "Cod fiscal (CUI)", "Județ", "Număr de angajați", "Etapa evaluării"]  # fmt: skip


def check_microsoft_forms(result: ValidationResult) -> None:
    assert result.errors == []
    assert [(w.code, w.column) for w in result.warnings] == [
        ("ignored_column", "ID"), ("ignored_column", "Start time"),
        ("ignored_column", "Email"), ("ignored_column", "Name"),
    ]  # fmt: skip
    frame = result.assessments
    assert frame["company_name"].tolist() == [
        "Exemplu Mobilă SRL", "Exemplu Țesătorie SRL", "Exemplu Soft SRL",
    ]  # fmt: skip
    assert frame["county"].tolist() == ["CJ", "MS", "BH"]
    assert frame["employees"].tolist() == [23, 7, 1200]
    assert frame["size_class"].tolist() == ["small", "micro", "large"]
    assert frame["wave"].tolist() == ["T1", "T0", "T1"]
    assert frame["assessed_on"].tolist() == [dt.date(2025, 8, d) for d in (20, 21, 22)]
    assert frame["dii_internet_staff"].tolist() == [True, True, True]
    assert frame["dii_web_sales_b2c"].tolist() == [False, False, False]


def test_microsoft_forms_export_resaved_by_romanian_excel() -> None:
    tbl = fixture_table("microsoft_forms_resaved.csv")
    assert (tbl.encoding, tbl.delimiter) == ("cp1250", ";")
    mapping = load_mapping(FIXTURES / "microsoft_forms.toml")
    check_microsoft_forms(validate(tbl, mapping=mapping, today=dt.date(2025, 9, 1)))


def test_microsoft_forms_open_in_excel_workbook() -> None:
    source = fixture_table("microsoft_forms_resaved.csv").frame
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(list(source.columns))
    for _, row in source.iterrows():
        cells: list[object] = list(row)
        cells[0] = int(cells[0])
        for i in (1, 2):  # Forms writes real date-times
            cells[i] = dt.datetime.strptime(cells[i], "%d.%m.%Y %H:%M")
        cells[8] = int(str(cells[8]).replace(".", ""))
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    tbl = read_table(buffer.getvalue(), "DII 2025.xlsx", max_bytes=10**6, max_rows=100)
    mapping = load_mapping(FIXTURES / "microsoft_forms.toml")
    check_microsoft_forms(validate(tbl, mapping=mapping, today=dt.date(2025, 9, 1)))


def test_mapped_file_missing_a_mapped_required_column_is_refused() -> None:
    mapping = load_mapping(FIXTURES / "microsoft_forms.toml")
    tbl = table(["Denumirea companiei", "CUI-ul firmei", "Etapa evaluării"], [["A", "1", "T0"]])
    error = refused(tbl, mapping=mapping)
    assert error.code == "missing_columns"
    assert error.reason("en") == (
        'The file looks like the export described by the column mapping "Microsoft Forms – DII '
        '2025" but lacks required columns: Cod fiscal (CUI) (no similar header found).'
    )


def test_mapped_optional_column_missing_is_a_warning() -> None:
    mapping = ColumnMapping(
        name="m", columns={"member_id": "CUI", "company_name": "Firma", "county": "Județul"}
    )
    result = validate(
        table(["CUI", "Firma"], [["1", "A"]]), mapping=mapping, wave="T0", today=TODAY
    )
    assert [(w.code, w.column) for w in result.warnings] == [("mapped_column_missing", "Județul")]
    assert result.assessments["county"].tolist() == [None]


# --- mappings as files -------------------------------------------------------------------


def test_mapping_save_list_load_round_trip(tmp_path: Path) -> None:
    mapping = load_mapping(FIXTURES / "google_forms_ro.toml")
    path = save_mapping(tmp_path / "mappings", mapping)
    assert path.name == "formular-google-chestionar-membri-2025.toml"
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    assert data["values"]["size_class"]["1-9 angajați"] == "micro"
    assert load_mapping(path) == mapping
    assert (
        load_mapping("Formular Google – chestionar membri 2025", tmp_path / "mappings") == mapping
    )
    assert (
        load_mapping("formular google – CHESTIONAR membri 2025", tmp_path / "mappings") == mapping
    )
    save_mapping(tmp_path / "mappings", ColumnMapping(name="Altă formă", columns={
        "member_id": "CUI", "company_name": "Firma"}))  # fmt: skip
    assert [m.name for m in list_mappings(tmp_path / "mappings")] == [
        "Altă formă", "Formular Google – chestionar membri 2025",
    ]  # fmt: skip
    assert list_mappings(tmp_path / "nowhere") == []


def test_a_saved_mapping_replaces_one_of_the_same_name(tmp_path: Path) -> None:
    first = ColumnMapping(name="Forma", columns={"member_id": "CUI", "company_name": "Firma"})
    second = ColumnMapping(name="Forma", columns={"member_id": "CIF", "company_name": "Firma"})
    save_mapping(tmp_path, first)
    save_mapping(tmp_path, second)
    assert list_mappings(tmp_path) == [second]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forma.toml"]


def test_unreadable_mapping_files_are_skipped_in_the_list_and_named_when_loaded(
    tmp_path: Path,
) -> None:
    (tmp_path / "broken.toml").write_text('name = "x"\n[columns\n', encoding="utf-8")
    save_mapping(
        tmp_path, ColumnMapping(name="Bună", columns={"member_id": "A", "company_name": "B"})
    )
    assert [m.name for m in list_mappings(tmp_path)] == ["Bună"]
    with pytest.raises(MappingError) as info:
        load_mapping(tmp_path / "broken.toml")
    assert info.value.code == "unreadable"
    assert info.value.message("en").startswith(
        "The column mapping file broken.toml cannot be read:"
    )
    with pytest.raises(MappingError) as info:
        load_mapping("Nu există", tmp_path)
    assert (
        info.value.message("ro")
        == "Nu există nicio corespondență de coloane cu numele „Nu există”."
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"name": " ", "columns": {"member_id": "A", "company_name": "B"}}, "no_name"),
        ({"name": "m", "columns": {"member_id": "A"}}, "missing_required"),
        ({"name": "m", "columns": {"member_id": "A", "company_name": "B", "email": "C"}},
         "unknown_field"),
        ({"name": "m", "columns": {"member_id": "A", "company_name": " "}}, "bad_header"),
        ({"name": "m", "columns": {"member_id": "A", "company_name": "B"},
          "values": {"size_class": {"1-9 angajați": "tiny"}}}, "bad_value"),
        ({"name": "m", "columns": {"member_id": "A", "company_name": "B"},
          "values": {"dii": {"Da, folosim": "poate"}}}, "bad_value"),
        ({"name": "m", "columns": {"member_id": "A", "company_name": "B"},
          "values": {"colour": {"a": "b"}}}, "unknown_field"),
    ],
)  # fmt: skip
def test_invalid_mappings_are_refused_with_a_reason(kwargs: dict, code: str) -> None:
    with pytest.raises(MappingError) as info:
        ColumnMapping(**kwargs)
    assert info.value.code == code
    assert info.value.message("en") and info.value.message("ro")


def test_mapping_from_dict_checks_its_tables() -> None:
    with pytest.raises(MappingError, match="no \\[columns\\] table"):
        ColumnMapping.from_dict({"name": "m"})
    with pytest.raises(MappingError) as info:
        ColumnMapping.from_dict({"name": "m", "columns": {"member_id": "A", "company_name": "B"},
                                 "options": {"day_first": "yes"}})  # fmt: skip
    assert info.value.code == "bad_options"


def test_mapping_value_tables_match_answers_loosely() -> None:
    mapping = load_mapping(FIXTURES / "google_forms_ro.toml")
    assert mapping.value_map("size_class")["1-9 angajati"] == "micro"
    assert mapping.value_map("dii_crm") == {"da, folosim": "da"}
    assert mapping.value_map("county") == {}


# --- suggestions for a new mapping -------------------------------------------------------


def top(suggestions: dict[str, list[tuple[str, float]]], field: str) -> str | None:
    ranked = suggestions[field]
    return ranked[0][0] if ranked else None


def test_suggest_mapping_for_a_romanian_google_form() -> None:
    headers = fixture_table("google_forms_ro.csv").header
    suggestions = suggest_mapping(headers)
    assert set(suggestions) == set(ASSESSMENT_COLUMNS)
    expected = {
        "member_id": " Codul fiscal (CUI) ?",
        "company_name": "Denumirea firmei  ",
        "assessed_on": "Marcaj de timp",
        "county": "Județul în care aveți sediul",
        "dii_internet_staff": "Peste 50% dintre angajați au acces la internet în scop profesional?",
        "dii_fast_broadband": "Conexiunea fixă la internet are cel puțin 30 Mbit/s ?",
        "dii_ai": "Folosiți cel puțin o tehnologie de inteligență artificială (IA)?",
        "dii_cloud": "Cumpărați servicii de cloud computing?",
        "dii_cloud_advanced": "Cumpărați servicii cloud sofisticate sau intermediare?",
        "dii_erp": "Folosiți un software ERP?",
        "dii_crm": "Folosiți un software CRM?",
        "dii_social_media": "Folosiți rețele sociale?",
        "dii_social_media_2plus": "Folosiți două sau mai multe rețele sociale?",
        "dii_data_analytics": "Efectuați analize de date (cu personal propriu sau extern)?",
        "dii_ecommerce_1pct": (
            "Vânzările prin comerț electronic reprezintă cel puțin 1% din cifra de afaceri?"
        ),
        "dii_web_sales_b2c": "Vânzările web B2C depășesc 10% din vânzările web?",
    }
    assert {field: top(suggestions, field) for field in expected} == expected
    assert all(h != "Adresă de e-mail" for ranked in suggestions.values() for h, _ in ranked)
    assert suggestions["wave"] == [] and suggestions["dma_green"] == []
    for ranked in suggestions.values():
        scores = [score for _, score in ranked]
        assert scores == sorted(scores, reverse=True) and all(0.5 <= s <= 1 for s in scores)
        assert len(ranked) <= 3


def test_suggest_mapping_for_microsoft_forms_and_dma_headers() -> None:
    suggestions = suggest_mapping(fixture_table("microsoft_forms_resaved.csv").header)
    assert top(suggestions, "assessed_on") == "Completion time"
    assert suggestions["assessed_on"][1][0] == "Start time"
    assert top(suggestions, "member_id") == "Cod fiscal (CUI)"
    assert top(suggestions, "company_name") == "Denumirea companiei"
    assert top(suggestions, "employees") == "Număr de angajați"
    assert top(suggestions, "wave") == "Etapa evaluării"
    assert top(suggestions, "county") == "Județ"
    assert top(suggestions, "dii_social_media") == "Do you use any social media?"
    assert top(suggestions, "dii_social_media_2plus") == "Do you use two or more social media?"
    dma = suggest_mapping(DMA_HEADER)
    assert top(dma, "dma_automation") == "Automation & Artificial Intelligence"
    assert top(dma, "dma_human") == "Human-Centric Digitalisation\u00a0"
    assert top(dma, "dma_data") == "Data Governance"
    assert top(dma, "dma_overall") == "DMA Score"
    assert top(dma, "dii_ai") is None  # "Artificial Intelligence" there is the DMA dimension
    assert top(dma, "assessed_on") is None


def test_suggestions_become_a_mapping_that_validates() -> None:
    tbl = fixture_table("microsoft_forms_resaved.csv")
    suggestions = suggest_mapping(tbl.header)
    columns = {field: ranked[0][0] for field, ranked in suggestions.items() if ranked}
    result = validate(
        tbl, mapping=ColumnMapping(name="auto", columns=columns), today=dt.date(2025, 9, 1)
    )
    assert result.errors == []
    assert result.assessments["dii_crm"].tolist() == [False, False, True]


# --- strings -----------------------------------------------------------------------------


def survey_strings(lang: str) -> dict[str, str]:
    from dih_dash.i18n import strings

    return {k: v for k, v in strings(lang).items() if k.startswith("surveys.")}


def test_every_survey_string_exists_in_both_languages_with_the_same_placeholders() -> None:
    import string

    en, ro = survey_strings("en"), survey_strings("ro")
    assert set(en) == set(ro)

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key in en:
        assert fields(en[key]) == fields(ro[key]), key
    assert not set("şţŞŢ") & set("".join(ro.values()))


@pytest.mark.parametrize("section", ["refused", "errors", "warnings", "mapping", "expected"])
def test_every_message_can_be_filled(section: str) -> None:
    from dih_dash.i18n import t

    params = {name: "X" for name in ("row", "column", "value", "size_mb", "limit_mb", "limit",
              "detail", "hub_missing", "dma_missing", "layout", "missing", "closest", "name",
              "expected", "length", "latest", "first_row", "member_id", "wave", "overall",
              "mean", "answered", "total", "unanswered", "letter", "first", "field", "fields",
              "source", "file", "encoding", "line", "columns", "cell", "rows", "max_rows",
              "max_columns", "max_cells", "character", "offset", "count", "where",
              "max_count", "max_mb", "byte", "stored", "given", "most", "employees")}  # fmt: skip
    for lang in ("en", "ro"):
        for key in survey_strings(lang):
            if key.startswith(f"surveys.{section}."):
                assert "{" not in t(key, lang, **params), key


def test_a_table_as_read_and_the_same_cells_as_python_objects_validate_alike() -> None:
    # Validation reads each distinct cell once; whether the frame holds Arrow strings (as
    # read_table gives it) or Python objects must not matter, nor repeats of a cell.
    text = (
        "member_id;company_name;wave;dma_green;dii_ai;dii_crm;employees;size_class;county\n"
        "RO1;A;T0;10;da;;12;;Cluj\n"
        "RO2;B;T0;130;da;nu;300;;Narnia\n"
        "ro1 ;A;t0;10;da;;12;;Cluj\n"
        "RO3;C;T1;10;poate;nu;;mică;CJ\n"
        "RO1;A2;T0;10;da;;12;;Cluj\n"
    )
    as_read = read_csv(text)
    objects = table(list(as_read.header), as_read.frame.astype(object).values.tolist(),
                    list(as_read.row_numbers))  # fmt: skip
    results = [validate(tbl, today=TODAY) for tbl in (as_read, objects)]
    for result in results:
        assert [(e.row, e.column, e.code) for e in result.errors] == [
            (3, "county", "bad_county"), (3, "dma_green", "out_of_range"),  # column order
            (5, "dii_ai", "bad_dii"), (6, "member_id", "duplicate_key"),
        ]  # fmt: skip
        assert [(w.row, w.code) for w in result.warnings] == [
            (2, "dii_partial"), (3, "dii_partial"), (4, "dii_partial"), (4, "duplicate_row"),
            (6, "dii_partial"),
        ]  # fmt: skip
        assert result.assessments["size_class"].tolist() == ["small"]
    a, b = (r.assessments for r in results)
    pd.testing.assert_frame_equal(a, b)


def test_a_mapping_file_naming_an_unknown_county_is_refused(tmp_path: Path) -> None:
    # The county table is reference data the domain is handed: a mapping built in code
    # cannot check its county values, so reading the file does, against the real table.
    columns = '[columns]\nmember_id = "CUI"\ncompany_name = "Firma"\ncounty = "Judet"\n'
    good = tmp_path / "good.toml"
    good.write_text(f'name = "Bun"\n{columns}[values.county]\n"Cluj-Napoca" = "CJ"\n',
                    encoding="utf-8")  # fmt: skip
    assert load_mapping(good).value_map("county") == {"cluj-napoca": "CJ"}
    bad = tmp_path / "bad.toml"
    bad.write_text(f'name = "Rău"\n{columns}[values.county]\n"Cluj-Napoca" = "Transilvania"\n',
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(MappingError) as info:
        load_mapping(bad)
    assert (info.value.code, info.value.params["value"]) == ("bad_value", "Transilvania")
    assert list_mappings(tmp_path) == [load_mapping(good)]
