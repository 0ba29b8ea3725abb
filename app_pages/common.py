"""The Streamlit edge shared by every page: language, cached data, provenance captions,
downloads and URL state. Only this folder and app.py import streamlit.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import logging
import os
import sys
import uuid
from collections.abc import Callable, Collection
from typing import TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dih_dash.auth import LoginThrottle, oidc_admin
from dih_dash.charts.members import members_text, survey_extras
from dih_dash.domain.catalogue import Catalogue, load_catalogue
from dih_dash.domain.cohort import (
    CohortFilters,
    assessment_years,
    county_table,
    displayed_cohort,
    sorted_waves,
)
from dih_dash.domain.national import kpi_table, ranking
from dih_dash.domain.scoring import score_assessments
from dih_dash.exports.deck import DeckInputs, Slide, build_deck, load_slide_specs, slide_figure
from dih_dash.exports.images import chart_image, image_export_available
from dih_dash.exports.tables import to_csv_bytes, to_xlsx_bytes
from dih_dash.i18n import LANGS, Translator, language_from_locale
from dih_dash.settings import Settings, load_settings, secrets_paths
from dih_dash.sources.national_store import MANIFEST, NationalData
from dih_dash.store import Actor, Store, load_demo, open_store
from dih_dash.store.national_data import VersionPoll, load_national
from dih_dash.values import is_missing

LANG_KEY = "lang"
CHART_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def settings() -> Settings:
    """The settings, read again only when a DIH_DASH_* variable or a secrets file changes:
    a page asks for them a few dozen times per run."""
    env_key = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("DIH_DASH_")))
    files_key = tuple(
        (str(path), path.stat().st_mtime_ns if path.is_file() else None) for path in secrets_paths()
    )
    return _settings_cached(env_key, files_key)


# lru_cache, not st.cache_resource: the key is two small tuples, and Streamlit's hashing of
# them cost more than reading the settings did (a page asks ~25 times per run).
@functools.lru_cache(maxsize=16)
def _settings_cached(env_key: tuple, files_key: tuple) -> Settings:
    # Settings is frozen, so one instance can be shared between sessions.
    return load_settings()


def log_run_time(page: str, seconds: float) -> None:
    """One line on stderr per finished script run (with DIH_DASH_LOG_RUN_TIMES=1), for
    bench/pages.py: the time the server spends on a page, without a test harness around it."""
    logger = logging.getLogger("dih_dash.runs")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("dih-dash run %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    logger.info("page=%s ms=%.1f", page or "(default)", seconds * 1000)


def language(default: str) -> str:
    """The interface language: `?lang=` if valid, else the session's, else the browser's."""
    requested = st.query_params.get(LANG_KEY)
    if requested in LANGS:
        st.session_state[LANG_KEY] = requested
    elif st.session_state.get(LANG_KEY) not in LANGS:
        st.session_state[LANG_KEY] = language_from_locale(st.context.locale, default)
    lang = st.session_state[LANG_KEY]
    # Page switches clear the URL's parameters; putting the language back keeps it in
    # every link someone copies.
    if st.query_params.get(LANG_KEY) != lang:
        st.query_params[LANG_KEY] = lang
    return lang


def translator() -> Translator:
    return Translator(st.session_state.get(LANG_KEY) or language(settings().default_lang))


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


@st.cache_resource(show_spinner=False, max_entries=2)
def _figures(fingerprint: str) -> dict[tuple, go.Figure]:
    return {}


def figure(key: tuple, build: Callable[[], go.Figure]) -> go.Figure:
    """The figure for `key` (page, language, view state), built once per data version.

    Building a Plotly figure costs tens of milliseconds of validation; a rerun that shows the
    same view reuses it. Figures are shared read-only between sessions, like the data.
    """
    store = _figures(_national_fingerprint(settings()))
    if key not in store:
        if len(store) >= 512:
            store.clear()
        store[key] = build()
    return store[key]


def clear_national_cache() -> None:
    _version_poll().forget()
    _figures.clear()
    _load_national_cached.clear()
    _kpi_table_cached.clear()
    _ranks_cached.clear()


def chart(
    build: Callable[[], go.Figure],
    key: str,
    state: tuple = (),
    data: pd.DataFrame | None = None,
    note: str = "",
) -> go.Figure:
    """Draw the figure `build` makes, reusing it while `state` (everything the figure depends
    on besides the data version and language) stays the same; with `data` (what the chart
    shows), offer it as CSV/XLSX and the chart as PNG/SVG beside it."""
    tr = translator()

    def build_with_note() -> go.Figure:
        made = build()
        if note:
            # Appended to the source line, so the image and the deck carry it too.
            made.update_layout(title_subtitle_text=f"{made.layout.title.subtitle.text or ''}{note}")
        return made

    fig = figure((key, tr.lang, note, *state), build_with_note)
    # theme=None: the screen shows the same colours as the exported PNG and deck.
    st.plotly_chart(fig, theme=None, config=CHART_CONFIG, key=key)
    if data is not None:
        with st.popover(tr("common.chart_downloads"), icon=":material/download:"):
            notes = {tr("common.source"): chart_source(fig)}
            downloads(data, f"{key}-{tr.lang}", tr, notes=notes, key=key)
            image_buttons(fig, f"{key}-{tr.lang}", key)
    return fig


def chart_source(fig: go.Figure) -> str:
    """The source line a chart carries in its subtitle, as plain text."""
    subtitle = fig.layout.title.subtitle.text or ""
    return html.unescape(subtitle.replace("<br>", " "))


def image_buttons(fig: go.Figure, stem: str, key: str) -> None:
    """PNG and SVG of a chart (kaleido + Chromium), made on click; where the server has no
    browser, the buttons say why instead of failing."""
    tr = translator()
    available, reason = image_export_available()
    left, right = st.columns(2)
    for column, fmt in ((left, "png"), (right, "svg")):
        column.download_button(
            tr(f"common.download_{fmt}"),
            data=(lambda f=fmt: chart_image(fig, f)) if available else b"",
            file_name=f"{stem}.{fmt}",
            mime="image/png" if fmt == "png" else "image/svg+xml",
            key=f"{fmt}-{key}",
            on_click="ignore",
            disabled=not available,
            help=None if available else tr("common.images_unavailable", reason=reason),
            icon=":material/image:",
        )


def downloads(
    frame: pd.DataFrame,
    stem: str,
    tr: Translator,
    notes: dict[str, str] | None = None,
    key: str = "",
) -> None:
    """CSV and XLSX of exactly what is shown, with the provenance notes. Both are made
    when clicked, not on every run of the page."""
    left, right = st.columns(2)
    lang = tr.lang
    left.download_button(
        tr("common.download_csv"),
        data=lambda: to_csv_bytes(frame, notes=notes, lang=lang),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"csv-{key or stem}",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        tr("common.download_xlsx"),
        data=lambda: to_xlsx_bytes(frame, notes=notes),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx-{key or stem}",
        on_click="ignore",
        icon=":material/table_view:",
    )


def table(
    frame: pd.DataFrame,
    *,
    height: int | str = "auto",
    decimals: int = 2,
    counts: Collection[object] = (),
) -> None:
    """A table with the interface language's number and date formats (`44,34` and
    `14.03.2025` in Romanian). The cells keep their numbers, so sorting stays numeric.

    Whole numbers are years, ranks, ids and row numbers (shown as they are, never as
    "2.025") unless their column is named in `counts`: those get the language's thousands
    separator (`1.500`). The caller knows which is which from its columns' keys; a guess
    from the translated header gave "Changed" and "Rows" other formats than "New"."""
    tr = translator()
    decimal, thousands = (",", ".") if tr.lang == "ro" else (".", ",")
    texts_with_gaps = [
        c
        for c in frame.columns
        if (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))
        and frame[c].map(is_missing).any()
    ]
    if texts_with_gaps:
        # A dash in the copy's empty text cells; dates keep theirs until formatted below.
        frame = frame.copy()
        for column in texts_with_gaps:
            if not frame[column].map(lambda v: isinstance(v, dt.date)).any():
                frame[column] = frame[column].map(lambda v: "–" if is_missing(v) else v)
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    counted = set(counts)
    count_columns = [
        c for c in frame.columns if c in counted and pd.api.types.is_integer_dtype(frame[c])
    ]
    dates = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, dt.date)).any()]
    if not (floats or count_columns or dates):
        # Nothing to format: a Styler would only cost time (tens of ms on a long table).
        st.dataframe(frame, hide_index=True, width="stretch", height=height)
        return
    styler = frame.style
    if floats:
        styler = styler.format(
            precision=decimals, decimal=decimal, thousands=thousands, na_rep="–", subset=floats
        )
    if count_columns:
        styler = styler.format(thousands=thousands, na_rep="–", subset=count_columns)
    if dates:
        styler = styler.format(
            # Missing first: NaT is a datetime too, and has no strftime.
            lambda v: (
                "–"
                if is_missing(v)
                else tr.datetime(v)
                if isinstance(v, dt.datetime)
                else tr.date(v)
                if isinstance(v, dt.date)
                else v
            ),
            subset=dates,
        )
    st.dataframe(styler, hide_index=True, width="stretch", height=height)


def widget_key(name: str) -> str:
    """A widget key per language: a widget whose option labels are translated is a new
    widget after a language switch (else it would keep the old language's labels); its
    value carries over through the URL, which every page keeps up to date."""
    return f"{name}-{translator().lang}"


def query_value(key: str, allowed: Callable[[str], bool], default: str) -> str:
    value = st.query_params.get(key)
    return value if value is not None and allowed(value) else default


def query_list(key: str, allowed: Callable[[str], bool], default: list[str]) -> list[str]:
    raw = st.query_params.get(key)
    if raw is None:
        return default
    values = [v for v in raw.split(",") if v and allowed(v)]
    return values


def set_query(**params: str | list[str] | None) -> None:
    """Write the page's view state into the URL, so a copied link reproduces it."""
    for key, value in params.items():
        if value is None or value == [] or value == "":
            if key in st.query_params:
                del st.query_params[key]
            continue
        text = ",".join(value) if isinstance(value, list) else str(value)
        if st.query_params.get(key) != text:
            st.query_params[key] = text


# --- the member store ------------------------------------------------------------------------


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
def _assessments_cached(url: str, version: tuple, dma: tuple, dii: tuple) -> pd.DataFrame:
    frame = store().load_assessments(include_demo=True)
    return score_assessments(displayed_cohort(frame), dma, dii)


# Where `assessments()` notes the store version its frame was read at.
DATA_VERSION = "data_version"


def assessments() -> pd.DataFrame:
    """The stored assessments the pages show (the real ones, or the demo cohort while there
    are none), scored: DMA band, DII score and band; demo rows flagged.

    Keyed by the store's data version, so an import made anywhere (another page, the CLI,
    another server process) shows up on the next rerun.
    """
    config = settings()
    version = members_version()
    frame = _assessments_cached(
        config.database_url, version, config.dma_band_bounds, config.dii_band_bounds
    )
    # The version read before loading: analyses cached under it (see `selected_cohort`)
    # can then never hold data older than their key says. The frame is this caller's copy.
    frame.attrs[DATA_VERSION] = (
        config.database_url, version, config.dma_band_bounds, config.dii_band_bounds
    )  # fmt: skip
    return frame


def frame_version(frame: pd.DataFrame) -> tuple:
    """The store, data version and band bounds an `assessments()` frame was made with: a
    small cache key for what is computed from it, instead of hashing the frame each run."""
    return frame.attrs[DATA_VERSION]


FILTER_FIELDS = (
    # (URL parameter, assessment column, CohortFilters field)
    ("cluster", "cluster", "clusters"),
    ("sector", "sector", "sectors"),
    ("size", "size_class", "size_classes"),
    ("county", "county", "counties"),
    ("wave", "wave", "waves"),
)


def cohort_filters(frame: pd.DataFrame) -> CohortFilters:
    """The sidebar filters shared by the member pages, kept in the URL and the session.

    The session keeps them when a page switch clears the URL; the URL makes a copied link
    reproduce the same cohort.
    """
    tr = translator()
    chosen: dict[str, tuple[str, ...]] = {}
    with st.sidebar.expander(
        tr("member_pages.filters.heading"), expanded=True, icon=":material/filter_alt:"
    ):
        for param, column, field in FILTER_FIELDS:
            values = frame[column].dropna().astype(str)
            options = sorted_waves(values.unique()) if column == "wave" else sorted(values.unique())
            key = widget_key(f"filter_{param}")
            if key not in st.session_state:
                st.session_state[key] = query_list(param, lambda v, o=options: v in o, [])
            st.session_state[key] = [v for v in st.session_state[key] if v in options]
            selected = st.multiselect(
                tr(f"member_pages.filters.{param}"),
                options=options,
                key=key,
                placeholder=tr("member_pages.filters.all"),
                format_func=lambda v, c=column: filter_label(c, v),
            )
            chosen[field] = tuple(selected)
    for param, _, field in FILTER_FIELDS:
        set_query(**{param: list(chosen[field])})
    return CohortFilters(**chosen)


def selected_cohort(frame: pd.DataFrame) -> tuple[pd.DataFrame, tuple]:
    """The assessments the sidebar filters select, and a small key that names them: the
    frame's version (store, data version, band bounds), the filters and the role. Analyses
    and figures are cached under it instead of hashing the frame on every run."""
    filters = cohort_filters(frame)
    return filters.apply(frame), (frame_version(frame), filters, is_admin())


T = TypeVar("T")


def analysis(name: str, key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, once per `name` and `key` (which must name everything it reads, see
    `selected_cohort`); each caller gets its own copy, so a page may change what it gets."""
    return _analysis_cached(name, key, compute)


@st.cache_data(show_spinner=False, max_entries=1024)
def _analysis_cached(name: str, key: tuple, _compute: Callable[[], T]) -> T:
    return _compute()


def filter_label(column: str, value: str) -> str:
    tr = translator()
    if column == "size_class" and tr.has(f"members.size_classes.{value}"):
        return tr(f"members.size_classes.{value}")
    if column == "county":
        return county_names().get(value, value)
    return value


@st.cache_data(show_spinner=False)
def county_names() -> dict[str, str]:
    table = county_table()
    return dict(zip(table["county"], table["county_name"], strict=True))


def members_version() -> tuple:
    """Changes with every import, update or deletion (see Store.data_version)."""
    return store().data_version()


# Tall enough to read from the back of a room, short enough that a 1280×720 projector shows
# the slide's title, chart, source and controls without scrolling.
SLIDE_CHART_HEIGHT = 430


@st.cache_resource(show_spinner=False, max_entries=8)
def _deck_cached(
    lang: str, headed: bool, national_key: str, members_key: tuple, settings_key: tuple
) -> tuple[list[Slide], list[go.Figure | None]]:
    config = settings()
    inputs = DeckInputs(national(), catalogue(), assessments(), config)
    slides = build_deck(inputs, load_slide_specs(config.slides_file), lang, public=True)
    tr = Translator(lang)
    if headed:
        return slides, [slide_figure(slide, tr) for slide in slides]
    # Title and source are text on the page; the chart fits a 1280×720 projector with them.
    return slides, [
        slide_figure(slide, tr, height=SLIDE_CHART_HEIGHT, headed=False) for slide in slides
    ]


def workshop_deck(lang: str, *, headed: bool = True) -> tuple[list[Slide], list[go.Figure | None]]:
    """The public workshop deck and its figures, rebuilt when the data, the slides or services
    file, or a setting the deck reads (minimum group, band bounds) change. `headed=False`:
    figures without their title and source, for the presentation page, which shows both as
    text; images and reports need `headed=True`, so the source travels with the chart."""
    config = settings()
    # The slides file orders the deck; the services file feeds the weakest-dimensions slide.
    files_key = tuple(
        f"{path}:{path.stat().st_mtime_ns}" if path.is_file() else str(path)
        for path in (config.slides_file, config.services_file)
    )
    settings_key = (
        files_key, config.min_group_size, config.dma_band_bounds, config.dii_band_bounds,
        config.database_url,
    )  # fmt: skip
    return _deck_cached(
        lang, headed, _national_fingerprint(config), members_version(), settings_key
    )


def clear_members_cache() -> None:
    _assessments_cached.clear()


def survey_note(cohort: pd.DataFrame) -> str:
    """What a member chart's source line adds: when the assessments were made, and a
    demo-data label for the fictional cohort."""
    demo = bool(cohort["is_demo"].any()) if "is_demo" in cohort else False
    return survey_extras(translator(), assessment_years(cohort), demo)


def public_selection_ok(cohort: pd.DataFrame, everyone: pd.DataFrame) -> bool:
    """For the public, a filtered selection shows nothing when it, or the members it leaves
    out, are fewer than the minimum group: otherwise two selections (all, and all but a few)
    could be differenced into those few members' scores."""
    if is_admin():
        return True
    minimum = settings().min_group_size
    selected = cohort["member_id"].nunique()
    left_out = everyone["member_id"].nunique() - selected
    if selected >= minimum and (left_out == 0 or left_out >= minimum):
        return True
    tr = translator()
    key = (
        "member_pages.selection_too_small" if selected < minimum else "member_pages.rest_too_small"
    )
    st.info(tr(key, members=members_text(tr, minimum)), icon=":material/lock:")
    return False


def public_data(frame: pd.DataFrame) -> pd.DataFrame:
    """What a public download may carry: no means (which add up across groups), no
    suppression flags, and numbers rounded as shown."""
    if is_admin():
        return frame
    drop = [c for c in frame.columns if "mean" in str(c) or c == "suppressed"]
    return frame.drop(columns=drop).round(1)


def min_group() -> int:
    """The smallest group shown: the setting for the public, 1 for a signed-in admin."""
    return 1 if is_admin() else settings().min_group_size


def members_frame() -> pd.DataFrame | None:
    """The scored assessments for a member page, with the demo label and the privacy note
    shown; None (and a message) when the store is empty."""
    tr = translator()
    frame = assessments()
    if frame.empty:
        st.info(tr("member_pages.no_data"), icon=":material/inbox:")
        if is_admin():
            st.page_link("app_pages/upload.py", label=tr("nav.upload"), icon=":material/upload:")
        return None
    if bool(frame["is_demo"].any()):
        st.warning(tr("member_pages.demo_banner"), icon=":material/science:")
    if not is_admin():
        st.caption(
            tr("members.privacy.public_rule", members=members_text(tr, settings().min_group_size))
        )
    return frame


def require_admin() -> bool:
    """True for a signed-in admin; otherwise says the page is for hub staff and links sign-in."""
    if is_admin():
        return True
    st.info(translator()("auth.admin_only"), icon=":material/lock:")
    st.page_link(
        "app_pages/sign_in.py", label=translator()("auth.sign_in_link"), icon=":material/login:"
    )
    return False


# --- who is looking: the public or a signed-in admin ------------------------------------------

ADMIN_KEY = "admin_name"


def auth_mode() -> str:
    """`oidc` when Streamlit's login is configured ([auth] in secrets.toml), `password` when
    an admin password hash is set, else `none` (no one can sign in; the CLI still works)."""
    try:
        if "auth" in st.secrets:
            return "oidc"
    except FileNotFoundError:
        pass
    return "password" if settings().admin_password_hash else "none"


def is_admin() -> bool:
    if auth_mode() == "oidc":
        # Deny by default: anyone can have an account with the identity provider, so only
        # the addresses listed in DIH_DASH_ADMIN_EMAILS administer, and only when the
        # provider has not marked them unverified.
        return oidc_admin(st.user, settings().admin_emails)
    return bool(st.session_state.get(ADMIN_KEY))


def actor() -> Actor:
    """The store's view of who acts: admins by name, everyone else as the public."""
    if is_admin():
        name = st.session_state.get(ADMIN_KEY) or st.user.get("email") or "admin"
        return Actor(name=str(name), is_admin=True)
    return Actor(name="public", is_admin=False)


@st.cache_resource
def login_throttle() -> LoginThrottle:
    # One per server process: failed attempts from every session count together.
    return LoginThrottle()


def login_client() -> str:
    """Whose failed attempts are counted together: the browser's address when Streamlit
    knows it (a new session does not reset it), else this session."""
    address = getattr(st.context, "ip_address", None)
    if address:
        return f"ip:{address}"
    return "session:" + st.session_state.setdefault("login_client", uuid.uuid4().hex)


def escape(text: object) -> str:
    """Text for st.html: slides and settings files are written by people, not trusted HTML."""
    return html.escape(str(text))


def fetched_text(tr: Translator, stamp: str | None) -> str:
    if not stamp:
        return "–"
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return tr.datetime(moment.astimezone(dt.UTC).replace(tzinfo=None)) + " UTC"
