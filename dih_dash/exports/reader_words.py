"""A chart's download in the reader's words: Eurostat's and the catalogue's code names
(`geo`, `home_value`, `PC_ENT`, `eurostat:isoc_e_dii`, `dii3_vlo`) become the headers,
names and units of the page's language, years whole numbers.

Pure: the tidy or compared frame a chart was drawn from, a `Translator` and the indicators'
names in, a new frame out. Columns it does not know keep their names, so a table already
in the reader's words (the member pages') passes through unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dih_dash.domain.geo import geo_name
from dih_dash.domain.provenance import source_name
from dih_dash.i18n import Translator
from dih_dash.values import is_missing

# The columns the national frames use, each named under `download.columns` in the locales.
KNOWN_COLUMNS = (
    "indicator", "label", "dimension", "geo", "period", "value", "unit", "flag", "source",
    "home_value", "home_flag", "eu_value", "eu_flag", "gap", "rank", "ranked", "tied_with",
    "target", "target_level", "distance_to_target", "band", "size", "first", "last",
    "category",
)  # fmt: skip


def _named(tr: Translator, prefix: str, value: object) -> object:
    """`value` by its name under `prefix` in the locales, or as it is when it has none."""
    if is_missing(value):
        return value
    key = f"{prefix}.{value}"
    return tr(key) if tr.has(key) else value


def in_readers_words(
    frame: pd.DataFrame, tr: Translator, indicator_names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    out = frame.copy()
    names = indicator_names or {}
    if "indicator" in out:
        out["indicator"] = [names.get(str(i), i) for i in out["indicator"]]
    if "geo" in out:
        out["geo"] = [geo_name(str(g), tr.lang) for g in out["geo"]]
    if "tied_with" in out:
        out["tied_with"] = [
            ", ".join(geo_name(str(g), tr.lang) for g in tied) if tied else ""
            for tied in out["tied_with"]
        ]
    for column, prefix in (
        ("unit", "units"), ("dimension", "dimensions"), ("band", "dii_bands"),
        ("size", "sizes"), ("target_level", "download.target_levels"),
    ):  # fmt: skip
        if column in out:
            out[column] = [_named(tr, prefix, v) for v in out[column]]
    if "source" in out:
        out["source"] = [v if is_missing(v) else source_name(tr, str(v)) for v in out["source"]]
    for column in ("period", "first", "last", "rank", "ranked"):
        # Whole numbers: a column with a gap had become floats (2025.0).
        if column in out and pd.api.types.is_float_dtype(out[column]):
            values = out[column]
            if values.dropna().map(float.is_integer).all():
                out[column] = values.astype("Int64")
    headers = {c: tr(f"download.columns.{c}") for c in out.columns if c in KNOWN_COLUMNS}
    return out.rename(columns=headers)
