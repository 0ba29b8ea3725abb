"""Services delivered (spec/edih-services.md §3): the two layouts, the four categories, the
customer types, and the folding of a customer's name that links an export row to a member.

Pure: strings in, strings out. The store keeps the folded name next to the name as read, so
a link made once (`dih-dash services link`) applies to every row that folds the same way.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence

from dih_dash.domain.survey_values import normalise_header
from dih_dash.domain.text import comma_below, fold_diacritics

LAYOUT_EXPORT = "services-export"
LAYOUT_HUB = "services-hub"
LAYOUTS = (LAYOUT_EXPORT, LAYOUT_HUB)

# The categories as the Commission's tool writes them; stored in this spelling.
CATEGORIES: tuple[str, ...] = (
    "Test before invest",
    "Training and skills development",
    "Support to find investment",
    "Innovation ecosystem and networking",
)
# The hub template's Romanian names (glossary-ro.md), in the same order as CATEGORIES.
CATEGORIES_RO: tuple[str, ...] = (
    "testare inainte de investitie",
    "instruire si competente",
    "sprijin pentru finantare",
    "ecosistem si networking",
)

CUSTOMER_TYPES: tuple[str, ...] = ("SME", "PSO", "Small mid-cap")

# --- headers ---------------------------------------------------------------------------------

# services-export: the export's own headers → the field they fill.
EXPORT_COLUMNS: dict[str, str] = {
    "Customer": "customer",
    "Customer type": "customer_type",
    "Service category delivered": "category",
    "Dates": "dates",
    "Start Date": "start_date",
    "End Date": "end_date",
    "Short description of the service": "description",
    "Service price, €": "price_eur",
    "Status": "status",
}
EXPORT_REQUIRED: tuple[str, ...] = ("Customer", "Customer type", "Service category delivered")

# services-hub: English header → Romanian alias (the template's two header rows).
HUB_COLUMNS: dict[str, str] = {
    "member_id": "cod_membru",
    "service_category": "categorie_serviciu",
    "start_date": "data_inceput",
    "end_date": "data_sfarsit",
    "description": "descriere",
    "price_eur": "pret_eur",
    "status": "stare",
}
HUB_REQUIRED: tuple[str, ...] = ("member_id", "service_category")


def export_names() -> dict[str, str]:
    """Normalised header → field, for the services-export layout."""
    names = {normalise_header(h): f for h, f in EXPORT_COLUMNS.items()}
    # "Service price, €" may lose its sign or comma when the sheet is saved again.
    names.update({"service_price": "price_eur", "service_price_eur": "price_eur"})
    return names


def hub_names() -> dict[str, str]:
    """Normalised header → field (the hub's English names), for the services-hub layout."""
    names: dict[str, str] = {}
    for english, romanian in HUB_COLUMNS.items():
        field = "category" if english == "service_category" else english
        names[normalise_header(english)] = field
        names[normalise_header(romanian)] = field
    return names


def detect_services_layout(header: Sequence[str]) -> str | None:
    """`services-export`, `services-hub` or None, from the header alone (spec §3.1, §3.2)."""
    present = {normalise_header(h) for h in header}
    if all(normalise_header(h) in present for h in EXPORT_REQUIRED):
        return LAYOUT_EXPORT
    hub = hub_names()
    fields = {hub[h] for h in present if h in hub}
    if {"member_id", "category"} <= fields:
        return LAYOUT_HUB
    return None


# --- values ----------------------------------------------------------------------------------


# Cached: an export repeats a handful of categories and types, and each customer's name, on
# thousands of rows.
@functools.lru_cache(maxsize=4096)
def _word_key(text: str) -> str:
    folded = fold_diacritics(comma_below(text)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


_CATEGORY_BY_KEY: dict[str, str] = {
    **{_word_key(c): c for c in CATEGORIES},
    **{_word_key(ro): en for ro, en in zip(CATEGORIES_RO, CATEGORIES, strict=True)},
}
_CUSTOMER_TYPE_BY_KEY: dict[str, str] = {
    "sme": "SME",
    "imm": "SME",
    "pso": "PSO",
    "small mid cap": "Small mid-cap",
    "small midcap": "Small mid-cap",
}


def parse_category(text: str) -> str | None:
    """The category in the Commission's spelling, or None when `text` names none of the four
    (case, diacritics and punctuation are ignored; the Romanian names are accepted)."""
    return _CATEGORY_BY_KEY.get(_word_key(text))


def parse_customer_type(text: str) -> str | None:
    return _CUSTOMER_TYPE_BY_KEY.get(_word_key(text))


# --- names -----------------------------------------------------------------------------------

LEGAL_FORMS: frozenset[str] = frozenset({"srl", "sa", "pfa", "ii"})


@functools.lru_cache(maxsize=16384)
def fold_name(name: str) -> str:
    """The form of a customer's or member's name that linking compares (spec §3.3).

    Case, diacritics (cedilla and comma-below alike), punctuation and white space are
    folded, and legal-form suffixes (`SRL`, `S.R.L.`, `SA`, `S.A.`, `PFA`, `II`) at the end
    are dropped: `Ştefan & Co, S.R.L.` and `STEFAN CO SRL` fold alike. Dots are removed
    before splitting into words, so `S.R.L.` is one word, `srl`; the words are then joined
    with nothing between them, so `Alfa Tech` and `AlfaTech` also fold alike. A name that is
    nothing but a legal form keeps it (else every such name would fold to "").
    """
    folded = fold_diacritics(comma_below(name)).casefold().replace(".", "")
    words = re.sub(r"[^0-9a-z]+", " ", folded).split()
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return "".join(words)


def customer_key(*, name: str | None = None, member_id: str | None = None) -> str:
    """Who a service was for, as the key of a stored service: a member id (hub template) or
    the folded name (the Commission's export, which has no id)."""
    if member_id is not None:
        return f"member:{member_id}"
    if name is None:
        raise ValueError("a customer key needs a name or a member id")
    return f"name:{fold_name(name)}"


def service_key(
    customer: str, category: str, start: str | None, end: str | None, description: str
) -> str:
    """The natural key of a service row (spec §3.4), as a fixed-length digest.

    (customer key, category, start date, end date, description with its white space
    collapsed); a digest, so the unique index holds a long description and an empty date
    alike on both backends."""
    parts = (customer, category, start or "", end or "", " ".join(description.split()))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
