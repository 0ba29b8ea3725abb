"""The indicator catalogue: what every national series id means, in English and Romanian.

Hand-written entries (Digital Decade KPIs, DESI 2022 edition) live in
`dih_dash/reference/catalogue.toml`, so the hub can correct a label without touching code;
`dih_dash.sources.reference.load_catalogue()` reads it and builds the catalogue here
(`catalogue_from_mapping`). The digital
intensity (DII) bands by size class are a regular family and are generated here.
Numbers (2030 targets) are not typed anywhere: an entry names the target row it uses
(`target_of`) and the value comes from the targets table built from the raw data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

# DESI dimensions (2022 edition) and the Digital Decade pillars they correspond to.
DIMENSIONS: tuple[str, ...] = ("overall", "hc", "conn", "idt", "dps", "green")

SOURCES = ("eurostat:isoc_e_dii", "eurostat:isoc_eb_ai", "desi2026", "desi2022")


@dataclass(frozen=True)
class Indicator:
    id: str
    label_en: str
    label_ro: str
    definition_en: str
    definition_ro: str
    unit: str
    higher_is_better: bool
    dimension: str
    source: str
    # Eurostat dimension filters that select this series from `source` (empty for DESI).
    filters: dict[str, str] = field(default_factory=dict)
    # Which row of the targets table applies (e.g. the DII v4 series uses the v3 KPI's
    # target, because the 2030 target is on "at least basic", whatever the index version).
    target_of: str | None = None
    # "country": every member state should reach the target; "eu": the EU as a whole
    # (e.g. 500 unicorns), so a country's distance to it means nothing.
    target_level: str = "country"
    note_en: str = ""
    note_ro: str = ""
    # Groups series that must never share a line (DII version 3 vs 4).
    instrument: str = ""
    decimals: int = 1
    kpi: bool = False  # a Digital Decade KPI, shown on the "Romania vs EU" page
    # The unit of the stored 2030 target when the source gives it in another unit than the
    # series (DESI 2026 stores the ICT specialists' target as 20 in a "thousands" column,
    # but the Decision's target is 20 million): the target is then said in this unit.
    target_unit: str | None = None
    # Where the DESI tool gives this indicator a target of its own that the Digital Decade
    # Decision (EU) 2022/2481 sets on another indicator (75% of enterprises using AI, cloud
    # OR data analytics; gigabit coverage, not fibre): that indicator's id.
    legal_target_in: str | None = None
    # A shorter name for chart axes, where the label would need a third line.
    short_en: str = ""
    short_ro: str = ""

    def label(self, lang: str) -> str:
        return self.label_ro if lang == "ro" else self.label_en

    def short_label(self, lang: str) -> str:
        """The name for a chart's axis: the short one where the catalogue has it."""
        short = self.short_ro if lang == "ro" else self.short_en
        return short or self.label(lang)

    def definition(self, lang: str) -> str:
        return self.definition_ro if lang == "ro" else self.definition_en

    def note(self, lang: str) -> str:
        return self.note_ro if lang == "ro" else self.note_en

    @property
    def is_percentage(self) -> bool:
        return self.unit.startswith("PC_")

    @property
    def is_count(self) -> bool:
        """A number of things (edge nodes, unicorns): the EU figure is then the EU's total,
        not an average, and a country's gap to it means nothing."""
        return self.unit.startswith("NB_") or self.unit == "TH_IND"

    @property
    def dataset(self) -> str | None:
        """The Eurostat dataset code, for series a refresh can update."""
        return self.source.split(":", 1)[1] if self.source.startswith("eurostat:") else None


# --- the DII family -------------------------------------------------------------------

