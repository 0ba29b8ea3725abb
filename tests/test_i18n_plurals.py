"""A count with its noun (`Translator.count`, `plural_form`): Romanian puts "de" between a
number whose last two digits are 00 or 20–99 and its noun; English has one and other."""

from __future__ import annotations

import pytest

from dih_dash.i18n import Translator, plural_form


@pytest.mark.parametrize(
    ("count", "ro", "en"),
    [
        (0, "0 de clienți", "0 customers"),
        (1, "1 client", "1 customer"),
        (2, "2 clienți", "2 customers"),
        (19, "19 clienți", "19 customers"),
        (20, "20 de clienți", "20 customers"),
        (25, "25 de clienți", "25 customers"),
        (100, "100 de clienți", "100 customers"),
        (101, "101 clienți", "101 customers"),
        (119, "119 clienți", "119 customers"),
        (120, "120 de clienți", "120 customers"),
        (1000, "1.000 de clienți", "1,000 customers"),
    ],
)
def test_a_count_takes_the_form_of_its_number(count, ro, en):
    assert Translator("ro").count("hub_services.customers_count", count) == ro
    assert Translator("en").count("hub_services.customers_count", count) == en


def test_the_forms():
    assert [plural_form(n, "ro") for n in (1, 2, 20, 0, 101)] == [
        "one", "other", "many", "many", "other",
    ]  # fmt: skip
    assert {plural_form(n, "en") for n in (0, 2, 20, 100)} == {"other"}
