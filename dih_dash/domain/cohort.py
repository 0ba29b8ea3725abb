"""The hub's members as a cohort: filters, headline shares, progress between waves,
member profiles, counties, and the privacy rule of the public view.

Pure functions over a *scored* assessment frame: `ASSESSMENT_COLUMNS` (one row per member
and wave, the store's key) plus the columns `score_assessments` adds (`dma_band`,
`dii_score`, `dii_band`, `dii_at_least_basic`). Nothing here reads the store or draws.

What the public view (no sign-in) may show is decided in one place,
`dih_dash.domain.disclosure`: the minimum group, the differencing rule, medians not means,
rounding. Chart builders never read `member_id` or `company_name` from a table; a name
reaches a figure only where a signed-in admin's page passes it.

Demo data: `displayed_cohort` keeps fictional demo companies out of real figures.

Kinds (spec edih-services.md §1): SMEs and public-sector organisations (PSOs) answer two
instruments with different dimensions. Every function that aggregates or lines up
dimension scores takes the `kind` whose dimensions it reads and refuses a frame holding
both kinds, so a PSO's score is never averaged with an SME's or drawn on one line with it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

# Re-exported: the charts and older callers name them here.
from dih_dash.domain.disclosure import SUPPRESSED as SUPPRESSED
from dih_dash.domain.disclosure import public_groups_only
from dih_dash.domain.disclosure import suppress_small_groups as suppress_small_groups
from dih_dash.domain.scoring import (
    DEFAULT_DII_BOUNDS,
    DEFAULT_DMA_BOUNDS,
    DII_BANDS,
    DMA_BANDS,
    dma_band,
    score_assessments,
)
from dih_dash.domain.survey_schema import (
    DII_ITEMS,
    DMA_COLUMNS,
    DMA_DIMENSIONS,
    DMA_OVERALL,
    ORG_TYPES,
    PSO_DIMENSIONS,
    SIZE_CLASSES,
)
from dih_dash.values import is_missing

SIZE_GROUPS: tuple[str, ...] = ("10plus", "micro", "unknown")
# Eurostat's DII covers enterprises with 10 or more persons employed; below that there is
# no national figure to compare with, so micro members are always counted apart.
MICRO_EMPLOYEES_BELOW = 10
# The Digital Decade target: more than 90% of SMEs at least basic by 2030.
DII_TARGET = 90.0

GROUPINGS: tuple[str, ...] = ("cluster", "sector", "size_class", "size_group", "county")
IDENTIFYING_COLUMNS: tuple[str, ...] = ("member_id", "company_name")

DiiStatus = Literal["met", "missing", "unknown"]
SERVICE_KINDS: tuple[str, ...] = ("course", "funding_advice", "partnership", "technology_provider")


# --- kinds: SMEs and public-sector organisations -------------------------------------------

Kind = Literal["sme", "pso"]
KINDS: tuple[str, ...] = ORG_TYPES
KIND_COLUMN = "org_type"
# What the DII columns hold for a PSO: the DII is an index of enterprises (Eurostat's ICT
# survey of enterprises), not asked of public-sector organisations.
_DII_SCORED = ("dii_score", "dii_band", "dii_at_least_basic")


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    return kind


def kind_dimensions(kind: str = "sme") -> tuple[str, ...]:
    """The six dimensions of a kind's instrument, in its questionnaire's order."""
    return PSO_DIMENSIONS if check_kind(kind) == "pso" else DMA_DIMENSIONS


def kind_columns(kind: str = "sme") -> tuple[str, ...]:
    """The six dimensions of a kind's instrument and its overall score (`dma_overall`)."""
    return (*kind_dimensions(kind), DMA_OVERALL)


def member_kinds(frame: pd.DataFrame) -> pd.Series:
    """`sme` or `pso` per row; a row without a kind (a frame from before kinds existed) is
    an SME's."""
    if KIND_COLUMN not in frame.columns:
        return pd.Series("sme", index=frame.index, dtype=object)
    return frame[KIND_COLUMN].map(lambda v: "sme" if is_missing(v) else str(v).strip().lower())


