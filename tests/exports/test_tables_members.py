"""The member pages' downloads in the reader's words (issue 13): translated headers and
dimension names in the progress file, whole years and each row's own source in the
Members vs Romania vs EU file."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dih_dash.domain.cohort import SUPPRESSED, kind_columns, progress_summary
from dih_dash.domain.disclosure import DisclosureRule
from dih_dash.exports.member_tables import (
    cohort_table,
    dii_bands_table,
    members_vs_national_table,
    progress_table,
)
from dih_dash.exports.tables import to_csv_bytes
from dih_dash.i18n import Translator


def paired() -> pd.DataFrame:
    """Six members' changes: +1 … +6 points in every SME dimension and overall."""
    return pd.DataFrame(
        {f"{c}_change": [float(n) for n in range(1, 7)] for c in kind_columns("sme")}
    )


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_progress_file_has_no_code_names(lang):
    tr = Translator(lang)
    summary = progress_summary(paired())
    shown = progress_table(DisclosureRule(5).public_table(summary), tr)
    text = to_csv_bytes(shown, lang=lang).decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    for code in ("median_change", "q1_change", "share_improved", "dimension", "dma_strategy"):
        assert code not in text
    assert header.startswith(tr("member_pages.progress.columns.dimension"))
    assert first.startswith(tr("members.dimensions.dma_strategy"))
    # The public's file has no mean (the rule drops it before the headers are translated).
    assert tr("member_pages.progress.columns.mean_change") not in header
    admin = progress_table(DisclosureRule(5, audience="admin").public_table(summary), tr)
    assert tr("member_pages.progress.columns.mean_change") in admin.columns


def shares() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave": ["T0", "T1"],
            "size_group": ["10plus", "10plus"],
            "assessed": [8, 8],
            "members": [8, 8],
            "at_least_basic": [4, 8],
            "share": [50.0, 100.0],
            "gap_to_target": [40.0, -10.0],
            SUPPRESSED: [False, False],
        }
    )


def national() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["desi_sme_di3_gelo"] * 2,
            "geo": ["RO", "EU27_2020"],
            "period": [2025, 2025],
            "value": [44.34, 71.39],
            "flag": ["b", None],
            "source": ["eurostat:isoc_e_dii", "eurostat:isoc_e_dii"],
        }
    )


def test_members_file_in_romanian_has_whole_years_and_each_rows_source():
    tr = Translator("ro")
    table = members_vs_national_table(shares(), national(), tr)
    text = to_csv_bytes(table, lang="ro").decode("utf-8-sig")
    assert "2025,0" not in text and ";2025;" in text
    parsed = pd.read_csv(io.StringIO(text), sep=";", decimal=",", dtype=str)
    source = parsed[tr("member_pages.headline.columns.source")].tolist()
    # The hub's own rows name the hub's survey, never Eurostat or the DESI.
    assert source[:2] == [tr("members.source.hub_survey")] * 2
    assert all("Eurostat" not in s and "DESI" not in s for s in source[:2])
    assert all(s.startswith("Eurostat") for s in source[2:])
    for code in ("geo", "period", "value", "flag", "eurostat:", "10plus", "EU27_2020"):
        assert code not in text.split("\r\n")[0] and code not in text
    geo = parsed[tr("member_pages.headline.columns.geo")].tolist()
    assert geo[2:] == ["România", "Media UE (UE-27)"]


def test_members_file_in_english_names_the_hub_survey():
    tr = Translator("en")
    table = members_vs_national_table(shares(), national(), tr)
    assert table["Source"].tolist()[:2] == ["the hub's survey of its members (DMA/DII)"] * 2
    assert table["Year"].tolist()[2:] == [2025, 2025]
    assert str(table["Year"].dtype) == "Int64"


