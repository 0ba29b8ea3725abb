"""Raw survey table → validated member assessments (spec/survey-format.md §1–§3, §5).

`validate` finds the layout from the header (hub template, DMA tool export, or a column
mapping), reads every cell of every row, and returns the rows that can be stored as an
*assessment frame* (`ASSESSMENT_COLUMNS` + `source_row`) with every error and warning,
each naming the spreadsheet row, the column as headed in the file, the value as read and
what would have been accepted. A file that cannot be read at all raises `FileRefused`.

Choices where the spec is silent (also in the README):

* `member_id` is trimmed and stored upper-case, so the case-insensitive key of spec §2 is
  a plain comparison everywhere downstream.
* An unknown `size_class` or an `employees` value that is not a whole number from 0 to
  `EMPLOYEES_MAX` (ten million) is an error, like the other unreadable values: storing the
  row without them would silently drop what the file says.
* A hub file without a `wave` column is read as the hub layout when `wave` is given.
* Two rows with the same (`member_id`, `wave`): the later one gets the error (or, when
  identical, the warning) and the earlier one is kept.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from dih_dash.domain.phrases import FileRefused, Phrase, localise_params
from dih_dash.domain.survey_mapping import (
    ColumnMapping,
    MappingError,
    suggest_mapping,
)
from dih_dash.domain.survey_schema import (
    ASSESSMENT_COLUMNS,
    DII_ITEMS,
    DMA_DIMENSIONS,
    DMA_EXPORT_COLUMNS,
    DMA_EXPORT_REQUIRED,
    DMA_OVERALL,
    HUB_COLUMNS,
    PSO_DIMENSIONS,
    PSO_EXPORT_COLUMNS,
    PSO_EXPORT_INFORMATION,
    PSO_EXPORT_REQUIRED,
    REQUIRED_HUB_COLUMNS,
)
from dih_dash.domain.survey_table import RawTable
from dih_dash.domain.survey_values import (
    CountyLookup,
    Parsed,
    Problem,
    answer_key,
    normalise_header,
    parse_company_name,
    parse_county,
    parse_date,
    parse_dii,
    parse_employees,
    parse_free_text,
    parse_member_id,
    parse_score,
    parse_size_class,
    parse_wave,
    size_class_for,
)
from dih_dash.domain.text import column_letter
from dih_dash.i18n import t

__all__ = [
    "LAYOUTS",
    "ColumnMapping",
    "FileRefused",
    "Issue",
    "MappingError",
    "ValidationResult",
    "detect_layout",
    "empty_assessments",
    "normalise_header",
    "suggest_mapping",
    "validate",
]

Layout = Literal["hub", "dma-export", "pso-dma-export", "mapped"]
LAYOUTS: tuple[str, ...] = ("hub", "dma-export", "pso-dma-export", "mapped")
SOURCE_ROW = "source_row"
OVERALL_TOLERANCE = 1.0  # points between dma_overall and the mean of the six (spec §5)
_CLOSEST_CUTOFF = 0.65  # difflib ratio below which a header is not worth naming
_VALUE_SHOWN = 80  # characters of a cell quoted in a message; the JSON keeps all of it

_TEXT_COLUMNS = (
    "member_id", "company_name", "wave", "cluster", "sector", "size_class", "county",
    "org_type",
)  # fmt: skip

# The hub template's org_type answers (spec edih-services.md §1), compared folded.
_ORG_TYPE_WORDS = {
    answer_key(word): kind
    for kind, words in {"sme": ("sme", "imm"), "pso": ("pso", "institutie_publica",
                        "institutie publica")}.items()
    for word in words
}  # fmt: skip


def parse_org_type(text: str) -> Parsed:
    """`sme`/`imm` or `pso`/`institutie_publica` (case, diacritics, spacing folded); an
    empty cell says nothing (a new member is then an SME, a stored one keeps its kind)."""
    key = answer_key(text)
    if not key:
        return Parsed(None)
    kind = _ORG_TYPE_WORDS.get(key) or _ORG_TYPE_WORDS.get(key.replace(" ", "_"))
    if kind is not None:
        return Parsed(kind)
    return Parsed(None, Problem("bad_org_type", "org_type"))


# --- issues ------------------------------------------------------------------------------


def _shown(value: str) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= _VALUE_SHOWN else flat[: _VALUE_SHOWN - 1] + "…"


@dataclass(frozen=True)
class Issue:
    """One problem in a file. `row` is the spreadsheet row (None: the whole file), `column`
    the header as written in the file, `value` the cell exactly as read."""

    row: int | None
    column: str | None
    value: str | None
    code: str
    params: dict[str, object] = field(default_factory=dict)
    severity: Literal["error", "warning"] = "error"

    def message(self, lang: str = "en") -> str:
        params = localise_params(self.params, lang)
        body = t(
            f"surveys.{self.severity}s.{self.code}",
            lang,
            value=_shown(self.value or ""),
            column=self.column or "",
            **params,
        )
        if self.row is not None and self.column:
            where = t("surveys.issue.row_column", lang, row=self.row, column=self.column)
        elif self.row is not None:
            where = t("surveys.issue.row", lang, row=self.row)
        elif self.column:
            where = t("surveys.issue.column", lang, column=self.column)
        else:
            return body
        return f"{where}: {body}"

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message(lang),
        }


@dataclass(frozen=True, eq=False)
class ValidationResult:
    layout: Layout
    rows: int  # data rows in the file (blank rows not counted)
    assessments: pd.DataFrame  # valid rows: ASSESSMENT_COLUMNS + source_row
    errors: list[Issue]
    warnings: list[Issue]
    rejected: int  # rows with at least one error
    columns: dict[str, str] = field(default_factory=dict)  # hub field → header in the file

    @property
    def ok(self) -> bool:
        return not self.errors


# --- layouts -----------------------------------------------------------------------------

_HUB_NAMES: dict[str, str] = {}
for _field in ASSESSMENT_COLUMNS:
    _HUB_NAMES[normalise_header(_field)] = _field
    if (_alias := HUB_COLUMNS.get(_field)) is not None:
        _HUB_NAMES[normalise_header(_alias)] = _field
_DMA_NAMES = {normalise_header(header): fld for header, fld in DMA_EXPORT_COLUMNS.items()}
_DMA_HEADER_OF = {fld: header for header, fld in DMA_EXPORT_COLUMNS.items()}
_PSO_NAMES = {normalise_header(header): fld for header, fld in PSO_EXPORT_COLUMNS.items()}
_PSO_INFORMATION = {normalise_header(header) for header in PSO_EXPORT_INFORMATION}


def _unnamed(pos: int) -> Issue:
    return Issue(None, None, None, "unnamed_column", {"letter": column_letter(pos)}, "warning")


@dataclass
class _Plan:
    layout: Layout
    columns: dict[str, int]  # hub field → column position in the table
    wave: str | None = None  # the wave for every row, when the file carries none
    org_type: str | None = None  # the kind of every row, when the file carries none
    warnings: list[Issue] = field(default_factory=list)
    mapping: ColumnMapping | None = None


def detect_layout(header: Sequence[str]) -> Layout | None:
    """`hub`, `dma-export` or `pso-dma-export` from the header alone (spec §1), or None."""
    names = {normalise_header(h) for h in header}
    hub = {_HUB_NAMES.get(n) for n in names}
    if {"member_id", "wave"} <= hub:
        return "hub"
    if {normalise_header(h) for h in DMA_EXPORT_REQUIRED} <= names:
        return "dma-export"
    if {normalise_header(h) for h in PSO_EXPORT_REQUIRED} <= names:
        return "pso-dma-export"
    return None


def _closest(wanted: Sequence[str], header: Sequence[str]) -> str | None:
    """The header (as written) most like any of the `wanted` names, if any is close."""
    best, best_ratio = None, _CLOSEST_CUTOFF
    for text in header:
        norm = normalise_header(text)
        if not norm:
            continue
        for name in wanted:
            ratio = difflib.SequenceMatcher(None, normalise_header(name), norm).ratio()
            if ratio > best_ratio:
                best, best_ratio = text.strip(), ratio
    return best


def _missing_phrase(column: str, wanted: Sequence[str], header: Sequence[str]) -> Phrase:
    closest = _closest(wanted, header)
    if closest is None:
        return Phrase.of("surveys.refused.missing_no_match", column=column)
    return Phrase.of("surveys.refused.missing_closest", column=column, closest=closest)


def _hub_missing(header: Sequence[str], required: Sequence[str]) -> list[Phrase]:
    present = {_HUB_NAMES.get(normalise_header(h)) for h in header}
    out = []
    for fld in required:
        if fld not in present:
            names = [fld, *([a] if (a := HUB_COLUMNS.get(fld)) else [])]
            out.append(_missing_phrase(" / ".join(names), names, header))
    return out


def _dma_missing(
    header: Sequence[str], required: Sequence[str] = DMA_EXPORT_REQUIRED
) -> list[Phrase]:
    present = {normalise_header(h) for h in header}
    return [
        _missing_phrase(name, [name], header)
        for name in required
        if normalise_header(name) not in present
    ]


def _assign(
    table: RawTable, names: dict[str, str], plan: _Plan, *, skip: set[int] | None = None
) -> None:
    """Put each column whose header is in `names` in the plan; warn about the rest."""
    header = table.header
    first_of: dict[str, int] = {}
    for pos, text in enumerate(header):
        if skip and pos in skip:
            continue
        norm = normalise_header(text)
        if not norm:
            plan.warnings.append(_unnamed(pos))
            continue
        fld = names.get(norm)
        if fld is None:
            plan.warnings.append(Issue(None, text.strip(), None, "ignored_column", {}, "warning"))
        elif fld in first_of:
            first = header[first_of[fld]].strip()
            plan.warnings.append(
                Issue(None, text.strip(), None, "duplicate_column", {"first": first}, "warning")
            )
        else:
            first_of[fld] = pos
            plan.columns[fld] = pos


def _plan_hub(table: RawTable, wave: str | None) -> _Plan:
    required = [f for f in REQUIRED_HUB_COLUMNS if not (f == "wave" and wave)]
    missing = _hub_missing(table.header, required)
    if missing:
        layout = Phrase.of("surveys.layouts.hub")
        raise FileRefused("missing_columns", layout=layout, missing=missing)
    plan = _Plan("hub", {})
    _assign(table, _HUB_NAMES, plan)
    return plan


def _plan_dma(table: RawTable) -> _Plan:
    missing = _dma_missing(table.header)
    if missing:
        layout = Phrase.of("surveys.layouts.dma-export")
        raise FileRefused("missing_columns", layout=layout, missing=missing)
    plan = _Plan("dma-export", {}, org_type="sme")
    _assign(table, _DMA_NAMES, plan)
    return plan


def _plan_pso(table: RawTable) -> _Plan:
    missing = _dma_missing(table.header, PSO_EXPORT_REQUIRED)
    if missing:
        layout = Phrase.of("surveys.layouts.pso-dma-export")
        raise FileRefused("missing_columns", layout=layout, missing=missing)
    plan = _Plan("pso-dma-export", {}, org_type="pso")
    information = {
        pos for pos, text in enumerate(table.header) if normalise_header(text) in _PSO_INFORMATION
    }
    _assign(table, _PSO_NAMES, plan, skip=information)
    return plan


def _loose(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", normalise_header(text))


def _plan_mapped(table: RawTable, mapping: ColumnMapping, wave: str | None) -> _Plan:
    header = table.header
    position: dict[str, int] = {}
    loose: dict[str, list[int]] = {}
    for pos, text in enumerate(header):
        position.setdefault(normalise_header(text), pos)
        loose.setdefault(_loose(text), []).append(pos)
    plan = _Plan("mapped", {}, mapping=mapping)
    required = {"member_id", "company_name", "wave"}
    missing: list[Phrase] = []
    for fld, source in mapping.columns.items():
        pos = position.get(normalise_header(source))
        if pos is None and len(loose.get(_loose(source), [])) == 1:
            # Form tools reword punctuation ("CUI ?" vs "CUI?"); letters and digits decide.
            pos = loose[_loose(source)][0]
        if pos is not None:
            plan.columns[fld] = pos
        elif fld in required and not (fld == "wave" and wave):
            missing.append(_missing_phrase(source.strip(), [source], header))
        else:
            params = {"field": fld}
            plan.warnings.append(
                Issue(None, source.strip(), None, "mapped_column_missing", params, "warning")
            )
    if missing:
        layout = Phrase.of("surveys.layouts.mapped_named", name=mapping.name)
        raise FileRefused("missing_columns", layout=layout, missing=missing)
    used = set(plan.columns.values())
    for pos, text in enumerate(header):
        if pos in used:
            continue
        if not normalise_header(text):
            plan.warnings.append(_unnamed(pos))
        else:
            plan.warnings.append(Issue(None, text.strip(), None, "ignored_column", {}, "warning"))
    return plan


def _plan(table: RawTable, layout: str, mapping: ColumnMapping | None, wave: str | None) -> _Plan:
    if mapping is not None:
        if layout != "auto":
            raise ValueError("give either a layout or a column mapping, not both")
        plan = _plan_mapped(table, mapping, wave)
    elif layout == "hub":
        plan = _plan_hub(table, wave)
    elif layout == "dma-export":
        plan = _plan_dma(table)
    elif layout == "pso-dma-export":
        plan = _plan_pso(table)
    elif layout == "auto":
        found = detect_layout(table.header)
        if found is None and wave and not _hub_missing(table.header, ["member_id"]):
            found = "hub"  # a hub file without its wave column; `wave` supplies it
        if found == "hub":
            plan = _plan_hub(table, wave)
        elif found == "dma-export":
            plan = _plan_dma(table)
        elif found == "pso-dma-export":
            plan = _plan_pso(table)
        else:
            raise FileRefused(
                "no_layout",
                hub_missing=_hub_missing(table.header, REQUIRED_HUB_COLUMNS),
                dma_missing=_dma_missing(table.header),
            )
    else:
        raise ValueError(
            f"unknown layout {layout!r}; expected auto, hub, dma-export or pso-dma-export"
        )

    if "wave" in plan.columns:
        if wave:
            plan.warnings.append(
                Issue(None, table.header[plan.columns["wave"]].strip(), wave,
                      "wave_argument_ignored", {}, "warning")
            )  # fmt: skip
    elif wave:
        parsed = parse_wave(wave)
        if parsed.problem is not None:
            raise FileRefused("bad_wave_argument", value=wave)
        plan.wave = str(parsed.value)
    else:
        raise FileRefused("no_wave", layout=Phrase.of(f"surveys.layouts.{plan.layout}"))
    return plan


# --- rows --------------------------------------------------------------------------------


def _parsers(
    day_first: bool, latest: dt.date, counties: CountyLookup
) -> dict[str, Callable[[str], Parsed]]:
    def date(text: str) -> Parsed:
        return parse_date(text, latest=latest, day_first=day_first)

    def county(text: str) -> Parsed:
        return parse_county(text, counties)

    parsers: dict[str, Callable[[str], Parsed]] = {
        "member_id": parse_member_id,
        "company_name": parse_company_name,
        "wave": parse_wave,
        "assessed_on": date,
        "cluster": parse_free_text,
        "sector": parse_free_text,
        "size_class": parse_size_class,
        "employees": parse_employees,
        "county": county,
        "org_type": parse_org_type,
    }
    for name in (*DMA_DIMENSIONS, DMA_OVERALL, *PSO_DIMENSIONS):
        parsers[name] = parse_score
    for name in DII_ITEMS:
        parsers[name] = parse_dii
    return parsers


def empty_assessments() -> pd.DataFrame:
    columns = {name: _series(name, []) for name in ASSESSMENT_COLUMNS}
    return pd.DataFrame({**columns, SOURCE_ROW: pd.Series([], dtype="int64")})


def _series(name: str, data: list[object]) -> pd.Series:
    """One column of an assessment frame, typed."""
    if name in _TEXT_COLUMNS or name == "assessed_on":
        # object keeps None (not NaN) for an empty text or date, and date objects as such
        return pd.Series(data, dtype=object)
    if name == "employees":
        return pd.Series(data, dtype="Int64")
    if name in DII_ITEMS:
        return pd.Series(data, dtype="boolean")
    return pd.Series([float("nan") if v is None else v for v in data], dtype="float64")


# A million rows hold only a few thousand distinct waves, counties, answers, dates and
# scores, so validation reads each *distinct* cell of a column once, with the same per-cell
# readers as always, and spreads the results over the rows with numpy. Python objects are
# made only for the rows that get an error or a warning, and for the values stored.


@dataclass(frozen=True)
class _Column:
    """One hub field as read from the file: every distinct cell parsed once."""

    label: str  # the header as written in the file, trimmed
    codes: np.ndarray  # per row: the index of its cell in `distinct`
    distinct: pd.Index  # the distinct cells as read
    values: np.ndarray  # object: the value each distinct cell gives (None: empty or failed)
    problems: dict[int, Problem]  # why, for the distinct cells that cannot be read
    bad: np.ndarray  # bool: whether each distinct cell has a problem

    def cells(self, codes: np.ndarray) -> list[str]:
        """The distinct cells numbered `codes`, as read (one lookup for them all: one by
        one, an Arrow-backed index takes microseconds each)."""
        return self.distinct.take(codes).tolist()  # type: ignore[no-any-return]

    def per_row(self, per_cell: np.ndarray) -> np.ndarray:
        return per_cell[self.codes]

    def failed(self) -> np.ndarray:
        return self.bad[self.codes]

    def empty(self) -> np.ndarray:
        """Per row: no value (an empty cell, or one that failed)."""
        return self.per_row(np.array([v is None for v in self.values], dtype=bool))

    def floats(self) -> np.ndarray:
        """Per row: the number, NaN where there is none (scores are finite, so NaN is None)."""
        numbers = [np.nan if v is None else float(v) for v in self.values]  # type: ignore[arg-type]
        return self.per_row(np.array(numbers, dtype=np.float64))


def _read_column(
    series: pd.Series, label: str, parse: Callable[[str], Parsed], value_map: dict[str, str]
) -> _Column:
    # Every cell is its own distinct value, even None or NaN in a hand-made table.
    codes, distinct = pd.factorize(series, use_na_sentinel=False)
    cells: list[str] = distinct.tolist()
    if value_map:
        parsed = [parse(value_map.get(answer_key(cell), cell)) for cell in cells]
    else:
        parsed = [parse(cell) for cell in cells]
    values = np.empty(len(parsed), dtype=object)
    values[:] = [p.value for p in parsed]
    problems = {k: p.problem for k, p in enumerate(parsed) if p.problem is not None}
    bad = np.zeros(len(parsed), dtype=bool)
    bad[list(problems)] = True
    return _Column(
        label=label,
        # The smallest integers that number the distinct cells: a byte for most columns.
        codes=codes.astype(np.min_scalar_type(-len(cells))),
        distinct=distinct,
        values=values,
        problems=problems,
        bad=bad,
    )


@dataclass
class _Rows:
    """Every row's values and issues while the rules run."""

    n: int
    numbers: Sequence[int]  # spreadsheet row of each row
    columns: dict[str, _Column]  # the fields the file has
    fill: dict[str, object]  # the value of a field the file lacks (the `--wave` argument)
    overall: np.ndarray  # float: dma_overall, with the computed mean filled in
    size_class: np.ndarray  # object: size_class, with the one the head count gives
    errors: list[tuple[int, int, Issue]] = field(default_factory=list)  # (row, order, issue)
    warnings: list[tuple[int, int, Issue]] = field(default_factory=list)

    def values(self, name: str, rows: np.ndarray) -> list[object]:
        """The value of field `name` on each of `rows`."""
        if name == DMA_OVERALL:
            numbers = self.overall[rows]
            return [None if math.isnan(x) else x for x in numbers.tolist()]
        if name == "size_class":
            return self.size_class[rows].tolist()
        column = self.columns.get(name)
        if column is None:
            return [self.fill.get(name)] * len(rows)
        return column.values[column.codes[rows]].tolist()

    def cells(self, name: str, rows: np.ndarray) -> list[str]:
        column = self.columns[name]
        return column.cells(column.codes[rows])

    def records(self, rows: np.ndarray) -> list[tuple[object, ...]]:
        """`rows` as the duplicate check compares them: their values, and where a value is
        None (empty or unreadable) the text of its cell, if the file has the column."""
        fields = []
        for name in ASSESSMENT_COLUMNS:
            values = self.values(name, rows)
            raws = self.cells(name, rows) if name in self.columns else [None] * len(rows)
            fields.append(
                [(v, r if v is None else None) for v, r in zip(values, raws, strict=True)]
            )
        return list(zip(*fields, strict=True))


