"""Romanian and English strings, and number and date formats.

String tables are TOML files under `locales/<lang>/`, one file per area of the app, so
two people adding strings to different areas never edit the same file. Keys are
`<file>.<section>.<name>`-free: a table `[upload]` with `title = "..."` in any file
gives the key `upload.title`. Every key must exist in both languages; a test enforces it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from pathlib import Path

from dih_dash.values import is_missing

LANGS = ("ro", "en")
LOCALES_DIR = Path(__file__).with_name("locales")


class MissingTranslationError(KeyError):
    pass


def _flatten(prefix: str, table: dict, out: dict[str, str], origin: Path) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out, origin)
        else:
            if full in out:
                raise ValueError(f"string {full!r} is defined twice ({origin})")
            out[full] = str(value)


@cache
def strings(lang: str) -> dict[str, str]:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    table: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.toml")):
        with path.open("rb") as fh:
            _flatten("", tomllib.load(fh), table, path)
    return table


def t(key: str, lang: str, /, **params: object) -> str:
    """The string `key` in `lang`, with `{name}` placeholders filled from `params`."""
    try:
        text = strings(lang)[key]
    except KeyError:
        raise MissingTranslationError(f"no {lang!r} string for {key!r}") from None
    return text.format(**params) if params else text


class Translator:
    """`tr = Translator("ro"); tr("nav.romania_vs_eu")` — a language bound once per page run."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}")
        self.lang = lang

    def __call__(self, key: str, /, **params: object) -> str:
        return t(key, self.lang, **params)

    def has(self, key: str) -> bool:
        return key in strings(self.lang)

    # Formats bound to the language, so pages write tr.pct(x) rather than passing lang.
    def num(self, value: float | None, decimals: int = 1) -> str:
        return format_number(value, self.lang, decimals)

    def pct(self, value: float | None, decimals: int = 1) -> str:
        return format_percent(value, self.lang, decimals)

    def pp(self, value: float | None, decimals: int = 1) -> str:
        return format_points(value, self.lang, decimals)

    def signed(self, value: float | None, decimals: int = 1) -> str:
        """`+5.9` / `−2,0`: a change in the indicator's own unit."""
        if is_missing(value):
            return "–"
        sign = "+" if round(float(value), decimals) > 0 else ""  # type: ignore[arg-type]
        return sign + format_number(value, self.lang, decimals)

    def date(self, value: dt.date | dt.datetime | None) -> str:
        return format_date(value, self.lang)

    def datetime(self, value: dt.datetime | None) -> str:
        return format_datetime(value, self.lang)

    def count(self, key: str, count: int) -> str:
        """`1 customer`, `25 de clienți`: `count` with its noun, from the keys `<key>.one`,
        `<key>.other` and `<key>.many` (`{n}` is the number), picked by `plural_form`."""
        return self(f"{key}.{plural_form(count, self.lang)}", n=format_number(count, self.lang, 0))


def plural_form(count: int, lang: str) -> str:
    """Which form a count takes: `one` (1), else in Romanian `many` for a number whose
    last two digits are 00 or 20–99 (0, 20, 100, 125: "de" comes between the number and
    the noun, "25 de clienți") and `other` for the rest (2–19, 101–119: "5 clienți")."""
    if count == 1:
        return "one"
    if lang == "ro" and (count % 100 >= 20 or count % 100 == 0):
        return "many"
    return "other"


def language_from_locale(locale: str | None, default: str) -> str:
    """The interface language for a browser locale such as `ro-RO` or `en-GB`."""
    if not locale:
        return default
    primary = locale.replace("_", "-").split("-")[0].lower()
    return "ro" if primary == "ro" else "en"


# --- numbers and dates -------------------------------------------------------------------

MINUS = "\u2212"


def format_number(value: float | None, lang: str, decimals: int = 1) -> str:
    """`1,234.5` in English, `1.234,5` in Romanian; a true minus sign; `–` when missing."""
    if is_missing(value):
        return "–"
    rounded = round(float(value), decimals)  # type: ignore[arg-type]
    text = f"{abs(rounded):,.{decimals}f}"
    if lang == "ro":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"{MINUS}{text}" if rounded < 0 else text


def format_percent(value: float | None, lang: str, decimals: int = 1) -> str:
    """`44.3%` / `44,3%` for a value already on the 0-100 scale."""
    if is_missing(value):
        return "–"
    return f"{format_number(value, lang, decimals)}%"


def format_points(value: float | None, lang: str, decimals: int = 1) -> str:
    """A signed difference in percentage points: `+3.2 pp`, `−27,0 pp`."""
    if is_missing(value):
        return "–"
    sign = "+" if round(float(value), decimals) > 0 else ""  # type: ignore[arg-type]
    return f"{sign}{format_number(value, lang, decimals)} pp"


def format_date(value: dt.date | dt.datetime | None, lang: str) -> str:
    """`14.03.2025` in Romanian, `2025-03-14` in English."""
    if value is None:
        return "–"
    return value.strftime("%d.%m.%Y") if lang == "ro" else value.strftime("%Y-%m-%d")


def format_datetime(value: dt.datetime | None, lang: str) -> str:
    if value is None:
        return "–"
    return value.strftime("%d.%m.%Y %H:%M") if lang == "ro" else value.strftime("%Y-%m-%d %H:%M")


def plotly_separators(lang: str) -> str:
    """Plotly's `layout.separators`: decimal mark then thousands mark."""
    return ",." if lang == "ro" else ".,"
