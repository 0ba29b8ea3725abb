"""The page kit's caching edge: the national data, the member store and what is computed
from them, each cached under a key that names every input it reads.

Caching, and why each kind:
- `st.cache_resource` for what is shared read-only between sessions (national frames, the
  store, figures, the deck, the county map): one copy per server, never pickled per rerun;
- `st.cache_data` where each caller must get its own copy (the scored assessments and
  `analysis`, which pages may change);
- one exception: the settings use an lru_cache (see context.settings), because Streamlit's
  hashing of their key cost more than reading them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.kit.context import settings
from dih_dash.domain.catalogue import Catalogue
from dih_dash.domain.cohort import kind_counts, kind_rows, scored_members
from dih_dash.domain.demo_rule import displayed
from dih_dash.domain.national import kpi_table, ranking
from dih_dash.services import load_demo
from dih_dash.services.deck import scored_cohort
from dih_dash.settings import Settings, load_settings
from dih_dash.sources.geo import load_county_geojson
from dih_dash.sources.national_store import MANIFEST, NationalData
from dih_dash.sources.reference import county_table, load_catalogue
from dih_dash.store import Actor, Store, open_store
from dih_dash.store.national_data import VersionPoll, load_national
from dih_dash.store.services_store import load_services, unlinked_customers


def catalogue() -> Catalogue:
    return load_catalogue()


@st.cache_resource(show_spinner=False)
def _version_poll() -> VersionPoll:
    return VersionPoll()


def _national_fingerprint(config: Settings) -> str:
    """Changes whenever the snapshot is rebuilt or a refresh is published: in the data folder
    at once; in the database (another replica's refresh) within DIH_DASH_NATIONAL_POLL_SECONDS."""
    manifest = config.snapshot_dir / MANIFEST
    snap = str(manifest.stat().st_mtime_ns) if manifest.is_file() else "none"
    return f"{config.snapshot_dir}|{config.data_dir}|{snap}|{_version_poll().key(config)}"


# cache_resource, not cache_data: the frames are shared read-only by every session instead of
# being unpickled on each rerun (pages select and copy, never assign into them). The
# fingerprint names the folders and versions read, so it is the whole cache key.
@st.cache_resource(show_spinner=False, max_entries=4)
def _load_national_cached(fingerprint: str) -> NationalData:
    data = load_national(load_settings())
    # Python strings, not Arrow-backed ones: pages select rows a dozen times per run, and
    # each selection of Arrow strings runs one Arrow `take` per column (~20 ms a page).
    codes = ["indicator", "geo", "unit", "flag", "source"]
    data.tidy[codes] = data.tidy[codes].astype(object)
    return data


def national() -> NationalData:
    return _load_national_cached(_national_fingerprint(settings()))


@st.cache_resource(show_spinner=False, max_entries=4)
def _kpi_table_cached(fingerprint: str) -> pd.DataFrame:
    data = _load_national_cached(fingerprint)
    return kpi_table(data.tidy, data.targets, load_catalogue())


def kpi_comparisons() -> pd.DataFrame:
    """Every Digital Decade KPI compared (domain.national.kpi_table), once per data version."""
    return _kpi_table_cached(_national_fingerprint(settings()))


@st.cache_resource(show_spinner=False, max_entries=16)
def _ranks_cached(fingerprint: str, indicator: str) -> pd.DataFrame:
    data = _load_national_cached(fingerprint)
    entry = load_catalogue()[indicator]
    rows = data.rows_of(indicator)
    periods = sorted(rows["period"].unique())
    tables = [ranking(rows, entry, int(p)).assign(period=int(p)) for p in periods]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def ranks_by_period(indicator: str) -> pd.DataFrame:
    """Member-state ranks of one indicator for every period (geo, value, flag, rank, period)."""
    return _ranks_cached(_national_fingerprint(settings()), indicator)


# Shared read-only between sessions, like the data; the fingerprint in the key makes a new
# data version build new figures, and the oldest go first past 512.
@st.cache_resource(show_spinner=False, max_entries=512)
def _figure_cached(fingerprint: str, key: tuple, _build: Callable[[], go.Figure]) -> go.Figure:
    return _build()


def figure(key: tuple, build: Callable[[], go.Figure]) -> go.Figure:
    """The figure for `key` (page, language, view state), built once per data version.

    Building a Plotly figure costs tens of milliseconds of validation; a rerun that shows the
    same view reuses it (looking it up costs a fraction of a millisecond).
    """
    return _figure_cached(_national_fingerprint(settings()), key, build)


@st.cache_resource(show_spinner=False, max_entries=512)
def _figure_text_cached(fingerprint: str, key: tuple, _describe: Callable[[], str]) -> str:
    return _describe()


def figure_text_html(key: tuple, describe: Callable[[], str]) -> str:
    """A figure's text alternative (its HTML), kept beside the figure under the same key:
    reading every value out of a figure cost a page up to a sixth of its run."""
    return _figure_text_cached(_national_fingerprint(settings()), key, describe)


def clear_national_cache() -> None:
    _version_poll().forget()
    _figure_cached.clear()
    _figure_text_cached.clear()
    _load_national_cached.clear()
    _kpi_table_cached.clear()
    _ranks_cached.clear()


@st.cache_resource(show_spinner=False)
def _open_store(url: str, auto_load_demo: bool) -> Store:
    opened = open_store(settings(), url)
    # First start on an empty store: the clearly labelled demo cohort, so a new install
    # shows something; an import never loads it and one action removes it.
    if auto_load_demo and not opened.has_data():
        load_demo(opened, settings(), Actor(name="demo (first start)", is_admin=True))
    return opened


def store() -> Store:
    config = settings()
    return _open_store(config.database_url, config.auto_load_demo)


@st.cache_data(show_spinner=False, max_entries=8, ttl=600)
def _real_cached(url: str, version: tuple) -> bool:
    return store().has_real_data()


def _shown(frame: pd.DataFrame, url: str, version: tuple) -> pd.DataFrame:
    """The real rows once anything real is stored, else the demo rows (`demo_rule`): one
    decision for the assessments and the services alike."""
    return displayed(frame, _real_cached(url, version))


def shown_assessments(url: str, version: tuple) -> pd.DataFrame:
    """Every kind's stored assessments as the pages show them, unscored."""
    return _shown(store().load_assessments(include_demo=True), url, version)


@st.cache_data(show_spinner=False, max_entries=8, ttl=600)
def _assessments_cached(url: str, version: tuple, dma: tuple, dii: tuple) -> pd.DataFrame:
    return scored_cohort(shown_assessments(url, version), dma, dii)


# Where `assessments()` notes the store version its frame was read at.
DATA_VERSION = "data_version"


def assessments() -> pd.DataFrame:
    """The stored assessments the pages show (the real ones, or the demo cohort while there
    are none), scored: DMA band, DII score and band; demo rows flagged.

    Keyed by the store's data version, so an import made anywhere (another page, the CLI,
    another server process) shows up on the next rerun.
    """
    return _versioned(_assessments_cached)


def _versioned(load: Callable[[str, tuple, tuple, tuple], pd.DataFrame]) -> pd.DataFrame:
    """`load(url, version, dma bounds, dii bounds)`, with what it was read under noted in
    the frame's attrs: the version read before loading, so analyses cached under it (see
    `selected_cohort`) can never hold data older than their key says."""
    config = settings()
    key = (config.database_url, members_version(), config.dma_band_bounds, config.dii_band_bounds)
    frame = load(*key)
    frame.attrs[DATA_VERSION] = key  # the frame is this caller's copy (cache_data)
    return frame


@st.cache_data(show_spinner=False, max_entries=8, ttl=600)
def _members_cached(url: str, version: tuple, dma: tuple, dii: tuple) -> pd.DataFrame:
    return scored_members(shown_assessments(url, version), dma, dii)


def members() -> pd.DataFrame:
    """The stored assessments of both kinds (SMEs and public-sector organisations), scored
    (`cohort.scored_members`: real ones once there are any, else the demo cohort; a PSO has
    no DII). For a page that shows one member whatever its kind (the profile); figures take
    one kind's rows (`kind_assessments`)."""
    return _versioned(_members_cached)


def kind_assessments(kind: str) -> pd.DataFrame:
    """One kind's members of `members()`: what the member pages draw, never mixing the SME
    and PSO instruments. Its version names the kind, so a cache keyed by it never hands one
    kind's analysis to the other."""
    everyone = members()
    frame = kind_rows(everyone, kind)
    frame.attrs[DATA_VERSION] = (*everyone.attrs[DATA_VERSION], kind)
    return frame


@st.cache_data(show_spinner=False, max_entries=8, ttl=600)
def _kind_counts_cached(url: str, version: tuple, dma: tuple, dii: tuple) -> dict[str, int]:
    return kind_counts(_members_cached(url, version, dma, dii))


def members_by_kind() -> dict[str, int]:
    """How many members of each kind the pages show (`sme`, `pso`; zero when none). Kept
    per data version: every member page asks, and a copy of all members costs more."""
    config = settings()
    key = (config.database_url, members_version(), config.dma_band_bounds, config.dii_band_bounds)
    return dict(_kind_counts_cached(*key))


def frame_version(frame: pd.DataFrame) -> tuple:
    """The store, data version and band bounds an `assessments()` frame was made with: a
    small cache key for what is computed from it, instead of hashing the frame each run."""
    return frame.attrs[DATA_VERSION]


def members_version() -> tuple:
    """Changes with every import, update or deletion (see Store.data_version)."""
    return store().data_version()


@st.cache_resource(show_spinner=False)
def county_geojson() -> dict:
    """The counties' outlines for the offline map (no tiles, no CDN)."""
    return load_county_geojson()


def clear_members_cache() -> None:
    _real_cached.clear()
    _assessments_cached.clear()
    _members_cached.clear()
    _kind_counts_cached.clear()
    _services_cached.clear()
    _unlinked_cached.clear()


@st.cache_data(show_spinner=False, max_entries=8, ttl=600)
def _services_cached(url: str, version: tuple) -> pd.DataFrame:
    return load_services(store())


def services() -> pd.DataFrame:
    """The stored services delivered (see `services_store.load_services`): the real ones
    once anything real is stored, else the demo ones (`domain.demo_rule`), as for the
    assessments. Keyed by the store's
    data version, so an import or a link made anywhere shows up on the next rerun."""
    url, version = settings().database_url, members_version()
    return _shown(_services_cached(url, version), url, version)


@st.cache_data(show_spinner=False, max_entries=8, ttl=600)
def _unlinked_cached(url: str, version: tuple) -> pd.DataFrame:
    return unlinked_customers(store())


def unlinked() -> pd.DataFrame:
    """The customer names stored unlinked, once each (staff pages only)."""
    return _unlinked_cached(settings().database_url, members_version())


T = TypeVar("T")


def analysis(name: str, key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, once per `name` and `key` (which must name everything it reads, see
    `selected_cohort`); each caller gets its own copy, so a page may change what it gets."""
    return _analysis_cached(name, key, compute)


@st.cache_data(show_spinner=False, max_entries=1024)
def _analysis_cached(name: str, key: tuple, _compute: Callable[[], T]) -> T:
    return _compute()


@st.cache_data(show_spinner=False)
def county_names() -> dict[str, str]:
    table = county_table()
    return dict(zip(table["county"], table["county_name"], strict=True))
