"""Romania against the EU: gaps, ranks, targets and the pace that would close them.

Pure functions on the tidy national frame (see `dih_dash.sources.tidy`). Ranks are
among the 27 member states only (the EU aggregate is not a rank-holder), direction-aware
(rank 1 is the best performer), ties sharing the better rank.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from dih_dash.domain.catalogue import Catalogue, Indicator
from dih_dash.domain.geo import EU27, EU_AGGREGATE, HOME

TARGET_YEAR = 2030


def series(tidy: pd.DataFrame, indicator: str) -> pd.DataFrame:
    return tidy[tidy["indicator"] == indicator]


def latest_period(tidy: pd.DataFrame, indicator: str, geo: str = HOME) -> int | None:
    rows = series(tidy, indicator)
    rows = rows[rows["geo"] == geo]
    return None if rows.empty else int(rows["period"].max())


def value_at(tidy: pd.DataFrame, indicator: str, geo: str, period: int) -> pd.Series | None:
    rows = tidy[
        (tidy["indicator"] == indicator) & (tidy["geo"] == geo) & (tidy["period"] == period)
    ]
    return None if rows.empty else rows.iloc[0]


def ranking(tidy: pd.DataFrame, entry: Indicator, period: int) -> pd.DataFrame:
    """The member states with a value for `period`, best first, with their rank."""
    rows = tidy[
        (tidy["indicator"] == entry.id) & (tidy["period"] == period) & (tidy["geo"].isin(EU27))
    ][["geo", "value", "flag"]].copy()
    rows["rank"] = (
        rows["value"].rank(method="min", ascending=not entry.higher_is_better).astype("int64")
    )
    return rows.sort_values(["rank", "geo"]).reset_index(drop=True)


def gap_to_target(value: float, target: float, higher_is_better: bool = True) -> float:
    """How far `value` still is from `target`, in the indicator's unit (0 once reached)."""
    gap = target - value if higher_is_better else value - target
    return max(gap, 0.0)


def yearly_pace_needed(
    value: float, year: int, target: float, target_year: int = TARGET_YEAR
) -> float | None:
    """The straight-line yearly increase that would reach `target` by `target_year`.

    None when the data year is already the target year or later (no years left).
    """
    years_left = target_year - year
    if years_left <= 0:
        return None
    return (target - value) / years_left


def observed_pace(points: pd.DataFrame) -> float | None:
    """Average yearly change between the first and last point of one instrument's series."""
    if len(points) < 2:
        return None
    ordered = points.sort_values("period")
    first, last = ordered.iloc[0], ordered.iloc[-1]
    years = int(last["period"]) - int(first["period"])
    return None if years == 0 else (float(last["value"]) - float(first["value"])) / years


def target_for(entry: Indicator, targets: pd.DataFrame) -> float | None:
    if not entry.target_of:
        return None
    rows = targets[targets["indicator"] == entry.target_of]
    return None if rows.empty else float(rows.iloc[0]["target"])


@dataclass(frozen=True)
class Comparison:
    """One indicator's line on the "Romania vs EU" page. `gap` is home minus EU as
    published (negative when Romania's value is lower), whatever the indicator's direction."""

    indicator: str
    period: int | None
    home_value: float | None
    home_flag: str
    eu_value: float | None
    eu_flag: str
    eu_period: int | None
    gap: float | None  # home minus EU, in the indicator's unit (pp for percentages)
    rank: int | None
    ranked: int  # member states with a value that year
    target: float | None
    distance_to_target: float | None
    source: str
    higher_is_better: bool = True
    target_level: str = "country"
    # The other member states sharing Romania's rank (a tie: 0 unicorns for RO, HU, SI, SK).
    tied_with: tuple[str, ...] = ()

    @property
    def better_than_eu(self) -> bool | None:
        if self.gap is None or self.gap == 0:
            return None
        return (self.gap > 0) == self.higher_is_better