# Where an issue goes among its row's others. Errors: the cells' in column order (their
# index in ASSESSMENT_COLUMNS), then the duplicate key; warnings: in the order below.
_DUPLICATE_KEY_ORDER = len(ASSESSMENT_COLUMNS)
_OVERALL_ORDER, _DII_ORDER, _DUPLICATE_ROW_ORDER, _DAMAGED_ORDER, _SIZE_ORDER = 0, 1, 2, 3, 4


def validate(
    table: RawTable,
    *,
    counties: CountyLookup,
    layout: str = "auto",
    mapping: ColumnMapping | None = None,
    wave: str | None = None,
    today: dt.date | None = None,
) -> ValidationResult:
    """Check every row of `table` (spec §5); `FileRefused` when no layout fits.

    `layout` is `auto`, `hub` or `dma-export`; a `mapping` means the `mapped` layout.
    `wave` gives the wave of every row for files that carry none. Dates may be as late as
    the day after `today` (default: the system date), to allow for time zones. `counties`
    is the county reference table (`dih_dash.sources.reference.load_counties()`).

    A large file makes millions of short-lived objects here: callers that validate one
    pause the garbage collector around the call (`dih_dash.gc_pause`), as the import does.
    """
    plan = _plan(table, layout, mapping, wave)
    return _validate(table, plan, mapping, today, counties)


