"""`in_readers_words`: a chart's tidy or compared frame with Eurostat's and the catalogue's
codes as names, units and headers of the page's language."""

from __future__ import annotations

import pandas as pd
import pytest

from dih_dash.exports.reader_words import in_readers_words
from dih_dash.i18n import Translator


def compared() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["desi_sme_di3_gelo"],
            "geo": ["EU27_2020"],
            "period": [2025.0],
            "unit": ["PC_ENT"],
            "tied_with": [("HU", "SK")],
            "band": ["vlo"],
            "target_level": ["eu"],
            "source": ["eurostat:isoc_e_dii"],
            "value": [57.5],
            "note": ["kept as it is"],
        }
    )


@pytest.mark.parametrize(
    ("lang", "geo", "tied", "unit", "level", "header"),
    [
        ("en", "EU average (EU-27)", "Hungary, Slovakia", "% of enterprises",
         "the EU as a whole", "Country / area"),
        ("ro", "Media UE (UE-27)", "Ungaria, Slovacia", "% din întreprinderi",
         "UE în ansamblu", "Țara / zona"),
    ],
)  # fmt: skip
def test_codes_become_the_readers_words(lang, geo, tied, unit, level, header):
    tr = Translator(lang)
    out = in_readers_words(compared(), tr, {"desi_sme_di3_gelo": "SMEs at least basic"})
    row = out.iloc[0]
    assert row[header] == geo
    assert row[tr("download.columns.tied_with")] == tied
    assert row[tr("download.columns.unit")] == unit
    assert row[tr("download.columns.target_level")] == level
    assert row[tr("download.columns.indicator")] == "SMEs at least basic"
    assert row[tr("download.columns.band")] == tr("dii_bands.vlo")
    assert "isoc_e_dii" in row[tr("download.columns.source")]
    assert not str(row[tr("download.columns.source")]).startswith("eurostat:")
    # A whole year, not 2025.0; the value stays a number; an unknown column is left alone.
    assert str(row[tr("download.columns.period")]) == "2025"
    assert row[tr("download.columns.value")] == pytest.approx(57.5)
    assert out.columns[-1] == "note" and row["note"] == "kept as it is"


def test_a_frame_already_in_words_passes_unchanged():
    frame = pd.DataFrame({"Runda": ["T0"], "Membri": [8]})
    pd.testing.assert_frame_equal(in_readers_words(frame, Translator("ro")), frame)
