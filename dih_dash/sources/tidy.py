"""The tidy national frame (spec/indicators.md §1) and the step from Eurostat's
dimension codes to catalogue indicator ids.

Both the bundled snapshot (from SDMX-CSV files) and a live refresh (from JSON-stat)
first produce an *observation frame*: one column per Eurostat dimension (codes), then
`value` (float) and `flag` (str, "" when none). `series_from_observations` turns that
into the tidy frame with the catalogue's ids, keeping only member states and the EU.
"""

from __future__ import annotations

import pandas as pd

from dih_dash.domain.catalogue import Catalogue
from dih_dash.domain.geo import is_reported_geo, normalise_geo

TIDY_COLUMNS = ["indicator", "geo", "period", "value", "unit", "flag", "source"]
TARGET_COLUMNS = ["indicator", "target", "unit", "source"]


def empty_tidy() -> pd.DataFrame:
    return coerce_tidy(pd.DataFrame(columns=TIDY_COLUMNS))


def coerce_tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Column order and dtypes of the contract; rows without a value are dropped."""
    out = frame.loc[:, TIDY_COLUMNS].copy()
    out["indicator"] = out["indicator"].astype(str)
    out["geo"] = out["geo"].astype(str)
    out["period"] = out["period"].astype("int64")
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["unit"] = out["unit"].astype(str)
    out["flag"] = out["flag"].fillna("").astype(str)
    out["source"] = out["source"].astype(str)
    out = out.dropna(subset=["value"])
    return out.sort_values(["indicator", "geo", "period"], kind="stable").reset_index(drop=True)


def series_from_observations(
    observations: pd.DataFrame, catalogue: Catalogue, dataset: str
) -> pd.DataFrame:
    """Select each catalogue series of `dataset` from an observation frame.

    A catalogue entry selects the rows whose dimension codes equal its filters; a filter
    on a dimension the frame lacks selects nothing, so a malformed response yields an
    empty frame rather than wrongly labelled numbers.
    """
    source = f"eurostat:{dataset}"
    if observations.empty:
        return empty_tidy()
    geo = observations["geo"].astype(str).map(normalise_geo)
    keep_geo = geo.map(is_reported_geo)
    parts = []
    for entry in catalogue.by_source(source):
        mask = keep_geo.copy()
        for dim, code in entry.filters.items():
            if dim not in observations.columns:
                mask[:] = False
                break
            mask &= observations[dim].astype(str) == code
        if not mask.any():
            continue
        selected = observations.loc[mask]
        parts.append(
            pd.DataFrame(
                {
                    "indicator": entry.id,
                    "geo": geo[mask].to_numpy(),
                    "period": pd.to_numeric(selected["time"], errors="coerce").to_numpy(),
                    "value": selected["value"].to_numpy(),
                    "unit": entry.unit,
                    "flag": selected["flag"].to_numpy(),
                    "source": source,
                }
            )
        )
    if not parts:
        return empty_tidy()
    tidy = pd.concat(parts, ignore_index=True).dropna(subset=["period"])
    return coerce_tidy(tidy)
