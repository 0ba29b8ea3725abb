"""Column mappings: how another tool's export (Google Forms, Microsoft Forms, LimeSurvey, a
hub's own spreadsheet) becomes the hub record — the `mapped` layout of spec §1.

A mapping is a small TOML file the hub keeps in its mappings folder:

```toml
name = "Chestionar Google 2025"
description = "Formularul de înscriere, varianta din martie 2025"

[options]
day_first = true          # dates such as 04/11/2025 are 4 November (false: 11 April)

[columns]                 # hub field = the header as the export writes it
member_id = "Codul fiscal (CUI)"
company_name = "Denumirea firmei"
assessed_on = "Marcaj de timp"

[values.size_class]       # answer as the export writes it = accepted value
"1-9 angajați" = "micro"

[values.dii]              # `dii` applies to all twelve DII items
"Da, folosim" = "da"
```

Headers are matched as spec §1 says (spacing, case and diacritics do not matter); answers
are matched ignoring case, diacritics and spacing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dih_dash.domain.phrases import localise_params
from dih_dash.domain.survey_schema import ASSESSMENT_COLUMNS, DII_ITEMS, DMA_COLUMNS
from dih_dash.domain.survey_values import (
    CountyLookup,
    answer_key,
    normalise_header,
    parse_company_name,
    parse_county,
    parse_dii,
    parse_employees,
    parse_member_id,
    parse_score,
    parse_size_class,
    parse_wave,
    read_date,
)
from dih_dash.i18n import t

ALL_DII = "dii"  # a [values.dii] table applies to every DII item without a table of its own
MAPPING_REQUIRED = ("member_id", "company_name")


class MappingError(ValueError):
    """A mapping file or mapping that cannot be used; `message(lang)` says why."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str = "en") -> str:
        return t(f"surveys.mapping.{self.code}", lang, **localise_params(self.params, lang))

    def __str__(self) -> str:
        return self.message("en")


def _check_value(target: str, field_name: str) -> bool:
    """Whether `target` is a value the hub accepts for `field_name` (dates: format only;
    counties: checked by `check_county_values`, which is given the county table)."""
    if field_name == "assessed_on":
        return read_date(target) is not None
    if field_name == "county":
        return True
    checks = {
        "member_id": parse_member_id,
        "company_name": parse_company_name,
        "wave": parse_wave,
        "size_class": parse_size_class,
        "employees": parse_employees,
    }
    if field_name in checks:
        return checks[field_name](target).problem is None
    if field_name in DMA_COLUMNS:
        return parse_score(target).problem is None
    if field_name in (*DII_ITEMS, ALL_DII):
        return parse_dii(target).problem is None
    return True


@dataclass(frozen=True)
class ColumnMapping:
    """Which source header feeds each hub field, and how source answers translate."""

    name: str
    columns: Mapping[str, str]
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    description: str = ""
    day_first: bool = True

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise MappingError("no_name")
        for field_name, header in self.columns.items():
            if field_name not in ASSESSMENT_COLUMNS:
                raise MappingError("unknown_field", name=self.name, field=field_name)
            if not isinstance(header, str) or not header.strip():
                raise MappingError("bad_header", name=self.name, field=field_name)
        missing = [f for f in MAPPING_REQUIRED if f not in self.columns]
        if missing:
            raise MappingError("missing_required", name=self.name, fields=missing)
        for field_name, table in self.values.items():
            if field_name not in (*ASSESSMENT_COLUMNS, ALL_DII):
                raise MappingError("unknown_field", name=self.name, field=field_name)
            for source, target in table.items():
                if not isinstance(target, str) or not _check_value(target, field_name):
                    raise MappingError(
                        "bad_value", name=self.name, field=field_name, source=source, value=target
                    )

    def value_map(self, field_name: str) -> dict[str, str]:
        """Source answer (matching form) → accepted value, for one hub field."""
        table = self.values.get(field_name)
        if table is None and field_name in DII_ITEMS:
            table = self.values.get(ALL_DII)
        return {answer_key(source): target for source, target in (table or {}).items()}

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"name": self.name}
        if self.description:
            data["description"] = self.description
        data["options"] = {"day_first": self.day_first}
        data["columns"] = dict(self.columns)
        if self.values:
            data["values"] = {f: dict(table) for f, table in self.values.items()}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ColumnMapping:
        name = data.get("name")
        columns = data.get("columns")
        values = data.get("values", {})
        options = data.get("options", {})
        if not isinstance(name, str):
            raise MappingError("no_name")
        if not isinstance(columns, dict):
            raise MappingError("no_columns", name=name)
        if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
            raise MappingError("bad_values_table", name=name)
        if not isinstance(options, dict):
            raise MappingError("bad_options", name=name)
        day_first = options.get("day_first", True)
        if not isinstance(day_first, bool):
            raise MappingError("bad_options", name=name)
        return cls(
            name=name,
            columns=dict(columns),
            values={f: dict(table) for f, table in values.items()},
            description=str(data.get("description", "")),
            day_first=day_first,
        )


