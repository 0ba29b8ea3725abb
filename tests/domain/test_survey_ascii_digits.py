"""Digits in survey values are ASCII 0-9 only: `\\d` and `int()` also take Arabic-Indic,
full-width and other Unicode digits, so `T٣` was stored as wave T3 and `T１` as T1."""

from __future__ import annotations

import datetime as dt

import pytest
from support.reference import validate

from dih_dash.domain.phrases import FileRefused
from dih_dash.domain.survey_table import RawTable
from dih_dash.domain.survey_values import (
    parse_date,
    parse_employees,
    parse_score,
    parse_wave,
    read_date,
    read_number,
)

ARABIC_INDIC_3 = "\u0663"  # ٣
FULLWIDTH_1 = "\uff11"  # １
DEVANAGARI_2 = "\u0968"  # २
MATH_BOLD_4 = "\U0001d7d2"  # 𝟒


@pytest.mark.parametrize(
    "wave",
    [f"T{ARABIC_INDIC_3}", f"T{FULLWIDTH_1}", f"t{DEVANAGARI_2}", f"T{MATH_BOLD_4}", "T1\u0660"],
)
def test_a_wave_with_other_digits_is_refused(wave: str) -> None:
    parsed = parse_wave(wave)
    assert parsed.value is None
    assert parsed.problem is not None and parsed.problem.code == "bad_wave"


def test_ascii_waves_are_still_read() -> None:
    assert [parse_wave(w).value for w in ("T0", "t1", " T12 ", "T007")] == ["T0", "T1", "T12", "T7"]


@pytest.mark.parametrize("text", ["\u0666\u0667,5", "６７", "1\u0660", "1e\u0662"])
def test_scores_with_other_digits_are_not_numbers(text: str) -> None:
    assert read_number(text) is None
    problem = parse_score(text).problem
    assert problem is not None and problem.code == "bad_number"


@pytest.mark.parametrize("text", ["\u0661\u0662", "１ ２００", "1.２00"])
def test_employees_with_other_digits_are_refused(text: str) -> None:
    problem = parse_employees(text).problem
    assert problem is not None and problem.code == "bad_employees"


@pytest.mark.parametrize("text", ["２０２５-03-14", "14.03.２０２５", "\u0661\u0664/03/2025"])
def test_dates_with_other_digits_are_not_dates(text: str) -> None:
    assert read_date(text) is None
    problem = parse_date(text, latest=dt.date(2030, 1, 1)).problem
    assert problem is not None and problem.code == "bad_date"


def test_a_file_with_a_unicode_digit_wave_rejects_that_row() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        [["RO1", "A SRL", "T1"], ["RO2", "B SRL", f"T{ARABIC_INDIC_3}"]],
        columns=["member_id", "company_name", "wave"],
        dtype="str",
    )
    result = validate(RawTable(frame=frame, row_numbers=(2, 3), format="csv"))
    assert [(e.row, e.column, e.code) for e in result.errors] == [(3, "wave", "bad_wave")]
    assert result.assessments["wave"].tolist() == ["T1"]
    # The --wave argument is read the same way.
    no_wave = frame.drop(columns="wave")
    with pytest.raises(FileRefused) as refused:
        validate(RawTable(frame=no_wave, row_numbers=(2, 3), format="csv"), wave=f"T{FULLWIDTH_1}")
    assert refused.value.code == "bad_wave_argument"
