"""The impact of the services (spec edih-services.md §5), on cohorts small enough that every
group, median and difference below is worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from dih_dash.domain.disclosure import DisclosureRule
from dih_dash.domain.impact import (
    HIDDEN_COLUMNS,
    IMPACT_COLUMNS,
    impact_table,
    paired_changes,
    public_impact,
)
from dih_dash.domain.services_schema import CATEGORIES

TEST, TRAINING, FUNDING, NETWORK = CATEGORIES
T0_DAY = dt.date(2025, 3, 1)
T1_DAY = dt.date(2026, 3, 1)


def assessments(scores: dict[str, tuple[float | None, float | None]], **kinds: str) -> pd.DataFrame:
    """Rounds T0 and T1 of each member: `scores` member → (T0, T1) dma_overall (None: not
    assessed in that round); `kinds` member → org_type (default sme)."""
    rows = []
    for member, pair in scores.items():
        for wave, score, day in zip(("T0", "T1"), pair, (T0_DAY, T1_DAY), strict=True):
            if score is None:
                continue
            rows.append(
                {
                    "member_id": member,
                    "company_name": f"Firma {member} SRL",
                    "org_type": kinds.get(member, "sme"),
                    "wave": wave,
                    "assessed_on": day,
                    "dma_overall": float(score),
                }
            )
    return pd.DataFrame(rows)


def services(*rows: tuple[str | None, str, dt.date | None]) -> pd.DataFrame:
    """(member_id or None for unlinked, category, start_date) per service."""
    return pd.DataFrame(
        {
            "member_id": [r[0] for r in rows],
            "customer_name": [f"Client {i}" for i in range(len(rows))],
            "category": [r[1] for r in rows],
            "start_date": [r[2] for r in rows],
        },
        columns=["member_id", "customer_name", "category", "start_date"],
    )


AFTER = dt.date(2025, 6, 1)  # after T0_DAY
BEFORE = dt.date(2024, 11, 1)  # before T0_DAY


def row(table: pd.DataFrame, instrument: str, category: str) -> pd.Series:
    found = table[(table["instrument"] == instrument) & (table["category"] == category)]
    assert len(found) == 1
    return found.iloc[0]


# Served in "Test before invest": S1..S3, changes +10, +20, +30 → median 20.
# Not served: N1..N4, changes 0, 2, 4, 100 → median (2 + 4) / 2 = 3.
# Difference: 20 − 3 = 17.
COHORT = {
    "S1": (40.0, 50.0),
    "S2": (40.0, 60.0),
    "S3": (30.0, 60.0),
    "N1": (50.0, 50.0),
    "N2": (50.0, 52.0),
    "N3": (46.0, 50.0),
    "N4": (0.0, 100.0),
}
COHORT_ROWS = [("S1", TEST, AFTER), ("S2", TEST, AFTER), ("S3", TEST, T0_DAY)]
COHORT_SERVICES = services(*COHORT_ROWS)


def test_groups_medians_and_difference_by_hand():
    table = impact_table(assessments(COHORT), COHORT_SERVICES, resamples=500)
    assert list(table.columns) == list(IMPACT_COLUMNS)
    assert table["instrument"].tolist() == ["sme"] * 4
    assert table["category"].tolist() == list(CATEGORIES)
    tested = row(table, "sme", TEST)
    assert (tested["served"], tested["not_served"]) == (3, 4)
    assert tested["served_median"] == 20.0
    assert tested["not_served_median"] == 3.0
    assert tested["difference"] == 17.0
    # No one was trained: an empty served group, so no median, difference or interval.
    trained = row(table, "sme", TRAINING)
    assert (trained["served"], trained["not_served"]) == (0, 4)
    assert math.isnan(trained["served_median"]) and trained["not_served_median"] == 3.0
    assert all(math.isnan(trained[c]) for c in ("difference", "ci_low", "ci_high"))


def test_the_interval_is_reproducible_and_changes_with_the_seed():
    data = assessments(COHORT)
    first = impact_table(data, COHORT_SERVICES)
    again = impact_table(data, COHORT_SERVICES)
    pd.testing.assert_frame_equal(first, again)
    other = impact_table(data, COHORT_SERVICES, seed=7)
    low, high = row(first, "sme", TEST)[["ci_low", "ci_high"]]
    other_low, other_high = row(other, "sme", TEST)[["ci_low", "ci_high"]]
    assert (low, high) != (other_low, other_high)
    # The point estimate does not depend on the draws.
    assert row(other, "sme", TEST)["difference"] == 17.0


def test_the_interval_contains_the_difference_and_is_the_bootstrap_percentiles():
    table = impact_table(assessments(COHORT), COHORT_SERVICES, resamples=400, seed=11)
    tested = row(table, "sme", TEST)
    assert tested["ci_low"] <= tested["difference"] <= tested["ci_high"]
    # Recomputed the long way: resample each group with the row's generator (SMEs are the
    # first instrument, "Test before invest" the first category), 5th and 95th percentiles.
    rng = np.random.default_rng([11, 0, 0])
    served = np.array([10.0, 20.0, 30.0])
    other = np.array([0.0, 2.0, 4.0, 100.0])
    a = served[rng.integers(0, 3, size=(400, 3))]
    b = other[rng.integers(0, 4, size=(400, 4))]
    expected = np.percentile(np.median(a, axis=1) - np.median(b, axis=1), [5, 95])
    assert (tested["ci_low"], tested["ci_high"]) == tuple(expected)
    # Every resampled difference lies between the extreme ones: 10 − 100 and 30 − 0.
    assert -90.0 <= tested["ci_low"] <= tested["ci_high"] <= 30.0


def test_a_wider_level_gives_a_wider_interval():
    data = assessments(COHORT)
    narrow = row(impact_table(data, COHORT_SERVICES, level=0.5), "sme", TEST)
    wide = row(impact_table(data, COHORT_SERVICES, level=0.99), "sme", TEST)
    assert wide["ci_low"] <= narrow["ci_low"] and narrow["ci_high"] <= wide["ci_high"]
    assert wide["ci_high"] - wide["ci_low"] > narrow["ci_high"] - narrow["ci_low"]


def test_identical_changes_give_a_point_interval():
    scores = {"S1": (40.0, 45.0), "S2": (30.0, 35.0), "N1": (20.0, 21.0), "N2": (60.0, 61.0)}
    table = impact_table(
        assessments(scores), services(("S1", FUNDING, AFTER), ("S2", FUNDING, AFTER))
    )
    funded = row(table, "sme", FUNDING)
    assert (funded["difference"], funded["ci_low"], funded["ci_high"]) == (4.0, 4.0, 4.0)


def test_a_service_before_the_first_round_does_not_count():
    # S1's course started before its T0 assessment: S1 is neither served in training nor
    # "not served" (it had a service). S2 started on the T0 day itself: it counts.
    scores = {"S1": (40.0, 70.0), "S2": (40.0, 50.0), "N1": (40.0, 40.0)}
    table = impact_table(
        assessments(scores), services(("S1", TRAINING, BEFORE), ("S2", TRAINING, T0_DAY))
    )
    trained = row(table, "sme", TRAINING)
    assert (trained["served"], trained["not_served"]) == (1, 1)
    assert (trained["served_median"], trained["not_served_median"]) == (10.0, 0.0)


def test_a_service_without_a_start_date_counts_only_when_the_first_round_is_undated():
    scores = {"S1": (40.0, 70.0), "N1": (40.0, 40.0)}
    undated_service = services(("S1", NETWORK, None))
    dated = impact_table(assessments(scores), undated_service)
    assert row(dated, "sme", NETWORK)["served"] == 0
    undated = assessments(scores)
    undated["assessed_on"] = None
    assert row(impact_table(undated, undated_service), "sme", NETWORK)["served"] == 1
    # With the first round undated, a service of any start date counts.
    early = services(("S1", NETWORK, BEFORE))
    assert row(impact_table(undated, early), "sme", NETWORK)["served"] == 1


def test_smes_and_psos_are_separate():
    # SMEs: served S1 (+10) v not served N1 (+2) → 8. PSOs: served P1 (+30) v not served
    # P2 (−4) and P3 (0) → 30 − (−2) = 32. Pooled, the PSO change would pull the SMEs'.
    scores = {
        "S1": (40.0, 50.0),
        "N1": (40.0, 42.0),
        "P1": (20.0, 50.0),
        "P2": (30.0, 26.0),
        "P3": (30.0, 30.0),
    }
    kinds = {"P1": "pso", "P2": "pso", "P3": "pso"}
    table = impact_table(
        assessments(scores, **kinds), services(("S1", TEST, AFTER), ("P1", TEST, AFTER))
    )
    assert table["instrument"].tolist() == ["sme"] * 4 + ["pso"] * 4
    sme, pso = row(table, "sme", TEST), row(table, "pso", TEST)
    assert (sme["served"], sme["not_served"], sme["difference"]) == (1, 1, 8.0)
    assert (pso["served"], pso["not_served"], pso["difference"]) == (1, 2, 32.0)
    assert pso["not_served_median"] == -2.0


def test_a_rows_interval_does_not_depend_on_the_other_instrument():
    smes_only = impact_table(assessments(COHORT), COHORT_SERVICES)
    with_psos = impact_table(
        assessments({**COHORT, "P1": (10.0, 20.0), "P2": (10.0, 12.0)}, P1="pso", P2="pso"),
        services(*COHORT_ROWS, ("P1", TEST, AFTER)),
    )
    pd.testing.assert_frame_equal(
        smes_only, with_psos[with_psos["instrument"] == "sme"].reset_index(drop=True)
    )


def test_served_in_another_category_is_in_neither_group():
    # M1 had only funding support: not in the test-before-invest group, and not "not
    # served" either. S1 had both: served in both categories.
    scores = {"S1": (40.0, 50.0), "M1": (40.0, 90.0), "N1": (40.0, 41.0), "N2": (40.0, 43.0)}
    table = impact_table(
        assessments(scores),
        services(("S1", TEST, AFTER), ("S1", FUNDING, AFTER), ("M1", FUNDING, AFTER)),
    )
    tested, funded = row(table, "sme", TEST), row(table, "sme", FUNDING)
    assert (tested["served"], tested["not_served"], tested["served_median"]) == (1, 2, 10.0)
    assert tested["not_served_median"] == 2.0
    assert (funded["served"], funded["served_median"]) == (2, 30.0)


def test_unlinked_services_and_other_rounds_are_left_out():
    # The unlinked service names no member; N1 therefore stays "not served". X1 has no T1
    # and Z1 no T0 score: neither is paired. T2 is ignored for the pair T0 → T1.
    scores = {"S1": (40.0, 50.0), "N1": (40.0, 44.0), "X1": (40.0, None), "Z1": (None, 30.0)}
    data = assessments(scores)
    data = pd.concat(
        [data, data[data["member_id"] == "S1"].assign(wave="T2", dma_overall=99.0)],
        ignore_index=True,
    )
    table = impact_table(data, services(("S1", TEST, AFTER), (None, TEST, AFTER)))
    tested = row(table, "sme", TEST)
    assert (tested["served"], tested["not_served"], tested["difference"]) == (1, 1, 6.0)


def test_a_missing_overall_score_leaves_the_member_out():
    scores = {"S1": (40.0, 50.0), "S2": (40.0, 80.0), "N1": (40.0, 44.0)}
    data = assessments(scores)
    data.loc[(data["member_id"] == "S2") & (data["wave"] == "T1"), "dma_overall"] = np.nan
    table = impact_table(data, services(("S1", TEST, AFTER), ("S2", TEST, AFTER)))
    assert row(table, "sme", TEST)["served"] == 1


def test_other_round_pairs_and_kinds():
    scores = {"S1": (40.0, 50.0), "N1": (40.0, 44.0)}
    data = assessments(scores)
    later = data[data["wave"] == "T1"].assign(wave="T2", dma_overall=[70.0, 45.0])
    data = pd.concat([data, later], ignore_index=True)
    table = impact_table(data, services(("S1", TEST, AFTER)), earlier="T1", later="T2")
    # From T1 (S1 50, N1 44) to T2 (70, 45): +20 v +1; S1's service started before T1.
    tested = row(table, "sme", TEST)
    assert (tested["served"], tested["not_served"]) == (0, 1)
    table = impact_table(data, services(("S1", TEST, AFTER)), earlier="T0", later="T2")
    assert row(table, "sme", TEST)["difference"] == 30.0 - 5.0


def test_no_pairs_give_an_empty_table_with_the_columns():
    table = impact_table(assessments({"S1": (40.0, None)}), services())
    assert table.empty and list(table.columns) == list(IMPACT_COLUMNS)
    assert public_impact(table, DisclosureRule(5)).empty


def test_wrong_arguments_are_refused():
    data = assessments(COHORT)
    with pytest.raises(ValueError, match="two different rounds"):
        impact_table(data, COHORT_SERVICES, earlier="T1", later="T1")
    with pytest.raises(ValueError, match="resample"):
        impact_table(data, COHORT_SERVICES, resamples=0)
    with pytest.raises(ValueError, match="level"):
        impact_table(data, COHORT_SERVICES, level=1.0)


def test_paired_changes_leave_out_unknown_kinds():
    data = assessments({"S1": (40.0, 50.0), "U1": (40.0, 60.0)}, U1="other")
    assert paired_changes(data)["member_id"].tolist() == ["S1"]


# --- the public view -----------------------------------------------------------------------


def test_public_view_blanks_groups_under_the_minimum():
    # Test before invest: 3 served (hidden under a minimum of 4), 4 not served (shown).
    table = impact_table(assessments(COHORT), COHORT_SERVICES, resamples=200)
    public = public_impact(table, DisclosureRule(4))
    assert list(public.columns) == [*IMPACT_COLUMNS, *HIDDEN_COLUMNS]
    tested = row(public, "sme", TEST)
    assert bool(tested["served_hidden"]) and not bool(tested["not_served_hidden"])
    assert pd.isna(tested["served"]) and pd.isna(tested["served_median"])
    assert tested["not_served"] == 4 and tested["not_served_median"] == 3.0
    assert all(pd.isna(tested[c]) for c in ("difference", "ci_low", "ci_high"))
    # Under a minimum of 3 both groups show, rounded to one decimal.
    shown = row(public_impact(table, DisclosureRule(3)), "sme", TEST)
    assert not shown["served_hidden"] and not shown["not_served_hidden"]
    assert (shown["served"], shown["difference"]) == (3, 17.0)
    assert shown["ci_low"] == round(row(table, "sme", TEST)["ci_low"], 1)


def test_the_admin_sees_everything_unrounded():
    table = impact_table(assessments(COHORT), COHORT_SERVICES, resamples=200)
    admin = public_impact(table, DisclosureRule(10, audience="admin"))
    assert not admin[list(HIDDEN_COLUMNS)].to_numpy().any()
    pd.testing.assert_frame_equal(
        admin[list(IMPACT_COLUMNS)].astype({"served": int, "not_served": int}), table
    )
