"""`common.table`: the interface language's number and date formats, a dash for every
missing value (text columns of any dtype, NaT in dates), numbers kept as numbers."""

from __future__ import annotations

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest


def _table_script(lang: str) -> None:
    import datetime as dt

    import pandas as pd
    import streamlit as st

    from app_pages import common

    st.session_state["lang"] = lang
    st.query_params["lang"] = lang
    text_only = pd.DataFrame({"name": ["a", None], "note": pd.Series(["x", None], dtype="str")})
    common.table(text_only)
    mixed = pd.DataFrame(
        {
            "share": [44.34, None],
            "fetched": [dt.datetime(2025, 3, 14, 9, 30), pd.NaT],
            "label": ["RO", None],
        }
    )
    common.table(mixed)


@pytest.mark.parametrize(
    ("lang", "number", "date"), [("ro", "44,34", "14.03.2025"), ("en", "44.34", "2025")]
)
def test_gaps_are_dashes_and_formats_follow_the_language(lang, number, date):
    at = AppTest.from_function(_table_script, args=(lang,), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    text_only, mixed = at.dataframe
    assert list(text_only.value["name"]) == ["a", "–"]
    assert list(text_only.value["note"]) == ["x", "–"]
    # The numbers stay numbers; what the browser shows are the Styler's display values.
    assert mixed.value["share"].iloc[0] == pytest.approx(44.34)
    styler = mixed.proto.arrow_data.styler
    shown = pa.ipc.open_stream(styler.display_values).read_all().to_pandas()
    cells = shown.astype(str).to_numpy().ravel().tolist()
    assert number in cells
    assert any(date in cell for cell in cells)
    # The missing share, the NaT and the missing label: a dash each.
    assert cells.count("–") == 3, cells