DII_BANDS: dict[str, tuple[str, str]] = {
    "vlo": ("very low", "foarte scăzut"),
    "lo": ("low", "scăzut"),
    "hi": ("high", "ridicat"),
    "vhi": ("very high", "foarte ridicat"),
    "gelo": ("at least basic", "cel puțin de bază"),
}
# size_emp code -> (id suffix, EN, RO); 10-249 (SMEs) is the KPI's population and has none.
DII_SIZES: dict[str, tuple[str, str, str]] = {
    "10-249": ("", "SMEs (10-249 persons employed)", "IMM-uri (10-249 persoane ocupate)"),
    "10-49": ("_10_49", "small enterprises (10-49)", "întreprinderi mici (10-49)"),
    "50-249": ("_50_249", "medium-sized enterprises (50-249)", "întreprinderi mijlocii (50-249)"),
    "GE10": (
        "_ge10",
        "all enterprises with 10+ persons employed",
        "toate întreprinderile cu 10+ persoane ocupate",
    ),
    "GE250": ("_ge250", "large enterprises (250+)", "întreprinderi mari (250+)"),
}  # fmt: skip
DII_VERSIONS = (3, 4)

_DII_NOTE_EN = (
    "Eurostat's Digital Intensity Index counts 12 technologies; the list changes between "
    "survey years. Version 3 (odd years 2021, 2023, 2025) and version 4 (even years 2022, "
    "2024) are different instruments: compare a version only with itself."
)
_DII_NOTE_RO = (
    "Indicele intensității digitale (Eurostat) numără 12 tehnologii; lista se schimbă de la "
    "un an de anchetă la altul. Versiunea 3 (anii impari 2021, 2023, 2025) și versiunea 4 "
    "(anii pari 2022, 2024) sunt instrumente diferite: comparați o versiune doar cu ea însăși."
)


def dii_indicator_id(version: int, band: str, size_emp: str) -> str:
    """The id of one DII band series; the 10-249 'at least basic' series are the KPIs."""
    if size_emp == "10-249" and band == "gelo":
        return f"desi_sme_di{version}_gelo"
    return f"dii{version}_{band}{DII_SIZES[size_emp][0]}"


def _dii_family() -> list[Indicator]:
    entries: list[Indicator] = []
    for version in DII_VERSIONS:
        for band, (band_en, band_ro) in DII_BANDS.items():
            for size, (_, size_en, size_ro) in DII_SIZES.items():
                basic = band == "gelo"
                kpi = basic and size == "10-249"
                label_en = f"{size_en[0].upper()}{size_en[1:]} with {band_en} digital intensity"
                label_ro = f"{size_ro[0].upper()}{size_ro[1:]} cu intensitate digitală {band_ro}"
                if basic:
                    label_en = (
                        f"{size_en[0].upper()}{size_en[1:]} with at least a basic level "
                        "of digital intensity"
                    )
                    label_ro = (
                        f"{size_ro[0].upper()}{size_ro[1:]} cu cel puțin un nivel de bază "
                        "de intensitate digitală"
                    )
                label_en += f" (DII v{version})"
                label_ro += f" (DII v{version})"
                # The SME KPI's axis name: the population is in the full label and hover.
                short_en = f"SMEs with at least basic digital intensity (DII v{version})"
                short_ro = (
                    "IMM-uri cu cel puțin un nivel de bază de intensitate digitală "
                    f"(DII v{version})"
                )
                entries.append(
                    Indicator(
                        id=dii_indicator_id(version, band, size),
                        label_en=label_en,
                        label_ro=label_ro,
                        definition_en=_dii_definition_en(band),
                        definition_ro=_dii_definition_ro(band),
                        unit="PC_ENT",
                        higher_is_better=band != "vlo",
                        dimension="idt",
                        source="eurostat:isoc_e_dii",
                        filters={
                            "indic_is": f"E_DI{version}_{band.upper()}",
                            "size_emp": size,
                            "unit": "PC_ENT",
                        },
                        target_of="desi_sme_di3_gelo" if basic and size == "10-249" else None,
                        note_en=_DII_NOTE_EN,
                        note_ro=_DII_NOTE_RO,
                        instrument=f"dii{version}",
                        decimals=1,
                        kpi=kpi and version == 3,
                        short_en=short_en if kpi else "",
                        short_ro=short_ro if kpi else "",
                    )
                )
    return entries