def kind_rows(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The rows of one kind's members (a copy)."""
    return frame[member_kinds(frame) == check_kind(kind)].copy()


def kind_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Distinct members of each kind, every kind present (zero when none)."""
    kinds = member_kinds(frame)
    return {k: int(frame.loc[kinds == k, "member_id"].nunique()) for k in KINDS}


def _one_kind(frame: pd.DataFrame, kind: str) -> None:
    """Refuse a frame with members of another kind than the one whose dimensions are read:
    the two instruments' scores are never aggregated together."""
    check_kind(kind)
    if frame.empty or KIND_COLUMN not in frame.columns:
        return
    other = set(member_kinds(frame)) - {kind}
    if other:
        raise ValueError(
            f"the frame holds {', '.join(sorted(other))} members besides {kind} ones: "
            "pick one kind (kind_rows) before aggregating their scores"
        )


def _single_kind(frame: pd.DataFrame) -> None:
    """Refuse a frame with members of both kinds where their overall scores would meet in
    one band share or median."""
    if not frame.empty and KIND_COLUMN in frame.columns and member_kinds(frame).nunique() > 1:
        raise ValueError("the frame holds members of both kinds: pick one (kind_rows) first")


def scored_members(
    frame: pd.DataFrame,
    dma_bounds: Sequence[float] = DEFAULT_DMA_BOUNDS,
    dii_bounds: Sequence[int] = DEFAULT_DII_BOUNDS,
) -> pd.DataFrame:
    """The members the pages show, of both kinds, scored (`score_assessments`): the real
    ones once the store holds any, else the demo cohort, decided over the whole store so a
    real hub never sees fictional organisations of the other kind. A PSO has no DII: its DII
    score, band and "at least basic" are empty whatever its row carries."""
    scored = score_assessments(displayed_cohort(frame), dma_bounds, dii_bounds)
    pso = (member_kinds(scored) == "pso").to_numpy()
    if pso.any():
        for column in _DII_SCORED:
            scored.loc[pso, column] = None
    return scored


def scored_kind(
    frame: pd.DataFrame,
    kind: str,
    dma_bounds: Sequence[float] = DEFAULT_DMA_BOUNDS,
    dii_bounds: Sequence[int] = DEFAULT_DII_BOUNDS,
) -> pd.DataFrame:
    """The scored members of one kind (`scored_members`, then `kind_rows`)."""
    return kind_rows(scored_members(frame, dma_bounds, dii_bounds), kind)


# --- waves and filters --------------------------------------------------------------------

_WAVE = re.compile(r"^T(\d+)$", re.IGNORECASE)


def displayed_cohort(frame: pd.DataFrame) -> pd.DataFrame:
    """The assessments the pages and decks show: the real ones once there are any, else the
    demo cohort. Fictional companies never mix into the figures of real members."""
    if "is_demo" not in frame.columns or frame.empty:
        return frame
    demo = frame["is_demo"].fillna(False).astype(bool)
    return frame[~demo] if (~demo).any() else frame


def assessment_years(frame: pd.DataFrame) -> str | None:
    """`2025–2026`: the years the assessments in `frame` were made (None when undated)."""
    years = sorted(
        {
            d.year
            for d in frame.get("assessed_on", pd.Series(dtype=object))
            if isinstance(d, dt.date)
        }
    )
    if not years:
        return None
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def wave_sort_key(wave: str) -> tuple[int, int, str]:
    """T0 < T1 < … < T10 by number, not as text ("T10" < "T2"); anything else after them."""
    match = _WAVE.match(str(wave).strip())
    if match:
        return (0, int(match.group(1)), "")
    return (1, 0, str(wave))


def sorted_waves(waves: Iterable[object]) -> list[str]:
    """The distinct waves present, in assessment order; missing values left out."""
    return sorted({str(w) for w in waves if not is_missing(w)}, key=wave_sort_key)


@dataclass(frozen=True)
class CohortFilters:
    """The cohort a page looks at; an empty selection means "all" for that field."""

    clusters: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    size_classes: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    waves: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.clusters or self.sectors or self.size_classes or self.counties or self.waves
        )

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of `frame` that match every non-empty selection (a copy)."""
        keep = pd.Series(True, index=frame.index)
        for column, chosen in (
            ("cluster", self.clusters),
            ("sector", self.sectors),
            ("size_class", self.size_classes),
            ("county", self.counties),
            ("wave", self.waves),
        ):
            if chosen:
                keep &= frame[column].isin(list(chosen)).fillna(False).astype(bool)
        return frame[keep].copy()


# --- size groups --------------------------------------------------------------------------


def size_group(frame: pd.DataFrame) -> pd.Series:
    """`10plus`, `micro` or `unknown` per row: from `size_class` where stated, else from
    `employees` (fewer than 10 is micro), else unknown.

    The declared size class wins over a head count that disagrees with it, as on import
    (spec §2: `employees` only fills an empty `size_class`).
    """
    sizes = frame["size_class"] if "size_class" in frame else pd.Series(None, index=frame.index)
    staff = frame["employees"] if "employees" in frame else pd.Series(None, index=frame.index)
    groups: list[str] = []
    for size, count in zip(sizes, staff, strict=True):
        if not is_missing(size) and str(size) in SIZE_CLASSES:
            groups.append("micro" if str(size) == "micro" else "10plus")
        elif not is_missing(count):
            groups.append("micro" if int(count) < MICRO_EMPLOYEES_BELOW else "10plus")
        else:
            groups.append("unknown")
    return pd.Series(groups, index=frame.index, dtype=object, name="size_group")


def _with_group(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    if by not in GROUPINGS:
        raise ValueError(f"cannot group members by {by!r}; choose one of {', '.join(GROUPINGS)}")
    if by == "size_group" and "size_group" not in frame:
        return frame.assign(size_group=size_group(frame))
    return frame


def _group_values(series: pd.Series) -> list[object]:
    """The distinct values of a grouping column, sorted, with "not stated" (None) last."""
    present = {v for v in series if not is_missing(v)}
    ordered: list[object] = sorted(present, key=str)
    if series.map(is_missing).any():
        ordered.append(None)
    return ordered


def _same(a: object, b: object) -> bool:
    return is_missing(b) if is_missing(a) else not is_missing(b) and a == b


def _is(series: pd.Series, value: object) -> pd.Series:
    return series.map(is_missing) if value is None else series == value


# --- headline: DII at least basic ---------------------------------------------------------


def dii_share_by_wave(frame: pd.DataFrame, target: float = DII_TARGET) -> pd.DataFrame:
    """Per wave and size group: `assessed` (members assessed in the wave), `members` (of
    them, with all twelve DII items answered), `at_least_basic` (DII ≥ 4 with Eurostat's
    bands), `share` (0–100) and `gap_to_target` (percentage points short of `target`).

    Members with an incomplete DII are left out of the share, not counted as "not basic":
    an unknown item might be a yes. A micro member never enters the 10+ share.
    """
    groups = size_group(frame)
    rows: list[dict[str, object]] = []
    for wave in sorted_waves(frame["wave"]):
        in_wave = frame["wave"] == wave
        for group in SIZE_GROUPS:
            part = frame[in_wave & (groups == group)]
            if part.empty:
                continue
            complete = part[part["dii_score"].notna()]
            basic = int(complete["dii_at_least_basic"].fillna(False).astype(bool).sum())
            share = 100.0 * basic / len(complete) if len(complete) else math.nan
            rows.append(
                {
                    "wave": wave,
                    "size_group": group,
                    "assessed": len(part),
                    "members": len(complete),
                    "at_least_basic": basic,
                    "share": share,
                    "gap_to_target": max(target - share, 0.0) if len(complete) else math.nan,
                }
            )
    columns = ["wave", "size_group", "assessed", "members", "at_least_basic", "share"]
    return pd.DataFrame(rows, columns=[*columns, "gap_to_target"])


def dii_bands_by_wave(frame: pd.DataFrame) -> pd.DataFrame:
    """Per wave, size group and DII band (very low → very high): `members` with a complete
    DII in the group, `in_band`, and `share` (0–100) of the group in that band."""
    groups = size_group(frame)
    rows: list[dict[str, object]] = []
    for wave in sorted_waves(frame["wave"]):
        in_wave = frame["wave"] == wave
        for group in SIZE_GROUPS:
            complete = frame[in_wave & (groups == group) & frame["dii_score"].notna()]
            if complete.empty:
                continue
            for band in DII_BANDS:
                count = int((complete["dii_band"] == band).sum())
                rows.append(
                    {
                        "wave": wave,
                        "size_group": group,
                        "band": band,
                        "members": len(complete),
                        "in_band": count,
                        "share": 100.0 * count / len(complete),
                    }
                )
    return pd.DataFrame(rows, columns=["wave", "size_group", "band", "members", "in_band", "share"])


# --- overview -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortSize:
    members: int
    assessments: int
    waves: tuple[str, ...]


def cohort_size(frame: pd.DataFrame) -> CohortSize:
    """How many distinct members and assessments a frame holds, and in which waves."""
    return CohortSize(
        members=int(frame["member_id"].nunique()),
        assessments=len(frame),
        waves=tuple(sorted_waves(frame["wave"])),
    )


def counts_by_wave_and_cluster(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per cluster (None = not stated, last): the members assessed in each wave (one
    column per wave, in wave order), then `members` (distinct members in any wave) and
    `assessments` (all rows)."""
    waves = sorted_waves(frame["wave"])
    rows: list[dict[str, object]] = []
    for cluster in _group_values(frame["cluster"]):
        part = frame[_is(frame["cluster"], cluster)]
        row: dict[str, object] = {"cluster": cluster}
        for wave in waves:
            row[wave] = int(part.loc[part["wave"] == wave, "member_id"].nunique())
        row["members"] = int(part["member_id"].nunique())
        row["assessments"] = len(part)
        rows.append(row)
    return pd.DataFrame(rows, columns=["cluster", *waves, "members", "assessments"])


