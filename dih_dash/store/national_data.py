"""The national data in use, wherever it is published: the entry point for the app, the
CLI and the worker (`load_national`, `destination`, `refresh_lock`); the refresh itself,
into that destination, is `dih_dash.services.national.refresh`.

With the setting `national_in_database` (by default: when DIH_DASH_DATABASE_URL is
PostgreSQL), refreshes are published in the store (`dih_dash.store.national`: the version,
its Parquet bytes and the switch of the active version in one transaction), so every
replica serves the same version whatever its data folder. Each process keeps a copy of the
active version under `<data dir>/eurostat/store-cache/<stamp>/`, in the layout of a
data-folder version, and reads the frames from there; when the database cannot be reached
it keeps serving the newest copy it has, else the bundled snapshot.

Otherwise (a laptop on SQLite) everything stays in the data folder, as
`dih_dash.sources.national_store` describes, and no database is needed to read it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dih_dash.settings import Settings
from dih_dash.sources.national_store import (
    DATASETS,
    MANIFEST,
    DatasetInfo,
    NationalData,
    current_refresh_dir,
    datasets_in,
    national_data_in,
    new_stamp,
    prune_versions,
    read_json,
    write_json_atomic,
)
from dih_dash.sources.refresh import (
    Destination,
    FolderDestination,
    folder_lock,
)
from dih_dash.sources.tidy import coerce_tidy
from dih_dash.store import national as stored
from dih_dash.store.engine import make_engine
from dih_dash.store.migrate import ensure_schema

STORE_CACHE = "store-cache"

log = logging.getLogger(__name__)


class PublishError(OSError):
    """The database refused the new version; the previous one stays active."""


# --- engines ---------------------------------------------------------------------------------

_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def national_engine(settings: Settings) -> Engine:
    """The engine national data is read and published through, one per database per
    process, brought to the current schema when first made."""
    url = settings.database_url
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = make_engine(url)
            ensure_schema(engine)
            _ENGINES[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every engine `national_engine` made (tests that drop their database)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- the database as a refresh destination ---------------------------------------------------


@dataclass(frozen=True)
class DatabaseDestination:
    settings: Settings

    @property
    def engine(self) -> Engine:
        return national_engine(self.settings)

    def lock(self) -> AbstractContextManager[bool]:
        if self.engine.dialect.name == "postgresql":
            return stored.refresh_lock(self.engine)
        # SQLite serves one machine: the data folder's lock (publishing itself is
        # serialised by SQLite's write lock either way).
        return folder_lock(self.settings)

    def active_datasets(self) -> dict[str, DatasetInfo]:
        return datasets_in(self.settings, current_copy(self.settings))

    def publish(self, results: Mapping[str, tuple[pd.DataFrame, Mapping[str, object]]]) -> Path:
        if not results:
            raise ValueError("nothing to publish")
        datasets: dict[str, stored.StoredDataset] = {}
        for name, (frame, meta) in results.items():
            if name not in DATASETS:
                raise ValueError(f"unknown dataset {name!r}")
            buffer = io.BytesIO()
            coerce_tidy(frame).to_parquet(buffer, index=False, engine="pyarrow")
            data = buffer.getvalue()
            digest = hashlib.sha256(data).hexdigest()
            entry = {**dict(meta), "file": f"{name}.parquet", "rows": len(frame), "sha256": digest}
            datasets[name] = stored.StoredDataset(data, len(frame), digest, entry)
        try:
            version = stored.publish_version(self.engine, new_stamp(), datasets, process_name())
            # This process's own copy; carried datasets come from the database.
            return _cached_version(self.settings, self.engine, version)
        except SQLAlchemyError as exc:
            raise PublishError(f"the database refused the new version: {exc}") from exc


def destination(settings: Settings) -> Destination:
    """Where refreshes are read from and published to, per the settings."""
    if settings.national_in_database:
        return DatabaseDestination(settings)
    return FolderDestination(settings)


@contextmanager
def refresh_lock(settings: Settings) -> Iterator[bool]:
    """Yield whether this process may refresh now (never waits): PostgreSQL's advisory
    lock when national data is there (every replica and worker shares it), else the data
    folder's."""
    with destination(settings).lock() as got:
        yield got


# --- this process's copy of the active version -----------------------------------------------


def _cache_root(settings: Settings) -> Path:
    return settings.eurostat_dir / STORE_CACHE


