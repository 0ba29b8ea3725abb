"""Where national data lives on disk, and which copy is active.

Two places hold tidy frames as Parquet, one file per dataset:

* the bundled snapshot (`data/snapshot/`, committed, built by `scripts/build_snapshot.py`);
* refreshes from the Eurostat API, under `<data dir>/eurostat/versions/<stamp>/`.

The active copy of a dataset is the one in the newest good refresh, else the snapshot's.
A refresh is published by writing a complete new version directory and then replacing the
one-line pointer file `CURRENT` with `os.replace`, which is atomic: a reader sees either
the old version or the new one, never half of each, and a crash leaves the old one active.

When national data lives in the database (`dih_dash.store.national_data`), the store layer
keeps a copy of the active version in the same layout and reads it through
`datasets_in` / `national_data_in`, the functions below that take the folder to read.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dih_dash.files import write_atomic
from dih_dash.settings import Settings
from dih_dash.sources.tidy import TARGET_COLUMNS, coerce_tidy

MANIFEST = "manifest.json"
POINTER = "CURRENT"
KEEP_VERSIONS = 3

# Dataset name -> the `source` value its rows carry.
DATASETS: dict[str, str] = {
    "isoc_e_dii": "eurostat:isoc_e_dii",
    "isoc_eb_ai": "eurostat:isoc_eb_ai",
    "desi2026": "desi2026",
    "desi2022": "desi2022",
}
TARGETS_FILE = "targets.parquet"
DESI2022_YEARS_FILE = "desi2022_data_years.parquet"


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    source: str
    origin: str  # "snapshot" or "refresh"
    path: Path
    rows: int
    sha256: str
    updated: str | None = None  # the publisher's own update stamp, when it gives one
    fetched_at: str | None = None  # when we fetched it (refresh) or built it (snapshot)
    url: str | None = None
    source_files: tuple[dict, ...] = ()


@dataclass(frozen=True)
class NationalData:
    tidy: pd.DataFrame
    targets: pd.DataFrame
    desi2022_data_years: pd.DataFrame
    datasets: dict[str, DatasetInfo] = field(default_factory=dict)

    @functools.cached_property
    def by_indicator(self) -> dict[str, pd.DataFrame]:
        """The tidy rows of each indicator, split once: a page picks a few indicators out of
        ~100k rows, and filtering the whole frame for each was most of its run time."""
        return {
            str(indicator): rows
            for indicator, rows in self.tidy.groupby("indicator", sort=False, observed=True)
        }

    def rows_of(self, *indicators: str) -> pd.DataFrame:
        """The tidy rows of `indicators` (those the data hold), in the given order."""
        parts = [self.by_indicator[i] for i in indicators if i in self.by_indicator]
        if not parts:
            return self.tidy.iloc[0:0]
        return parts[0] if len(parts) == 1 else pd.concat(parts)

    def info_for_source(self, source: str) -> DatasetInfo | None:
        for info in self.datasets.values():
            if info.source == source:
                return info
        return None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def write_json_atomic(path: Path, payload: Mapping) -> None:
    text = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    write_atomic(path, text.encode("utf-8"))


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False, engine="pyarrow")


# --- refreshes ---------------------------------------------------------------------------


def current_refresh_dir(settings: Settings) -> Path | None:
    pointer = settings.eurostat_dir / POINTER
    try:
        stamp = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    version = settings.eurostat_dir / "versions" / stamp
    return version if (version / MANIFEST).is_file() else None


def publish_refresh(
    settings: Settings, results: Mapping[str, tuple[pd.DataFrame, Mapping[str, object]]]
) -> Path:
    """Make `results` (dataset -> (tidy frame, manifest entry)) the active refreshed data.

    Datasets refreshed earlier and not in `results` are carried into the new version, so
    refreshing one dataset never drops another.
    """
    if not results:
        raise ValueError("nothing to publish")
    versions = settings.eurostat_dir / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    stamp = new_stamp()
    staging = versions / f".staging-{stamp}-{os.getpid()}"
    staging.mkdir()
    try:
        manifest: dict[str, dict] = {}
        previous = current_refresh_dir(settings)
        if previous is not None:
            for name, entry in read_json(previous / MANIFEST).get("datasets", {}).items():
                if name not in results:
                    shutil.copy2(previous / entry["file"], staging / entry["file"])
                    manifest[name] = entry
        for name, (frame, meta) in results.items():
            if name not in DATASETS:
                raise ValueError(f"unknown dataset {name!r}")
            file_name = f"{name}.parquet"
            write_parquet(coerce_tidy(frame), staging / file_name)
            manifest[name] = {
                **{k: v for k, v in meta.items()},
                "file": file_name,
                "rows": len(frame),
                "sha256": sha256_file(staging / file_name),
            }
        write_json_atomic(staging / MANIFEST, {"version": stamp, "datasets": manifest})
        final = versions / stamp
        os.replace(staging, final)
        write_atomic(settings.eurostat_dir / POINTER, f"{stamp}\n".encode())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    prune_versions(versions, keep=stamp)
    return final


def new_stamp() -> str:
    """A version's name: its UTC time to the microsecond, which sorts as it was made."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def prune_versions(versions: Path, keep: str) -> None:
    """Remove all but the newest KEEP_VERSIONS version folders (never `keep`)."""
    done = sorted(p for p in versions.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in done[:-KEEP_VERSIONS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


# --- reading the active data ---------------------------------------------------------------


def snapshot_manifest(settings: Settings) -> dict:
    path = settings.snapshot_dir / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(
            f"No national data snapshot in {settings.snapshot_dir}. "
            "Rebuild it with: python scripts/build_snapshot.py"
        )
    return read_json(path)


def active_datasets(settings: Settings) -> dict[str, DatasetInfo]:
    """The datasets in use: the data folder's current refresh over the snapshot."""
    return datasets_in(settings, current_refresh_dir(settings))


def datasets_in(settings: Settings, refreshed: Path | None) -> dict[str, DatasetInfo]:
    """The snapshot's datasets, replaced by those of the version folder `refreshed`."""
    snap = snapshot_manifest(settings)
    infos: dict[str, DatasetInfo] = {}
    for name, entry in snap["datasets"].items():
        infos[name] = DatasetInfo(
            name=name,
            source=DATASETS[name],
            origin="snapshot",
            path=settings.snapshot_dir / entry["file"],
            rows=int(entry["rows"]),
            sha256=entry["sha256"],
            updated=entry.get("updated"),
            fetched_at=snap.get("built_at"),
            url=entry.get("url"),
            source_files=tuple(entry.get("source_files", ())),
        )
    if refreshed is not None:
        for name, entry in read_json(refreshed / MANIFEST).get("datasets", {}).items():
            infos[name] = DatasetInfo(
                name=name,
                source=DATASETS[name],
                origin="refresh",
                path=refreshed / entry["file"],
                rows=int(entry["rows"]),
                sha256=entry["sha256"],
                updated=entry.get("updated"),
                fetched_at=entry.get("fetched_at"),
                url=entry.get("url"),
            )
    return infos


def load_national(settings: Settings) -> NationalData:
    """The national data in use, from the data folder (see dih_dash.store.national_data for
    the copy that follows the database)."""
    return national_data_in(settings, current_refresh_dir(settings))


def national_data_in(settings: Settings, refreshed: Path | None) -> NationalData:
    datasets = datasets_in(settings, refreshed)
    frames = [pd.read_parquet(info.path) for info in datasets.values()]
    tidy = coerce_tidy(pd.concat(frames, ignore_index=True))
    targets = pd.read_parquet(settings.snapshot_dir / TARGETS_FILE)[TARGET_COLUMNS]
    years_path = settings.snapshot_dir / DESI2022_YEARS_FILE
    years = pd.read_parquet(years_path) if years_path.is_file() else pd.DataFrame()
    return NationalData(tidy=tidy, targets=targets, desi2022_data_years=years, datasets=datasets)
