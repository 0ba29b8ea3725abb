"""What the public may see of the hub's members: the one place that owns the privacy rule.

Every public output — the member pages, the workshop deck with `public=True`, the HTML
report and PowerPoint built from it, CSV/XLSX downloads — goes through this module:

1. Minimum group size. Only aggregates over groups of at least `DisclosureRule.min_group`
   members (setting `min_group_size`, default 5). A smaller group stays in a table but is
   blanked (`suppress_small_groups`): every number of it, its count included, becomes
   missing and `suppressed` is True, so a page can say "fewer than N members".
2. Differencing (complement) rule. A filtered selection is shown only when it, and the
   members it leaves out, are each at least the minimum (`disclose`): otherwise two
   selections ("all" and "all but a few") could be subtracted into those few members'
   scores.
3. Statistics. Medians, quartiles, counts and shares, never means or totals beside blanked
   counts: the difference of two overlapping groups' means gives one member's score;
   medians do not add up that way (`public_table` drops every `mean` column).
4. Rounding. Public numbers carry `DisclosureRule.decimals` decimals (one), as shown.

A signed-in admin gets the `admin` rule: groups of one, every statistic, no rounding.

Pure: the caller builds the rule from the settings and says who is looking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Audience = Literal["public", "admin"]
Refusal = Literal["selection_too_small", "rest_too_small"]

SUPPRESSED = "suppressed"
# A column whose name contains this holds a mean (`mean`, `mean_change`, …): never public.
MEAN_MARK = "mean"
PUBLIC_STATISTICS: tuple[str, ...] = ("median",)
ALL_STATISTICS: tuple[str, ...] = ("median", "mean")


@dataclass(frozen=True)
class DisclosureRule:
    """Who is looking and what they may see. `DisclosureRule(5)` is the public rule of a
    hub whose minimum group is five; `DisclosureRule(5, audience="admin")` a signed-in
    admin's (the setting is kept, so a key built from the rule names it)."""

    min_group: int
    audience: Audience = "public"
    decimals: int = 1

    def __post_init__(self) -> None:
        if self.min_group < 1:
            raise ValueError(f"the minimum group size is at least 1, got {self.min_group}")
        if self.audience not in ("public", "admin"):
            raise ValueError(f"unknown audience {self.audience!r}")

    @classmethod
    def for_audience(cls, min_group: int, *, admin: bool) -> DisclosureRule:
        return cls(min_group, audience="admin" if admin else "public")

    @property
    def is_public(self) -> bool:
        return self.audience == "public"

    @property
    def minimum(self) -> int:
        """The smallest group shown: the setting for the public, one member for an admin."""
        return self.min_group if self.is_public else 1

    @property
    def statistics(self) -> tuple[str, ...]:
        """The group statistics this audience may choose between."""
        return PUBLIC_STATISTICS if self.is_public else ALL_STATISTICS

    def too_small(self, members: int | float | None) -> bool:
        """Whether a group of `members` must not be shown (unknown counts are too small)."""
        if members is None or pd.isna(members):
            return True
        return members < self.minimum

    def refusal(self, selected: int, everyone: int) -> Refusal | None:
        """Why a selection of `selected` of `everyone` members may not be shown, or None.

        The members left out must be none or at least the minimum too: else the selection
        and the whole cohort could be differenced into the few left out."""
        if not self.is_public:
            return None
        if self.too_small(selected):
            return "selection_too_small"
        left_out = everyone - selected
        if left_out and self.too_small(left_out):
            return "rest_too_small"
        return None

    def groups(
        self,
        table: pd.DataFrame,
        count_column: str = "members",
        value_columns: Sequence[str] | None = None,
        *,
        hide_count: bool = True,
    ) -> pd.DataFrame:
        """`suppress_small_groups` with this rule's minimum."""
        return suppress_small_groups(
            table, count_column, self.minimum, value_columns, hide_count=hide_count
        )

    def counts(self, table: pd.DataFrame, count_columns: Iterable[str]) -> pd.DataFrame:
        """A copy with each count cell (a group of its own, e.g. one cluster in one round)
        below the minimum blanked."""
        out = table.copy()
        for column in count_columns:
            values = pd.to_numeric(out[column], errors="coerce").astype("Int64")
            out[column] = values.mask(values.map(self.too_small).astype(bool))
        return out

    def public_table(self, frame: pd.DataFrame) -> pd.DataFrame:
        """What a table, chart's data or download may carry for this audience: for the
        public no means (which add up across groups), no suppression flags, and numbers
        rounded as the rule says; an admin gets every number, as it is. Neither gets the
        `suppressed` flags, which are for the page to say what it hides."""
        if not self.is_public:
            return frame.drop(columns=[SUPPRESSED], errors="ignore")
        drop = [c for c in frame.columns if MEAN_MARK in str(c) or c == SUPPRESSED]
        return frame.drop(columns=drop).round(self.decimals)


