"""The member pages' downloads in the reader's words: translated headers and dimension
names, whole years, and each row's own source (the hub's survey for the members' rows,
Eurostat for Romania's and the EU's), never a code such as `median_change`.

Pure functions: the page passes what it shows (already through the disclosure rule's
`groups`) and a `Translator`; `to_csv_bytes` / `to_xlsx_bytes` then write the result.
"""

from __future__ import annotations

import pandas as pd

from dih_dash.domain.geo import geo_name
from dih_dash.domain.provenance import source_name
from dih_dash.domain.scoring import DII_BANDS
from dih_dash.domain.survey_schema import DMA_COLUMNS, PSO_DIMENSIONS
from dih_dash.i18n import Translator
from dih_dash.values import is_missing


def progress_table(summary: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """`progress_summary` (as the audience may see it: the public's has no mean) as a
    reader sees it: one row per dimension named in the page's language, every column
    under a translated header."""
    out = summary.drop(columns=["suppressed"], errors="ignore").copy()
    out["dimension"] = [tr(f"members.dimensions.{d}") for d in out["dimension"]]
    return out.rename(columns=lambda c: tr(f"member_pages.progress.columns.{c}"))


# Every dimension's column name, both instruments, and the overall score.
_DIMENSION_NAMES = frozenset((*DMA_COLUMNS, *PSO_DIMENSIONS))


def dimension_name(tr: Translator, column: object) -> object:
    """A DMA or PSO dimension's name in the page's language; any other value as it is."""
    return tr(f"members.dimensions.{column}") if column in _DIMENSION_NAMES else column


def cohort_table(frame: pd.DataFrame, tr: Translator, group_by: str | None = None) -> pd.DataFrame:
    """A member analysis (DMA band distribution, dimension statistics, the counties'
    summary, a radar's medians, a heatmap's group × dimension matrix) as a reader sees
    it: bands, dimensions and size classes named in the page's language, translated
    headers, the grouping column under the name of what it groups by, and the hub's
    survey as the source of every row."""
    out = frame.drop(columns=["suppressed"], errors="ignore").copy()
    if "band" in out:
        out["band"] = [tr(f"members.dma_bands.{b}") for b in out["band"]]
    if "dimension" in out:
        out["dimension"] = [dimension_name(tr, d) for d in out["dimension"]]
    if "group" in out:
        # As the charts name them (`charts.members.group_label`, which escapes for Plotly):
        # a missing group is "not stated", a size class by its name.
        out["group"] = [
            tr("members.not_stated")
            if is_missing(g)
            else tr(f"members.size_classes.{g}")
            if group_by == "size_class" and tr.has(f"members.size_classes.{g}")
            else g
            for g in out["group"]
        ]
    out["source"] = tr("members.source.hub_survey")
    # A heatmap's matrix has a column per dimension; the other tables have one per measure.
    headers = {
        c: dimension_name(tr, c) if c in _DIMENSION_NAMES else tr(f"member_pages.columns.{c}")
        for c in out.columns
        if c != "group"
    }
    if "group" in out:
        # Without a grouping the rows are members (the staff's heatmap).
        named = f"surveys.fields.{group_by}" if group_by else "member_pages.columns.member"
        headers["group"] = tr(named)
    return out.rename(columns=headers)


def members_vs_national_table(
    shares: pd.DataFrame, national: pd.DataFrame, tr: Translator
) -> pd.DataFrame:
    """The members' shares per round and size group (the table the page shows, with the
    hub's survey as their source) and, below, Romania's and the EU's SMEs (Eurostat's
    figure, year as a whole number, its flag and source) under one translated header.

    `shares` is `dii_share_by_wave` through the rule (no `suppressed` column needed);
    `national` the tidy rows with `geo`, `period`, `value`, `flag`, `source`."""
    heading = "member_pages.headline.columns"
    members = shares.drop(columns=["suppressed"], errors="ignore").copy()
    members["size_group"] = [tr(f"members.size_groups.{g}") for g in members["size_group"]]
    members["source"] = tr("members.source.hub_survey")
    rows = pd.DataFrame(
        {
            "size_group": tr("sizes.10-249"),
            "geo": [geo_name(g, tr.lang) for g in national["geo"]],
            # Whole years: beside the members' rows (which have none) pandas made them floats.
            "period": pd.array([int(p) for p in national["period"]], dtype="Int64"),
            "share": national["value"].astype(float).to_numpy(),
            "flag": national["flag"].fillna("").astype(str).to_numpy(),
            "source": [source_name(tr, str(s)) for s in national["source"]],
        }
    )
    table = pd.concat([members, rows], ignore_index=True)
    table["period"] = table["period"].astype("Int64")
    return table.rename(columns=lambda c: tr(f"{heading}.{c}"))


# The domain's DII band names → Eurostat's band codes, which name the bands in the locales.
_DII_BAND_CODES = dict(zip(DII_BANDS, ("vlo", "lo", "hi", "vhi"), strict=True))


def dii_bands_table(bands: pd.DataFrame, national: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The members per DII band, round and size group (`dii_bands_by_wave` through the
    rule), then Romania's and the EU's SMEs per band (Eurostat `dii3_*`), under translated
    headers, bands named as on the chart, years whole and each row's source."""
    heading = "member_pages.headline.columns"
    members = bands.drop(columns=["suppressed"], errors="ignore").copy()
    members["size_group"] = [tr(f"members.size_groups.{g}") for g in members["size_group"]]
    members["band"] = [tr(f"dii_bands.{_DII_BAND_CODES[str(b)]}") for b in members["band"]]
    members["source"] = tr("members.source.hub_survey")
    codes = national["indicator"].astype(str).str.split("_").str[1]
    rows = pd.DataFrame(
        {
            "size_group": tr("sizes.10-249"),
            "geo": [geo_name(g, tr.lang) for g in national["geo"]],
            "period": pd.array([int(p) for p in national["period"]], dtype="Int64"),
            "band": [tr(f"dii_bands.{c}") for c in codes],
            "share": national["value"].astype(float).to_numpy(),
            "flag": national["flag"].fillna("").astype(str).to_numpy(),
            "source": [source_name(tr, str(s)) for s in national["source"]],
        }
    )
    table = pd.concat([members, rows], ignore_index=True)
    table["period"] = table["period"].astype("Int64")
    return table.rename(columns=lambda c: tr(f"{heading}.{c}"))