def _cached_version(settings: Settings, engine: Engine, version: stored.StoredVersion) -> Path:
    """The local copy of a stored version (made on first use): Parquet files + manifest."""
    root = _cache_root(settings)
    final = root / version.stamp
    if (final / MANIFEST).is_file():
        return final
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".staging-{version.stamp}-{os.getpid()}-{threading.get_ident()}"
    staging.mkdir()
    try:
        for name, data in stored.version_datasets(engine, version.id).items():
            if hashlib.sha256(data.parquet).hexdigest() != data.sha256:
                raise PublishError(f"stored dataset {name} of version {version.stamp} is corrupt")
            (staging / f"{name}.parquet").write_bytes(data.parquet)
        write_json_atomic(staging / MANIFEST, version.manifest)
        try:
            os.replace(staging, final)
        except OSError:
            # Another process of this data folder made the same copy first.
            if not (final / MANIFEST).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    prune_versions(root, keep=version.stamp)
    return final


def _newest_copy(settings: Settings) -> Path | None:
    root = _cache_root(settings)
    if not root.is_dir():
        return None
    done = sorted(p for p in root.iterdir() if (p / MANIFEST).is_file() and p.name[0] != ".")
    return done[-1] if done else None


def current_copy(settings: Settings) -> Path | None:
    """The folder holding the active refreshed version (with the database: this process's
    copy of it), or None when the snapshot is all there is."""
    if not settings.national_in_database:
        return current_refresh_dir(settings)
    try:
        engine = national_engine(settings)
        version = stored.active_version(engine)
        return None if version is None else _cached_version(settings, engine, version)
    except SQLAlchemyError as exc:
        # The pages keep working through a database outage: the newest copy this data
        # folder has, else the snapshot.
        fallback = _newest_copy(settings)
        log.warning(
            "national data: database unreachable (%s); serving %s",
            exc.__class__.__name__,
            fallback or "the bundled snapshot",
        )
        return fallback


def load_national(settings: Settings) -> NationalData:
    """The national data in use: the active refreshed version over the bundled snapshot."""
    return national_data_in(settings, current_copy(settings))


def active_version_key(settings: Settings) -> str:
    """Names the active refreshed version (a cache key): with the database, one cheap query."""
    if settings.national_in_database:
        stamp = stored.active_stamp(national_engine(settings))
        return f"db:{stamp or 'snapshot'}"
    return f"folder:{current_refresh_dir(settings) or 'snapshot'}"


class VersionPoll:
    """`active_version_key`, asked of the database at most every `national_poll_seconds`
    per process: a page run costs no query, and a version another replica published is
    seen within that time. The data folder is read on every call (a file read)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], tuple[float, str]] = {}

    def key(self, settings: Settings) -> str:
        if not settings.national_in_database:
            return active_version_key(settings)
        where = (settings.database_url, str(settings.data_dir))
        now = self._clock()
        with self._lock:
            known = self._known.get(where)
        if known is not None and now - known[0] < settings.national_poll_seconds:
            return known[1]
        try:
            value = active_version_key(settings)
        except SQLAlchemyError as exc:
            # Keep serving what was served: the loader falls back on its own.
            log.warning("national data: cannot ask the database (%s)", exc.__class__.__name__)
            value = known[1] if known is not None else "db:unreachable"
        with self._lock:
            self._known[where] = (now, value)
        return value

    def forget(self) -> None:
        """Ask again on the next call (this process has just published)."""
        with self._lock:
            self._known.clear()


def adopt_folder_refresh(settings: Settings) -> str | None:
    """Publish the data folder's current refresh in the database, when the database has
    none yet: a deployment moving to the store keeps its refreshed data. Returns the new
    version's stamp, or None when there was nothing to adopt."""
    if not settings.national_in_database:
        return None
    folder = current_refresh_dir(settings)
    if folder is None:
        return None
    engine = national_engine(settings)
    if stored.active_stamp(engine) is not None:
        return None
    datasets = {}
    for name, entry in read_json(folder / MANIFEST).get("datasets", {}).items():
        data = (folder / entry["file"]).read_bytes()
        datasets[name] = stored.StoredDataset(data, int(entry["rows"]), entry["sha256"], entry)
    if not datasets:
        return None
    return stored.publish_version(engine, new_stamp(), datasets, process_name()).stamp