def _validate(
    table: RawTable,
    plan: _Plan,
    mapping: ColumnMapping | None,
    today: dt.date | None,
    counties: CountyLookup,
) -> ValidationResult:
    latest = (today or dt.date.today()) + dt.timedelta(days=1)
    parsers = _parsers(mapping.day_first if mapping else True, latest, counties)
    header = table.header
    n = len(table)

    columns: dict[str, _Column] = {}
    errors: list[tuple[int, int, Issue]] = []
    for order, name in enumerate(ASSESSMENT_COLUMNS):
        if name not in plan.columns:
            continue
        pos = plan.columns[name]
        value_map = plan.mapping.value_map(name) if plan.mapping else {}
        column = _read_column(
            table.frame.iloc[:, pos], header[pos].strip(), parsers[name], value_map
        )
        columns[name] = column
        errors.extend(_cell_errors(column, order, table.row_numbers))

    warnings: list[tuple[int, int, Issue]] = []
    _damaged_text(table, plan, errors, warnings)

    state = _Rows(
        n=n,
        numbers=table.row_numbers,
        columns=columns,
        fill={"wave": plan.wave, "org_type": plan.org_type},
        overall=np.full(n, np.nan),
        size_class=np.full(n, None, dtype=object),
        errors=errors,
        warnings=warnings,
    )
    _complete_overall(state)
    _check_dii(state)
    _complete_size_class(state)
    dropped = _check_duplicates(state)

    failed_rows = np.zeros(n, dtype=bool)
    failed_rows[[i for i, _, _ in state.errors]] = True
    keep = np.flatnonzero(~failed_rows & ~dropped)
    errors_sorted = [issue for _, _, issue in sorted(state.errors, key=lambda e: (e[0], e[1]))]
    row_warnings = sorted(state.warnings, key=lambda w: (w[0], w[1]))
    return ValidationResult(
        layout=plan.layout,
        rows=n,
        assessments=_valid_frame(state, keep),
        errors=errors_sorted,
        warnings=plan.warnings + [issue for _, _, issue in row_warnings],
        rejected=int(failed_rows.sum()),
        columns={name: header[pos].strip() for name, pos in plan.columns.items()},
    )