_TOKEN = object()


@dataclass(frozen=True, eq=False)
class PublicCohort:
    """A selection of assessments cleared for its audience by `disclose`; nothing else
    makes one. `rows` are the member rows to aggregate — never to show to the public:
    what reaches a page, deck or file goes through `rule` (`groups`, `public_table`)."""

    rows: pd.DataFrame
    rule: DisclosureRule
    members: int
    _token: object = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._token is not _TOKEN:
            raise TypeError("a PublicCohort is made by disclosure.disclose only")


@dataclass(frozen=True)
class Withheld:
    """A selection that may not be shown, and why (a `Refusal`)."""

    reason: Refusal
    minimum: int


def disclose(
    selection: pd.DataFrame, everyone: pd.DataFrame, rule: DisclosureRule
) -> PublicCohort | Withheld:
    """The `selection` (rows of `everyone`, one per member and wave) as a cohort its
    audience may see, or why it may not (minimum group, differencing rule)."""
    selected = int(selection["member_id"].nunique())
    reason = rule.refusal(selected, int(everyone["member_id"].nunique()))
    if reason is not None:
        return Withheld(reason, rule.minimum)
    return PublicCohort(selection, rule, selected, _TOKEN)


def suppress_small_groups(
    table: pd.DataFrame,
    count_column: str,
    min_group: int,
    value_columns: Sequence[str] | None = None,
    *,
    hide_count: bool = True,
) -> pd.DataFrame:
    """A copy of an aggregate table with `suppressed` = True for each row whose
    `count_column` is below `min_group`, and that row's numbers blanked (<NA>):
    `value_columns` (default: every numeric column) and, unless `hide_count` is False,
    the count itself. Blanked columns become nullable (Float64 / Int64)."""
    if min_group < 1:
        raise ValueError(f"the minimum group size is at least 1, got {min_group}")
    out = table.copy()
    counts = pd.to_numeric(out[count_column], errors="coerce")
    small = (counts < min_group).fillna(True).astype(bool)
    if value_columns is None:
        value_columns = [
            c
            for c in out.columns
            if c != SUPPRESSED
            and pd.api.types.is_numeric_dtype(out[c])
            and not pd.api.types.is_bool_dtype(out[c])
        ]
    blank = [c for c in value_columns if c != count_column]
    if hide_count:
        blank.append(count_column)
    for column in blank:
        integer = pd.api.types.is_integer_dtype(out[column])
        values = out[column].astype("Int64" if integer else "Float64")
        out[column] = values.mask(small)
    out[SUPPRESSED] = small.to_numpy()
    return out


def public_groups_only(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a suppressed aggregate table that may be drawn (not suppressed)."""
    if SUPPRESSED not in table:
        return table
    return table[~table[SUPPRESSED].astype(bool)]


def suppress_complement(
    table: pd.DataFrame,
    count_column: str,
    rule: DisclosureRule,
    value_columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """`rule.groups` for a table of disjoint groups whose total is published beside it
    (a headline count, a source line), with complementary suppression for the public.

    Blanking one group is not enough when the total is shown: the total minus the rows
    shown gives the blanked row back. So, for the public, while the blanked rows are one,
    or add up to fewer than the minimum, the smallest row still shown (by `count_column`,
    the first such in table order on a tie) is blanked too. What the total then gives away
    is the sum of several blanked groups, itself at least the minimum. An admin's table is
    `rule.groups` as it is."""
    out = rule.groups(table, count_column, value_columns)
    if not rule.is_public:
        return out
    counts = pd.to_numeric(table[count_column], errors="coerce").fillna(0).to_numpy()
    hidden = out[SUPPRESSED].to_numpy(dtype=bool).copy()
    while hidden.any() and (hidden.sum() == 1 or counts[hidden].sum() < rule.minimum):
        shown = [i for i in range(len(hidden)) if not hidden[i]]
        if not shown:
            break
        hidden[min(shown, key=lambda i: (counts[i], i))] = True
    extra = hidden & ~out[SUPPRESSED].to_numpy(dtype=bool)
    if not extra.any():
        return out
    mask = pd.Series(extra, index=out.index)
    blank = [
        c
        for c in out.columns
        if c != SUPPRESSED
        and pd.api.types.is_numeric_dtype(out[c])
        and not pd.api.types.is_bool_dtype(out[c])
        and (value_columns is None or c in value_columns or c == count_column)
    ]
    for column in blank:
        integer = pd.api.types.is_integer_dtype(out[column])
        out[column] = out[column].astype("Int64" if integer else "Float64").mask(mask)
    out[SUPPRESSED] = hidden
    return out
