"""Cohort arithmetic on small frames whose answers are worked out by hand: filters, the
10+ / micro split of the headline share, DII bands, pairing and progress, band moves,
member profiles, services, counties and the privacy helpers of the public view."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from dih_dash.domain.cohort import (
    SUPPRESSED,
    BandMoves,
    CohortFilters,
    assessment_years,
    band_moves,
    cohort_medians,
    cohort_size,
    counts_by_wave_and_cluster,
    county_summary,
    dii_bands_by_wave,
    dii_item_status,
    dii_share_by_wave,
    dimension_matrix,
    dimension_stats,
    displayed_cohort,
    dma_band_distribution,
    member_history,
    member_matrix,
    paired_assessments,
    progress_summary,
    services_for,
    size_group,
    sorted_waves,
    suppress_small_groups,
    wave_sort_key,
    weakest_dimensions,
)
from dih_dash.domain.scoring import score_assessments
from dih_dash.domain.survey_schema import (
    ASSESSMENT_COLUMNS,
    DII_ITEMS,
    DMA_COLUMNS,
    DMA_DIMENSIONS,
)
from dih_dash.settings import load_settings
from dih_dash.sources.reference import county_table
from dih_dash.sources.services import ServicesFileError, load_services

DIMENSIONS_AT = dict.fromkeys(DMA_DIMENSIONS, 50.0)


def dii(yes: int | None) -> dict[str, bool | None]:
    """The first `yes` items answered yes and the rest no; None leaves all unanswered."""
    if yes is None:
        return dict.fromkeys(DII_ITEMS)
    return {item: i < yes for i, item in enumerate(DII_ITEMS)}


def row(
    member_id: str,
    wave: str = "T0",
    *,
    overall: float | None = 50.0,
    dii_yes: int | None = 4,
    **values: object,
) -> dict[str, object]:
    record: dict[str, object] = dict.fromkeys(ASSESSMENT_COLUMNS)
    record |= {
        "member_id": member_id,
        "company_name": f"Firma {member_id} SRL",
        "wave": wave,
        "cluster": "IT",
        "size_class": "small",
        "county": "CJ",
        **DIMENSIONS_AT,
        "dma_overall": overall,
        **dii(dii_yes),
    }
    record.update(values)
    return record


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    raw = pd.DataFrame(list(rows), columns=list(ASSESSMENT_COLUMNS))
    for item in DII_ITEMS:
        raw[item] = raw[item].astype("boolean")
    raw["employees"] = raw["employees"].astype("Int64")
    for column in DMA_COLUMNS:
        raw[column] = raw[column].astype(float)
    return score_assessments(raw)


# --- waves and filters --------------------------------------------------------------------


def test_waves_sort_by_number_not_as_text():
    assert sorted(["T10", "T2", "T0", "T1"], key=wave_sort_key) == ["T0", "T1", "T2", "T10"]
    assert sorted_waves(["T10", "T2", None, "T2", "T0"]) == ["T0", "T2", "T10"]


def test_filters_combine_and_empty_means_all():
    cohort = frame(
        row("A", cluster="IT", county="CJ"),
        row("B", cluster="Mobilier", county="BH"),
        row("C", cluster=None, county="CJ"),
        row("A", "T1", cluster="IT", county="CJ"),
    )
    assert len(CohortFilters().apply(cohort)) == 4
    assert CohortFilters().is_empty and not CohortFilters(waves=("T0",)).is_empty
    it_t0 = CohortFilters(clusters=("IT",), waves=("T0",)).apply(cohort)
    assert list(it_t0["member_id"]) == ["A"]
    in_cluj = CohortFilters(counties=("CJ",)).apply(cohort)
    assert sorted(in_cluj["member_id"]) == ["A", "A", "C"]
    # A member whose cluster is not stated is in no chosen cluster.
    both = CohortFilters(clusters=("IT", "Mobilier")).apply(cohort)
    assert "C" not in set(both["member_id"])


# --- size groups and the headline ---------------------------------------------------------


def test_size_group_from_size_class_then_employees():
    cohort = frame(
        row("A", size_class="micro", employees=None),
        row("B", size_class="medium", employees=None),
        row("C", size_class=None, employees=9),
        row("D", size_class=None, employees=10),
        row("E", size_class=None, employees=None),
        # The declared class wins over a head count that disagrees (as on import).
        row("F", size_class="small", employees=4),
    )
    assert list(size_group(cohort)) == ["micro", "10plus", "micro", "10plus", "unknown", "10plus"]


def headline_cohort() -> pd.DataFrame:
    return frame(
        row("A", dii_yes=5),  # 10+, low: at least basic
        row("B", dii_yes=2),  # 10+, very low
        row("C", dii_yes=12),  # 10+, very high
        row("D", dii_yes=None),  # 10+, DII incomplete: not in the share
        row("E", size_class="micro", employees=3, dii_yes=8),  # micro, high
        row("F", size_class=None, employees=4, dii_yes=0),  # micro by head count
        row("A", "T1", dii_yes=7),
        row("B", "T1", dii_yes=4),
    )


def test_share_at_least_basic_splits_10plus_and_micro():
    shares = dii_share_by_wave(headline_cohort()).set_index(["wave", "size_group"])
    t0 = shares.loc[("T0", "10plus")]
    assert (t0["assessed"], t0["members"], t0["at_least_basic"]) == (4, 3, 2)
    assert t0["share"] == pytest.approx(200 / 3)
    assert t0["gap_to_target"] == pytest.approx(90 - 200 / 3)
    micro = shares.loc[("T0", "micro")]
    assert (micro["members"], micro["at_least_basic"], micro["share"]) == (2, 1, 50.0)
    t1 = shares.loc[("T1", "10plus")]
    assert (t1["members"], t1["share"], t1["gap_to_target"]) == (2, 100.0, 0.0)
    assert ("T1", "micro") not in shares.index


def test_a_micro_member_never_enters_the_10plus_share():
    base = headline_cohort()
    more = pd.concat(
        [
            base,
            frame(
                row("G", size_class="micro", dii_yes=12),
                row("H", employees=2, dii_yes=9, size_class=None),
            ),
        ],
        ignore_index=True,
    )
    before = dii_share_by_wave(base).set_index(["wave", "size_group"])
    after = dii_share_by_wave(more).set_index(["wave", "size_group"])
    assert after.loc[("T0", "10plus"), "members"] == before.loc[("T0", "10plus"), "members"]
    assert after.loc[("T0", "10plus"), "share"] == before.loc[("T0", "10plus"), "share"]
    assert after.loc[("T0", "micro"), "members"] == 4


def test_dii_band_shares_per_wave_and_size_group():
    bands = dii_bands_by_wave(headline_cohort())
    t0 = bands[(bands["wave"] == "T0") & (bands["size_group"] == "10plus")].set_index("band")
    assert list(t0.index) == ["very_low", "low", "high", "very_high"]
    assert list(t0["in_band"]) == [1, 1, 0, 1]
    assert t0["share"].tolist() == pytest.approx([100 / 3, 100 / 3, 0.0, 100 / 3])
    assert set(t0["members"]) == {3}
    micro = bands[(bands["wave"] == "T0") & (bands["size_group"] == "micro")].set_index("band")
    assert micro.loc["very_low", "share"] == 50.0 and micro.loc["high", "share"] == 50.0
    for _, group in bands.groupby(["wave", "size_group"]):
        assert group["share"].sum() == pytest.approx(100.0)


# --- overview -----------------------------------------------------------------------------


def test_counts_by_wave_and_cluster():
    cohort = frame(
        row("A", cluster="IT"),
        row("B", cluster="IT"),
        row("C", cluster="Mobilier"),
        row("A", "T1", cluster="IT"),
        row("D", "T1", cluster=None),
    )
    counts = counts_by_wave_and_cluster(cohort)
    assert list(counts.columns) == ["cluster", "T0", "T1", "members", "assessments"]
    it = counts[counts["cluster"] == "IT"].iloc[0]
    assert (it["T0"], it["T1"], it["members"], it["assessments"]) == (2, 1, 2, 3)
    assert pd.isna(counts["cluster"].iloc[-1])  # "not stated" comes last
    assert counts["assessments"].sum() == 5
    assert cohort_size(cohort).members == 4 and cohort_size(cohort).waves == ("T0", "T1")


def test_dma_band_distribution_counts_and_shares():
    cohort = frame(
        row("A", overall=10.0),
        row("B", overall=25.0),  # the top of basic is still basic
        row("C", overall=25.1),
        row("D", overall=80.0),
        row("E", overall=None),  # no score: not counted
        row("A", "T1", overall=60.0),
    )
    bands = dma_band_distribution(cohort).set_index(["wave", "band"])
    assert bands.loc[("T0", "basic"), "in_band"] == 2
    assert bands.loc[("T0", "basic"), "share"] == 50.0
    assert bands.loc[("T0", "average"), "share"] == 25.0
    assert bands.loc[("T0", "moderately_advanced"), "in_band"] == 0
    assert bands.loc[("T0", "advanced"), "share"] == 25.0
    assert set(bands.loc["T0", "members"]) == {4}
    assert bands.loc[("T1", "moderately_advanced"), "share"] == 100.0
    by_cluster = dma_band_distribution(cohort, by="cluster")
    assert set(by_cluster["group"]) == {"IT"}


def test_dimension_stats_mean_and_median_per_group():
    cohort = frame(
        row("A", cluster="IT", dma_green=10.0, overall=20.0),
        row("B", cluster="IT", dma_green=20.0, overall=30.0),
        row("C", cluster="IT", dma_green=60.0, overall=None),
        row("D", cluster="Mobilier", dma_green=40.0, overall=40.0),
    )
    stats = dimension_stats(cohort, by="cluster").set_index(["group", "dimension"])
    green = stats.loc[("IT", "dma_green")]
    assert (green["members"], green["mean"], green["median"]) == (3, 30.0, 20.0)
    overall = stats.loc[("IT", "dma_overall")]
    assert (overall["members"], overall["mean"], overall["median"]) == (2, 25.0, 25.0)
    assert stats.loc[("Mobilier", "dma_green"), "median"] == 40.0
    whole = dimension_stats(cohort).set_index("dimension")
    assert whole.loc["dma_green", "median"] == 30.0 and "group" not in whole.columns
    with pytest.raises(ValueError, match="cannot group"):
        dimension_stats(cohort, by="company_name")


def test_dimension_matrix_leaves_out_suppressed_groups():
    cohort = frame(
        *(row(f"I{i}", cluster="IT", dma_data=float(10 * i)) for i in range(1, 6)),
        row("M1", cluster="Mobilier"),
    )
    stats = suppress_small_groups(dimension_stats(cohort, by="cluster"), "members", 5)
    matrix = dimension_matrix(stats)
    assert list(matrix.index) == ["IT"]
    assert list(matrix.columns) == list(DMA_COLUMNS)
    assert matrix.loc["IT", "dma_data"] == 30.0


def test_member_matrix_rows_are_the_members_of_one_wave():
    cohort = frame(row("A", overall=30.0), row("B", overall=70.0), row("A", "T1"))
    matrix = member_matrix(cohort, "T0")
    assert list(matrix.index) == ["Firma B SRL", "Firma A SRL"]


# --- progress -----------------------------------------------------------------------------


def progress_cohort() -> pd.DataFrame:
    before = {"P1": 40.0, "P2": 50.0, "P3": 20.0, "P4": 30.0, "P5": 60.0}
    change = {"P1": -2.0, "P2": 0.0, "P3": 4.0, "P4": 6.0, "P5": 10.0}
    rows = []
    for member, score in before.items():
        rows.append(row(member, "T0", overall=score, dma_strategy=score))
        rows.append(
            row(member, "T1", overall=score + change[member], dma_strategy=score + change[member])
        )
    rows.append(row("ONLY_T0", "T0", overall=10.0))
    rows.append(row("ONLY_T1", "T1", overall=90.0))
    rows.append(row("P1", "T2", overall=99.0))
    return frame(*rows)


def test_pairing_keeps_only_members_assessed_in_both_waves():
    paired = paired_assessments(progress_cohort())
    assert list(paired["member_id"]) == ["P1", "P2", "P3", "P4", "P5"]
    p3 = paired.set_index("member_id").loc["P3"]
    assert (p3["dma_overall_before"], p3["dma_overall_after"], p3["dma_overall_change"]) == (
        20.0,
        24.0,
        4.0,
    )
    later = paired_assessments(progress_cohort(), "T0", "T2")
    assert list(later["member_id"]) == ["P1"]
    assert later["dma_overall_change"].iloc[0] == 59.0
    with pytest.raises(ValueError, match="two different waves"):
        paired_assessments(progress_cohort(), "T1", "T1")


def test_progress_median_quartiles_and_share_improved():
    summary = progress_summary(paired_assessments(progress_cohort())).set_index("dimension")
    overall = summary.loc["dma_overall"]
    # Changes −2, 0, 4, 6, 10: median 4, quartiles 0 and 6 (linear interpolation).
    assert overall["members"] == 5
    assert overall["median_change"] == 4.0
    assert (overall["q1_change"], overall["q3_change"]) == (0.0, 6.0)
    assert overall["mean_change"] == pytest.approx(3.6)
    assert (overall["improved"], overall["unchanged"], overall["declined"]) == (3, 1, 1)
    assert overall["share_improved"] == 60.0
    # A dimension nobody changed: everyone unchanged, nobody improved.
    green = summary.loc["dma_green"]
    assert (green["median_change"], green["share_improved"], green["unchanged"]) == (0.0, 0.0, 5)


def test_progress_counts_per_dimension_only_members_scored_twice():
    cohort = frame(
        row("A", "T0", dma_human=None),
        row("A", "T1", dma_human=60.0),
        row("B", "T0", dma_human=40.0),
        row("B", "T1", dma_human=45.0),
    )
    summary = progress_summary(paired_assessments(cohort)).set_index("dimension")
    assert summary.loc["dma_human", "members"] == 1
    assert summary.loc["dma_human", "median_change"] == 5.0
    assert summary.loc["dma_data", "members"] == 2


def test_band_moves_and_the_share_that_moved_up():
    cohort = frame(
        row("UP", "T0", overall=20.0),  # basic → average
        row("UP", "T1", overall=30.0),
        row("JUMP", "T0", overall=10.0),  # basic → advanced counts once, as up
        row("JUMP", "T1", overall=90.0),
        row("SAME", "T0", overall=60.0),
        row("SAME", "T1", overall=55.0),  # lower score, same band
        row("DOWN", "T0", overall=80.0),
        row("DOWN", "T1", overall=70.0),
        row("NOSCORE", "T0", overall=None),
        row("NOSCORE", "T1", overall=50.0),
    )
    moves = band_moves(paired_assessments(cohort))
    assert moves == BandMoves(members=4, up=2, same=1, down=1)
    assert moves.share_up == 50.0
    # Band bounds come from the settings, so other bounds move other members.
    assert band_moves(paired_assessments(cohort), (50.0, 65.0, 85.0)).up == 1
    assert BandMoves(0, 0, 0, 0).share_up is None


# --- member profile -----------------------------------------------------------------------


def test_member_history_in_wave_order_and_case_insensitive():
    cohort = frame(row("RO123", "T10"), row("RO123", "T2"), row("RO123", "T0"), row("X1"))
    history = member_history(cohort, " ro123 ")
    assert list(history["wave"]) == ["T0", "T2", "T10"]
    assert member_history(cohort, "nobody").empty


def test_cohort_medians_of_a_wave_and_of_a_cluster():
    cohort = frame(
        row("A", cluster="IT", dma_green=10.0),
        row("B", cluster="IT", dma_green=30.0),
        row("C", cluster="Mobilier", dma_green=80.0),
        row("A", "T1", cluster="IT", dma_green=99.0),
    )
    assert cohort_medians(cohort, "T0")["dma_green"] == 30.0
    assert cohort_medians(cohort, "T0", cluster="IT")["dma_green"] == 20.0
    assert list(cohort_medians(cohort, "T0").index) == list(DMA_COLUMNS)
    assert math.isnan(cohort_medians(cohort, "T0", cluster="Other")["dma_green"])


def test_dii_item_status_met_missing_unknown():
    record = row("A", dii_yes=2)
    record["dii_web_sales_b2c"] = None
    status = dii_item_status(frame(record).iloc[0])
    assert list(status) == list(DII_ITEMS)
    assert status["dii_internet_staff"] == "met" and status["dii_fast_broadband"] == "met"
    assert status["dii_ai"] == "missing"
    assert status["dii_web_sales_b2c"] == "unknown"


def test_weakest_dimensions_lowest_first_ties_in_questionnaire_order():
    record = frame(
        row("A", dma_strategy=40.0, dma_readiness=20.0, dma_human=20.0, dma_data=None,
            dma_automation=5.0, dma_green=90.0)
    ).iloc[0]  # fmt: skip
    assert weakest_dimensions(record) == ["dma_automation", "dma_readiness"]
    assert weakest_dimensions(record, n=3) == ["dma_automation", "dma_readiness", "dma_human"]
    # An unscored dimension is never "weakest".
    assert "dma_data" not in weakest_dimensions(record, n=6)


# --- services -----------------------------------------------------------------------------


def test_the_hubs_services_file_loads_with_offers_for_every_dimension():
    services = load_services(load_settings(env={}, secrets={}).services_file)
    assert list(services) == list(DMA_DIMENSIONS)
    for dimension, offers in services.items():
        assert offers, f"no offer for {dimension}"
        for offer in offers:
            assert offer.name("ro") and offer.name("en") and offer.name("ro") != offer.name("en")
            assert offer.description("ro") != offer.description("en")
            assert not any(ch in offer.name_ro + offer.description_ro for ch in "şţŞŢ")
            assert offer.url is None  # no invented addresses
    kinds = {offer.kind for offers in services.values() for offer in offers}
    assert kinds == {"course", "funding_advice", "partnership", "technology_provider"}


GOOD_ENTRY = """
kind = "course"
name_en = "Data course"
name_ro = "Curs de date"
description_en = "About data."
description_ro = "Despre date."
"""


def test_services_file_entries_are_checked(tmp_path: Path):
    path = tmp_path / "services.toml"
    path.write_text(f"[[dma_data]]{GOOD_ENTRY}url = 'https://example.org/x'\n", "utf-8")
    services = load_services(path)
    assert services["dma_data"][0].url == "https://example.org/x"
    assert services["dma_green"] == ()
    bad = {
        "[[dma_greem]]" + GOOD_ENTRY: "not a DMA dimension",
        "[[dma_data]]" + GOOD_ENTRY.replace('"course"', '"lecture"'): "kind must be",
        "[[dma_data]]" + GOOD_ENTRY.replace('name_ro = "Curs de date"', ""): "name_ro",
        "[[dma_data]]" + GOOD_ENTRY + "url = 'www.example.org'\n": "url must start",
        "[[dma_data]]" + GOOD_ENTRY + "price = 10\n": "unknown field",
        "[dma_data" + GOOD_ENTRY: "not valid TOML",
    }
    for text, message in bad.items():
        path.write_text(text, "utf-8")
        with pytest.raises(ServicesFileError, match=message):
            load_services(path)


def test_services_for_the_weakest_dimensions_in_order_without_repeats(tmp_path: Path):
    path = tmp_path / "services.toml"
    shared = GOOD_ENTRY.replace("Data course", "Shared course")
    path.write_text(
        f"[[dma_data]]{GOOD_ENTRY}\n[[dma_data]]{shared}\n[[dma_green]]{shared}\n"
        f"[[dma_green]]{GOOD_ENTRY.replace('Data course', 'Green course')}",
        "utf-8",
    )
    services = load_services(path)
    names = [s.name_en for s in services_for(["dma_green", "dma_data"], services)]
    assert names == ["Shared course", "Green course", "Data course"]
    assert services_for(["dma_human"], services) == []


# --- counties -----------------------------------------------------------------------------


def test_county_summary_suppresses_counties_below_the_minimum():
    rows = [row(f"C{i}", county="CJ", overall=float(10 * i)) for i in range(1, 6)]
    rows += [row("B1", county="BH", overall=33.0), row("B2", county="BH", overall=77.0)]
    rows += [row("N1", county=None, overall=50.0)]
    # A member counts once, at its latest wave: C1 moved to Sibiu in T1.
    rows += [row("C1", "T1", county="SB", overall=99.0)]
    summary = county_summary(frame(*rows), 4, county_table()).set_index("county")
    assert set(summary.index) == {"CJ", "BH", "SB"}
    cluj = summary.loc["CJ"]
    assert (cluj["members"], cluj["median_dma_overall"], cluj[SUPPRESSED]) == (4, 35.0, False)
    assert cluj["nuts3"] == "RO113" and cluj["county_name"] == "Cluj"
    bihor = summary.loc["BH"]
    assert bool(bihor[SUPPRESSED])
    assert pd.isna(bihor["median_dma_overall"]) and pd.isna(bihor["members"])
    # Nothing left in the row from which the two members' scores could be computed.
    assert not any(v in (33.0, 77.0, 55.0, 2) for v in bihor.tolist() if not pd.isna(v))
    admin = county_summary(frame(*rows), 1, county_table()).set_index("county")
    assert admin.loc["BH", "median_dma_overall"] == 55.0 and not admin[SUPPRESSED].any()


def test_bucharest_is_named_as_the_municipality():
    summary = county_summary(frame(row("A", county="B")), 1, county_table())
    assert summary["county_name"].iloc[0] == "Municipiul București"
    assert summary["nuts3"].iloc[0] == "RO321"


# --- privacy helpers ----------------------------------------------------------------------


def test_suppress_small_groups_blanks_numbers_and_marks_the_group():
    table = pd.DataFrame(
        {
            "wave": ["T0", "T0", "T1", "T2"],
            "size_group": ["10plus", "micro", "micro", "micro"],
            "members": [12, 3, 5, 4],
            "at_least_basic": [6, 1, 5, 2],
            "share": [50.0, 33.3, 100.0, 50.0],
        }
    )
    out = suppress_small_groups(table, "members", 5)
    # Exactly the minimum is shown; one fewer is not.
    assert list(out[SUPPRESSED]) == [False, True, False, True]
    small = out.iloc[1]
    assert pd.isna(small["members"]) and pd.isna(small["share"])
    assert pd.isna(small["at_least_basic"])
    assert small["wave"] == "T0" and small["size_group"] == "micro"
    assert out.iloc[2]["share"] == 100.0 and out.iloc[0]["members"] == 12
    kept = suppress_small_groups(table, "members", 5, ["share"], hide_count=False)
    assert kept.iloc[1]["members"] == 3 and kept.iloc[1]["at_least_basic"] == 1
    assert pd.isna(kept.iloc[1]["share"])
    assert table["share"].iloc[1] == 33.3  # the input is untouched
    with pytest.raises(ValueError, match="at least 1"):
        suppress_small_groups(table, "members", 0)


def test_demo_companies_never_mix_with_real_members():
    cohort = headline_cohort()
    demo = cohort.assign(is_demo=True)
    assert len(displayed_cohort(demo)) == len(demo), "demo only: the demo is shown"
    real = cohort.head(3).assign(is_demo=False)
    mixed = pd.concat([demo, real], ignore_index=True)
    shown = displayed_cohort(mixed)
    assert len(shown) == 3 and not shown["is_demo"].any()


def test_assessment_years():
    import datetime as dt

    frame = pd.DataFrame({"assessed_on": [dt.date(2025, 3, 1), None, dt.date(2026, 1, 5)]})
    assert assessment_years(frame) == "2025–2026"
    assert assessment_years(frame.iloc[[0]]) == "2025"
    assert assessment_years(frame.iloc[[1]]) is None


def test_aggregate_tables_carry_no_member_names_or_ids():
    cohort = headline_cohort()
    names = set(cohort["company_name"]) | set(cohort["member_id"])
    tables = [
        dii_share_by_wave(cohort),
        dii_bands_by_wave(cohort),
        dma_band_distribution(cohort, by="cluster"),
        dimension_stats(cohort, by="size_group"),
        progress_summary(paired_assessments(cohort)),
        county_summary(cohort, 5, county_table()),
    ]
    for table in tables:
        assert not {"member_id", "company_name"} & set(table.columns)
        cells = {str(v) for v in table.astype(str).to_numpy().ravel()}
        assert not cells & names
