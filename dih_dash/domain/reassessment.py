"""When each member's next assessment round is due (issue 12, the reassessment tracker), and
the services it received since its latest round.

Pure functions on the store's frames: the assessments (`Store.load_assessments`, one row per
member and round) and the services delivered (`services_store.load_services`). The member's
own report (`exports.member_report`) takes its "next assessment due" from `add_months` here,
so the report and the tracker never disagree on a date.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dih_dash.domain.cohort import wave_sort_key
from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.values import is_missing

# In the order the tracker lists them: what needs a call first comes first.
STATUSES: tuple[str, ...] = ("overdue", "due_soon", "not_due", "unknown")
# "Due soon": due within this many months from today (a month is time enough to book a round).
DUE_SOON_MONTHS = 1

SCHEDULE_COLUMNS: tuple[str, ...] = (
    "member_id",
    "company_name",
    "kind",
    "latest_wave",
    "assessed_on",
    "due_on",
    "status",
    "days_left",
    "services_since",
    "categories_since",
    "is_demo",
)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months; the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return day.replace(year=year, month=month, day=min(day.day, (following - dt.timedelta(1)).day))


def next_due(assessed_on: dt.date | None, months: int) -> dt.date | None:
    """The date the round after one made on `assessed_on` is due (None for an undated one)."""
    if months <= 0:
        raise ValueError(f"the months between rounds must be more than 0, got {months}")
    return add_months(assessed_on, months) if assessed_on is not None else None


def due_status(due_on: dt.date | None, today: dt.date) -> str:
    """`overdue` (due before today), `due_soon` (today or within DUE_SOON_MONTHS),
    `not_due`, or `unknown` when the latest round has no date."""
    if due_on is None:
        return "unknown"
    if due_on < today:
        return "overdue"
    if due_on <= add_months(today, DUE_SOON_MONTHS):
        return "due_soon"
    return "not_due"


def _date(value: object) -> dt.date | None:
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _kind(value: object) -> str:
    # Members stored before kinds existed are SMEs (as in exports.member_report).
    return "sme" if is_missing(value) else str(value).strip().lower()


def _folded(value: object) -> str:
    return str(value).strip().casefold()


def reassessment_schedule(
    assessments: pd.DataFrame,
    services: pd.DataFrame,
    months: int,
    today: dt.date,
) -> pd.DataFrame:
    """One row per member: its kind (`sme`/`pso`), latest round (`latest_wave`, by round
    order T0 < T1 < …) and its date, the date the next round is due (`months` after it),
    its `status` (see `due_status`) and `days_left` (negative when overdue, None when
    undated), and the services linked to it that started on or after the latest round's date
    (`services_since`, and `categories_since`: their categories once each, in the order of
    `services_schema.CATEGORIES`). An undated round counts all the member's services.

    Sorted by status (overdue first), then due date, then member id."""
    if months <= 0:
        raise ValueError(f"the months between rounds must be more than 0, got {months}")
    if assessments.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in SCHEDULE_COLUMNS})
    linked = services[services["member_id"].notna()] if len(services) else services
    by_member: dict[str, list[tuple[dt.date | None, str]]] = {}
    for member, start, category in zip(
        linked.get("member_id", ()), linked.get("start_date", ()), linked.get("category", ()),
        strict=True,
    ):  # fmt: skip
        by_member.setdefault(_folded(member), []).append((_date(start), str(category)))
    rows = []
    ids = assessments["member_id"].map(_folded)
    for member, group in assessments.groupby(ids, sort=False):
        order = sorted(group.index, key=lambda i: wave_sort_key(str(group.at[i, "wave"])))
        latest = group.loc[order[-1]]
        assessed = _date(latest.get("assessed_on"))
        due = next_due(assessed, months)
        received = [
            category
            for start, category in by_member.get(str(member), [])
            if assessed is None or (start is not None and start >= assessed)
        ]
        rows.append(
            {
                "member_id": str(latest["member_id"]),
                "company_name": str(latest.get("company_name", "")),
                "kind": _kind(latest.get("org_type")),
                "latest_wave": str(latest["wave"]),
                "assessed_on": assessed,
                "due_on": due,
                "status": due_status(due, today),
                "days_left": None if due is None else (due - today).days,
                "services_since": len(received),
                "categories_since": tuple(c for c in CATEGORIES if c in received),
                "is_demo": bool(latest.get("is_demo", False) or False),
            }
        )
    frame = pd.DataFrame(rows, columns=list(SCHEDULE_COLUMNS))
    frame["services_since"] = frame["services_since"].astype("int64")
    frame["days_left"] = pd.array(frame["days_left"].tolist(), dtype="Int64")
    frame["is_demo"] = frame["is_demo"].astype(bool)
    key = [
        (STATUSES.index(s), d or dt.date.max, m.casefold())
        for s, d, m in zip(frame["status"], frame["due_on"], frame["member_id"], strict=True)
    ]
    frame = frame.iloc[sorted(range(len(frame)), key=key.__getitem__)]
    return frame.reset_index(drop=True)


def status_counts(schedule: pd.DataFrame) -> dict[str, int]:
    """How many members are in each status, every status named (0 when none)."""
    found = schedule["status"].value_counts() if len(schedule) else pd.Series(dtype=int)
    return {status: int(found.get(status, 0)) for status in STATUSES}
