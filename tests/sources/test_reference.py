"""The reference data read once in `dih_dash.sources.reference` and handed to the domain."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd

from dih_dash.domain.survey_validation import validate
from dih_dash.domain.survey_values import county_lookup
from dih_dash.settings import PROJECT_ROOT
from dih_dash.sources import reference
from dih_dash.sources.survey_files import RawTable

DOMAIN = PROJECT_ROOT / "dih_dash" / "domain"


def test_the_packaged_county_table_is_the_documented_one():
    # data/reference/ro_counties.csv carries the provenance; the package ships a copy so an
    # installed dih-dash needs no checkout. They must not drift apart.
    documented = PROJECT_ROOT / "data" / "reference" / "ro_counties.csv"
    assert reference.COUNTIES_CSV.read_bytes() == documented.read_bytes()
    assert reference.COUNTIES_CSV.is_relative_to(Path(reference.__file__).resolve().parents[1])


def test_the_reference_data_is_read_once_and_agrees():
    assert reference.load_counties() is reference.load_counties()
    assert reference.load_catalogue() is reference.load_catalogue()
    table = reference.county_table()
    assert len(table) == 42 and table["county"].is_unique
    assert set(table["county"]) == reference.load_counties().codes
    assert table.set_index("county").at["B", "county_name"] == "Municipiul București"


def test_the_county_lookup_reads_every_spelling():
    counties = reference.load_counties()
    for spelling in ("CJ", "cj", "RO-CJ", "Cluj", "Județul Cluj", "jud. cluj", "judetul  Cluj"):
        assert counties.code(spelling) == "CJ", spelling
    for spelling in ("București", "Bucuresti", "Bucharest", "Municipiul București", "B"):
        assert counties.code(spelling) == "B", spelling
    assert counties.code("Transilvania") is None


def test_validation_uses_the_county_table_it_is_given():
    table = RawTable(
        frame=pd.DataFrame(
            [["RO1", "A", "T0", "Cluj"]], columns=["member_id", "company_name", "wave", "county"]
        ),
        row_numbers=(2,),
        format="csv",
    )
    known = validate(table, counties=reference.load_counties(), today=None)
    assert known.assessments["county"].tolist() == ["CJ"]
    # Another table reads the same cell differently: validation reads no table of its own.
    other = county_lookup(
        [{"abbrev": "XX", "iso_3166_2": "RO-XX", "county_ro": "Altul", "county_ascii": "Altul"}]
    )
    refused = validate(table, counties=other, today=None)
    assert [e.code for e in refused.errors] == ["bad_county"]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_domain_reads_no_file_and_leaves_the_collector_alone():
    # lint-imports checks the package imports; this also catches the standard library's
    # file readers and `gc`, which import-linter does not see as external packages.
    banned = {"gc", "tomllib", "csv", "dih_dash.gc_pause", "dih_dash.settings"}
    for path in sorted(DOMAIN.glob("*.py")):
        assert not (_imported_modules(path) & banned), path.name