def _damaged_text(
    table: RawTable,
    plan: _Plan,
    errors: list[tuple[int, int, Issue]],
    warnings: list[tuple[int, int, Issue]],
) -> None:
    """An issue for every cell whose bytes the reader could not decode (shown as U+FFFD):
    an error where the column is stored, since a name with a hole in it must not reach the
    store (nor a silently mis-decoded one: the reader never guesses), a warning where the
    column is not read. A damaged header cell is a warning on the header row."""
    if not table.damaged:
        return
    order_of = {pos: ASSESSMENT_COLUMNS.index(name) for name, pos in plan.columns.items()}
    header = table.header
    numbers = np.asarray(table.row_numbers)
    for damaged in table.damaged:
        where: Phrase | str = ""
        if damaged.offset is not None and damaged.byte is not None:
            where = Phrase.of(
                "surveys.issue.damaged_at", byte=f"{damaged.byte:02X}", offset=float(damaged.offset)
            )
        label = header[damaged.column].strip() or column_letter(damaged.column)
        params: dict[str, object] = {"count": damaged.count, "where": where}
        if damaged.row == table.header_row:
            issue = Issue(damaged.row, label, header[damaged.column], "damaged_text", params,
                          "warning")  # fmt: skip
            warnings.append((-1, _DAMAGED_ORDER, issue))
            continue
        index = int(np.searchsorted(numbers, damaged.row))
        cell = table.frame.iat[index, damaged.column]
        if damaged.column in order_of:
            issue = Issue(damaged.row, label, cell, "damaged_text", params)
            errors.append((index, order_of[damaged.column], issue))
        else:
            issue = Issue(damaged.row, label, cell, "damaged_text", params, "warning")
            warnings.append((index, _DAMAGED_ORDER, issue))


