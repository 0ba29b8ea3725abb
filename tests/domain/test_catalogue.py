"""The indicator catalogue (dih_dash/reference/catalogue.toml + the generated DII family).

The id lists below are a contract (spec/indicators.md §2), typed here on purpose: the tests
must not read the shared raw data, which CI does not have.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from dih_dash.domain.catalogue import (
    DIMENSIONS,
    SOURCES,
    Catalogue,
    Indicator,
    _dii_family,
)
from dih_dash.sources.reference import CATALOGUE_FILE, load_catalogue

# Every indicator of the DESI 2026 country profile
# (the DESI 2026 country profile, data/raw/PROVENANCE.upstream.md).
DD_PROFILE_IDS = (
    "desi_5gcov",
    "desi_5gcov_3400_3800",
    "desi_ae_ict",
    "desi_aec_ict",
    "desi_aehr",
    "desi_ai",
    "desi_ai_cloud_da",
    "desi_cloud",
    "desi_da",
    "desi_dps_biz",
    "desi_dps_cit",
    "desi_dsk_bab",
    "desi_edge",
    "desi_egov_users_anys",
    "desi_ent_secmge5",
    "desi_fttp",
    "desi_genai",
    "desi_ict_recycling",
    "desi_ict_spec",
    "desi_ihm",
    "desi_itic",
    "desi_iudi",
    "desi_sme_di3_gelo",  # generated with the DII family, not in the TOML
    "desi_sme_di3_vhi",
    "desi_unicorns",
    "desi_vhcn",
)
GENERATED_DD_IDS = {"desi_sme_di3_gelo"}

# The profile's indicators with a `dd_target_2030` row, apart from desi_sme_di3_gelo
# (whose target row the generated DII KPI and DESI 2022 3a1 point to).
TARGETED_DD_IDS = {
    "desi_5gcov",
    "desi_aehr",
    "desi_ai",
    "desi_ai_cloud_da",
    "desi_cloud",
    "desi_da",
    "desi_dps_biz",
    "desi_dps_cit",
    "desi_dsk_bab",
    "desi_fttp",
    "desi_ict_spec",
    "desi_unicorns",
    "desi_vhcn",
}
TARGET_ROWS = TARGETED_DD_IDS | {"desi_sme_di3_gelo"}

DESI2022_CODES = (
    "1a1", "1a2", "1a3", "1b1", "1b2", "1b3", "1b4",
    "2a1", "2a2", "2a3", "2b1", "2b2", "2b3", "2c1", "2c2", "2c3", "2d1",
    "3a1", "3b1", "3b2", "3b3", "3b4", "3b5", "3b6", "3b7", "3c1", "3c2", "3c3",
    "4a1", "4a2", "4a3", "4a4", "4a5",
)  # fmt: skip
DESI2022_COMPOSITES = {
    "desi2022_overall": "overall",
    "desi2022_hc": "hc",
    "desi2022_conn": "conn",
    "desi2022_idt": "idt",
    "desi2022_dps": "dps",
}
# The build multiplies PC_* DESI 2022 series by 100 (the workbook stores fractions), so these
# units are part of the contract with it.
DESI2022_UNITS = {
    "1a1": "PC_IND", "1a2": "PC_IND", "1a3": "PC_IND",
    "1b1": "PC_EMP", "1b2": "PC_ICT_SPEC", "1b3": "PC_ENT", "1b4": "PC_GRAD",
    "2a1": "PC_HH", "2a2": "PC_HH", "2a3": "PC_HH", "2b1": "PC_HH", "2b2": "PC_HH",
    "2b3": "PC_HH", "2c1": "PC_SPECTRUM", "2c2": "PC_POP_AREAS", "2c3": "PC_IND",
    "2d1": "score",
    "3a1": "PC_SME", "3b1": "PC_ENT", "3b2": "PC_ENT", "3b3": "PC_ENT", "3b4": "PC_ENT",
    "3b5": "PC_ENT", "3b6": "PC_ENT_GREEN", "3b7": "PC_ENT", "3c1": "PC_SME",
    "3c2": "PC_SME_TURNOVER", "3c3": "PC_SME",
    "4a1": "PC_INTERNET_USERS", "4a2": "score", "4a3": "score", "4a4": "score",
    "4a5": "PC_MAX_SCORE",
}  # fmt: skip
DD_UNITS = {
    "desi_5gcov": "PC_HH",
    "desi_5gcov_3400_3800": "PC_HH",
    "desi_ae_ict": "KG_HAB",
    "desi_aec_ict": "PC_AE",
    "desi_aehr": "score",
    "desi_ai": "PC_ENT",
    "desi_ai_cloud_da": "PC_ENT",
    "desi_cloud": "PC_ENT",
    "desi_da": "PC_ENT",
    "desi_dps_biz": "score",
    "desi_dps_cit": "score",
    "desi_dsk_bab": "PC_IND",
    "desi_edge": "NB_EDGE",
    "desi_egov_users_anys": "PC_IND_ILT12",
    "desi_ent_secmge5": "PC_ENT",
    "desi_fttp": "PC_HH",
    "desi_genai": "PC_IND",
    "desi_ict_recycling": "PC_WASTE_COL",
    "desi_ict_spec": "TH_IND",
    "desi_ihm": "PC_IND",
    "desi_itic": "PC_IND",
    "desi_iudi": "PC_IND",
    "desi_sme_di3_vhi": "PC_ENT",
    "desi_unicorns": "NB_UNICORNS",
    "desi_vhcn": "PC_HH",
}
EUROSTAT_KPIS = {
    "desi_ai": (
        "eurostat:isoc_eb_ai",
        {"indic_is": "E_AI_TANY", "size_emp": "GE10", "unit": "PC_ENT"},
    ),
    "desi_sme_di3_vhi": (
        "eurostat:isoc_e_dii",
        {"indic_is": "E_DI3_VHI", "size_emp": "10-249", "unit": "PC_ENT"},
    ),
}
COUNT_UNITS = {"NB_EDGE", "NB_UNICORNS", "TH_IND"}
TOML_KEYS = {
    "label_en", "label_ro", "definition_en", "definition_ro", "unit", "higher_is_better",
    "dimension", "source", "filters", "target_of", "target_level", "note_en", "note_ro",
    "instrument", "decimals", "kpi", "target_unit", "legal_target_in", "short_en", "short_ro",
}  # fmt: skip
REQUIRED_TOML_KEYS = {
    "label_en", "label_ro", "definition_en", "definition_ro", "unit", "higher_is_better",
    "dimension", "source", "instrument", "decimals", "kpi",
}  # fmt: skip
CEDILLA = "şţŞŢ"  # legacy forms; Romanian uses ș ț Ș Ț (comma below)
TEXT_FIELDS = (
    "label_en", "label_ro", "definition_en", "definition_ro", "note_en", "note_ro", "short_en",
    "short_ro",
)  # fmt: skip


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def toml_tables() -> dict[str, dict]:
    with CATALOGUE_FILE.open("rb") as fh:
        return tomllib.load(fh)["indicator"]


def desi2022_ids() -> list[str]:
    return [f"desi2022_{code}" for code in DESI2022_CODES]


# --- loading and structure --------------------------------------------------------------


def test_catalogue_loads_with_toml_and_generated_entries(catalogue, toml_tables):
    assert len(catalogue) == len(toml_tables) + len(_dii_family())
    assert set(toml_tables) <= set(catalogue.ids())


def test_toml_tables_use_only_known_keys(toml_tables):
    for indicator_id, table in toml_tables.items():
        assert set(table) <= TOML_KEYS, (indicator_id, set(table) - TOML_KEYS)
        assert set(table) >= REQUIRED_TOML_KEYS, (indicator_id, REQUIRED_TOML_KEYS - set(table))


def test_toml_does_not_define_generated_ids(toml_tables):
    generated = {entry.id for entry in _dii_family()}
    assert not generated & set(toml_tables)


def test_toml_has_exactly_the_contract_ids(toml_tables):
    expected = (
        (set(DD_PROFILE_IDS) - GENERATED_DD_IDS) | set(desi2022_ids()) | set(DESI2022_COMPOSITES)
    )
    assert set(toml_tables) == expected


# --- Digital Decade KPIs --------------------------------------------------------------------


@pytest.mark.parametrize("indicator_id", DD_PROFILE_IDS)
def test_every_desi2026_profile_id_has_an_entry(catalogue, indicator_id):
    assert indicator_id in catalogue
    assert catalogue[indicator_id].kpi is True


@pytest.mark.parametrize("indicator_id", sorted(set(DD_PROFILE_IDS) - GENERATED_DD_IDS))
def test_dd_kpi_source_unit_and_instrument(catalogue, indicator_id):
    entry = catalogue[indicator_id]
    assert entry.unit == DD_UNITS[indicator_id]
    if indicator_id in EUROSTAT_KPIS:
        source, filters = EUROSTAT_KPIS[indicator_id]
        assert entry.source == source
        assert entry.filters == filters
    else:
        assert entry.source == "desi2026"
        assert entry.instrument == "dd"
    assert entry.dimension != "overall"


@pytest.mark.parametrize("indicator_id", sorted(TARGETED_DD_IDS))
def test_targeted_kpis_point_at_their_own_target_row(catalogue, indicator_id):
    assert catalogue[indicator_id].target_of == indicator_id


def test_untargeted_kpis_have_no_target(catalogue):
    for indicator_id in set(DD_PROFILE_IDS) - TARGET_ROWS:
        assert catalogue[indicator_id].target_of is None, indicator_id


def test_only_digital_decade_entries_are_kpis(catalogue):
    assert {e.id for e in catalogue.kpis()} == set(DD_PROFILE_IDS)


def test_lower_is_better_where_exposure_or_emissions(catalogue):
    for indicator_id in ("desi_ae_ict", "desi_aec_ict", "desi_ihm", "desi_iudi"):
        assert catalogue[indicator_id].higher_is_better is False, indicator_id


def test_ict_specialists_note_warns_about_the_target_unit(catalogue):
    entry = catalogue["desi_ict_spec"]
    assert "20 million" in entry.note_en
    assert "20 de milioane" in entry.note_ro


# --- DESI 2022 edition ----------------------------------------------------------------------


@pytest.mark.parametrize("indicator_id", desi2022_ids())
def test_desi2022_indicators(catalogue, indicator_id):
    code = indicator_id.removeprefix("desi2022_")
    entry = catalogue[indicator_id]
    assert entry.source == "desi2022"
    assert entry.instrument == "desi2022"
    assert entry.kpi is False
    assert entry.dimension == {"1": "hc", "2": "conn", "3": "idt", "4": "dps"}[code[0]]
    assert entry.unit == DESI2022_UNITS[code]
    assert entry.higher_is_better is True  # the workbook's Direction is +1 for all 33
    assert entry.note_en and entry.note_ro


@pytest.mark.parametrize(("indicator_id", "dimension"), DESI2022_COMPOSITES.items())
def test_desi2022_composites(catalogue, indicator_id, dimension):
    entry = catalogue[indicator_id]
    assert entry.dimension == dimension
    assert entry.unit == "score"
    assert (entry.source, entry.instrument, entry.kpi) == ("desi2022", "desi2022", False)
    assert entry.target_of is None
    assert "recalculated" in entry.note_en
    assert "recalculată" in entry.note_ro


def test_desi2022_targets_follow_the_same_concept(catalogue):
    expected = {
        "1a1": "desi_dsk_bab",
        "2b2": "desi_vhcn",
        "2b3": "desi_fttp",
        "2c2": "desi_5gcov",
        "3a1": "desi_sme_di3_gelo",
        "3b4": "desi_cloud",
        "3b5": "desi_ai",
        "4a3": "desi_dps_cit",
        "4a4": "desi_dps_biz",
    }
    for code, target in expected.items():
        assert catalogue[f"desi2022_{code}"].target_of == target, code


# --- every entry ----------------------------------------------------------------------------


def test_every_entry_has_both_languages(catalogue):
    for entry in catalogue:
        for name in ("label_en", "label_ro", "definition_en", "definition_ro"):
            assert getattr(entry, name).strip(), (entry.id, name)


def test_no_cedilla_anywhere(catalogue):
    raw = CATALOGUE_FILE.read_text(encoding="utf-8")
    assert not [c for c in CEDILLA if c in raw]
    for entry in catalogue:
        for name in TEXT_FIELDS:
            text = getattr(entry, name)
            assert not [c for c in CEDILLA if c in text], (entry.id, name)


def test_no_english_ai_abbreviation_in_romanian(catalogue):
    for entry in catalogue:
        for name in ("label_ro", "definition_ro", "note_ro"):
            assert not re.search(r"\bAI\b", getattr(entry, name)), (entry.id, name)


def test_dimension_source_and_unit_are_valid(catalogue):
    for entry in catalogue:
        assert entry.dimension in DIMENSIONS, entry.id
        assert entry.source in SOURCES, entry.id
        assert entry.unit == "score" or re.fullmatch(r"[A-Z][A-Z0-9_]*", entry.unit), entry.id
        assert isinstance(entry.higher_is_better, bool), entry.id
        assert entry.instrument, entry.id


def test_decimals_match_the_unit(catalogue):
    for entry in catalogue:
        if entry.unit in COUNT_UNITS:
            assert entry.decimals == 0, entry.id
        else:
            assert entry.decimals in (1, 2), entry.id


def test_every_target_of_is_a_targeted_digital_decade_kpi(catalogue):
    for entry in catalogue:
        if entry.target_of is not None:
            assert entry.target_of in TARGET_ROWS, (entry.id, entry.target_of)
            assert entry.target_of in catalogue, entry.target_of


def test_eurostat_entries_have_filters_and_desi_entries_none(catalogue):
    for entry in catalogue:
        if entry.source.startswith("eurostat:"):
            assert {"indic_is", "size_emp", "unit"} <= set(entry.filters), entry.id
            assert entry.filters["unit"] == entry.unit, entry.id
        else:
            assert entry.filters == {}, entry.id


def test_eurostat_datasets(catalogue):
    assert catalogue.eurostat_datasets() == ["isoc_e_dii", "isoc_eb_ai"]


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_to_frame(catalogue, lang):
    frame = catalogue.to_frame(lang)
    assert len(frame) == len(catalogue)
    assert frame["indicator"].is_unique
    assert frame["label"].str.len().gt(0).all()


# --- the Catalogue class and the DII family ---------------------------------------------------


def _entry(**changes) -> Indicator:
    base = Indicator(
        id="x",
        label_en="X",
        label_ro="X",
        definition_en="X.",
        definition_ro="X.",
        unit="PC_IND",
        higher_is_better=True,
        dimension="hc",
        source="desi2026",
    )
    return replace(base, **changes)


def test_catalogue_rejects_duplicates():
    with pytest.raises(ValueError, match="defined twice"):
        Catalogue([_entry(), _entry()])


def test_catalogue_rejects_unknown_dimension_and_source():
    with pytest.raises(ValueError, match="dimension"):
        Catalogue([_entry(dimension="skills")])
    with pytest.raises(ValueError, match="source"):
        Catalogue([_entry(source="eurostat:isoc_ci_ifp_iu")])


def test_a_toml_entry_that_repeats_a_generated_id_is_rejected(tmp_path: Path):
    path = tmp_path / "catalogue.toml"
    path.write_text(
        "[indicator.dii3_vlo]\n"
        'label_en = "x"\nlabel_ro = "x"\ndefinition_en = "x"\ndefinition_ro = "x"\n'
        'unit = "PC_ENT"\ndimension = "idt"\nsource = "eurostat:isoc_e_dii"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="dii3_vlo"):
        load_catalogue(path)


@pytest.mark.parametrize(
    "indicator_id",
    [
        "dii3_vlo",
        "dii3_vhi",
        "dii3_lo_ge10",
        "dii3_hi_ge250",
        "dii4_gelo_ge10",
        "dii4_vlo_10_49",
        "desi_sme_di4_gelo",
    ],
)
def test_dii_family_is_generated(catalogue, indicator_id):
    entry = catalogue[indicator_id]
    assert entry.source == "eurostat:isoc_e_dii"
    assert entry.instrument in ("dii3", "dii4")


def test_dii_kpis(catalogue):
    assert catalogue["desi_sme_di3_gelo"].kpi is True
    assert catalogue["desi_sme_di3_gelo"].target_of == "desi_sme_di3_gelo"
    assert catalogue["desi_sme_di4_gelo"].kpi is False
    assert catalogue["desi_sme_di4_gelo"].target_of == "desi_sme_di3_gelo"


def test_eu_wide_targets_are_marked(catalogue):
    """Unicorns and ICT specialists are EU-wide counts: no country is 'short' of them."""
    assert catalogue["desi_unicorns"].target_level == "eu"
    assert catalogue["desi_ict_spec"].target_level == "eu"
    assert catalogue["desi_sme_di3_gelo"].target_level == "country"


def test_legal_targets_and_target_units_name_what_exists(toml_tables):
    from dih_dash.sources.reference import load_catalogue

    catalogue = load_catalogue()
    for indicator_id, table in toml_tables.items():
        if "legal_target_in" in table:
            other = catalogue[table["legal_target_in"]]
            assert other.target_of, (indicator_id, "the legal target's indicator has a target")
        if "target_unit" in table:
            assert table["target_unit"] == "MIO_IND", indicator_id
