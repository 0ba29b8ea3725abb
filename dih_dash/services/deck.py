"""What the workshop deck and the report are made from: the national data, the catalogue
and the members the figures show, scored. The CLI loads them here; the pages keep cached
copies of the same parts and score the members with `scored_cohort`, as the CLI does."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dih_dash.domain.cohort import displayed_cohort
from dih_dash.domain.scoring import score_assessments
from dih_dash.exports.deck import DeckInputs
from dih_dash.settings import Settings
from dih_dash.sources.reference import load_catalogue
from dih_dash.store import open_store
from dih_dash.store.national_data import load_national


def sme_rows(assessments: pd.DataFrame) -> pd.DataFrame:
    """The SMEs' assessments: the member pages, charts and deck are made for the SME
    instrument, and a PSO's scores are never averaged with an SME's, drawn on one line with
    them or set against Eurostat's enterprise figures (spec edih-services.md §1). A row
    without a kind (a frame from before kinds existed) is an SME's."""
    if "org_type" not in assessments.columns:
        return assessments
    return assessments[assessments["org_type"].fillna("sme") == "sme"]


def scored_cohort(
    assessments: pd.DataFrame,
    dma_bounds: Sequence[float],
    dii_bounds: Sequence[int],
) -> pd.DataFrame:
    """The members the figures show, with their DMA and DII bands: the SMEs only
    (`sme_rows`), and of those the demo rows only while there is no real SME data
    (`displayed_cohort`)."""
    return score_assessments(displayed_cohort(sme_rows(assessments)), dma_bounds, dii_bounds)


def load_deck_inputs(settings: Settings) -> DeckInputs:
    """National data, catalogue and the scored member assessments, from the store and the
    national data the settings name."""
    store = open_store(settings)
    try:
        frame = scored_cohort(
            store.load_assessments(include_demo=True),
            settings.dma_band_bounds,
            settings.dii_band_bounds,
        )
    finally:
        store.close()
    return DeckInputs(load_national(settings), load_catalogue(), frame, settings)
