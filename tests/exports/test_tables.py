"""Downloads: formula-like text neutralised, numbers (negative gaps too) kept as numbers."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from dih_dash.exports.tables import neutralise_cell, to_csv_bytes, to_xlsx_bytes

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("text", HOSTILE)
def test_dangerous_text_is_prefixed(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Mobila SRL", "Ștefan & fiii", "", "1-2", 3, -27.05, None])
def test_harmless_values_untouched(value):
    assert neutralise_cell(value) == value


def frame() -> pd.DataFrame:
    return pd.DataFrame({"member": [*HOSTILE, "ok"], "gap": [-27.05, -1, 0, 1.5, 2, 3, 4, 5.5]})


def test_csv_neutralises_text_and_keeps_numbers():
    text = to_csv_bytes(frame(), notes={"source": "=cmd"}).decode("utf-8-sig")
    parsed = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert parsed["member"].tolist()[:-1] == ["'" + h for h in HOSTILE]
    assert parsed["gap"].tolist()[0] == -27.05
    assert pd.api.types.is_float_dtype(parsed["gap"])
    assert set(parsed["source"]) == {"'=cmd"}


def test_xlsx_has_no_formula_and_numbers_stay_numbers():
    workbook = load_workbook(io.BytesIO(to_xlsx_bytes(frame(), notes={"source": "Eurostat"})))
    sheet = workbook["data"]
    cells = [row for row in sheet.iter_rows(min_row=2)]
    for (member, gap), hostile in zip(cells, HOSTILE, strict=False):
        assert member.data_type == "s" and member.value == hostile and member.quotePrefix
        assert gap.data_type == "n"
    assert cells[0][1].value == -27.05
    assert workbook["source"]["B2"].value == "Eurostat"


def test_romanian_csv_is_what_romanian_excel_reads():
    text = to_csv_bytes(
        pd.DataFrame({"țară": ["România"], "valoare": [44.34], "diferență": [-27.05]}), lang="ro"
    ).decode("utf-8-sig")
    assert text.splitlines()[1] == "România;44,34;-27,05"
    parsed = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    assert parsed["valoare"].tolist() == [44.34] and parsed["diferență"].tolist() == [-27.05]
