"""What the services changed (spec edih-services.md §5): for a pair of rounds, the change of
the members served in a category against the change of the members not served at all.

Pure functions over frames: the assessments (`Store.load_assessments`: member_id, org_type,
wave, assessed_on, dma_overall) and the services delivered (`services_store.load_services`:
member_id — None while unlinked —, category, start_date).

The rules, per pair of rounds (`earlier` → `later`):

- Only members assessed in both rounds with a `dma_overall` in both count. Their change is
  the later score minus the earlier one, in DMA points.
- The instrument is the member's kind (`org_type`): SMEs and public-sector organisations
  answer different questionnaires, so they are never pooled; a member of another or no kind
  is left out.
- *Served* in a category: at least one linked service of that category that started on or
  after the member's earlier assessment. A service without a start date counts only when
  the earlier assessment has no date either: else nothing says it came after the first
  measurement, and a service delivered before it cannot explain the change since.
- *Not served*: no linked service of any category, whenever delivered. A member served only
  in other categories (or only before the first round) is in neither group of a category.
- The difference is the served group's median change minus the not-served group's, with a
  percentile bootstrap interval: each group resampled with replacement on its own,
  `resamples` times. Every (instrument, category) row draws from its own generator, seeded
  from `seed` and the row's place, so a row's interval does not depend on which other
  rows exist (adding PSOs to the store leaves the SMEs' figures as they were).

These groups are not randomised: members chose (or were chosen for) the services, so the
difference describes the hub's members, it does not prove the services caused it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dih_dash.domain.disclosure import DisclosureRule
from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.values import is_missing

INSTRUMENTS: tuple[str, ...] = ("sme", "pso")
DEFAULT_SEED = 20261204
IMPACT_COLUMNS: tuple[str, ...] = (
    "instrument",
    "category",
    "served",
    "not_served",
    "served_median",
    "not_served_median",
    "difference",
    "ci_low",
    "ci_high",
)
COUNT_COLUMNS: tuple[str, ...] = ("served", "not_served")
VALUE_COLUMNS: tuple[str, ...] = (
    "served_median",
    "not_served_median",
    "difference",
    "ci_low",
    "ci_high",
)
HIDDEN_COLUMNS: tuple[str, ...] = ("served_hidden", "not_served_hidden")


def paired_changes(
    assessments: pd.DataFrame, *, earlier: str = "T0", later: str = "T1"
) -> pd.DataFrame:
    """One row per member assessed in both rounds with a `dma_overall` in both:
    member_id, instrument, earlier_on (the earlier assessment's date or None) and change
    (later − earlier, in points). Sorted by instrument, then member."""
    if earlier == later:
        raise ValueError(f"the impact needs two different rounds, got {earlier} twice")
    columns = ["member_id", "instrument", "earlier_on", "change"]
    scored = assessments[assessments["dma_overall"].notna()]
    before = scored[scored["wave"] == earlier].set_index("member_id")
    after = scored[scored["wave"] == later].set_index("member_id")
    for name, part in ((earlier, before), (later, after)):
        if part.index.has_duplicates:
            raise ValueError(f"a member is assessed more than once in round {name}")
    members = [m for m in after.index if m in before.index]
    if not members:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).astype({"change": float})
    kinds = after.loc[members, "org_type"]
    out = pd.DataFrame(
        {
            "member_id": members,
            "instrument": [None if is_missing(k) else str(k).lower() for k in kinds],
            "earlier_on": [_date(d) for d in before.loc[members, "assessed_on"]],
            "change": (
                after.loc[members, "dma_overall"].astype(float).to_numpy()
                - before.loc[members, "dma_overall"].astype(float).to_numpy()
            ),
        }
    )
    out = out[out["instrument"].isin(INSTRUMENTS)]
    order = out["instrument"].map(INSTRUMENTS.index)
    return (
        out.assign(_order=order)
        .sort_values(["_order", "member_id"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _date(value: object) -> dt.date | None:
    """A day, or None: timestamps lose their time, missing values (NaT too) become None."""
    if is_missing(value) or not isinstance(value, dt.date):
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def _counts(start: object, earlier_on: dt.date | None) -> bool:
    """Whether a service that started on `start` may explain a change measured from
    `earlier_on` (see the module's rules)."""
    if earlier_on is None:
        return True
    day = _date(start)
    return day is not None and day >= earlier_on


def service_groups(paired: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    """`paired` (see `paired_changes`) with `never_served` (no linked service at all) and,
    per category, a bool column named after it: served in that category after the earlier
    assessment."""
    out = paired.copy()
    linked = services[services["member_id"].notna()] if len(services) else services
    by_member: dict[str, list[tuple[object, object]]] = {}
    for member, category, start in zip(
        linked.get("member_id", []),
        linked.get("category", []),
        linked.get("start_date", []),
        strict=True,
    ):
        by_member.setdefault(str(member), []).append((category, start))
    out["never_served"] = [str(m) not in by_member for m in out["member_id"]]
    for category in CATEGORIES:
        out[category] = [
            any(
                c == category and _counts(start, earlier_on)
                for c, start in by_member.get(str(member), [])
            )
            for member, earlier_on in zip(out["member_id"], out["earlier_on"], strict=True)
        ]
    return out


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if len(values) else float("nan")


def _interval(
    served: np.ndarray,
    not_served: np.ndarray,
    rng: np.random.Generator,
    resamples: int,
    level: float,
) -> tuple[float, float]:
    """The percentile bootstrap interval of median(served) − median(not served)."""
    picks_served = rng.integers(0, len(served), size=(resamples, len(served)))
    picks_other = rng.integers(0, len(not_served), size=(resamples, len(not_served)))
    differences = np.median(served[picks_served], axis=1) - np.median(
        not_served[picks_other], axis=1
    )
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(differences, [tail, 100.0 - tail])
    return float(low), float(high)


def empty_impact() -> pd.DataFrame:
    """An impact table with no rows (no member assessed in both rounds)."""
    return pd.DataFrame(
        {
            "instrument": pd.Series(dtype=object),
            "category": pd.Series(dtype=object),
            "served": pd.Series(dtype=int),
            "not_served": pd.Series(dtype=int),
            **{c: pd.Series(dtype=float) for c in VALUE_COLUMNS},
        }
    )


def impact_table(
    assessments: pd.DataFrame,
    services: pd.DataFrame,
    *,
    earlier: str = "T0",
    later: str = "T1",
    resamples: int = 2000,
    level: float = 0.90,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Per instrument with members assessed in both rounds (SMEs, then PSOs) and category
    (in `CATEGORIES` order): the size of the served and not-served groups, the median change
    of each, the difference of the medians (served − not served) and its bootstrap interval
    at `level`. A figure that needs an empty group is NaN. The same inputs give the same
    figures, to the last digit."""
    if resamples < 1:
        raise ValueError(f"the bootstrap needs at least one resample, got {resamples}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"the interval's level lies between 0 and 1, got {level}")
    groups = service_groups(paired_changes(assessments, earlier=earlier, later=later), services)
    rows: list[dict[str, object]] = []
    for i, instrument in enumerate(INSTRUMENTS):
        members = groups[groups["instrument"] == instrument]
        if members.empty:
            continue
        not_served = members.loc[members["never_served"], "change"].to_numpy(dtype=float)
        for j, category in enumerate(CATEGORIES):
            served = members.loc[members[category], "change"].to_numpy(dtype=float)
            served_median, other_median = _median(served), _median(not_served)
            low = high = float("nan")
            if len(served) and len(not_served):
                # Seeded per row from its place, so no other row changes its draws.
                rng = np.random.default_rng([seed, i, j])
                low, high = _interval(served, not_served, rng, resamples, level)
            rows.append(
                {
                    "instrument": instrument,
                    "category": category,
                    "served": len(served),
                    "not_served": len(not_served),
                    "served_median": served_median,
                    "not_served_median": other_median,
                    "difference": served_median - other_median,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    if not rows:
        return empty_impact()
    table = pd.DataFrame(rows, columns=list(IMPACT_COLUMNS))
    return table.astype({"served": int, "not_served": int, **dict.fromkeys(VALUE_COLUMNS, float)})


def public_impact(table: pd.DataFrame, rule: DisclosureRule) -> pd.DataFrame:
    """`table` as the audience of `rule` may see it, with `served_hidden` and
    `not_served_hidden`: for the public a group below the minimum has its count and median
    blanked, and then the difference and its interval too (they are made from that group);
    numbers are rounded as the rule says. An admin sees everything, unrounded."""
    out = table.copy()
    for count, hidden in zip(COUNT_COLUMNS, HIDDEN_COLUMNS, strict=True):
        out[hidden] = [rule.is_public and rule.too_small(n) for n in out[count]]
        out[hidden] = out[hidden].astype(bool)
    served_hidden, other_hidden = out["served_hidden"], out["not_served_hidden"]
    out["served"] = out["served"].astype("Int64").mask(served_hidden)
    out["not_served"] = out["not_served"].astype("Int64").mask(other_hidden)
    out["served_median"] = out["served_median"].astype(float).mask(served_hidden)
    out["not_served_median"] = out["not_served_median"].astype(float).mask(other_hidden)
    either = served_hidden | other_hidden
    for column in ("difference", "ci_low", "ci_high"):
        out[column] = out[column].astype(float).mask(either)
    if rule.is_public:
        out[list(VALUE_COLUMNS)] = out[list(VALUE_COLUMNS)].round(rule.decimals)
    return out[[*IMPACT_COLUMNS, *HIDDEN_COLUMNS]]
