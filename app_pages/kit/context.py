"""The page kit's context: settings, the interface language and its translator, and the
view state kept in the URL. Every other part of the kit reads settings through here.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import logging
import os
import sys
from collections.abc import Callable

import streamlit as st

from dih_dash.i18n import LANGS, Translator, language_from_locale
from dih_dash.settings import Settings, load_settings, secrets_paths

LANG_KEY = "lang"


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