def _cell_errors(
    column: _Column, order: int, numbers: Sequence[int]
) -> list[tuple[int, int, Issue]]:
    out = []
    expected: dict[str, Phrase] = {}
    failed = np.flatnonzero(column.failed())
    codes = column.codes[failed]
    cells = column.cells(codes)
    for i, k, cell in zip(failed.tolist(), codes.tolist(), cells, strict=True):
        problem = column.problems[k]
        if problem.expected not in expected:
            expected[problem.expected] = Phrase.of(f"surveys.expected.{problem.expected}")
        params = {**problem.params, "expected": expected[problem.expected]}
        issue = Issue(numbers[i], column.label, cell, problem.code, params)
        out.append((i, order, issue))
    return out


def _failed(state: _Rows, name: str) -> np.ndarray:
    column = state.columns.get(name)
    return column.failed() if column is not None else np.zeros(state.n, dtype=bool)


def _complete_overall(state: _Rows) -> None:
    """dma_overall from the six dimensions of each row's instrument (a PSO row's the PSO
    ones, every other row's the SME ones) where it is empty; a warning where it is more
    than `OVERALL_TOLERANCE` from their mean."""
    column = state.columns.get(DMA_OVERALL)
    given = column.floats() if column is not None else np.full(state.n, np.nan)
    state.overall = given.copy()
    kinds = np.array(state.values("org_type", np.arange(state.n)), dtype=object)
    pso = kinds == "pso"
    _overall_from(state, DMA_DIMENSIONS, given, ~pso)
    _overall_from(state, PSO_DIMENSIONS, given, pso)


