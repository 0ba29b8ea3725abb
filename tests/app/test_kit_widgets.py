"""`widgets.table`: the interface language's number and date formats, a dash for every
missing value (text columns of any dtype, NaT in dates), numbers kept as numbers."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from support.tables import shown_tables


def _table_script(lang: str) -> None:
    import datetime as dt

    import pandas as pd
    import streamlit as st

    from app_pages.kit import widgets

    st.session_state["lang"] = lang
    st.query_params["lang"] = lang
    text_only = pd.DataFrame({"name": ["a", None], "note": pd.Series(["x", None], dtype="str")})
    widgets.table(text_only)
    mixed = pd.DataFrame(
        {
            "share": [44.34, None],
            "fetched": [dt.datetime(2025, 3, 14, 9, 30), pd.NaT],
            "label": ["RO", None],
        }
    )
    widgets.table(mixed)


@pytest.mark.parametrize(
    ("lang", "number", "date"), [("ro", "44,34", "14.03.2025"), ("en", "44.34", "2025")]
)
def test_gaps_are_dashes_and_formats_follow_the_language(lang, number, date):
    at = AppTest.from_function(_table_script, args=(lang,), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    text_only, mixed = shown_tables(at)
    assert list(text_only["name"]) == ["a", "–"]
    assert list(text_only["note"]) == ["x", "–"]
    # The cells keep their numbers (data-value); the page shows them in the language's format.
    assert mixed["share"].iloc[0] == pytest.approx(44.34)
    shown = shown_tables(at, as_shown=True)[1]
    cells = shown.astype(str).to_numpy().ravel().tolist()
    assert number in cells
    assert any(date in cell for cell in cells)
    # The missing share, the NaT and the missing label: a dash each.
    assert cells.count("–") == 3, cells


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_tables_are_real_html_tables_not_a_canvas(lang):
    """Header cells a screen reader announces, numbers right-aligned, no grid element."""
    at = AppTest.from_function(_table_script, args=(lang,), default_timeout=30)
    at.run()
    assert not at.dataframe, "no st.dataframe: its canvas hides the values"
    markup = [e.proto.body for e in at.get("html") if "data-table" in e.proto.body]
    assert len(markup) == 2
    assert '<th scope="col">name</th>' in markup[0]
    assert '<th scope="col" class="num">share</th>' in markup[1]
    assert '<td class="num" data-value="44.34">' in markup[1]


def test_a_long_table_shows_its_first_rows_and_says_so():
    import pandas as pd

    from app_pages.kit.widgets import TABLE_ROWS, table_html_block
    from dih_dash.i18n import Translator

    frame = pd.DataFrame({"row": range(TABLE_ROWS + 5), "count": range(TABLE_ROWS + 5)})
    markup = table_html_block(frame, Translator("en"), counts=["count"], height=300)
    assert markup.count("<tr>") == TABLE_ROWS + 1  # the header row and the rows kept
    assert f"The first {TABLE_ROWS:,} of {TABLE_ROWS + 5:,} rows" in markup
    # A count gets the thousands separator, a plain whole number (a year, an id) does not.
    assert '<td class="num" data-value="999">999</td><td class="num" data-value="999">999' in markup
    assert "1,004" not in markup  # beyond the rows kept
    # A scrolling table takes the keyboard's focus and has a name.
    assert 'tabindex="0" role="region" aria-label="Table" style="max-height:300px"' in markup
    short = table_html_block(frame.head(3), Translator("ro"), counts=["count"])
    assert short.count("<tr>") == 4 and "<caption>" not in short and "max-height" not in short
    big = table_html_block(pd.DataFrame({"n": [1500]}), Translator("ro"), counts=["n"])
    assert ">1.500</td>" in big
    whole = table_html_block(pd.DataFrame({"year": [2025]}), Translator("ro"))
    assert ">2025</td>" in whole


def test_run_time_log_line_is_what_the_bench_reads():
    import logging
    import re

    from app_pages.kit import context

    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    context.log_run_time("", 0.0125)  # the first call installs the stderr handler
    logger = logging.getLogger("dih_dash.runs")
    keep = Keep()
    logger.addHandler(keep)
    try:
        context.log_run_time("cohort", 0.1234)
        context.log_run_time("", 0.0125)
    finally:
        logger.removeHandler(keep)
    assert records == ["page=cohort ms=123.4", "page=(default) ms=12.5"]
    bench_line = re.compile(r"dih-dash run page=(?P<page>\S+) ms=(?P<ms>[0-9.]+)")
    assert bench_line.search(f"dih-dash run {records[0]}")["ms"] == "123.4"


def test_app_logs_each_finished_run_only_when_asked(monkeypatch):
    import logging

    from app_pages.kit import context
    from tests.support.apptest import APP

    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    context.log_run_time("", 0.0)  # installs the stderr handler before ours
    logger = logging.getLogger("dih_dash.runs")
    keep = Keep()
    logger.addHandler(keep)
    try:
        AppTest.from_file(str(APP), default_timeout=60).run()
        assert records == [], "off by default"
        monkeypatch.setenv("DIH_DASH_LOG_RUN_TIMES", "1")
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
        at.switch_page("app_pages/desi_2017_2022.py").run()
    finally:
        logger.removeHandler(keep)
    assert not at.exception
    assert [r.split(" ms=")[0] for r in records] == ["page=(default)", "page=desi-2017-2022"]
    assert all(float(r.split(" ms=")[1]) > 0 for r in records)
