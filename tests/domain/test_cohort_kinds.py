"""The two instruments kept apart (spec edih-services.md §1): SMEs and public-sector
organisations are scored, counted and aggregated each on their own dimensions, a frame of
both kinds is refused wherever scores would meet, and a PSO has no DII."""

from __future__ import annotations

import pandas as pd
import pytest

from dih_dash.domain.cohort import (
    cohort_medians,
    county_summary,
    dimension_stats,
    dma_band_distribution,
    kind_columns,
    kind_counts,
    kind_rows,
    member_matrix,
    paired_assessments,
    progress_summary,
    scored_kind,
    scored_members,
    weakest_dimensions,
)
from dih_dash.domain.survey_schema import (
    ASSESSMENT_COLUMNS,
    DII_ITEMS,
    DMA_DIMENSIONS,
    PSO_DIMENSIONS,
)
from dih_dash.sources.reference import county_table


def record(member: str, wave: str, kind: str | None, score: float, demo: bool = False) -> dict:
    row = dict.fromkeys(ASSESSMENT_COLUMNS)
    row |= {"member_id": member, "company_name": member, "wave": wave, "org_type": kind,
            "county": "CJ", "cluster": "C", "is_demo": demo}  # fmt: skip
    dimensions = PSO_DIMENSIONS if kind == "pso" else DMA_DIMENSIONS
    row |= {d: score + n for n, d in enumerate(dimensions)}
    row["dma_overall"] = score + 2.5
    # Every DII item answered yes, for the PSOs too: a PSO's row must still get no DII.
    row |= dict.fromkeys(DII_ITEMS, True)
    return row


def store_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*ASSESSMENT_COLUMNS, "is_demo"])
    for item in DII_ITEMS:
        frame[item] = frame[item].astype("boolean")
    return frame


def mixed() -> pd.DataFrame:
    """Three SMEs (one without a kind, an SME's by default) scoring 10-12 and two PSOs
    scoring 80-81, T0 and T1 (+4)."""
    rows = []
    for wave, step in (("T0", 0.0), ("T1", 4.0)):
        rows += [record(f"S{n}", wave, "sme" if n else None, 10.0 + n + step) for n in range(3)]
        rows += [record(f"P{n}", wave, "pso", 80.0 + n + step) for n in range(2)]
    return store_frame(rows)


def test_kind_columns_are_each_instruments_six_and_the_overall():
    assert kind_columns("sme") == (*DMA_DIMENSIONS, "dma_overall")
    assert kind_columns("pso") == (*PSO_DIMENSIONS, "dma_overall")
    with pytest.raises(ValueError, match="unknown kind"):
        kind_columns("SME")


def test_counts_and_rows_per_kind():
    frame = mixed()
    assert kind_counts(frame) == {"sme": 3, "pso": 2}
    assert kind_counts(frame[frame["org_type"] != "pso"]) == {"sme": 3, "pso": 0}
    assert sorted(kind_rows(frame, "sme")["member_id"].unique()) == ["S0", "S1", "S2"]
    assert sorted(kind_rows(frame, "pso")["member_id"].unique()) == ["P0", "P1"]


def test_scored_kind_bands_psos_on_their_overall_and_gives_them_no_dii():
    psos = scored_kind(mixed(), "pso", (25.0, 50.0, 75.0), (3, 6, 9))
    assert set(psos["member_id"]) == {"P0", "P1"}
    assert set(psos["dma_band"]) == {"advanced"}  # 82.5-87.5
    assert psos["dii_score"].isna().all() and psos["dii_band"].isna().all()
    assert psos["dii_at_least_basic"].isna().all()
    smes = scored_kind(mixed(), "sme", (25.0, 50.0, 75.0), (3, 6, 9))
    assert set(smes["dii_score"]) == {12} and set(smes["dma_band"]) == {"basic"}


def test_real_members_of_any_kind_hide_the_demo_cohort_of_both():
    demo = [record("DEMO-S", "T0", "sme", 30.0, demo=True),
            record("DEMO-P", "T0", "pso", 30.0, demo=True)]  # fmt: skip
    only_demo = store_frame(demo)
    assert set(scored_members(only_demo)["member_id"]) == {"DEMO-S", "DEMO-P"}
    with_real_sme = store_frame([*demo, record("S", "T0", "sme", 40.0)])
    assert set(scored_members(with_real_sme)["member_id"]) == {"S"}
    assert scored_kind(with_real_sme, "pso").empty, "no fictional PSOs beside real members"


def test_aggregates_of_one_kind_read_its_own_dimensions():
    psos = kind_rows(mixed(), "pso")
    stats = dimension_stats(psos, kind="pso")
    t0 = stats[stats["wave"] == "T0"].set_index("dimension")
    assert list(t0.index) == [*PSO_DIMENSIONS, "dma_overall"]
    assert t0.loc["pso_strategy", "median"] == 80.5 and t0.loc["pso_green", "median"] == 85.5
    medians = cohort_medians(psos, "T1", kind="pso")
    assert list(medians.index) == [*PSO_DIMENSIONS, "dma_overall"]
    assert medians["pso_interop"] == 88.5
    summary = progress_summary(paired_assessments(psos, kind="pso"), kind="pso")
    assert list(summary["dimension"]) == [*PSO_DIMENSIONS, "dma_overall"]
    assert list(summary["median_change"]) == [4.0] * 7
    assert list(member_matrix(psos, "T0", kind="pso").columns) == [
        *PSO_DIMENSIONS, "dma_overall",
    ]  # fmt: skip
    assert weakest_dimensions(psos.iloc[0], 2, kind="pso") == ["pso_strategy", "pso_readiness"]


def test_a_frame_of_both_kinds_is_refused_wherever_scores_would_meet():
    frame = mixed()
    for build in (
        lambda: dimension_stats(frame),
        lambda: dimension_stats(frame, kind="pso"),
        lambda: paired_assessments(frame),
        lambda: member_matrix(frame, "T0"),
        lambda: dma_band_distribution(frame),
        lambda: county_summary(frame, 1, county_table()),
    ):
        with pytest.raises(ValueError, match=r"both kinds|besides"):
            build()
    # The SME rows alone, with the kindless one counted as an SME, are fine.
    assert dimension_stats(kind_rows(frame, "sme"))["members"].max() == 3


def test_cohort_medians_of_a_kind_leave_the_other_kinds_rows_out():
    # The members' report once passed a frame of both kinds: the PSOs (80-81) moved the
    # SMEs' overall median. With a kind, only that kind's members enter its medians.
    frame = mixed()
    smes = cohort_medians(frame, "T0", kind="sme")
    assert smes["dma_overall"] == 13.5  # the SMEs' 12.5, 13.5, 14.5
    assert smes.equals(cohort_medians(kind_rows(frame, "sme"), "T0", kind="sme"))
    psos = cohort_medians(frame, "T0", kind="pso")
    assert (psos["dma_overall"], psos["pso_strategy"]) == (83.0, 80.5)
    with pytest.raises(ValueError, match="unknown kind"):
        cohort_medians(frame, "T0", kind="ngo")
