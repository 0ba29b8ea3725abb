"""The services template (spec/edih-services.md §3.2) reads back as a services-hub file."""

from __future__ import annotations

import pytest

from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.domain.services_validation import validate_services
from dih_dash.exports.services_templates import (
    services_template_csv,
    services_template_headers,
    services_template_xlsx,
)
from dih_dash.sources.survey_files import read_table


@pytest.mark.parametrize("lang", ["en", "ro"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_each_template_reads_back_without_errors(lang: str, kind: str) -> None:
    data = services_template_csv(lang) if kind == "csv" else services_template_xlsx(lang)
    table = read_table(data, f"t.{kind}", max_bytes=10_000_000, max_rows=1_000)
    assert list(table.header) == services_template_headers(lang)
    result = validate_services(table)
    assert result.layout == "services-hub"
    assert result.errors == []
    assert [s.category for s in result.services] == list(CATEGORIES[:2])
    assert [s.price_eur for s in result.services] == [1250.5, 0.0]
    assert result.services[0].member_id == ("EXEMPLU-01" if lang == "ro" else "EXAMPLE-01")


def test_romanian_headers_and_separator() -> None:
    assert services_template_headers("ro")[:2] == ["cod_membru", "categorie_serviciu"]
    first_line = services_template_csv("ro").decode("utf-8-sig").splitlines()[0]
    assert first_line.startswith("cod_membru;categorie_serviciu;")
    with pytest.raises(ValueError):
        services_template_csv("de")