def test_bands_file_names_bands_and_sources_in_the_readers_words():
    tr = Translator("ro")
    bands = pd.DataFrame(
        {
            "wave": ["T0"] * 4,
            "size_group": ["10plus"] * 4,
            "band": ["very_low", "low", "high", "very_high"],
            "members": [8] * 4,
            "in_band": [2, 2, 2, 2],
            "share": [25.0] * 4,
            SUPPRESSED: [False] * 4,
        }
    )
    national = pd.DataFrame(
        {
            "indicator": ["dii3_vlo", "dii3_vhi"],
            "geo": ["RO", "RO"],
            "period": [2025, 2025],
            "value": [56.0, 3.0],
            "flag": ["", ""],
            "source": ["eurostat:isoc_e_dii"] * 2,
        }
    )
    out = dii_bands_table(bands, national, tr)
    text = to_csv_bytes(out, lang="ro").decode("utf-8-sig")
    assert "2025,0" not in text and "very_low" not in text and "dii3_" not in text
    band = tr("member_pages.headline.columns.band")
    assert out[band].tolist() == [
        tr(f"dii_bands.{c}") for c in ("vlo", "lo", "hi", "vhi", "vlo", "vhi")
    ]
    source = out[tr("member_pages.headline.columns.source")].tolist()
    assert source[:4] == [tr("members.source.hub_survey")] * 4
    assert all(s.startswith("Eurostat") for s in source[4:])


CODE_NAMES = ("wave", "band", "dimension", "median_dma_overall", "in_band", "county_name")


def cohort_analyses() -> dict[str, pd.DataFrame]:
    """One small frame of each analysis the Cohort overview and Counties pages offer."""
    return {
        "bands": pd.DataFrame(
            {"wave": ["T0"], "band": ["moderately_advanced"], "members": [8], "in_band": [3],
             "share": [37.5], SUPPRESSED: [False]}
        ),
        "stats": pd.DataFrame(
            {"wave": ["T0"], "group": ["small"], "dimension": ["dma_strategy"],
             "members": [8], "mean": [41.0], "median": [40.0], SUPPRESSED: [False]}
        ),
        "heatmap": pd.DataFrame({"group": ["small"], "dma_strategy": [40.0],
                                 "dma_overall": [44.0]}),
        "counties": pd.DataFrame(
            {"county": ["CJ"], "county_name": ["Cluj"], "nuts3": ["RO113"], "members": [8],
             "median_dma_overall": [44.0], SUPPRESSED: [False]}
        ),
    }  # fmt: skip


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("analysis", ["bands", "stats", "heatmap", "counties"])
def test_cohort_and_county_files_have_no_code_names(lang, analysis):
    tr = Translator(lang)
    frame = cohort_analyses()[analysis]
    shown = cohort_table(frame, tr, "size_class")
    text = to_csv_bytes(shown, lang=lang).decode("utf-8-sig")
    separator = ";" if lang == "ro" else ","  # Excel on Romanian Windows
    header = text.splitlines()[0].split(separator)
    assert not set(header) & {*CODE_NAMES, "group", "dma_strategy", "suppressed", "source"}
    assert tr("member_pages.columns.source") == header[-1]
    assert tr("members.source.hub_survey") in text
    assert "moderately_advanced" not in text and "small" not in text.split(separator)
    if analysis in ("stats", "heatmap"):
        assert tr("surveys.fields.size_class") in header
        assert tr("members.size_classes.small") in text
    if analysis == "heatmap":
        assert tr("members.dimensions.dma_strategy") in header
        assert tr("members.dimensions.dma_overall") in header
    if analysis == "bands":
        assert tr("members.dma_bands.moderately_advanced") in text


def test_the_staff_heatmap_names_its_rows_members():
    matrix = pd.DataFrame({"group": ["Alfa SRL (RO1)"], "dma_strategy": [40.0]})
    assert cohort_table(matrix, Translator("ro"), None).columns[0] == "Membrul"


@pytest.mark.parametrize("group_by", ["size_class", "cluster"])
def test_a_member_without_a_group_is_not_stated(group_by):
    """Size class and cluster are optional columns: their groups include a missing one."""
    tr = Translator("en")
    stats = pd.DataFrame(
        {"wave": ["T0", "T0"], "group": ["micro", None], "dimension": ["dma_strategy"] * 2,
         "members": [6, 7], "median": [40.0, 41.0]}
    )  # fmt: skip
    groups = list(cohort_table(stats, tr, group_by)[tr(f"surveys.fields.{group_by}")])
    first = tr("members.size_classes.micro") if group_by == "size_class" else "micro"
    assert groups == [first, tr("members.not_stated")]
