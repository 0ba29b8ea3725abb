"""What the workshop deck and the report are made from: the national data, the catalogue,
the members the figures show (scored), every kind's assessments and the services delivered
(for the services and impact slides). The CLI loads them here; the pages keep cached copies
of the same parts and pick them with the same functions (`scored_cohort`,
`displayed_cohort`, `displayed_services`)."""

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
from dih_dash.store.services_store import load_services


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


def displayed_services(services: pd.DataFrame) -> pd.DataFrame:
    """The services the figures show: the real ones once there are any, else the demo ones
    (as `displayed_cohort` does for the assessments)."""
    if services.empty or "is_demo" not in services.columns:
        return services
    demo = services["is_demo"].fillna(False).astype(bool)
    return services[~demo].reset_index(drop=True) if (~demo).any() else services


def load_deck_inputs(settings: Settings) -> DeckInputs:
    """National data, catalogue, the scored SME assessments, every kind's assessments and
    the services delivered, from the store and the national data the settings name."""
    store = open_store(settings)
    try:
        stored = store.load_assessments(include_demo=True)
        services = displayed_services(load_services(store))
    finally:
        store.close()
    frame = scored_cohort(stored, settings.dma_band_bounds, settings.dii_band_bounds)
    return DeckInputs(
        load_national(settings),
        load_catalogue(),
        frame,
        settings,
        services=services,
        all_assessments=displayed_cohort(stored),
    )
