"""Every string exists in both languages, every key the code asks for exists, and numbers
and dates follow each language's conventions."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dih_dash.i18n import (
    MissingTranslationError,
    Translator,
    format_date,
    format_number,
    format_percent,
    format_points,
    language_from_locale,
    strings,
)
from dih_dash.settings import PROJECT_ROOT

CEDILLA = re.compile("[şţŞŢ]")
# tr("key"), tr(f"..."), t("key", lang) and tr.has("key") calls with a literal key.
CALL = re.compile(r"""\b(?:tr|t|self\.tr|translator)(?:\.has)?\(\s*["']([a-z0-9_.\-]+)["']""")


def test_both_languages_have_the_same_keys():
    en, ro = set(strings("en")), set(strings("ro"))
    assert sorted(en - ro) == [], "missing in Romanian"
    assert sorted(ro - en) == [], "missing in English"


def test_no_empty_strings_and_no_cedilla_in_romanian():
    for lang in ("en", "ro"):
        empty = [k for k, v in strings(lang).items() if not v.strip()]
        assert empty == []
    assert [k for k, v in strings("ro").items() if CEDILLA.search(v)] == []


# The assessment round is "round" / "rundă" on screen (glossary); the words "wave" and
# "etapa" appear only where a text names the survey file's column of that name.
ROUND_COLUMN_KEYS = {"surveys.refused.no_wave", "surveys.template.note_required",
                     "surveys.template.note_wave", "surveys.fields.wave"}  # fmt: skip


@pytest.mark.parametrize(("lang", "word"), [("en", r"\bwaves?\b"), ("ro", r"\betap")])
def test_a_round_is_called_a_round(lang, word):
    pattern = re.compile(word, re.IGNORECASE)
    said = {
        key
        for key, text in strings(lang).items()
        if pattern.search(re.sub(r"\{[a-z_]+\}", "", text))
    }
    assert said <= ROUND_COLUMN_KEYS, sorted(said - ROUND_COLUMN_KEYS)


def test_placeholders_match_between_languages():
    field = re.compile(r"{(\w+)}")
    en, ro = strings("en"), strings("ro")
    mismatched = [k for k in en if set(field.findall(en[k])) != set(field.findall(ro[k]))]
    assert mismatched == []


def _literal_keys() -> set[tuple[str, str]]:
    found = set()
    for folder in ("dih_dash", "app_pages"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            for key in CALL.findall(path.read_text(encoding="utf-8")):
                if "." in key:
                    found.add((str(path.relative_to(PROJECT_ROOT)), key))
    for key in CALL.findall((PROJECT_ROOT / "app.py").read_text(encoding="utf-8")):
        if "." in key:
            found.add(("app.py", key))
    return found


def test_every_key_used_in_code_exists():
    used = _literal_keys()
    assert len(used) > 50, "the scan found the code's translation calls"
    missing = sorted((where, key) for where, key in used if key not in strings("en"))
    assert missing == []


def test_missing_key_raises():
    with pytest.raises(MissingTranslationError):
        Translator("ro")("no.such.key")


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (44.34, "ro", 1, "44,3"),
        (44.34, "en", 1, "44.3"),
        (1234567.891, "ro", 3, "1.234.567,891"),
        (1234567.891, "en", 2, "1,234,567.89"),
        (-27.05, "ro", 1, "\u221227,1"),
        (-0.04, "en", 1, "0.0"),
        (None, "ro", 1, "–"),
        (float("nan"), "en", 1, "–"),
    ],
)
def test_format_number(value, lang, decimals, expected):
    assert format_number(value, lang, decimals) == expected


def test_percent_points_and_dates():
    assert format_percent(44.34, "ro") == "44,3%"
    assert format_percent(44.34, "en") == "44.3%"
    assert format_points(-27.05, "ro") == "\u221227,1 pp"
    assert format_points(3.21, "en") == "+3.2 pp"
    assert format_points(0.01, "en") == "0.0 pp"
    assert format_date(dt.date(2025, 3, 14), "ro") == "14.03.2025"
    assert format_date(dt.date(2025, 3, 14), "en") == "2025-03-14"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("ro-RO", "ro"), ("ro", "ro"), ("en-GB", "en"), ("de-DE", "en"), (None, "ro"), ("", "ro")],
)
def test_language_from_browser_locale(locale, expected):
    assert language_from_locale(locale, default="ro") == expected


def test_locale_files_are_split_by_area():
    files_en = {p.name for p in (PROJECT_ROOT / "dih_dash" / "locales" / "en").glob("*.toml")}
    files_ro = {p.name for p in (PROJECT_ROOT / "dih_dash" / "locales" / "ro").glob("*.toml")}
    assert files_en == files_ro and "common.toml" in files_en
