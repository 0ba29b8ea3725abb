"""The public workshop deck as the presentation and exports pages show it: the slides and
their figures, built once per data version, slides file and setting the deck reads.

Besides the SME cohort of the member pages (`data.assessments`), the deck reads every
kind's assessments and the services delivered (the services and impact slides), picked as
the CLI picks them (`services.deck`): real rows once there are any, else the demo ones.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.kit import data
from app_pages.kit.context import settings
from dih_dash.exports.deck import DeckInputs, Slide, build_deck, load_slide_specs, slide_figure
from dih_dash.i18n import Translator

# Tall enough to read from the back of a room, short enough that a 1280×720 projector shows
# the slide's title, chart, source and controls without scrolling.
SLIDE_CHART_HEIGHT = 430


@st.cache_data(show_spinner=False, max_entries=4, ttl=600)
def _every_kind_cached(url: str, version: tuple) -> pd.DataFrame:
    # Every kind's rows as the pages show them (demo or real, decided for the whole store).
    return data.shown_assessments(url, version)


@st.cache_resource(show_spinner=False, max_entries=8)
def _deck_cached(
    lang: str,
    headed: bool,
    national_key: str,
    members_key: tuple,
    settings_key: tuple,
    today: dt.date,
) -> tuple[list[Slide], list[go.Figure | None]]:
    config = settings()
    inputs = DeckInputs(
        data.national(),
        data.catalogue(),
        data.assessments(),
        config,
        services=data.services(),
        all_assessments=_every_kind_cached(config.database_url, members_key),
        today=today,
    )
    slides = build_deck(inputs, load_slide_specs(config.slides_file), lang, public=True)
    tr = Translator(lang)
    if headed:
        return slides, [slide_figure(slide, tr) for slide in slides]
    # Title and source are text on the page; the chart fits a 1280×720 projector with them.
    return slides, [
        slide_figure(slide, tr, height=SLIDE_CHART_HEIGHT, headed=False) for slide in slides
    ]


def workshop_deck(lang: str, *, headed: bool = True) -> tuple[list[Slide], list[go.Figure | None]]:
    """The public workshop deck and its figures, rebuilt when the data (members, services),
    the slides, offers or targets file, a setting the deck reads (minimum group, band
    bounds) or the day (the targets' months left) change. `headed=False`: figures without
    their title and source, for the presentation page, which shows both as text; images and
    reports need `headed=True`, so the source travels with the chart."""
    config = settings()
    # The slides file orders the deck; the services file feeds the weakest-dimensions slide,
    # the targets file the services slide.
    files_key = tuple(
        f"{path}:{path.stat().st_mtime_ns}" if path.is_file() else str(path)
        for path in (config.slides_file, config.services_file, config.kpis_file)
    )
    settings_key = (
        files_key, config.min_group_size, config.dma_band_bounds, config.dii_band_bounds,
        config.database_url,
    )  # fmt: skip
    return _deck_cached(
        lang,
        headed,
        data._national_fingerprint(config),
        data.members_version(),
        settings_key,
        dt.date.today(),
    )
