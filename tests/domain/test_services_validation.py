"""Services delivered, the pure part (spec/edih-services.md §3): name folding, values, rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dih_dash.domain.phrases import FileRefused
from dih_dash.domain.services_schema import (
    CATEGORIES,
    detect_services_layout,
    fold_name,
    parse_category,
    parse_customer_type,
    service_key,
)
from dih_dash.domain.services_validation import (
    parse_dates,
    parse_price,
    validate_services,
)
from dih_dash.domain.survey_table import RawTable

EXPORT_HEADER = [
    "Customer",
    "Customer type",
    "Service category delivered",
    "Dates",
    "Short description of the service",
    "Service price, €",
    "Status",
]


def table(header: list[str], rows: list[list[str]]) -> RawTable:
    frame = pd.DataFrame(rows, columns=header, dtype="str")
    return RawTable(frame=frame, row_numbers=tuple(range(2, len(rows) + 2)), format="csv")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Alfa Mobilier S.R.L.", "ALFA MOBILIER SRL"),
        ("Alfa Mobilier SRL", "alfa  mobilier"),
        ("Beta Consult S.A.", "Beta Consult SA"),
        ("Ştefănescu Soft", "Ștefănescu Soft SRL"),  # cedilla vs comma-below
        ("ŞTEFĂNESCU SOFT", "stefanescu soft"),
        ("Ţesătoria Nouă PFA", "Țesătoria Nouă"),
        ("Popescu Ion II", "Popescu Ion I.I."),
        ("Alfa-Tech, S.R.L.", "AlfaTech"),
        ("Fabrica\u00a0de  Mobilă SRL", "Fabrica de Mobila"),
    ],
)
def test_names_that_fold_alike(a: str, b: str) -> None:
    assert fold_name(a) == fold_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Alfa Mobilier SRL", "Alfa Mobila SRL"),
        ("SA Holding", "Holding"),  # a legal form counts only at the end
        ("Beta Consult", "Beta Consulting"),
    ],
)
def test_names_that_stay_apart(a: str, b: str) -> None:
    assert fold_name(a) != fold_name(b)


def test_a_name_that_is_only_a_legal_form_keeps_it() -> None:
    assert fold_name("S.R.L.") == "srl"
    assert fold_name("SA") != fold_name("SRL")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.250,50", 1250.5),
        ("1,250.50", 1250.5),
        ("1250,5", 1250.5),
        ("1250.5", 1250.5),
        ("1 250", 1250.0),
        ("€ 1.250", 1250.0),
        ("1.250.000", 1_250_000.0),
        ("0", 0.0),
        ("850 EUR", 850.0),
        ("abc", None),
        ("1,2,3.4.5", None),
    ],
)
def test_prices_in_both_notations(text: str, value: float | None) -> None:
    assert parse_price(text) == value


def test_dates_as_a_span_or_one_day() -> None:
    assert parse_dates("2025-03-03 / 2025-04-30") == (dt.date(2025, 3, 3), dt.date(2025, 4, 30))
    assert parse_dates("2025-05-12") == (dt.date(2025, 5, 12), dt.date(2025, 5, 12))
    assert parse_dates("2025-02-30") is None
    assert parse_dates("2025-03-03 / later") is None


def test_categories_and_customer_types() -> None:
    assert parse_category("TEST BEFORE INVEST") == "Test before invest"
    assert parse_category("Instruire și competențe") == "Training and skills development"
    assert parse_category("consulting") is None
    assert parse_customer_type("sme") == "SME"
    assert parse_customer_type("Small Mid-Cap") == "Small mid-cap"
    assert parse_customer_type("large") is None


def test_layouts_are_detected_from_the_header() -> None:
    assert detect_services_layout(EXPORT_HEADER) == "services-export"
    assert detect_services_layout(["Cod membru", "Categorie serviciu"]) == "services-hub"
    assert detect_services_layout(["member_id", "wave"]) is None


def test_every_bad_value_is_an_error_naming_row_column_and_value() -> None:
    rows = [
        ["Alfa SRL", "SME", "Test before invest", "2025-03-03", "a", "100", "Completed"],
        ["Beta SRL", "Large", "Consulting", "2025-13-01", "b", "-5", ""],
        ["", "PSO", "Training and skills development", "2025-04-02 / 2025-04-01", "c", "x", ""],
    ]
    result = validate_services(table(EXPORT_HEADER, rows))
    assert result.layout == "services-export"
    assert [s.row for s in result.services] == [2]
    assert result.rejected == 2
    found = {(e.row, e.column, e.value, e.code) for e in result.errors}
    assert found == {
        (3, "Customer type", "Large", "bad_customer_type"),
        (3, "Service category delivered", "Consulting", "bad_category"),
        (3, "Dates", "2025-13-01", "bad_dates"),
        (3, "Service price, €", "-5", "negative_price"),
        (4, "Customer", "", "required"),
        (4, "Dates", "2025-04-02 / 2025-04-01", "end_before_start"),
        (4, "Service price, €", "x", "bad_price"),
    }
    category = next(e for e in result.errors if e.code == "bad_category")
    message = category.to_dict("en")["message"]
    assert "row 3" in message
    assert all(name in message for name in CATEGORIES)
    assert "rândul 3" in category.message("ro")


def test_a_repeated_row_is_kept_once_and_a_conflicting_one_is_an_error() -> None:
    base = ["Alfa SRL", "SME", "Test before invest", "2025-03-03", "Pilot", "100", "Completed"]
    changed = [*base[:5], "200", "Completed"]
    result = validate_services(table(EXPORT_HEADER, [base, base, changed]))
    assert [s.row for s in result.services] == [2]
    assert [(w.row, w.code) for w in result.warnings] == [(3, "repeated_row")]
    assert [(e.row, e.code) for e in result.errors] == [(4, "duplicate_key")]


def test_the_key_is_customer_category_dates_and_description() -> None:
    key = service_key("name:alfa", "Test before invest", "2025-03-03", "2025-03-03", "Pilot  x")
    assert key == service_key(
        "name:alfa", "Test before invest", "2025-03-03", "2025-03-03", "Pilot x"
    )
    assert key != service_key("name:alfa", "Test before invest", "2025-03-03", None, "Pilot x")
    assert len(key) == 64


def test_hub_rows_name_their_member_and_start_end_columns() -> None:
    header = ["cod_membru", "categorie_serviciu", "data_inceput", "data_sfarsit", "pret_eur"]
    rows = [["ro123", "sprijin pentru finanțare", "01.02.2025", "", "1.250,50"]]
    result = validate_services(table(header, rows))
    assert result.layout == "services-hub"
    (service,) = result.services
    assert service.member_id == "RO123"
    assert service.category == "Support to find investment"
    assert (service.start_date, service.end_date) == (dt.date(2025, 2, 1), None)
    assert service.price_eur == 1250.5


def test_a_file_of_another_kind_is_refused() -> None:
    with pytest.raises(FileRefused) as refused:
        validate_services(table(["member_id", "wave"], [["A", "T0"]]))
    assert "Customer type" in refused.value.reason("en")
    with pytest.raises(FileRefused):
        validate_services(table(EXPORT_HEADER, [["A"] * 7]), "services-hub")
