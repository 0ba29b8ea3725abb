"""What the workshop deck and the report are made from: the national data, the catalogue,
the members the figures show (scored), every kind's assessments and the services delivered
(for the services and impact slides). The CLI loads them here; the pages keep cached copies
of the same parts and pick them with the same functions (`scored_cohort`,
`displayed_services`; `domain.demo_rule` decides demo or real for the whole store)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dih_dash.domain.demo_rule import displayed, shows_real
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
    services: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The members the figures show, with their DMA and DII bands: the SMEs only
    (`sme_rows`) of what the store shows (`demo_rule`: the real rows once anything real,
    assessments of any kind or `services`, is stored, else the demo cohort)."""
    real = shows_real(assessments, services if services is not None else assessments.iloc[0:0])
    shown = displayed(assessments, real) if "is_demo" in assessments.columns else assessments
    return score_assessments(sme_rows(shown), dma_bounds, dii_bounds)


def displayed_services(
    services: pd.DataFrame, assessments: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The services the figures show: the real ones once anything real is stored (a real
    service, or with `assessments`, a real assessment), else the demo ones."""
    if services.empty or "is_demo" not in services.columns:
        return services
    stored = assessments if assessments is not None else services.iloc[0:0]
    return displayed(services, shows_real(stored, services))


def load_deck_inputs(settings: Settings) -> DeckInputs:
    """National data, catalogue, the scored SME assessments, every kind's assessments and
    the services delivered, from the store and the national data the settings name."""
    store = open_store(settings)
    try:
        stored = store.load_assessments(include_demo=True)
        delivered = load_services(store)
    finally:
        store.close()
    real = shows_real(stored, delivered)
    frame = scored_cohort(stored, settings.dma_band_bounds, settings.dii_band_bounds, delivered)
    return DeckInputs(
        load_national(settings),
        load_catalogue(),
        frame,
        settings,
        services=displayed(delivered, real),
        all_assessments=displayed(stored, real),
    )
