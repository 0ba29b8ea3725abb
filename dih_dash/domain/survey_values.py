"""Reading one survey cell (spec/survey-format.md §1–§2): headers, numbers, dates, answers.

Every reader takes the cell text as read and returns `Parsed(value, problem)`: the value to
store, or a `Problem` (an error code, its params and the kind of value that would have
been accepted). An empty cell is `None`, never zero or "no".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from dih_dash.domain.survey_schema import SIZE_CLASSES
from dih_dash.domain.text import comma_below, fold_diacritics

MEMBER_ID_MAX = 64
COMPANY_NAME_MAX = 200
SCORE_MIN, SCORE_MAX = 0.0, 100.0
# The largest head count accepted (the `surveys.expected.employees` text says it). Romania's
# largest employers have tens of thousands of staff, so anything above ten million is a
# slip (a phone number, a turnover); the bound also keeps every count a 64-bit integer for
# pandas and within the store's INTEGER column.
EMPLOYEES_MAX = 10_000_000


@dataclass(frozen=True)
class Problem:
    """Why a cell cannot be stored: `code` names the error, `expected` what is accepted."""

    code: str
    expected: str
    params: dict[str, object] = field(default_factory=dict)


class Parsed(NamedTuple):
    value: object
    problem: Problem | None = None


EMPTY = Parsed(None)

# --- headers and keys --------------------------------------------------------------------

_SEPARATOR_RUN = re.compile(r"[\s._-]+")


def normalise_header(text: str) -> str:
    """The matching form of a header (spec §1): `Cod membru`, `COD_MEMBRU`, `cod-membru`
    → `cod_membru`.

    Trimmed (U+00A0 and a stray BOM too), lower-case, Romanian diacritics folded, and runs
    of spaces, hyphens, dots (and underscores, so `a _ b` is `a_b`) read as one `_`.
    """
    text = fold_diacritics(comma_below(str(text)).replace("\ufeff", "")).casefold()
    return _SEPARATOR_RUN.sub("_", text).strip("_")


def answer_key(text: str) -> str:
    """How two answers are compared: case, diacritics and spacing do not matter."""
    return " ".join(fold_diacritics(comma_below(str(text))).casefold().split())


def _clean(text: str) -> str:
    # str.strip() also removes U+00A0; the BOM is not white space but can sneak in.
    return str(text).replace("\ufeff", "").strip()


# --- text --------------------------------------------------------------------------------


# The ids of the template's example rows (dih_dash.exports.templates).
TEMPLATE_EXAMPLE_IDS = ("EXEMPLU-", "EXAMPLE-")


def parse_member_id(text: str) -> Parsed:
    """Trimmed and upper-cased: the id is compared case-insensitively, so it is stored in
    one case (`ro123` and `RO123` are the same member)."""
    value = _clean(text)
    if not value:
        return Parsed(None, Problem("missing_value", "member_id"))
    if len(value) > MEMBER_ID_MAX:
        return Parsed(None, Problem("too_long", "member_id", {"length": len(value)}))
    if value.upper().startswith(TEMPLATE_EXAMPLE_IDS):
        # The downloaded template's two example rows, left in: not members to store.
        return Parsed(None, Problem("example_row", "member_id"))
    return Parsed(value.upper())


def parse_company_name(text: str) -> Parsed:
    value = _clean(text)
    if not value:
        return Parsed(None, Problem("missing_value", "company_name"))
    if len(value) > COMPANY_NAME_MAX:
        return Parsed(None, Problem("too_long", "company_name", {"length": len(value)}))
    return Parsed(comma_below(value))


def parse_free_text(text: str) -> Parsed:
    value = _clean(text)
    return Parsed(comma_below(value)) if value else EMPTY


# ASCII digits only (re.ASCII): \d alone also matches ٣, １, २ …, which int() reads too, so
# "T٣" would be stored as wave T3. The same holds for every pattern of this module.
_WAVE = re.compile(r"^[Tt](\d{1,3})$", re.ASCII)


def parse_wave(text: str) -> Parsed:
    value = _clean(text)
    if not value:
        return Parsed(None, Problem("missing_value", "wave"))
    match = _WAVE.match(value)
    if not match:
        return Parsed(None, Problem("bad_wave", "wave"))
    return Parsed(f"T{int(match.group(1))}")


# --- numbers -----------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$", re.ASCII)
# Digit groups of three, as Excel writes 1.200 or 1 200 in a Romanian locale.
_GROUPED = re.compile(r"^\d{1,3}(?:([., \u00a0\u202f])\d{3})(?:\1\d{3})*$", re.ASCII)


def read_number(text: str) -> float | None:
    """`67.5`, `67,5` or `67,5%` → 67.5; anything else → None."""
    value = _clean(text).removesuffix("%").rstrip()
    if not _NUMBER.match(value):
        return None
    return float(value.replace(",", "."))


def parse_score(text: str) -> Parsed:
    if not _clean(text):
        return EMPTY
    number = read_number(text)
    if number is None:
        return Parsed(None, Problem("bad_number", "score"))
    if not SCORE_MIN <= number <= SCORE_MAX:
        return Parsed(None, Problem("out_of_range", "score"))
    return Parsed(number)


def parse_employees(text: str) -> Parsed:
    """A whole number from 0 to `EMPLOYEES_MAX`. Digit grouping (`1.200`, `1 200`) is read
    as thousands: in a count of people a decimal mark makes no sense, so `1.200` cannot
    mean 1.2."""
    value = _clean(text)
    if not value:
        return EMPTY
    number: float | int | None
    if _GROUPED.match(value):
        digits = re.sub(r"\D", "", value, flags=re.ASCII)
        # Thousands of digits would make int() slow, or refuse them outright (ValueError).
        number = int(digits) if len(digits) <= len(str(EMPLOYEES_MAX)) else None
    else:
        number = read_number(value) if not value.endswith("%") else None
        if number is not None and not number.is_integer():  # also inf, from 1e400
            number = None
    if number is None or not 0 <= number <= EMPLOYEES_MAX:
        return Parsed(None, Problem("bad_employees", "employees"))
    return Parsed(int(number))


# --- dates -------------------------------------------------------------------------------

_TIME = r"(?:[ T,]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)?"
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$", re.ASCII)
_LOCAL_DATE = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + "$", re.ASCII)


def read_date(text: str, *, day_first: bool = True) -> dt.date | None:
    """`2025-03-14`, `14.03.2025`, `14/03/2025`, `14-03-2025` (day first, as in Romania, or
    month first when `day_first` is False, as a US-locale Google or Microsoft form writes);
    a time after the date is allowed and dropped; a two-digit year is 20yy."""
    value = _clean(text)
    try:
        if match := _ISO_DATE.match(value):
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if match := _LOCAL_DATE.match(value):
            first, second, year = int(match.group(1)), int(match.group(3)), match.group(4)
            day, month = (first, second) if day_first else (second, first)
            full_year = int(year) + 2000 if len(year) == 2 else int(year)
            return dt.date(full_year, month, day)
    except ValueError:
        return None
    return None


def parse_date(text: str, *, latest: dt.date, day_first: bool = True) -> Parsed:
    if not _clean(text):
        return EMPTY
    expected = "date" if day_first else "date_month_first"
    date = read_date(text, day_first=day_first)
    if date is None:
        return Parsed(None, Problem("bad_date", expected))
    if date > latest:
        return Parsed(None, Problem("future_date", expected, {"latest": latest.isoformat()}))
    return Parsed(date)


# --- answers -----------------------------------------------------------------------------

# Spec §2 words, plus Romanian Excel's ADEVĂRAT/FALS, which is how it saves TRUE/FALSE.
DII_YES = frozenset({"yes", "y", "da", "1", "true", "x", "adevarat"})
DII_NO = frozenset({"no", "n", "nu", "0", "false", "fals"})


def parse_dii(text: str) -> Parsed:
    key = answer_key(text)
    if not key:
        return EMPTY
    if key in DII_YES:
        return Parsed(True)
    if key in DII_NO:
        return Parsed(False)
    return Parsed(None, Problem("bad_dii", "dii"))


_SIZE_WORDS: dict[str, str] = {
    **{size: size for size in SIZE_CLASSES},
    "mica": "small",
    "mic": "small",
    "mijlocie": "medium",
    "mare": "large",
}


def parse_size_class(text: str) -> Parsed:
    key = answer_key(text)
    if not key:
        return EMPTY
    if key in _SIZE_WORDS:
        return Parsed(_SIZE_WORDS[key])
    return Parsed(None, Problem("bad_size_class", "size_class"))


def size_class_for(employees: int) -> str:
    """The size class a head count gives (spec §2): <10 micro, 10–49 small, 50–249 medium."""
    if employees < 10:
        return "micro"
    if employees < 50:
        return "small"
    if employees < 250:
        return "medium"
    return "large"


# --- counties ----------------------------------------------------------------------------

_COUNTY_PREFIXES = ("judetul ", "judet ", "jud ", "municipiul ", "mun ")


def _county_key(text: str) -> str:
    key = re.sub(r"[\s._-]+", " ", fold_diacritics(comma_below(text)).casefold()).strip()
    for prefix in _COUNTY_PREFIXES:
        if key.startswith(prefix):
            return key.removeprefix(prefix).strip()
    return key


@dataclass(frozen=True)
class CountyLookup:
    """Every accepted spelling of a county (matching form) → its code (`CJ`, `B`, …).

    Built by `county_lookup` from the rows of the county reference table, which
    `dih_dash.sources.reference` reads; the domain is handed it and reads no file."""

    spellings: Mapping[str, str]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self.spellings.values())

    def code(self, text: str) -> str | None:
        return self.spellings.get(_county_key(text))


def county_lookup(rows: Iterable[Mapping[str, str]]) -> CountyLookup:
    """The lookup of the county table's rows (columns `abbrev`, `iso_3166_2`, `county_ro`,
    `county_ascii`)."""
    spellings: dict[str, str] = {}
    for row in rows:
        code = row["abbrev"].strip().upper()
        for spelling in (code, row["iso_3166_2"], row["county_ro"], row["county_ascii"]):
            spellings[_county_key(spelling)] = code
    if "B" in spellings.values():
        spellings[_county_key("Bucharest")] = "B"
    return CountyLookup(spellings)


def parse_county(text: str, counties: CountyLookup) -> Parsed:
    value = _clean(text)
    if not value:
        return EMPTY
    code = counties.code(value)
    if code is None:
        return Parsed(None, Problem("bad_county", "county"))
    return Parsed(code)
