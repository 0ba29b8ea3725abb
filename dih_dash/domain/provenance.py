"""Where a number comes from, said the same way on every chart, table and export.

Eurostat flags are letter combinations (`bu` = break in time series + low reliability);
each letter is explained on its own, so any combination is covered.
"""

from __future__ import annotations

from collections.abc import Iterable

from dih_dash.i18n import Translator

FLAG_LETTERS = ("b", "c", "d", "e", "f", "i", "m", "n", "p", "r", "s", "u", "z")


def flag_letters(flags: Iterable[str]) -> list[str]:
    """The distinct flag letters in `flags`, in legend order; unknown letters kept at the end."""
    seen: set[str] = set()
    for flag in flags:
        seen.update(ch for ch in str(flag or "").strip().lower() if ch.isalpha())
    known = [letter for letter in FLAG_LETTERS if letter in seen]
    return known + sorted(seen - set(FLAG_LETTERS))


def flag_legend(tr: Translator, flags: Iterable[str]) -> str:
    """`b = break in time series, u = low reliability` for the letters present."""
    parts = []
    for letter in flag_letters(flags):
        key = f"flags.{letter}"
        parts.append(f"{letter} = {tr(key) if tr.has(key) else tr('flags.unknown')}")
    return ", ".join(parts)


def source_name(tr: Translator, source: str) -> str:
    if source.startswith("eurostat:"):
        return tr("sources.eurostat", dataset=source.split(":", 1)[1])
    return tr(f"sources.{source}")


def periods_text(periods: Iterable[int]) -> str:
    values = sorted({int(p) for p in periods})
    if not values:
        return "–"
    if len(values) == 1:
        return str(values[0])
    return f"{values[0]}–{values[-1]}"


def source_line(
    tr: Translator, sources: Iterable[str], periods: Iterable[int], flags: Iterable[str] = ()
) -> str:
    """`Source: Eurostat (isoc_e_dii) · data year 2025 · flags: b = break in time series`."""
    names = sorted({source_name(tr, s) for s in sources})
    text = tr("sources.line", sources="; ".join(names), years=periods_text(periods))
    legend = flag_legend(tr, flags)
    if legend:
        text += " · " + tr("sources.flags", legend=legend)
    return text