def compare(
    tidy: pd.DataFrame, targets: pd.DataFrame, entry: Indicator, home: str = HOME
) -> Comparison:
    # One filter on the big frame; everything after works on this indicator's few rows.
    rows = tidy[tidy["indicator"] == entry.id]
    period = latest_period(rows, entry.id, home)
    target = target_for(entry, targets)
    if period is None:
        return Comparison(
            entry.id, None, None, "", None, "", None, None, None, 0, target, None, entry.source,
            entry.higher_is_better, entry.target_level,
        )  # fmt: skip
    year = rows[rows["period"] == period]
    home_row = year[year["geo"] == home].iloc[0]
    eu_rows = year[year["geo"] == EU_AGGREGATE]
    eu_row = None if eu_rows.empty else eu_rows.iloc[0]
    home_value = float(home_row["value"])
    eu_value = None if eu_row is None else float(eu_row["value"])
    # Against an EU total (counts) a country has no meaningful gap.
    gap = None if eu_value is None or entry.is_count else home_value - eu_value
    ranks = ranking(year, entry, period)
    mine = ranks[ranks["geo"] == home]
    rank = None if mine.empty else int(mine.iloc[0]["rank"])
    tied_with = (
        ()
        if rank is None
        else tuple(ranks[(ranks["rank"] == rank) & (ranks["geo"] != home)]["geo"])
    )
    # An EU-wide target (500 unicorns) is measured against the EU total, not Romania.
    reference = eu_value if entry.target_level == "eu" else home_value
    distance = (
        None
        if target is None or reference is None
        else gap_to_target(reference, target, entry.higher_is_better)
    )
    return Comparison(
        indicator=entry.id,
        period=period,
        home_value=home_value,
        home_flag=str(home_row["flag"]),
        eu_value=eu_value,
        eu_flag="" if eu_row is None else str(eu_row["flag"]),
        eu_period=None if eu_row is None else period,
        gap=gap,
        rank=rank,
        ranked=len(ranks),
        target=target,
        distance_to_target=distance,
        source=str(home_row["source"]),
        higher_is_better=entry.higher_is_better,
        target_level=entry.target_level,
        tied_with=tied_with,
    )


def kpi_table(
    tidy: pd.DataFrame, targets: pd.DataFrame, catalogue: Catalogue, home: str = HOME
) -> pd.DataFrame:
    """Every Digital Decade KPI of the catalogue compared, as one frame (a row each)."""
    rows = []
    kpis = catalogue.kpis()
    wanted = tidy[tidy["indicator"].isin([e.id for e in kpis])]
    for entry in kpis:
        c = compare(wanted, targets, entry, home)
        rows.append(
            {
                "indicator": entry.id,
                "dimension": entry.dimension,
                "unit": entry.unit,
                "period": c.period,
                "home_value": c.home_value,
                "home_flag": c.home_flag,
                "eu_value": c.eu_value,
                "eu_flag": c.eu_flag,
                "gap": c.gap,
                "rank": c.rank,
                "ranked": c.ranked,
                "tied_with": c.tied_with,
                "target": c.target,
                "target_level": entry.target_level,
                "distance_to_target": c.distance_to_target,
                "source": c.source,
            }
        )
    return pd.DataFrame(rows)


def dii_bands(
    tidy: pd.DataFrame,
    version: int,
    size_suffix: str = "",
    geos: tuple[str, ...] = (HOME, EU_AGGREGATE),
) -> pd.DataFrame:
    """The four DII band shares (very low → very high) of one index version, long form."""
    ids = {f"dii{version}_{band}{size_suffix}": band for band in ("vlo", "lo", "hi", "vhi")}
    rows = tidy[tidy["indicator"].isin(list(ids)) & tidy["geo"].isin(geos)].copy()
    rows["band"] = rows["indicator"].map(ids)
    return rows.reset_index(drop=True)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value))
