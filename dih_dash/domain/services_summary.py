"""The hub's services delivered, summed up: counts by category, month, kind, cluster and
county, and progress towards the hub's own targets (config/kpis.toml).

Pure functions over two frames: the services as `services_store.load_services` returns
them (one row per service) and the assessments as `Store.load_assessments` returns them
(one row per member and round). Nothing here reads the store, a file or the clock: the
caller passes `today`.

Who a customer is: the linked member (its id), else the customer's folded name
(`customer_key`), so one company counted twice under two spellings of an unlinked name is
counted once as soon as staff link it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from dih_dash.domain.cohort import wave_sort_key
from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.values import is_missing

DIMENSIONS: tuple[str, ...] = ("category", "month", "kind", "cluster", "county")
KINDS: tuple[str, ...] = ("sme", "pso")
# The buckets that are not a value of their dimension; pages translate them.
NO_DATE = "no date"  # month: a service stored without a start date
UNKNOWN = "unknown"  # kind, cluster, county: not stated
UNLINKED = "unlinked"  # cluster, county: the customer is not linked to a member

# The customer types of the Commission's export, as member kinds (small mid-caps are
# assessed with the SME questionnaire).
_CUSTOMER_TYPE_KINDS = {"sme": "sme", "small mid-cap": "sme", "pso": "pso"}

METRICS: tuple[str, ...] = ("customers_served", "services", "assessments")
KPI_COLUMNS: tuple[str, ...] = (
    "kpi",
    "label_en",
    "label_ro",
    "target",
    "achieved",
    "share",
    "end_date",
    "months_left",
    "monthly_pace",
    "reached",
)


@dataclass(frozen=True)
class KpiTarget:
    """One of the hub's own targets (a `[[target]]` of config/kpis.toml).

    `metric` says what is counted:
    - `customers_served`: distinct customers with at least one service;
    - `services`: services delivered;
    - `assessments`: members assessed in round `wave` (each member once, every kind).
    `kind` (`sme`/`pso`) and `category` (one of `CATEGORIES`) narrow what is counted;
    `start_date`/`end_date` is the programme period: services starting, and assessments
    made, in it count (undated ones count too: they were delivered, only not dated).
    """

    kpi: str
    metric: str
    target: float
    end_date: dt.date
    label_en: str
    label_ro: str
    start_date: dt.date | None = None
    kind: str | None = None
    category: str | None = None
    wave: str | None = None

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; known: {', '.join(METRICS)}")
        if not self.target > 0:
            raise ValueError(f"a target must be greater than 0, got {self.target}")
        if self.metric == "assessments" and not self.wave:
            raise ValueError("an assessments target needs a round (wave), e.g. T0")
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; known: {', '.join(KINDS)}")
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}; known: {', '.join(CATEGORIES)}")
        if self.start_date is not None and self.start_date >= self.end_date:
            raise ValueError("the programme must start before it ends")


# --- who, what kind, where ---------------------------------------------------------------


def customer_ids(services: pd.DataFrame) -> pd.Series:
    """One id per service's customer: the linked member, else the folded name."""
    return pd.Series(
        [
            f"member:{member}" if not is_missing(member) else f"customer:{key}"
            for member, key in zip(services["member_id"], services["customer_key"], strict=True)
        ],
        index=services.index,
        dtype=object,
    )


def service_kinds(services: pd.DataFrame) -> pd.Series:
    """`sme`/`pso` per service: the linked member's kind, else the export's customer type,
    else `unknown`."""
    kinds = []
    for org_type, customer_type in zip(
        services["org_type"], services["customer_type"], strict=True
    ):
        if not is_missing(org_type) and str(org_type) in KINDS:
            kinds.append(str(org_type))
        elif not is_missing(customer_type):
            kinds.append(_CUSTOMER_TYPE_KINDS.get(str(customer_type).strip().lower(), UNKNOWN))
        else:
            kinds.append(UNKNOWN)
    return pd.Series(kinds, index=services.index, dtype=object)


def service_months(services: pd.DataFrame) -> pd.Series:
    """`YYYY-MM` of each service's start date; `NO_DATE` when it has none."""
    return pd.Series(
        [
            f"{d.year:04d}-{d.month:02d}" if isinstance(d, dt.date) else NO_DATE
            for d in services["start_date"]
        ],
        index=services.index,
        dtype=object,
    )


def latest_assessments(assessments: pd.DataFrame) -> pd.DataFrame:
    """Each member's most recent assessment: the latest round, then the latest date."""
    if assessments.empty:
        return assessments.iloc[0:0]
    order = sorted(
        range(len(assessments)),
        key=lambda i: (
            wave_sort_key(assessments["wave"].iat[i]),
            _date_key(assessments["assessed_on"].iat[i] if "assessed_on" in assessments else None),
        ),
    )
    ordered = assessments.iloc[order]
    return ordered.drop_duplicates("member_id", keep="last").set_index("member_id")


