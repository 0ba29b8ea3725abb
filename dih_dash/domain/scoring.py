"""DMA maturity bands and the Digital Intensity Index of a member (spec/survey-format.md §2).

Pure functions over validated assessments; the band bounds come from `Settings`
(`dma_band_bounds`, `dii_band_bounds`) so a hub can correct them without code changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from dih_dash.domain.survey_schema import DII_ITEMS, DMA_OVERALL
from dih_dash.values import is_missing

DMA_BANDS: tuple[str, ...] = ("basic", "average", "moderately_advanced", "advanced")
# Upper bounds of basic / average / moderately advanced; advanced runs to 100.
# Only "Basic 0–25" is confirmed by the EDIH network (its "Interpretation of DMA scores"
# page); the other thresholds and names are the natural reading, not verified
# (research/maturity-surveys.md §1.5). Hence settings, not constants, decide.
DEFAULT_DMA_BOUNDS: tuple[float, float, float] = (25.0, 50.0, 75.0)
CONFIRMED_DMA_BAND = ("basic", 0.0, 25.0)

DII_BANDS: tuple[str, ...] = ("very_low", "low", "high", "very_high")
# Eurostat: 0–3 very low, 4–6 low, 7–9 high, 10–12 very high; "at least basic" = low or more.
DEFAULT_DII_BOUNDS: tuple[int, int, int] = (3, 6, 9)

SCORED_COLUMNS = ("dma_band", "dii_score", "dii_band", "dii_at_least_basic")


def _check_bounds(bounds: Sequence[float], top: float) -> None:
    if len(bounds) != 3 or list(bounds) != sorted(bounds) or not 0 <= bounds[0] <= bounds[2] <= top:
        raise ValueError(f"band bounds must be three increasing numbers within 0–{top:g}: {bounds}")


def _band(score: float, bounds: Sequence[float], names: Sequence[str]) -> str:
    # Each bound is the inclusive top of its band: 25 is basic, 25.01 average.
    for bound, name in zip(bounds, names, strict=False):
        if score <= bound:
            return name
    return names[-1]


def dma_band(score: float | None, bounds: Sequence[float] = DEFAULT_DMA_BOUNDS) -> str | None:
    """`basic` (0–25), `average` (>25–50), `moderately_advanced` (>50–75), `advanced` (>75);
    None without a score."""
    if is_missing(score):
        return None
    _check_bounds(bounds, 100.0)
    value = float(score)  # type: ignore[arg-type]
    if not 0.0 <= value <= 100.0:
        raise ValueError(f"a DMA score lies in 0–100, got {value}")
    return _band(value, bounds, DMA_BANDS)


def dii_score(row: Mapping[str, object]) -> int | None:
    """How many of the twelve DII items are answered yes; None unless all twelve are answered
    (an unknown item might be a yes, so a partial count would understate the index)."""
    answers = [row.get(item) for item in DII_ITEMS]
    if any(is_missing(answer) for answer in answers):
        return None
    return sum(1 for answer in answers if bool(answer))


def dii_band(score: int | None, bounds: Sequence[int] = DEFAULT_DII_BOUNDS) -> str | None:
    """`very_low` (0–3), `low` (4–6), `high` (7–9), `very_high` (10–12); None without a score."""
    if is_missing(score):
        return None
    _check_bounds(bounds, float(len(DII_ITEMS)))
    value = int(score)  # type: ignore[arg-type]
    if not 0 <= value <= len(DII_ITEMS):
        raise ValueError(f"a DII score lies in 0–{len(DII_ITEMS)}, got {value}")
    return _band(value, bounds, DII_BANDS)


def at_least_basic(score: int | None, bounds: Sequence[int] = DEFAULT_DII_BOUNDS) -> bool | None:
    """Eurostat's "at least a basic level of digital intensity": above the very-low band
    (4 or more items with the default bounds); None without a score."""
    if is_missing(score):
        return None
    return int(score) > bounds[0]  # type: ignore[arg-type]


def score_assessments(
    frame: pd.DataFrame,
    dma_bounds: Sequence[float] = DEFAULT_DMA_BOUNDS,
    dii_bounds: Sequence[int] = DEFAULT_DII_BOUNDS,
) -> pd.DataFrame:
    """A copy of an assessment frame with `dma_band`, `dii_score`, `dii_band` and
    `dii_at_least_basic` added; `frame` itself is not changed."""
    _check_bounds(dma_bounds, 100.0)
    _check_bounds(dii_bounds, float(len(DII_ITEMS)))
    out = frame.copy()
    out["dma_band"] = pd.Series(
        [dma_band(v, dma_bounds) for v in frame[DMA_OVERALL]], index=frame.index, dtype=object
    )
    records = frame.reindex(columns=list(DII_ITEMS)).to_dict("records")
    scores = [dii_score(record) for record in records]
    out["dii_score"] = pd.Series(scores, index=frame.index, dtype="Int64")
    out["dii_band"] = pd.Series(
        [dii_band(s, dii_bounds) for s in scores], index=frame.index, dtype=object
    )
    out["dii_at_least_basic"] = pd.Series(
        [at_least_basic(s, dii_bounds) for s in scores], index=frame.index, dtype="boolean"
    )
    return out