def _overall_from(
    state: _Rows, dimensions: Sequence[str], given: np.ndarray, rows: np.ndarray
) -> None:
    column = state.columns.get(DMA_OVERALL)
    if not rows.any() or not all(name in state.columns for name in dimensions):
        return  # a dimension is never there: no row has all six
    dims = [state.columns[name].floats() for name in dimensions]
    complete = rows & np.logical_and.reduce([~np.isnan(d) for d in dims])
    # Added one by one from 0, as Python's `sum` does, so the mean is the same to the bit.
    total = 0.0 + dims[0]
    for d in dims[1:]:
        total = total + d
    mean = total / len(dims)
    fill = complete & np.isnan(given) & ~_failed(state, DMA_OVERALL)
    state.overall[fill] = mean[fill]
    far = complete & ~np.isnan(given)
    far[far] = np.abs(given[far] - mean[far]) > OVERALL_TOLERANCE + 1e-9
    if not far.any():
        return
    assert column is not None
    rows = np.flatnonzero(far)
    codes = column.codes[rows]
    for i, overall, cell in zip(
        rows.tolist(), column.values[codes].tolist(), column.cells(codes), strict=True
    ):
        params = {"overall": overall, "mean": round(float(mean[i]), 2)}
        issue = Issue(state.numbers[i], column.label, cell, "overall_mismatch", params, "warning")
        state.warnings.append((i, _OVERALL_ORDER, issue))


