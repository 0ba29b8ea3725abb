"""The reference data the domain is handed: the indicator catalogue and the county table.

Both ship inside the package (`dih_dash/reference/`), so an installed `dih-dash` finds them
without a checkout. `data/reference/ro_counties.csv` is the documented source of the county
table (its provenance is there); the package copy is the same file, byte for byte (a test
compares them). Each file is read once per process.
"""

from __future__ import annotations

import csv
import tomllib
from functools import cache
from pathlib import Path

import pandas as pd

from dih_dash.domain.catalogue import Catalogue, catalogue_from_mapping
from dih_dash.domain.cohort import county_table as _county_table
from dih_dash.domain.survey_values import CountyLookup, county_lookup

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"
CATALOGUE_FILE = REFERENCE_DIR / "catalogue.toml"
COUNTIES_CSV = REFERENCE_DIR / "ro_counties.csv"


@cache
def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    """The indicator catalogue (`catalogue.toml` plus the generated DII family)."""
    with path.open("rb") as fh:
        return catalogue_from_mapping(tomllib.load(fh))


@cache
def county_rows(path: Path = COUNTIES_CSV) -> tuple[dict[str, str], ...]:
    """The rows of the county table (42: 41 counties and București), as read."""
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(dict(row) for row in csv.DictReader(fh))


@cache
def load_counties(path: Path = COUNTIES_CSV) -> CountyLookup:
    """Every accepted spelling of a county → its code, for reading survey files."""
    return county_lookup(county_rows(path))


def county_table(path: Path = COUNTIES_CSV) -> pd.DataFrame:
    """The counties as the maps and county tables join them: `county`, `county_name`,
    `nuts3` (a new frame on each call: callers may change it)."""
    return _county_table(county_rows(path))