# --- suggestions -------------------------------------------------------------------------

# Keywords per hub field, in English and Romanian (diacritics folded). A leading `=` means
# the whole header must be that word: "data", "AI" or "IA" inside a longer question mean
# something else. A trailing `@0.8` weighs a weaker hint (a form's start time is less
# the assessment date than its completion time). `_EXCLUDE` lowers the score where a
# nearby field's words show up.
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "member_id": (
        "member id", "cod membru", "cui", "cif", "cod fiscal", "codul fiscal",
        "cod unic de inregistrare", "vat", "vat number", "vat code", "tax id", "fiscal code",
        "sme id", "id firma", "company id", "registration number",
    ),
    "company_name": (
        "company name", "company", "denumire", "denumirea firmei", "denumire firma", "firma",
        "companie", "societate", "societatea", "nume firma", "numele firmei", "nume companie",
        "organisation name", "organization name", "organisation", "organization",
        "business name", "sme name",
    ),
    "wave": (
        "wave", "etapa", "etapa evaluarii", "runda", "runda de evaluare", "dma timing",
        "timing", "assessment round",
    ),
    "assessed_on": (
        "timestamp", "marcaj de timp", "marcaj temporal", "completion time", "data evaluarii",
        "=date", "=data", "submitdate", "submit date", "assessment date", "start time@0.8",
        "datestamp", "data completarii",
    ),
    "cluster": ("cluster", "clusterul"),
    "sector": (
        "sector", "sector of activity", "sector de activitate", "domeniu de activitate",
        "domeniul de activitate", "industry", "industrie", "caen", "cod caen", "nace",
    ),
    "size_class": (
        "size class", "clasa marime", "clasa de marime", "marimea intreprinderii",
        "company size", "staff size", "marime firma", "marimea firmei", "dimensiunea firmei",
        "categorie imm",
    ),
    "employees": (
        "employees", "number of employees", "nr angajati", "numar de angajati",
        "numarul de angajati", "angajati", "persons employed", "salariati",
        "numar de salariati", "numarul de salariati", "cate persoane", "persoane lucreaza",
        "how many people", "people work",
    ),
    "county": ("county", "judet", "judetul", "=jud"),
    "dma_strategy": (
        "digital business strategy", "strategie digitala", "strategia digitala",
        "strategie digitala de afaceri", "dma strategy", "business strategy",
    ),
    "dma_readiness": (
        "digital readiness", "pregatire digitala", "pregatirea digitala", "dma readiness",
    ),
    "dma_human": (
        "human centric", "human centric digitalisation", "human centric digitalization",
        "centrata pe factorul uman", "factorul uman", "centrata pe om", "dma human",
    ),
    "dma_data": (
        "data governance", "data management", "gestionarea datelor", "guvernanta datelor",
        "managementul datelor", "dma data",
    ),
    "dma_automation": (
        "automation", "automation artificial intelligence", "automatizare",
        "automatizare si inteligenta artificiala", "dma automation",
    ),
    "dma_green": (
        "green digitalisation", "green digitalization", "digitalizare ecologica",
        "digitalizare verde", "dma green",
    ),
    "dma_overall": (
        "dma score", "overall score", "overall", "scor dma", "punctaj dma", "punctaj general",
        "scor general", "scor total", "total score", "digital maturity score",
        "dma overall",
    ),
    "dii_internet_staff": (
        "internet access", "acces la internet", "access to the internet", "acces internet",
        "use the internet", "more than 50", "peste 50",
    ),
    "dii_fast_broadband": (
        "download speed", "viteza de descarcare", "30 mbit", "30 mb", "broadband",
        "banda larga", "viteza internet", "viteza conexiunii",
    ),
    "dii_ai": (
        "artificial intelligence", "inteligenta artificiala", "=ai", "=ia", "ai technology",
        "tehnologii ia", "tehnologie ia", "dii ai",
    ),
    "dii_cloud": ("cloud", "cloud computing", "servicii cloud", "dii cloud"),
    "dii_cloud_advanced": (
        "sophisticated cloud", "intermediate cloud", "sophisticated or intermediate cloud",
        "cloud sofisticate", "cloud intermediare", "cloud avansate", "advanced cloud",
        "cloud advanced",
    ),
    "dii_erp": ("erp", "enterprise resource planning", "planificarea resurselor"),
    "dii_crm": (
        "crm", "customer relationship management", "relatia cu clientii",
        "relatiilor cu clientii",
    ),
    "dii_social_media": (
        "social media", "retele sociale", "retelele sociale", "social networks",
        "retea sociala",
    ),
    "dii_social_media_2plus": (
        "two or more social media", "2 or more social media", "doua sau mai multe retele",
        "cel putin doua retele", "two or more", "doua sau mai multe", "social media 2plus",
    ),
    "dii_data_analytics": (
        "data analytics", "analiza datelor", "analize de date", "analiza de date",
        "analytics",
    ),
    "dii_ecommerce_1pct": (
        "e commerce", "ecommerce", "comert electronic", "vanzari online",
        "e commerce sales",
    ),
    "dii_web_sales_b2c": (
        "b2c", "web sales", "vanzari web", "vanzari prin web", "vanzari b2c",
        "web sales b2c",
    ),
    "org_type": (
        "org type", "organisation type", "organization type", "tip organizatie",
        "tipul organizatiei", "tip de organizatie",
    ),
    # The PSO instrument's dimensions, by the PSO export's headers only: the SME ones share
    # most of their words.
    "pso_strategy": ("=digital strategy and investments", "pso strategy"),
    "pso_readiness": ("pso readiness",),
    "pso_human": ("pso human",),
    "pso_data": ("=data management and security", "pso data"),
    "pso_interop": ("=interoperability", "=interoperabilitate", "pso interop"),
    "pso_green": ("pso green",),
}  # fmt: skip