def _check_dii(state: _Rows) -> None:
    """A warning where some DII items are answered and others not (and none is unreadable)."""
    any_failed = np.zeros(state.n, dtype=bool)
    unanswered = np.zeros(state.n, dtype=np.int64)  # a bit per unanswered item
    names = []
    for bit, name in enumerate(DII_ITEMS):
        column = state.columns.get(name)
        if column is None:
            unanswered |= 1 << bit
            names.append(name)
            continue
        any_failed |= column.failed()
        unanswered |= column.empty().astype(np.int64) << bit
        # Named as the file heads them (a form's question), else by the hub column name.
        names.append(column.label)
    count = np.zeros(state.n, dtype=np.int64)
    for bit in range(len(DII_ITEMS)):
        count += (unanswered >> bit) & 1
    partial = ~any_failed & (count > 0) & (count < len(DII_ITEMS))
    lists: dict[int, list[str]] = {}
    for i in np.flatnonzero(partial).tolist():
        pattern = int(unanswered[i])
        if pattern not in lists:
            lists[pattern] = [names[b] for b in range(len(DII_ITEMS)) if pattern >> b & 1]
        missing = list(lists[pattern])
        params = {"answered": len(DII_ITEMS) - len(missing), "total": len(DII_ITEMS),
                  "unanswered": missing}  # fmt: skip
        issue = Issue(state.numbers[i], None, None, "dii_partial", params, "warning")
        state.warnings.append((i, _DII_ORDER, issue))


def _complete_size_class(state: _Rows) -> None:
    """size_class from the head count where the file gives none (and none unreadable)."""
    size = state.columns.get("size_class")
    if size is not None:
        state.size_class = size.values[size.codes]
    employees = state.columns.get("employees")
    if employees is None:
        return
    derived = np.empty(len(employees.values), dtype=object)
    derived[:] = [size_class_for(v) if isinstance(v, int) else None for v in employees.values]
    counted = employees.per_row(np.array([isinstance(v, int) for v in employees.values]))
    if size is not None:
        # Both given and at odds ("medium" with 5 employees): kept as written, but said,
        # since one of the two is a typing slip and the size filters read the class.
        given = counted & ~size.empty()
        stated = size.values[size.codes]
        for i in np.flatnonzero(given & (stated != derived[employees.codes])):
            expected = Phrase.of(f"members.size_classes.{derived[employees.codes[i]]}")
            params = {"employees": employees.values[employees.codes[i]], "expected": expected}
            issue = Issue(state.numbers[i], size.label, size.cells(size.codes[i : i + 1])[0],
                          "size_class_mismatch", params, "warning")  # fmt: skip
            state.warnings.append((int(i), _SIZE_ORDER, issue))
        counted &= size.empty() & ~size.failed()
    state.size_class[counted] = derived[employees.codes[counted]]


