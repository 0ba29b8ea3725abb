"""The public workshop deck as the presentation and exports pages show it: the slides and
their figures, built once per data version, slides file and setting the deck reads.

Besides the SME cohort of the member pages (`data.assessments`), the deck reads every
kind's assessments and the services delivered (the services and impact slides), picked as
the CLI picks them (`services.deck`): real rows once there are any, else the demo ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.kit import data
from app_pages.kit.context import settings
from dih_dash.exports.deck import DeckInputs, Slide, build_deck, load_slide_specs, slide_figure
from dih_dash.i18n import Translator

# The presentation's chart type in px: read from the back of a room at 1280×720. The
# chart's height is the page's (from the screen's), so the figure has none of its own.
SLIDE_FONT = 20


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
    # Title and source are text on the page; the chart fills the room the page leaves it.
    return slides, [
        slide_figure(slide, tr, height=None, headed=False, font=SLIDE_FONT) for slide in slides
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


# The presentation page is laid out for 1280×720 and scaled with the screen (`scaled`): a
# 1920×1080 projector shows the same slide, larger. Sizes in px at 1280×720.
DESIGN_WIDTH, DESIGN_HEIGHT = 1280, 720
TITLE_PX = 32
SUBTITLE_PX = 21
SOURCE_PX = 16
LEGEND_PX = 20  # as the chart's own type
BULLET_PX_LARGEST = 24
# Never smaller: what the back of a room still reads, as the chart's type.
BULLET_PX_SMALLEST = 20
CONTENT_WIDTH_PX = DESIGN_WIDTH - 64  # less the page's side padding
CONTROLS_PX = 44  # the buttons' row
TOP_PX = 56  # Streamlit's header (the menu's buttons) sits over the page's top
GAP_PX = 8
# The row under the chart: the source, the data button, Previous, "Slide n of N", Next.
CONTROL_COLUMNS = (5.0, 1.2, 1.6, 1.3, 1.6)
SOURCE_WIDTH_PX = CONTENT_WIDTH_PX * CONTROL_COLUMNS[0] / sum(CONTROL_COLUMNS) - 16
# An average glyph of the system sans-serif is about half its size wide; a little more, so
# an estimate errs towards one line too many (a gap), never one too few (a scroll bar).
GLYPH_EM = 0.56


@dataclass(frozen=True)
class SlideLayout:
    """How the presentation page lays out one slide at 1280×720: the bullets' type, the
    share of the width they get beside a chart, and the chart's height, which is what the
    screen has left below the text and above the controls."""

    bullet_px: int
    bullet_share: float  # of the width, beside a chart
    chart_px: int


def scaled(px: float) -> str:
    """`px` at 1280×720 as a CSS length that grows with the screen, by its height or its
    width, whichever is smaller, so the text wraps the same on any 16:9 screen."""
    return f"min({px * 100 / DESIGN_HEIGHT:.3f}vh, {px * 100 / DESIGN_WIDTH:.3f}vw)"


def text_lines(text: str, px: float, width_px: float) -> int:
    """Lines `text` takes at `px` in a box `width_px` wide (words never split)."""
    if not text:
        return 0
    per_line = max(1, int(width_px / (px * GLYPH_EM)))
    lines, used = 1, 0
    for word in text.split():
        needed = len(word) if used == 0 else used + 1 + len(word)
        if needed > per_line and used:
            lines, used = lines + 1, len(word)
        else:
            used = needed
    return lines


def fit_slide(
    title: str,
    subtitle: str,
    source: str,
    bullets: Sequence[str],
    has_chart: bool,
    legend: Sequence[str] = (),
) -> SlideLayout:
    """The slide's layout at 1280×720: the chart gets the height the text above and below
    it leaves; the bullets get the largest type (20–24 px) at which they fit beside it, in
    two fifths of the width, or half of it when they are long."""
    title_h = text_lines(title, TITLE_PX, CONTENT_WIDTH_PX) * TITLE_PX * 1.15
    subtitle_h = text_lines(subtitle, SUBTITLE_PX, CONTENT_WIDTH_PX) * SUBTITLE_PX * 1.3
    source_h = text_lines(source, SOURCE_PX, SOURCE_WIDTH_PX) * SOURCE_PX * 1.3
    # The legend's entries side by side, each with its key (about two ems) and a gap.
    legend_text = " ".join(f"{name} ____" for name in legend)
    legend_h = text_lines(legend_text, LEGEND_PX, CONTENT_WIDTH_PX) * LEGEND_PX * 1.3
    legend_h += GAP_PX if legend else 0
    # Padding (the header's room on top, 4 px below), three gaps and a safety margin.
    text_px = (
        TOP_PX + title_h + subtitle_h + legend_h + 3 * GAP_PX + max(source_h, CONTROLS_PX) + 4 + 12
    )
    room = int(DESIGN_HEIGHT - text_px)
    # The chart's width first (a third for the bullets), then the bullets' size.
    for share in (1 / 3, 2 / 5, 1 / 2) if has_chart else (1.0,):
        width = (CONTENT_WIDTH_PX - 16) * share - 24
        for px in range(BULLET_PX_LARGEST, BULLET_PX_SMALLEST - 1, -1):
            lines = sum(text_lines(b, px, width) for b in bullets)
            if lines * px * 1.35 + len(bullets) * 0.3 * px <= room:
                return SlideLayout(bullet_px=px, bullet_share=share, chart_px=room)
    return SlideLayout(BULLET_PX_SMALLEST, 1 / 2 if has_chart else 1.0, room)
