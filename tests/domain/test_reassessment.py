"""When each member's next round is due, and what it received since its latest one; and
which members a customer name may be linked to."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dih_dash.domain.customer_links import link_candidates, member_kinds
from dih_dash.domain.reassessment import (
    STATUSES,
    add_months,
    due_status,
    next_due,
    reassessment_schedule,
    status_counts,
)

TODAY = dt.date(2026, 3, 10)


def assessment(member: str, wave: str, on: dt.date | None, kind: str | None = "sme") -> dict:
    return {
        "member_id": member,
        "company_name": f"Firma {member}",
        "wave": wave,
        "assessed_on": on,
        "org_type": kind,
        "is_demo": False,
    }


def service(member: str | None, category: str, start: dt.date | None) -> dict:
    return {"member_id": member, "category": category, "start_date": start}


ASSESSMENTS = pd.DataFrame(
    [
        # T10 after T2 (by number, not as text): the latest round is T10, a year ago.
        assessment("A1", "T2", dt.date(2024, 1, 5)),
        assessment("A1", "T10", dt.date(2025, 3, 1)),
        # Due 2026-04-10: within a month of today.
        assessment("B2", "T0", dt.date(2025, 4, 10)),
        # Due today exactly: due soon, not overdue.
        assessment("C3", "T0", dt.date(2025, 3, 10)),
        assessment("D4", "T0", dt.date(2025, 9, 30), kind="pso"),
        assessment("E5", "T0", None, kind=None),
    ]
)
SERVICES = pd.DataFrame(
    [
        service("A1", "Training and skills development", dt.date(2025, 3, 1)),  # the same day
        service("a1", "Test before invest", dt.date(2025, 6, 1)),  # id in another case
        service("A1", "Test before invest", dt.date(2025, 7, 1)),
        service("A1", "Support to find investment", dt.date(2024, 12, 1)),  # before T10
        service("A1", "Support to find investment", None),  # undated: not "since"
        service("E5", "Innovation ecosystem and networking", dt.date(2020, 1, 1)),
        service(None, "Test before invest", dt.date(2025, 8, 1)),  # unlinked
    ]
)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 12, 20), 12) == dt.date(2026, 12, 20)
    assert add_months(dt.date(2025, 12, 1), 1) == dt.date(2026, 1, 1)
    assert next_due(None, 12) is None
    with pytest.raises(ValueError, match="more than 0"):
        next_due(dt.date(2025, 1, 1), 0)


def test_statuses_at_their_edges():
    assert due_status(None, TODAY) == "unknown"
    assert due_status(TODAY - dt.timedelta(days=1), TODAY) == "overdue"
    assert due_status(TODAY, TODAY) == "due_soon"
    assert due_status(dt.date(2026, 4, 10), TODAY) == "due_soon"
    assert due_status(dt.date(2026, 4, 11), TODAY) == "not_due"


def test_one_row_per_member_ordered_by_urgency():
    found = reassessment_schedule(ASSESSMENTS, SERVICES, 12, TODAY)
    assert list(found["member_id"]) == ["A1", "C3", "B2", "D4", "E5"]
    rows = found.set_index("member_id")
    assert rows.loc["A1", "latest_wave"] == "T10"
    assert rows.loc["A1", "due_on"] == dt.date(2026, 3, 1)
    assert rows.loc["A1", "status"] == "overdue" and rows.loc["A1", "days_left"] == -9
    assert rows.loc["C3", "status"] == "due_soon" and rows.loc["C3", "days_left"] == 0
    assert rows.loc["B2", "status"] == "due_soon" and rows.loc["B2", "days_left"] == 31
    assert rows.loc["D4", "status"] == "not_due" and rows.loc["D4", "kind"] == "pso"
    assert rows.loc["E5", "status"] == "unknown" and rows.loc["E5", "kind"] == "sme"
    assert pd.isna(rows.loc["E5", "due_on"]) and pd.isna(rows.loc["E5", "days_left"])


def test_services_since_the_latest_round():
    rows = reassessment_schedule(ASSESSMENTS, SERVICES, 12, TODAY).set_index("member_id")
    # On or after 2025-03-01, dated, whatever the id's letter case; in the categories' order.
    assert rows.loc["A1", "services_since"] == 3
    assert rows.loc["A1", "categories_since"] == (
        "Test before invest",
        "Training and skills development",
    )
    # An undated round: every service of the member counts.
    assert rows.loc["E5", "services_since"] == 1
    assert rows.loc["B2", "services_since"] == 0 and rows.loc["B2", "categories_since"] == ()


def test_the_months_setting_moves_every_due_date():
    six = reassessment_schedule(ASSESSMENTS, SERVICES, 6, TODAY).set_index("member_id")
    assert six.loc["D4", "due_on"] == dt.date(2026, 3, 30)
    assert six.loc["D4", "status"] == "due_soon"
    assert six.loc["B2", "status"] == "overdue"
    with pytest.raises(ValueError):
        reassessment_schedule(ASSESSMENTS, SERVICES, 0, TODAY)


def test_counts_name_every_status():
    found = reassessment_schedule(ASSESSMENTS, SERVICES, 12, TODAY)
    assert status_counts(found) == {"overdue": 1, "due_soon": 2, "not_due": 1, "unknown": 1}
    empty = reassessment_schedule(ASSESSMENTS.iloc[:0], SERVICES, 12, TODAY)
    assert empty.empty and status_counts(empty) == dict.fromkeys(STATUSES, 0)


def test_no_services_at_all():
    nothing = pd.DataFrame(columns=["member_id", "category", "start_date"])
    found = reassessment_schedule(ASSESSMENTS, nothing, 12, TODAY)
    assert found["services_since"].sum() == 0


def test_link_candidates_follow_the_customer_type():
    members = member_kinds(ASSESSMENTS)
    assert list(members["member_id"]) == ["A1", "B2", "C3", "D4", "E5"]
    assert members.set_index("member_id").loc["E5", "kind"] == "sme"
    assert list(link_candidates(members, "PSO")["member_id"]) == ["D4"]
    assert list(link_candidates(members, "SME")["member_id"]) == ["A1", "B2", "C3", "E5"]
    assert list(link_candidates(members, "Small mid-cap")["member_id"]) == [
        "A1",
        "B2",
        "C3",
        "E5",
    ]
    assert len(link_candidates(members, None)) == 5
    assert member_kinds(ASSESSMENTS.iloc[:0]).empty
