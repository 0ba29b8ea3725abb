"""Text helpers shared by the file readers and validation: Romanian letters and
spreadsheet column letters. Pure functions of a string or a number."""

from __future__ import annotations

import unicodedata

# Windows-1250 and ISO-8859-2 only have the cedilla forms, so most Romanian text arrives
# with them; the correct letters are the comma-below ones (glossary-ro.md, spelling rule).
_CEDILLA_TO_COMMA = str.maketrans({"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"})


def comma_below(text: str) -> str:
    """`text` with cedilla ş ţ Ş Ţ replaced by comma-below ș ț Ș Ț."""
    return text.translate(_CEDILLA_TO_COMMA)


def fold_diacritics(text: str) -> str:
    """`text` without accents (ă→a, ș→s, …), for matching only, never for storing."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
