"""DMA bands and the member DII (spec/survey-format.md §2)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dih_dash.domain.scoring import (
    CONFIRMED_DMA_BAND,
    DEFAULT_DII_BOUNDS,
    DEFAULT_DMA_BOUNDS,
    at_least_basic,
    dii_band,
    dii_score,
    dma_band,
    score_assessments,
)
from dih_dash.domain.survey_schema import DII_ITEMS
from dih_dash.settings import load_settings


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "basic"), (12.5, "basic"), (25, "basic"), (25.01, "average"), (50, "average"),
     (50.01, "moderately_advanced"), (75, "moderately_advanced"), (75.01, "advanced"),
     (100, "advanced")],
)  # fmt: skip
def test_dma_band_edges_with_default_bounds(score: float, band: str) -> None:
    assert dma_band(score) == band


def test_only_basic_is_confirmed_and_the_defaults_say_so() -> None:
    assert CONFIRMED_DMA_BAND == ("basic", 0.0, 25.0)
    assert DEFAULT_DMA_BOUNDS == (25.0, 50.0, 75.0)
    assert load_settings(env={}, secrets={}).dma_band_bounds == DEFAULT_DMA_BOUNDS


@pytest.mark.parametrize("score", [None, float("nan"), pd.NA])
def test_dma_band_without_a_score_is_none(score: object) -> None:
    assert dma_band(score) is None  # type: ignore[arg-type]


def test_dma_band_with_other_bounds() -> None:
    assert dma_band(25, (20, 40, 60)) == "average"
    assert dma_band(60, (20, 40, 60)) == "moderately_advanced"
    assert dma_band(60.5, (20, 40, 60)) == "advanced"


@pytest.mark.parametrize("score", [-0.1, 100.5])
def test_dma_band_outside_0_100_is_refused(score: float) -> None:
    with pytest.raises(ValueError, match="0–100"):
        dma_band(score)


@pytest.mark.parametrize("bounds", [(50, 25, 75), (25, 50), (25, 50, 175)])
def test_bad_bounds_are_refused(bounds: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="bounds"):
        dma_band(10, bounds)


def answers(yes: int, unknown: int = 0) -> dict[str, object]:
    values: list[object] = [True] * yes + [False] * (12 - yes - unknown) + [None] * unknown
    return dict(zip(DII_ITEMS, values, strict=True))


@pytest.mark.parametrize("yes", [0, 1, 4, 7, 12])
def test_dii_score_counts_yes_answers(yes: int) -> None:
    assert dii_score(answers(yes)) == yes


def test_dii_score_only_when_all_twelve_are_answered() -> None:
    assert dii_score(answers(11, unknown=1)) is None
    row = answers(5)
    row["dii_crm"] = pd.NA
    assert dii_score(row) is None
    del row["dii_crm"]
    assert dii_score(row) is None
    row = answers(3)
    row["dii_erp"] = float("nan")
    assert dii_score(row) is None


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "very_low"), (3, "very_low"), (4, "low"), (6, "low"), (7, "high"), (9, "high"),
     (10, "very_high"), (12, "very_high"), (None, None)],
)  # fmt: skip
def test_dii_band_edges(score: int | None, band: str | None) -> None:
    assert dii_band(score) == band


def test_dii_band_with_other_bounds_and_out_of_range() -> None:
    assert dii_band(3, (2, 5, 8)) == "low"
    assert dii_band(9, (2, 5, 8)) == "very_high"
    with pytest.raises(ValueError, match="0–12"):
        dii_band(13)


@pytest.mark.parametrize(
    ("score", "basic"), [(0, False), (3, False), (4, True), (12, True), (None, None)]
)
def test_at_least_basic(score: int | None, basic: bool | None) -> None:
    assert at_least_basic(score) is basic


def test_at_least_basic_follows_the_bounds() -> None:
    assert at_least_basic(3, (2, 5, 8)) is True
    assert at_least_basic(2, (2, 5, 8)) is False


def frame() -> pd.DataFrame:
    rows = [
        {"member_id": "RO1", "dma_overall": 25.0, **answers(4)},
        {"member_id": "RO2", "dma_overall": 25.01, **answers(3)},
        {"member_id": "RO3", "dma_overall": float("nan"), **answers(10, unknown=2)},
        {"member_id": "RO4", "dma_overall": 80.0, **answers(12)},
    ]
    out = pd.DataFrame(rows)
    for item in DII_ITEMS:
        out[item] = out[item].astype("boolean")
    return out


def test_score_assessments_adds_columns_and_leaves_the_input_alone() -> None:
    source = frame()
    before = source.copy()
    scored = score_assessments(source, DEFAULT_DMA_BOUNDS, DEFAULT_DII_BOUNDS)
    pd.testing.assert_frame_equal(source, before)
    assert list(scored.columns) == [
        *source.columns,
        "dma_band",
        "dii_score",
        "dii_band",
        "dii_at_least_basic",
    ]
    assert scored["dma_band"].tolist() == ["basic", "average", None, "advanced"]
    assert scored["dii_score"].tolist() == [4, 3, pd.NA, 12]
    assert scored["dii_band"].tolist() == ["low", "very_low", None, "very_high"]
    assert scored["dii_at_least_basic"].tolist() == [True, False, pd.NA, True]
    assert str(scored["dii_score"].dtype) == "Int64"
    assert str(scored["dii_at_least_basic"].dtype) == "boolean"


def test_score_assessments_honours_the_settings_bounds() -> None:
    settings = load_settings(
        env={"DIH_DASH_DMA_BANDS": "20,40,60", "DIH_DASH_DII_BANDS": "2,5,8"}, secrets={}
    )
    scored = score_assessments(frame(), settings.dma_band_bounds, settings.dii_band_bounds)
    assert scored["dma_band"].tolist() == ["average", "average", None, "advanced"]
    assert scored["dii_band"].tolist() == ["low", "low", None, "very_high"]
    assert scored["dii_at_least_basic"].tolist() == [True, True, pd.NA, True]


def test_score_assessments_without_dii_columns() -> None:
    scored = score_assessments(pd.DataFrame({"dma_overall": [10.0, math.nan]}))
    assert scored["dma_band"].tolist() == ["basic", None]
    assert scored["dii_score"].isna().all() and scored["dii_band"].isna().all()
