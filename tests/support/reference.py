"""The real reference data, handed to the domain as the application does.

`validate` here is `dih_dash.domain.survey_validation.validate` with the county table that
`dih_dash.sources.reference` reads from the package: tests of validation check the rules
against the hub's real 42 counties, not a made-up list."""

from __future__ import annotations

from typing import Any

from dih_dash.domain.survey_table import RawTable
from dih_dash.domain.survey_validation import ValidationResult
from dih_dash.domain.survey_validation import validate as validate_with
from dih_dash.sources.reference import load_counties

COUNTIES = load_counties()


def validate(table: RawTable, **kwargs: Any) -> ValidationResult:
    return validate_with(table, counties=COUNTIES, **kwargs)