def dma_band_distribution(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Per wave (and group, with `by`) and DMA band: `members` with a DMA overall score,
    `in_band` and `share` (0–100). All four bands appear, with zeros. `frame` holds one
    kind's members."""
    _single_kind(frame)
    frame = _with_group(frame, by) if by else frame
    rows: list[dict[str, object]] = []
    group_values: list[object] = _group_values(frame[by]) if by else [None]
    for wave in sorted_waves(frame["wave"]):
        for group in group_values:
            part = frame[(frame["wave"] == wave) & frame["dma_band"].notna()]
            if by:
                part = part[_is(part[by], group)]
            if part.empty:
                continue
            for band in DMA_BANDS:
                count = int((part["dma_band"] == band).sum())
                row: dict[str, object] = {"wave": wave}
                if by:
                    row["group"] = group
                row |= {
                    "band": band,
                    "members": len(part),
                    "in_band": count,
                    "share": 100.0 * count / len(part),
                }
                rows.append(row)
    keys = ["wave", "group"] if by else ["wave"]
    return pd.DataFrame(rows, columns=[*keys, "band", "members", "in_band", "share"])


def dimension_stats(
    frame: pd.DataFrame, by: str | None = None, *, kind: str = "sme"
) -> pd.DataFrame:
    """Long form, per wave (and group, with `by` = cluster, sector, size_class, size_group
    or county) and per dimension of the `kind`'s instrument plus `dma_overall`: `members`
    with a score, `mean`, `median`. `frame` holds that kind's members only."""
    _one_kind(frame, kind)
    frame = _with_group(frame, by) if by else frame
    group_values: list[object] = _group_values(frame[by]) if by else [None]
    rows: list[dict[str, object]] = []
    for wave in sorted_waves(frame["wave"]):
        for group in group_values:
            part = frame[frame["wave"] == wave]
            if by:
                part = part[_is(part[by], group)]
            if part.empty:
                continue
            for dimension in kind_columns(kind):
                scores = part[dimension].dropna().astype(float)
                row: dict[str, object] = {"wave": wave}
                if by:
                    row["group"] = group
                row |= {
                    "dimension": dimension,
                    "members": len(scores),
                    "mean": float(scores.mean()) if len(scores) else math.nan,
                    "median": float(scores.median()) if len(scores) else math.nan,
                }
                rows.append(row)
    keys = ["wave", "group"] if by else ["wave"]
    return pd.DataFrame(rows, columns=[*keys, "dimension", "members", "mean", "median"])


def dimension_matrix(
    stats: pd.DataFrame, statistic: Literal["mean", "median"] = "median"
) -> pd.DataFrame:
    """`dimension_stats(..., by=...)` of one wave as a group × dimension table for the
    heatmap; suppressed groups are left out entirely (they have no numbers to show)."""
    if "group" not in stats:
        raise ValueError("dimension_matrix needs the stats of a grouping (by=...)")
    if stats["wave"].nunique() > 1:
        raise ValueError("dimension_matrix takes the stats of one wave")
    shown = public_groups_only(stats)
    # The dimensions of the instrument the stats were made for, in their order.
    columns = list(dict.fromkeys(stats["dimension"])) if len(stats) else list(DMA_COLUMNS)
    groups: list[object] = []
    for group in shown["group"]:
        if not any(_same(group, seen) for seen in groups):
            groups.append(group)
    table = pd.DataFrame(index=range(len(groups)), columns=columns, dtype=float)
    for position, group in enumerate(groups):
        rows = shown[shown["group"].map(lambda g, group=group: _same(g, group))]
        for dimension, value in zip(rows["dimension"], rows[statistic], strict=True):
            table.loc[position, dimension] = float(value) if not is_missing(value) else math.nan
    # The group itself labels the row; None (not stated) stays None for the caller to name.
    table.index = pd.Index(groups, dtype=object)
    return table.astype(float)


def member_matrix(
    frame: pd.DataFrame, wave: str, label_column: str = "company_name", *, kind: str = "sme"
) -> pd.DataFrame:
    """Admin view only: one row per member assessed in `wave`, labelled by `label_column`,
    × the `kind`'s dimensions and the overall score, sorted by overall (highest first)."""
    _one_kind(frame, kind)
    part = frame[frame["wave"] == wave].sort_values(DMA_OVERALL, ascending=False)
    table = part.set_index(label_column)[list(kind_columns(kind))].astype(float)
    table.index = [str(label) for label in table.index]
    return table


# --- progress between two waves -----------------------------------------------------------

_PAIR_CONTEXT = ("company_name", "cluster", "sector", "size_class", "county")


def paired_assessments(
    frame: pd.DataFrame, wave_from: str = "T0", wave_to: str = "T1", *, kind: str = "sme"
) -> pd.DataFrame:
    """One row per member assessed in both waves (members in only one are left out): the
    context columns as of `wave_to`, and for each dimension of the `kind`'s instrument and
    the overall score `<column>_before`, `<column>_after` and `<column>_change` (after −
    before, in points)."""
    _one_kind(frame, kind)
    if wave_from == wave_to:
        raise ValueError(f"progress needs two different waves, got {wave_from} twice")
    before = frame[frame["wave"] == wave_from].set_index("member_id")
    after = frame[frame["wave"] == wave_to].set_index("member_id")
    for name, part in ((wave_from, before), (wave_to, after)):
        if part.index.has_duplicates:
            raise ValueError(f"a member is assessed more than once in wave {name}")
    members = [m for m in after.index if m in before.index]
    out = pd.DataFrame({"member_id": members})
    for column in _PAIR_CONTEXT:
        if column in after:
            out[column] = after.loc[members, column].to_numpy()
    for column in kind_columns(kind):
        old = before.loc[members, column].astype(float).to_numpy()
        new = after.loc[members, column].astype(float).to_numpy()
        out[f"{column}_before"] = old
        out[f"{column}_after"] = new
        out[f"{column}_change"] = new - old
    return out.sort_values("member_id", ignore_index=True)


def progress_summary(paired: pd.DataFrame, *, kind: str = "sme") -> pd.DataFrame:
    """Per dimension of the `kind`'s instrument (as `paired_assessments` was made) and the
    overall score: `members` with a score in both waves, the
    median change with its quartiles (`q1_change`, `q3_change`: the middle half of the
    members lies between them), the mean change, how many `improved` / `unchanged` /
    `declined`, and `share_improved` (0–100). Quartiles interpolate linearly (pandas'
    default), so with few members they may lie between two members' changes."""
    rows: list[dict[str, object]] = []
    for column in kind_columns(kind):
        change = paired[f"{column}_change"].dropna().astype(float)
        n = len(change)
        improved = int((change > 0).sum())
        declined = int((change < 0).sum())
        rows.append(
            {
                "dimension": column,
                "members": n,
                "median_change": float(change.median()) if n else math.nan,
                "q1_change": float(change.quantile(0.25)) if n else math.nan,
                "q3_change": float(change.quantile(0.75)) if n else math.nan,
                "mean_change": float(change.mean()) if n else math.nan,
                "improved": improved,
                "unchanged": n - improved - declined,
                "declined": declined,
                "share_improved": 100.0 * improved / n if n else math.nan,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class BandMoves:
    """Members with a DMA overall score in both waves, by how their band moved."""

    members: int
    up: int
    same: int
    down: int

    @property
    def share_up(self) -> float | None:
        """Share (0–100) of the members that moved up at least one band."""
        return 100.0 * self.up / self.members if self.members else None


def band_moves(paired: pd.DataFrame, bounds: Sequence[float] = DEFAULT_DMA_BOUNDS) -> BandMoves:
    """How many paired members moved up, stayed in or moved down a DMA band (two bands up
    counts once, as up)."""
    up = same = down = 0
    for old, new in zip(
        paired[f"{DMA_OVERALL}_before"], paired[f"{DMA_OVERALL}_after"], strict=True
    ):
        if is_missing(old) or is_missing(new):
            continue
        step = DMA_BANDS.index(str(dma_band(new, bounds))) - DMA_BANDS.index(
            str(dma_band(old, bounds))
        )
        if step > 0:
            up += 1
        elif step < 0:
            down += 1
        else:
            same += 1
    return BandMoves(members=up + same + down, up=up, same=same, down=down)


# --- one member's profile (admin view) ----------------------------------------------------


def member_history(frame: pd.DataFrame, member_id: str) -> pd.DataFrame:
    """Every assessment of one member, in wave order (ids compare case-insensitively, as on
    import)."""
    wanted = str(member_id).strip().casefold()
    ids = frame["member_id"].map(lambda v: str(v).strip().casefold())
    rows = frame[ids == wanted]
    order = sorted(rows.index, key=lambda i: wave_sort_key(str(rows.at[i, "wave"])))
    return rows.loc[order].reset_index(drop=True)


def cohort_medians(
    frame: pd.DataFrame, wave: str, cluster: str | None = None, *, kind: str | None = None
) -> pd.Series:
    """The median of each dimension of the `kind`'s instrument and the overall score over
    the members of that kind assessed in `wave` (of one `cluster`, if given); indexed by
    column name, NaN where nobody scored.

    With a `kind`, the other kind's rows are left out here, so a PSO's overall score never
    moves an SME median whatever frame a caller passes. Without one, the frame is taken as
    it is, with the SME dimensions (the callers from before kinds existed; a test shows on
    a mixed frame what that would do)."""
    if kind is not None:
        frame = kind_rows(frame, kind)
    part = frame[frame["wave"] == wave]
    if cluster is not None:
        part = part[part["cluster"] == cluster]
    columns = kind_columns(kind or "sme")
    medians = {c: float(part[c].dropna().astype(float).median()) for c in columns}
    return pd.Series(medians, name=wave, dtype=float)


def dii_item_status(assessment: Mapping[str, object] | pd.Series) -> dict[str, DiiStatus]:
    """Each of the twelve DII items, in Eurostat's order: `met` (yes), `missing` (no) or
    `unknown` (not answered)."""
    status: dict[str, DiiStatus] = {}
    for item in DII_ITEMS:
        answer = assessment.get(item)
        status[item] = "unknown" if is_missing(answer) else "met" if bool(answer) else "missing"
    return status


def weakest_dimensions(
    assessment: Mapping[str, object] | pd.Series, n: int = 2, *, kind: str = "sme"
) -> list[str]:
    """The `n` dimensions of the `kind`'s instrument with the lowest scores, lowest first;
    unscored dimensions are left out and ties keep the questionnaire's order."""
    scored = [
        (float(assessment.get(d)), i, d)  # type: ignore[arg-type]
        for i, d in enumerate(kind_dimensions(kind))
        if not is_missing(assessment.get(d))
    ]
    return [d for _, _, d in sorted(scored)[:n]]


# --- the hub's services -------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    dimension: str
    kind: str
    name_en: str
    name_ro: str
    description_en: str
    description_ro: str
    url: str | None = None

    def name(self, lang: str) -> str:
        return self.name_ro if lang == "ro" else self.name_en

    def description(self, lang: str) -> str:
        return self.description_ro if lang == "ro" else self.description_en


def services_for(
    dimensions: Sequence[str], services: Mapping[str, Sequence[Service]]
) -> list[Service]:
    """The offers for `dimensions`, in that order; an offer listed under two of them
    appears once, under the first."""
    seen: set[tuple[str, str]] = set()
    chosen: list[Service] = []
    for dimension in dimensions:
        for service in services.get(dimension, ()):
            key = (service.kind, service.name_en)
            if key not in seen:
                seen.add(key)
                chosen.append(service)
    return chosen


# --- counties -----------------------------------------------------------------------------


def county_table(rows: Iterable[Mapping[str, str]]) -> pd.DataFrame:
    """The 42 counties: `county` (code as stored, `B` = București), `county_name`, `nuts3`,
    from the rows of the county reference table (`dih_dash.sources.reference`)."""
    table = pd.DataFrame(
        [
            (row["abbrev"].strip().upper(), row["county_ro"].strip(), row["nuts3"].strip())
            for row in rows
        ],
        columns=["county", "county_name", "nuts3"],
    )
    # The official designation of the capital (glossary-ro.md §4).
    table.loc[table["county"] == "B", "county_name"] = "Municipiul București"
    return table


def _latest_per_member(frame: pd.DataFrame) -> pd.DataFrame:
    order = sorted(frame.index, key=lambda i: wave_sort_key(str(frame.at[i, "wave"])))
    return frame.loc[order].drop_duplicates("member_id", keep="last")


def county_summary(frame: pd.DataFrame, min_group: int, counties: pd.DataFrame) -> pd.DataFrame:
    """Per county with members: `members` and their median DMA overall score
    (`median_dma_overall`). Each member counts once, as of its latest wave in `frame`
    (pass one wave's rows for that wave's map). A county with fewer than `min_group`
    members is `suppressed`: its count and median are blanked. Admins pass `min_group=1`.
    Members without a county are not in the table. `counties` is the `county_table`.
    `frame` holds one kind's members."""
    _single_kind(frame)
    latest = _latest_per_member(frame)
    latest = latest[~latest["county"].map(is_missing)]
    rows: list[dict[str, object]] = []
    for code, part in latest.groupby("county", sort=True):
        scores = part[DMA_OVERALL].dropna().astype(float)
        rows.append(
            {
                "county": str(code),
                "members": len(part),
                "median_dma_overall": float(scores.median()) if len(scores) else math.nan,
            }
        )
    table = pd.DataFrame(rows, columns=["county", "members", "median_dma_overall"])
    table = table.merge(counties, on="county", how="left")
    table = table[["county", "county_name", "nuts3", "members", "median_dma_overall"]]
    return suppress_small_groups(table, "members", min_group, ["median_dma_overall"])
