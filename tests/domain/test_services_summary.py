"""Services summed up (domain.services_summary): counts per category, month, kind, cluster
and county, and progress towards the hub's targets, on frames built by hand and counted by
hand."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.domain.services_summary import (
    NO_DATE,
    UNKNOWN,
    UNLINKED,
    KpiTarget,
    kpi_progress,
    kpi_state,
    months_between,
    services_by,
)

TBI, TRAINING, INVESTMENT, ECOSYSTEM = CATEGORIES
D = dt.date


def service(
    category: str,
    start: dt.date | None,
    *,
    member: str | None = None,
    org_type: str | None = None,
    name: str | None = None,
    customer_type: str | None = None,
) -> dict[str, object]:
    return {
        "customer_name": name,
        "customer_key": f"member:{member}" if member else f"name:{(name or '').lower()}",
        "member_id": member,
        "org_type": org_type,
        "customer_type": customer_type,
        "category": category,
        "start_date": start,
        "end_date": start,
        "price_eur": float("nan"),
        "is_demo": False,
    }


def services_frame() -> pd.DataFrame:
    """Ten services: M1 (SME, 3), M2 (SME, 2), P1 (PSO, 1) linked; "alfa" (SME, 2 rows),
    "primaria x" (PSO, 1), "beta" (a type the kinds do not know, 1) unlinked."""
    rows = [
        service(TBI, D(2025, 1, 10), member="M1", org_type="sme"),
        service(TRAINING, D(2025, 1, 20), member="M1", org_type="sme"),
        service(TRAINING, D(2025, 3, 1), member="M1", org_type="sme"),
        service(TRAINING, D(2025, 3, 5), member="M2", org_type="sme"),
        service(ECOSYSTEM, None, member="M2", org_type="sme"),
        service(INVESTMENT, D(2025, 3, 30), member="P1", org_type="pso"),
        service(TBI, D(2025, 3, 2), name="Alfa", customer_type="Small mid-cap"),
        service(TBI, D(2025, 4, 2), name="Alfa", customer_type="SME"),
        service(TRAINING, D(2025, 4, 3), name="Primaria X", customer_type="PSO"),
        service(TRAINING, None, name="Beta", customer_type="Other"),
    ]
    return pd.DataFrame(rows)


def assessments_frame() -> pd.DataFrame:
    """M1 moved from Bihor to Cluj between T0 and T1 (T1 is the latest); M2 states no
    cluster; P1 is a PSO in Cluj; M3 was assessed but never served."""
    rows = [
        ("M1", "T0", D(2024, 11, 1), "IT", "BH", "sme"),
        ("M1", "T1", D(2025, 11, 1), "IT", "CJ", "sme"),
        ("M2", "T0", D(2025, 2, 1), None, "CJ", "sme"),
        ("P1", "T0", D(2025, 2, 3), "Public", "CJ", "pso"),
        ("M3", "T0", D(2022, 5, 1), "IT", "SB", "sme"),
        ("M3", "T1", None, "IT", "SB", "sme"),
    ]
    return pd.DataFrame(
        rows, columns=["member_id", "wave", "assessed_on", "cluster", "county", "org_type"]
    )


def as_dict(table: pd.DataFrame, dimension: str) -> dict[str, tuple[int, int]]:
    return {
        str(r[dimension]): (int(r["services"]), int(r["customers"])) for _, r in table.iterrows()
    }


def test_by_category_lists_the_four_in_order_with_zeros() -> None:
    table = services_by(services_frame(), assessments_frame(), "category")
    assert list(table.columns) == ["category", "services", "customers"]
    assert list(table["category"]) == list(CATEGORIES)
    # TBI: M1, Alfa twice → 3 services, 2 customers. Training: M1 twice, M2, Primaria X,
    # Beta → 5 services, 4 customers.
    assert as_dict(table, "category") == {
        TBI: (3, 2),
        TRAINING: (5, 4),
        INVESTMENT: (1, 1),
        ECOSYSTEM: (1, 1),
    }
    assert str(table["services"].dtype) == "int64" and str(table["customers"].dtype) == "int64"
    empty = services_by(services_frame().iloc[0:0], assessments_frame(), "category")
    assert as_dict(empty, "category") == dict.fromkeys(CATEGORIES, (0, 0))


def test_by_month_oldest_first_undated_last() -> None:
    table = services_by(services_frame(), assessments_frame(), "month")
    assert list(table["month"]) == ["2025-01", "2025-03", "2025-04", NO_DATE]
    assert as_dict(table, "month") == {
        "2025-01": (2, 1),  # M1 twice
        "2025-03": (4, 4),  # M1, M2, P1, Alfa
        "2025-04": (2, 2),  # Alfa, Primaria X
        NO_DATE: (2, 2),  # M2, Beta
    }


def test_by_kind_member_kind_then_customer_type() -> None:
    table = services_by(services_frame(), assessments_frame(), "kind")
    # SME: M1 (3), M2 (2), Alfa (2, a small mid-cap and an SME) → 7 services, 3 customers;
    # PSO: P1, Primaria X; unknown: Beta's type "Other".
    assert list(table["kind"]) == ["sme", "pso", UNKNOWN]
    assert as_dict(table, "kind") == {"sme": (7, 3), "pso": (2, 2), UNKNOWN: (1, 1)}


def test_by_cluster_and_county_from_the_latest_assessment() -> None:
    services, assessments = services_frame(), assessments_frame()
    county = services_by(services, assessments, "county")
    # M1's latest round (T1) is in Cluj, with M2 and P1: 3 + 2 + 1 services.
    assert list(county["county"]) == ["CJ", UNLINKED]
    assert as_dict(county, "county") == {"CJ": (6, 3), UNLINKED: (4, 3)}
    cluster = services_by(services, assessments, "cluster")
    assert list(cluster["cluster"]) == ["IT", "Public", UNKNOWN, UNLINKED]
    assert as_dict(cluster, "cluster") == {
        "IT": (3, 1),
        "Public": (1, 1),
        UNKNOWN: (2, 1),  # M2 states no cluster
        UNLINKED: (4, 3),
    }


def test_a_member_without_an_assessment_is_unknown_and_bad_dimensions_refused() -> None:
    services = services_frame()
    no_m1 = assessments_frame()
    no_m1 = no_m1[no_m1["member_id"] != "M1"]
    assert as_dict(services_by(services, no_m1, "county"), "county")[UNKNOWN] == (3, 1)
    with pytest.raises(ValueError, match="unknown dimension 'sector'"):
        services_by(services, no_m1, "sector")


def test_linking_a_customer_merges_it_with_the_member() -> None:
    services = services_frame()
    linked = services.copy()
    alfa = linked["customer_key"] == "name:alfa"
    linked.loc[alfa, ["member_id", "org_type"]] = ["M1", "sme"]
    before = as_dict(services_by(services, assessments_frame(), "category"), "category")
    after = as_dict(services_by(linked, assessments_frame(), "category"), "category")
    assert before[TBI] == (3, 2) and after[TBI] == (3, 1)


def target(metric: str, amount: float, **values: object) -> KpiTarget:
    fields = {
        "kpi": metric,
        "metric": metric,
        "target": amount,
        "end_date": D(2027, 12, 31),
        "label_en": metric,
        "label_ro": metric,
    } | values
    return KpiTarget(**fields)  # type: ignore[arg-type]


def test_months_left_are_whole_months() -> None:
    assert months_between(D(2026, 12, 4), D(2027, 12, 31)) == 12
    assert months_between(D(2026, 12, 4), D(2027, 12, 4)) == 12
    assert months_between(D(2026, 12, 4), D(2027, 12, 3)) == 11
    assert months_between(D(2026, 12, 4), D(2027, 1, 3)) == 0
    assert months_between(D(2026, 12, 4), D(2025, 12, 31)) == 0


def test_kpi_progress_counts_share_and_pace() -> None:
    today = D(2026, 12, 4)
    targets = [
        target("customers_served", 12),
        target("customers_served", 4, kind="sme", kpi="sme"),
        target("services", 10, category=TRAINING, kpi="training"),
        target("assessments", 3, wave="T0", kpi="t0"),
        target("assessments", 5, wave="T1", kpi="t1", start_date=D(2025, 1, 1)),
        target("services", 20, kpi="late", end_date=D(2026, 12, 20)),
        target("services", 4, kpi="early", start_date=D(2025, 3, 2), end_date=D(2025, 3, 31)),
    ]
    table = kpi_progress(targets, services_frame(), assessments_frame(), today)
    assert list(table.columns) == [
        "kpi", "label_en", "label_ro", "target", "achieved", "share", "end_date",
        "months_left", "monthly_pace", "reached",
    ]  # fmt: skip
    rows = table.set_index("kpi")
    # Six distinct customers (M1, M2, P1, Alfa, Primaria X, Beta) of 12: 50%; 12 months to
    # 2027-12-31, so (12 - 6) / 12 = 0.5 a month.
    assert rows.loc["customers_served", "achieved"] == 6
    assert rows.loc["customers_served", "share"] == pytest.approx(50.0)
    assert rows.loc["customers_served", "months_left"] == 12
    assert rows.loc["customers_served", "monthly_pace"] == pytest.approx(0.5)
    assert not rows.loc["customers_served", "reached"]
    # SMEs: M1, M2, Alfa = 3 of 4 → (4 - 3) / 12.
    assert rows.loc["sme", "achieved"] == 3
    assert rows.loc["sme", "monthly_pace"] == pytest.approx(1 / 12)
    # Training: 5 services (undated Beta included) of 10.
    assert rows.loc["training", "achieved"] == 5
    assert rows.loc["training", "share"] == pytest.approx(50.0)
    # T0: M1, M2, P1, M3 = 4 of 3 → reached, share capped at 100, nothing more needed.
    assert rows.loc["t0", "achieved"] == 4
    assert rows.loc["t0", "share"] == 100.0
    assert rows.loc["t0", "reached"] and rows.loc["t0", "monthly_pace"] == 0.0
    # T1 from 2025: M1 (2025-11-01) and M3 (undated); M1 counts once.
    assert rows.loc["t1", "achieved"] == 2
    # 16 days left: no whole month, so no pace, and not reached.
    assert rows.loc["late", "months_left"] == 0
    assert math.isnan(rows.loc["late", "monthly_pace"])
    assert not rows.loc["late", "reached"]
    # March 2025 from the 2nd: M1 (3-01) is before the start; M2, P1, Alfa, and the two
    # undated services count → 5 of 4.
    assert rows.loc["early", "achieved"] == 5 and rows.loc["early", "reached"]
    assert rows.loc["early", "end_date"] == D(2025, 3, 31)


def test_a_target_past_its_end_date_has_ended_unless_reached() -> None:
    today = D(2026, 12, 4)
    targets = [
        target("services", 20, kpi="late", end_date=D(2026, 12, 20)),
        target("services", 30, kpi="ended", end_date=D(2026, 11, 30)),
        target("services", 4, kpi="early", start_date=D(2025, 3, 2), end_date=D(2025, 3, 31)),
        target("services", 50, kpi="pace", end_date=D(2027, 12, 31)),
    ]
    table = kpi_progress(targets, services_frame(), assessments_frame(), today)
    states = {
        row.kpi: kpi_state(row.reached, row.end_date, row.monthly_pace, today)
        for row in table.itertuples()
    }
    # Ended and not reached: past its end, not "less than a month left".
    assert states == {"late": "last_month", "ended": "ended", "early": "reached", "pace": "pace"}
    # The end date itself is still within the target's time.
    assert kpi_state(False, today, math.nan, today) == "last_month"
    assert kpi_state(False, today - dt.timedelta(days=1), math.nan, today) == "ended"


def test_a_target_checks_its_own_fields() -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        target("visits", 3)
    with pytest.raises(ValueError, match="greater than 0"):
        target("services", 0)
    with pytest.raises(ValueError, match="needs a round"):
        target("assessments", 3)
    with pytest.raises(ValueError, match="unknown kind"):
        target("services", 3, kind="large")
    with pytest.raises(ValueError, match="unknown category"):
        target("services", 3, category="Consulting")
    with pytest.raises(ValueError, match="start before it ends"):
        target("services", 3, start_date=D(2028, 1, 1))