def _key_codes(state: _Rows, name: str) -> tuple[np.ndarray, np.ndarray, int]:
    """(per row: a code for its value, per row: whether it has one, how many codes)."""
    column = state.columns.get(name)
    if column is None:  # the same given wave on every row
        has = np.full(state.n, state.fill.get(name) is not None)
        return np.zeros(state.n, dtype=np.int64), has, 1
    # Distinct cells may read as the same value (`ro1 ` and `RO1`).
    value_codes, distinct = pd.factorize(pd.Series(column.values, dtype=object))
    return value_codes[column.codes].astype(np.int64), ~column.empty(), len(distinct)


def _check_duplicates(state: _Rows) -> np.ndarray:
    """The same (member_id, wave) twice: identical → keep the first and warn; otherwise
    an error on the later row naming the earlier one. Returns, per row, whether it is
    dropped as a copy."""
    dropped = np.zeros(state.n, dtype=bool)
    member, has_member, _ = _key_codes(state, "member_id")
    wave, has_wave, waves = _key_codes(state, "wave")
    rows = np.flatnonzero(has_member & has_wave)
    keys = member[rows] * (waves + 1) + wave[rows]
    _, first_at, which = np.unique(keys, return_index=True, return_inverse=True)
    first = rows[first_at[which.ravel()]]
    later = first != rows
    copies, originals = rows[later], first[later]
    member_label = state.columns["member_id"].label
    for i, j, member_id, wave_value, cell, record, original in zip(
        copies.tolist(),
        originals.tolist(),
        state.values("member_id", copies),
        state.values("wave", copies),
        state.cells("member_id", copies),
        state.records(copies),
        state.records(originals),
        strict=True,
    ):
        params = {"first_row": state.numbers[j], "member_id": member_id, "wave": wave_value}
        if record == original:
            issue = Issue(state.numbers[i], member_label, cell, "duplicate_row", params, "warning")
            state.warnings.append((i, _DUPLICATE_ROW_ORDER, issue))
            dropped[i] = True
        else:
            issue = Issue(state.numbers[i], member_label, cell, "duplicate_key", params)
            state.errors.append((i, _DUPLICATE_KEY_ORDER, issue))
    return dropped


def _valid_frame(state: _Rows, keep: np.ndarray) -> pd.DataFrame:
    """The assessment frame of the rows in `keep`, typed as `_series` types it."""
    columns: dict[str, pd.Series] = {}
    for name in ASSESSMENT_COLUMNS:
        column = state.columns.get(name)
        if name == DMA_OVERALL:
            columns[name] = pd.Series(state.overall[keep], dtype="float64")
        elif name == "size_class":
            columns[name] = pd.Series(state.size_class[keep], dtype=object)
        elif column is None:
            columns[name] = _filled(name, state.fill.get(name), len(keep))
        else:
            columns[name] = _typed(name, column, column.codes[keep])
    numbers = np.asarray(state.numbers, dtype=np.int64)[keep]
    columns[SOURCE_ROW] = pd.Series(numbers, dtype="int64")
    return pd.DataFrame(columns, copy=False)  # the columns are new: no copy


def _filled(name: str, value: object, count: int) -> pd.Series:
    """A column the file lacks: `value` (None, or the wave given) on every row."""
    if name in _TEXT_COLUMNS or name == "assessed_on":
        return pd.Series(np.full(count, value, dtype=object), dtype=object)
    nothing = np.ones(count, dtype=bool)
    if name == "employees":
        return pd.Series(pd.arrays.IntegerArray(np.zeros(count, dtype=np.int64), nothing))
    if name in DII_ITEMS:
        return pd.Series(pd.arrays.BooleanArray(np.zeros(count, dtype=bool), nothing))
    return pd.Series(np.full(count, np.nan), dtype="float64")


def _typed(name: str, column: _Column, codes: np.ndarray) -> pd.Series:
    """`column`'s values on the rows whose cells are `codes`, typed as `_series` types them."""
    values = column.values
    if name in _TEXT_COLUMNS or name == "assessed_on":
        return pd.Series(values[codes], dtype=object)
    missing = np.array([v is None for v in values], dtype=bool)[codes]
    if name == "employees":
        # parse_employees keeps every count within EMPLOYEES_MAX, so int64 always holds it.
        numbers = np.array([0 if v is None else v for v in values], dtype=np.int64)
        return pd.Series(pd.arrays.IntegerArray(numbers[codes], missing))
    if name in DII_ITEMS:
        answers = np.array([v is True for v in values], dtype=bool)
        return pd.Series(pd.arrays.BooleanArray(answers[codes], missing))
    numbers = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return pd.Series(numbers[codes], dtype="float64")
