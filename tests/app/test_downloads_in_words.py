"""Every chart's and table's CSV, on every public page with charts, in the reader's words
(issue 13): no code names as headers (`geo`, `home_value`, `median_dma_overall`), no codes
as values (`PC_ENT`, `EU27_2020`, `eurostat:isoc_e_dii`, `moderately_advanced`). The files
are made when clicked: the callable each download button registers is called, as a click
would. The member pages run on the demo cohort."""

from __future__ import annotations

import csv
import io

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import APP

from dih_dash.exports.reader_words import KNOWN_COLUMNS

PAGES = [
    "romania_vs_eu", "indicator_explorer", "sme_digital_intensity", "desi_2017_2022",
    "data_sources", "members_vs_national", "cohort_overview", "progress", "counties",
    "hub_services", "impact", "presentation",
]  # fmt: skip
CODE_HEADERS = {*KNOWN_COLUMNS, "wave", "median_dma_overall", "in_band", "dma_strategy",
                "suppressed", "instrument", "served_hidden", "ci_low", "group"}  # fmt: skip
# Two files carry the codes on purpose, beside the names, under headers that say so
# ("Indicator id", "Geo code"): the explorer's data of one indicator and the catalogue.
CODES_ON_PURPOSE = ("desi_sme_di3_gelo-", "dih-dash-catalogue-")
CODE_VALUES = {"PC_ENT", "PC_IND", "EU27_2020", "eurostat:isoc_e_dii", "moderately_advanced",
               "dii3_vlo", "desi2022", "False", "True"}  # fmt: skip


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("page_name", PAGES)
def test_every_download_is_in_the_readers_words(recorded_downloads, monkeypatch, page_name, lang):
    monkeypatch.setenv("DIH_DASH_AUTO_LOAD_DEMO", "1")
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    recorded_downloads.clear()  # only this page's files
    at.switch_page(f"app_pages/{page_name}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    files = {n: f for n, f in recorded_downloads.items() if n.endswith(".csv")}
    assert files, f"{page_name}: no CSV download"
    separator = ";" if lang == "ro" else ","  # Excel on Romanian Windows
    for name, make in files.items():
        rows = list(csv.reader(io.StringIO(make().decode("utf-8-sig")), delimiter=separator))
        header, body = rows[0], rows[1:]
        assert not set(header) & CODE_HEADERS, (name, header)
        if name.startswith(CODES_ON_PURPOSE):
            assert {"Indicator id", "Cod indicator"} & set(header), (name, header)
            continue
        cells = {cell for row in body for cell in row}
        assert not cells & CODE_VALUES, (name, sorted(cells & CODE_VALUES))
