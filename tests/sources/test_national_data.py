"""NationalData's per-indicator split, which the pages select from."""

from __future__ import annotations

import pandas as pd

from dih_dash.sources.national_store import NationalData


def _data() -> NationalData:
    tidy = pd.DataFrame(
        {
            "indicator": ["a", "b", "a", "c", "b"],
            "geo": ["RO", "RO", "EU27_2020", "RO", "EU27_2020"],
            "period": [2024, 2024, 2024, 2025, 2025],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    return NationalData(tidy=tidy, targets=pd.DataFrame(), desi2022_data_years=pd.DataFrame())


def test_rows_of_returns_each_indicators_rows_in_the_order_asked():
    data = _data()
    rows = data.rows_of("b", "a")
    assert rows["indicator"].tolist() == ["b", "b", "a", "a"]
    assert rows["value"].tolist() == [2.0, 5.0, 1.0, 3.0]
    assert set(data.by_indicator) == {"a", "b", "c"}


def test_rows_of_skips_unknown_indicators_and_keeps_the_columns_when_empty():
    data = _data()
    assert data.rows_of("c", "zzz")["value"].tolist() == [4.0]
    empty = data.rows_of("zzz")
    assert empty.empty and list(empty.columns) == ["indicator", "geo", "period", "value"]