def _date_key(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.min


def service_places(services: pd.DataFrame, assessments: pd.DataFrame, column: str) -> pd.Series:
    """The linked member's cluster or county (`column`) in its latest assessment; `UNLINKED`
    for an unlinked customer, `UNKNOWN` when the member's assessment does not say."""
    latest = latest_assessments(assessments)
    known = latest[column].to_dict() if column in latest else {}
    places = []
    for member in services["member_id"]:
        if is_missing(member):
            places.append(UNLINKED)
            continue
        value = known.get(member)
        places.append(UNKNOWN if is_missing(value) or not str(value).strip() else str(value))
    return pd.Series(places, index=services.index, dtype=object)


# --- counts --------------------------------------------------------------------------------


def _last(value: str) -> tuple[int, str]:
    # The buckets that are not values go after the values.
    return (1 if value in (NO_DATE, UNKNOWN, UNLINKED) else 0, value)


def services_by(services: pd.DataFrame, assessments: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Services and distinct customers per value of `dimension`: `category` (the four, in
    the Commission's order, zeros included), `month` (the start date's `YYYY-MM`, oldest
    first, undated services in a last `NO_DATE` row), `kind` (`sme`, `pso`, then `unknown`
    if any), `cluster` or `county` (the linked member's latest assessment; by name, then
    `unknown` and `unlinked`).

    Columns: `<dimension>`, `services` (int), `customers` (int). A customer served in two
    rows of the table counts in both, so the customers column does not add up to the
    distinct customers overall."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; known: {', '.join(DIMENSIONS)}")
    if dimension == "category":
        values = services["category"].astype(object)
        order: list[str] = list(CATEGORIES)
    elif dimension == "month":
        values = service_months(services)
        order = []
    elif dimension == "kind":
        values = service_kinds(services)
        order = list(KINDS)
    else:
        values = service_places(services, assessments, dimension)
        order = []
    grouped = pd.DataFrame({"value": values, "customer": customer_ids(services)})
    counts = {
        str(value): (len(group), group["customer"].nunique())
        for value, group in grouped.groupby("value", sort=False)
    }
    present = sorted((v for v in counts if v not in order), key=_last)
    rows = [(v, *counts.get(v, (0, 0))) for v in [*order, *present]]
    table = pd.DataFrame(rows, columns=[dimension, "services", "customers"])
    table[dimension] = table[dimension].astype(object)
    return table.astype({"services": "int64", "customers": "int64"})


# --- the hub's targets ---------------------------------------------------------------------


def months_between(today: dt.date, end: dt.date) -> int:
    """Whole months from `today` to `end` (0 once less than a month is left or `end` passed):
    2026-12-04 → 2027-12-31 is 12, → 2027-01-03 is 0."""
    months = (end.year - today.year) * 12 + end.month - today.month
    if end.day < today.day:
        months -= 1
    return max(months, 0)


def _in_period(dates: pd.Series, start: dt.date | None, end: dt.date) -> pd.Series:
    return dates.map(
        lambda d: not isinstance(d, dt.date) or ((start is None or d >= start) and d <= end)
    ).astype(bool)


def achieved(target: KpiTarget, services: pd.DataFrame, assessments: pd.DataFrame) -> int:
    """What has been done towards `target` (see KpiTarget for what counts)."""
    if target.metric == "assessments":
        rows = assessments[assessments["wave"].astype(str) == target.wave]
        if target.kind is not None:
            rows = rows[rows["org_type"] == target.kind]
        if "assessed_on" in rows:
            rows = rows[_in_period(rows["assessed_on"], target.start_date, target.end_date)]
        return int(rows["member_id"].nunique())
    rows = services[_in_period(services["start_date"], target.start_date, target.end_date)]
    if target.kind is not None:
        rows = rows[service_kinds(rows) == target.kind]
    if target.category is not None:
        rows = rows[rows["category"] == target.category]
    if target.metric == "services":
        return len(rows)
    return int(customer_ids(rows).nunique())


KpiState = Literal["reached", "ended", "last_month", "pace"]


def kpi_state(reached: bool, end_date: dt.date, monthly_pace: float, today: dt.date) -> KpiState:
    """How a target stands, for the words beside it: `reached` (wins even after the end
    date), `ended` (the end date has passed short of the target), `last_month` (not
    reached, less than a month left: no monthly pace to give) or `pace`."""
    if reached:
        return "reached"
    if end_date < today:
        return "ended"
    if math.isnan(float(monthly_pace)):
        return "last_month"
    return "pace"


def kpi_progress(
    targets: Sequence[KpiTarget],
    services: pd.DataFrame,
    assessments: pd.DataFrame,
    today: dt.date,
) -> pd.DataFrame:
    """One row per target, in the file's order: `kpi`, `label_en`, `label_ro`, `target`,
    `achieved`, `share` (achieved as a % of the target, 0–100), `end_date`, `months_left`
    (whole months to the end date), `monthly_pace` (how many a month are still needed to
    reach the target by the end date; 0 once reached, NaN when not reached and less than a
    month is left), `reached` (bool)."""
    rows = []
    for target in targets:
        done = achieved(target, services, assessments)
        left = months_between(today, target.end_date)
        reached = done >= target.target
        if reached:
            pace = 0.0
        elif left > 0:
            pace = (target.target - done) / left
        else:
            pace = float("nan")
        rows.append(
            {
                "kpi": target.kpi,
                "label_en": target.label_en,
                "label_ro": target.label_ro,
                "target": float(target.target),
                "achieved": done,
                "share": min(100.0, 100.0 * done / target.target),
                "end_date": target.end_date,
                "months_left": left,
                "monthly_pace": pace,
                "reached": reached,
            }
        )
    table = pd.DataFrame(rows, columns=list(KPI_COLUMNS))
    return table.astype(
        {
            "kpi": object,
            "label_en": object,
            "label_ro": object,
            "target": "float64",
            "achieved": "int64",
            "share": "float64",
            "end_date": object,
            "months_left": "int64",
            "monthly_pace": "float64",
            "reached": bool,
        }
    )