def _dii_definition_en(band: str) -> str:
    ranges = {"vlo": "0-3", "lo": "4-6", "hi": "7-9", "vhi": "10-12", "gelo": "4-12"}
    return (
        f"Share of enterprises that use {ranges[band]} of the 12 digital technologies "
        "of Eurostat's Digital Intensity Index, among enterprises of the size class shown "
        "(financial sector excluded)."
    )


def _dii_definition_ro(band: str) -> str:
    ranges = {"vlo": "0-3", "lo": "4-6", "hi": "7-9", "vhi": "10-12", "gelo": "4-12"}
    return (
        f"Ponderea întreprinderilor care folosesc {ranges[band]} dintre cele 12 tehnologii "
        "digitale ale indicelui intensității digitale (Eurostat), din întreprinderile clasei "
        "de mărime indicate (fără sectorul financiar)."
    )


# --- building ----------------------------------------------------------------------------


def _from_mapping(data: Mapping[str, Any]) -> list[Indicator]:
    entries = []
    for indicator_id, raw in data.get("indicator", {}).items():
        entries.append(
            Indicator(
                id=indicator_id,
                label_en=raw["label_en"],
                label_ro=raw["label_ro"],
                definition_en=raw["definition_en"],
                definition_ro=raw["definition_ro"],
                unit=raw["unit"],
                higher_is_better=bool(raw.get("higher_is_better", True)),
                dimension=raw["dimension"],
                source=raw["source"],
                filters=dict(raw.get("filters", {})),
                target_of=raw.get("target_of"),
                target_level=raw.get("target_level", "country"),
                note_en=raw.get("note_en", ""),
                note_ro=raw.get("note_ro", ""),
                instrument=raw.get("instrument", ""),
                decimals=int(raw.get("decimals", 1)),
                kpi=bool(raw.get("kpi", False)),
                target_unit=raw.get("target_unit"),
                legal_target_in=raw.get("legal_target_in"),
                short_en=raw.get("short_en", ""),
                short_ro=raw.get("short_ro", ""),
            )
        )
    return entries


class Catalogue:
    def __init__(self, entries: Iterable[Indicator]) -> None:
        self._entries: dict[str, Indicator] = {}
        for entry in entries:
            if entry.id in self._entries:
                raise ValueError(f"indicator {entry.id!r} is defined twice in the catalogue")
            if entry.dimension not in DIMENSIONS:
                raise ValueError(f"indicator {entry.id!r}: unknown dimension {entry.dimension!r}")
            if entry.target_level not in ("country", "eu"):
                raise ValueError(f"indicator {entry.id!r}: target_level must be 'country' or 'eu'")
            if entry.source not in SOURCES:
                raise ValueError(f"indicator {entry.id!r}: unknown source {entry.source!r}")
            self._entries[entry.id] = entry

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._entries

    def __getitem__(self, indicator_id: str) -> Indicator:
        return self._entries[indicator_id]

    def __iter__(self):  # noqa: ANN204 - an iterator of Indicator
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def ids(self) -> list[str]:
        return list(self._entries)

    def kpis(self) -> list[Indicator]:
        return [e for e in self._entries.values() if e.kpi]

    def by_source(self, source: str) -> list[Indicator]:
        return [e for e in self._entries.values() if e.source == source]

    def eurostat_datasets(self) -> list[str]:
        return sorted({e.dataset for e in self._entries.values() if e.dataset})

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "indicator": e.id,
                    "label": e.label(lang),
                    "definition": e.definition(lang),
                    "unit": e.unit,
                    "higher_is_better": e.higher_is_better,
                    "dimension": e.dimension,
                    "source": e.source,
                    "target_of": e.target_of,
                    "note": e.note(lang),
                    "instrument": e.instrument,
                    "kpi": e.kpi,
                }
                for e in self._entries.values()
            ]
        )


def catalogue_from_mapping(data: Mapping[str, Any]) -> Catalogue:
    """The catalogue of the parsed `catalogue.toml` (its `[indicator.<id>]` tables) plus
    the generated DII family."""
    return Catalogue([*_from_mapping(data), *_dii_family()])