_EXCLUDE: dict[str, tuple[str, ...]] = {
    "company_name": ("cui", "cif", "cod", "codul", "vat", "id"),
    "dii_ai": ("automation", "automatizare"),
    "dii_cloud": (
        "sophisticated", "intermediate", "sofisticate", "intermediare", "avansate", "advanced",
    ),
    "dii_social_media": ("two or more", "2 or more", "doua sau mai multe", "cel putin doua"),
    "dii_ecommerce_1pct": ("b2c", "web sales", "vanzari web"),
    "dma_automation": ("dii",),
    "assessed_on": ("governance", "management", "analytics"),
}  # fmt: skip

_MIN_SCORE = 0.5
_MAX_SUGGESTIONS = 3


def check_county_values(mapping: ColumnMapping, counties: CountyLookup) -> ColumnMapping:
    """`mapping`, after checking that its `[values.county]` table names only known
    counties; `MappingError("bad_value")` otherwise, as for the other fields' values."""
    for source, target in mapping.values.get("county", {}).items():
        if parse_county(target, counties).problem is not None:
            raise MappingError(
                "bad_value", name=mapping.name, field="county", source=source, value=target
            )
    return mapping


def _tokens(text: str) -> list[str]:
    return [tok for tok in re.split(r"[^a-z0-9]+", normalise_header(text)) if tok]


def _token_match(header_token: str, keyword_token: str) -> bool:
    # Romanian articles and case endings (codul, firmei, angajatilor) follow the stem.
    # Short keywords (CUI, CIF, ERP, B2C) must match whole: `cif` is not `cifra`.
    return header_token == keyword_token or (
        len(keyword_token) >= 4
        and header_token.startswith(keyword_token)
        and len(header_token) - len(keyword_token) <= 4
    )


def _contains(header: list[str], keyword: list[str]) -> bool:
    span = len(keyword)
    return any(
        all(_token_match(header[i + k], keyword[k]) for k in range(span))
        for i in range(len(header) - span + 1)
    )


def _keyword_score(header: list[str], keyword: str) -> float:
    phrase, _, weight_text = keyword.partition("@")
    weight = float(weight_text) if weight_text else 1.0
    exact_only = phrase.startswith("=")
    words = _tokens(phrase.lstrip("="))
    if not header or not words:
        return 0.0
    if header == words:
        return weight
    if exact_only:
        return 0.0
    if _contains(header, words):
        # A keyword that is most of the header says more than one lost in a long question.
        return weight * (0.7 + 0.3 * len(words) / len(header))
    matcher = difflib.SequenceMatcher(None, " ".join(header), " ".join(words))
    # The quick upper bounds skip the costly ratio for the many headers nowhere near.
    if matcher.real_quick_ratio() < 0.8 or matcher.quick_ratio() < 0.8:
        return 0.0
    ratio = matcher.ratio()
    return weight * ratio * 0.8 if ratio >= 0.8 else 0.0


def _header_score(field_name: str, header: list[str]) -> float:
    score = max(_keyword_score(header, kw) for kw in _KEYWORDS[field_name])
    if score and any(_contains(header, _tokens(ex)) for ex in _EXCLUDE.get(field_name, ())):
        score *= 0.5
    return round(score, 3)


def suggest_mapping(headers: Sequence[str]) -> dict[str, list[tuple[str, float]]]:
    """For every hub field, up to three source headers that probably hold it, best first,
    with a score in 0–1 (1 = the header is exactly a known name). The user confirms."""
    tokenised = [(header, _tokens(header)) for header in headers if str(header).strip()]
    suggestions: dict[str, list[tuple[str, float]]] = {}
    for field_name in ASSESSMENT_COLUMNS:
        scored = [(header, _header_score(field_name, tokens)) for header, tokens in tokenised]
        ranked = sorted(((h, s) for h, s in scored if s >= _MIN_SCORE), key=lambda pair: -pair[1])
        suggestions[field_name] = ranked[:_MAX_SUGGESTIONS]
    return suggestions
