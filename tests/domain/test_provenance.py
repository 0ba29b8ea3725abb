from __future__ import annotations

from dih_dash.domain.provenance import flag_legend, flag_letters, periods_text, source_line
from dih_dash.i18n import Translator


def test_flag_letters_split_combinations():
    assert flag_letters(["bu", "", "d", "b"]) == ["b", "d", "u"]
    assert flag_letters(["x"]) == ["x"]


def test_flag_legend_in_both_languages():
    assert flag_legend(Translator("en"), ["bu"]) == "b = break in time series, u = low reliability"
    assert flag_legend(Translator("ro"), ["d"]) == "d = definiție diferită (a se vedea metadatele)"


def test_source_line():
    line = source_line(Translator("ro"), ["eurostat:isoc_e_dii"], [2021, 2025, 2023], ["b"])
    assert (
        line == "Sursa: Eurostat (isoc_e_dii) · anul datelor 2021–2025 · "
        "marcaje: b = întrerupere a seriei de timp"
    )
    assert periods_text([2025]) == "2025"
    assert periods_text([]) == "–"
