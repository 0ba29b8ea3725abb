"""Readers for the published files the bundled snapshot is built from.

* Eurostat SDMX-CSV 2.0 (with or without label columns) → observation frame.
* The Commission DESI tool's fact fixture (Django JSON, DESI 2026 edition) → tidy rows
  and the 2030 targets.
* The DESI 2022 edition (extracted from DG CONNECT's workbook) → tidy rows.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd

from dih_dash.domain.catalogue import Catalogue
from dih_dash.domain.geo import is_reported_geo, normalise_geo
from dih_dash.sources.tidy import TARGET_COLUMNS, coerce_tidy

# An SDMX-CSV dimension column is a lower-case code id; label columns have spaces/capitals.
_DIMENSION_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def read_sdmx_csv(data: bytes | Path) -> pd.DataFrame:
    """SDMX-CSV 2.0 → observation frame (dimension codes, `time`, `value`, `flag`).

    Confidential observations (`CONF_STATUS` C) and empty values are absent rows, as the
    tidy-frame contract requires: a missing number is never a zero.
    """
    raw = data.read_bytes() if isinstance(data, Path) else data
    frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for required in ("TIME_PERIOD", "OBS_VALUE"):
        if required not in frame.columns:
            raise ValueError(f"not SDMX-CSV: no {required} column")
    dimensions = [c for c in frame.columns if _DIMENSION_ID.match(c)]
    observations = frame[dimensions].copy()
    observations["time"] = frame["TIME_PERIOD"]
    observations["value"] = pd.to_numeric(frame["OBS_VALUE"].str.strip(), errors="coerce")
    observations["flag"] = frame.get("OBS_FLAG", pd.Series("", index=frame.index)).str.strip()
    confidential = frame.get("CONF_STATUS", pd.Series("", index=frame.index)).str.strip() == "C"
    keep = observations["value"].notna() & ~confidential
    return observations.loc[keep].reset_index(drop=True)


# --- DESI 2026 (Digital Decade KPIs) ---------------------------------------------------------

_DESI_UNITS = {"egov_score": "score"}


def desi_unit(code: str) -> str:
    return _DESI_UNITS.get(code, code.upper())


def read_desi2026_facts(path: Path, catalogue: Catalogue) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The DESI tool's fact fixture → (tidy rows for `desi2026` series, 2030 targets).

    Facts whose catalogue entry takes its numbers from a Eurostat dataset are left out
    here (the snapshot carries them from Eurostat); `build_snapshot` checks they agree.
    The `period` of a row is its reference (data) year, not the DESI edition.
    """
    with path.open(encoding="utf-8") as fh:
        facts = json.load(fh)
    rows, targets = [], []
    for fact in facts:
        fields = fact["fields"]
        indicator = fields["indicator"][0]
        breakdown = fields["breakdown"][0]
        unit = desi_unit(fields["unit"][0])
        if breakdown == "dd_target_2030":
            targets.append(
                {
                    "indicator": indicator,
                    "target": float(fields["value"]),
                    "unit": unit,
                    "source": "desi2026",
                }
            )
            continue
        if fields["period"][0] != "desi_2026" or fields["value"] is None:
            continue
        rows.append(
            {
                "indicator": indicator,
                "geo": normalise_geo(fields["country"][0]),
                "period": int(fields["reference_period"]),
                "value": float(fields["value"]),
                "unit": unit,
                "flag": (fields.get("flags") or "").strip(),
                "source": "desi2026",
            }
        )
    tidy = pd.DataFrame(rows)
    tidy = tidy[tidy["geo"].map(is_reported_geo)]
    return coerce_tidy(tidy), pd.DataFrame(targets, columns=TARGET_COLUMNS)


# --- DESI 2022 edition ------------------------------------------------------------------------

DESI2022_SCORE_COLUMNS = {
    "desi_overall": "desi2022_overall",
    "dim1_human_capital": "desi2022_hc",
    "dim2_connectivity": "desi2022_conn",
    "dim3_integration_digital_technology": "desi2022_idt",
    "dim4_digital_public_services": "desi2022_dps",
}


def read_desi2022(
    indicators_csv: Path, scores_csv: Path, catalogue: Catalogue
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The DESI 2022 edition (2017-2022 editions, recalculated) → (tidy rows, data years).

    The workbook stores percentage indicators as fractions; every series whose catalogue
    unit is a percentage is put on the 0-100 scale. `period` is the edition year.
    """
    scores = pd.read_csv(scores_csv)
    long = scores.melt(
        id_vars=["desi_edition", "geo"],
        value_vars=list(DESI2022_SCORE_COLUMNS),
        var_name="column",
        value_name="value",
    )
    composite = pd.DataFrame(
        {
            "indicator": long["column"].map(DESI2022_SCORE_COLUMNS),
            "geo": long["geo"].map(normalise_geo),
            "period": long["desi_edition"],
            "value": long["value"],
            "unit": "score",
            "flag": "",
            "source": "desi2022",
        }
    )

    raw = pd.read_csv(indicators_csv, dtype={"indicator_code": str})
    ids = "desi2022_" + raw["indicator_code"].str.strip()
    units = ids.map(lambda i: catalogue[i].unit if i in catalogue else None)
    if units.isna().any():
        missing = sorted(set(ids[units.isna()]))
        raise KeyError(f"DESI 2022 indicators missing from the catalogue: {missing}")
    percent = units.str.startswith("PC_")
    # Rounding removes binary noise of the x100 (0.278218 * 100 = 27.821800000000003).
    values = raw["value"].where(~percent, (raw["value"] * 100).round(8))
    indicators = pd.DataFrame(
        {
            "indicator": ids,
            "geo": raw["geo"].map(normalise_geo),
            "period": raw["desi_edition"],
            "value": values,
            "unit": units,
            "flag": "",
            "source": "desi2022",
        }
    )
    tidy = pd.concat([composite, indicators], ignore_index=True)
    tidy = tidy[tidy["geo"].map(is_reported_geo)]

    years = raw.loc[
        raw["data_year_per_metadata"].notna(), ["indicator_code", "desi_edition"]
    ].copy()
    years["data_year"] = raw.loc[years.index, "data_year_per_metadata"].astype(int)
    years = (
        years.assign(indicator="desi2022_" + years["indicator_code"].str.strip())
        .rename(columns={"desi_edition": "edition"})[["indicator", "edition", "data_year"]]
        .drop_duplicates()
        .sort_values(["indicator", "edition"])
        .reset_index(drop=True)
    )
    return coerce_tidy(tidy), years
