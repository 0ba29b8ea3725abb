"""Refresh the Eurostat datasets of the catalogue: all of them become active, or none.

Every requested dataset is fetched, decoded and checked before anything is written; only
when all of them pass is `publish_refresh` called, once, so the active data is never a mix
of a new dataset and a failed one. Any failure leaves the previous data exactly as it was.

A dataset passes when its body is valid JSON-stat with every dimension the catalogue filters
on (plus geo and time), yields at least one catalogue row, has one row per indicator, geo
and year, and still has rows for every catalogue series the active copy has rows for: a
refresh never silently removes a series the app shows today.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd

from dih_dash.domain.catalogue import Catalogue
from dih_dash.settings import Settings
from dih_dash.sources.eurostat_client import (
    EurostatClient,
    EurostatError,
    EurostatOfflineError,
    FetchedDataset,
    Sleep,
    catalogue_filters,
)
from dih_dash.sources.jsonstat import TIME_COLUMN, JsonStatError, decode_dataset
from dih_dash.sources.national_store import (
    DATASETS,
    DatasetInfo,
    active_datasets,
    publish_refresh,
)
from dih_dash.sources.tidy import coerce_tidy, series_from_observations

# progress(step, total, message): `step` steps of `total` are done; `message` says what is
# happening now. Retry notices repeat the current step, so a progress bar never goes back.
Progress = Callable[[int, int, str], None]
KEPT = "The previous data was kept."
BUSY = "another refresh is running; try again when it has finished"
# Series ids named in one progress or summary line; the outcome keeps the full list.
MAX_LISTED = 8


class UnknownDatasetError(ValueError):
    """A requested dataset is not a Eurostat dataset of the catalogue."""


@dataclass(frozen=True)
class DatasetOutcome:
    dataset: str
    ok: bool
    message: str
    url: str | None = None
    rows: int = 0
    updated: str | None = None
    attempts: int = 0
    # Catalogue series of the dataset that came back without a single row.
    missing_indicators: tuple[str, ...] = ()
    # Series absent from the response whose previous values were carried into the new copy.
    kept_indicators: tuple[str, ...] = ()


@dataclass(frozen=True)
class RefreshReport:
    ok: bool
    outcomes: tuple[DatasetOutcome, ...]
    published: Path | None = None
    errors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def failures(self) -> tuple[DatasetOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def message(self) -> str:
        """One line for the user: what was published, or what failed and that nothing changed."""
        if self.ok:
            return "Refreshed " + "; ".join(o.message for o in self.outcomes) + "."
        problems = [o.message for o in self.failures] + list(self.errors)
        return "Refresh failed: " + "; ".join(problems) + ". " + KEPT


def refreshable_datasets(catalogue: Catalogue) -> list[str]:
    """Eurostat datasets that the catalogue draws series from and the store can hold."""
    return [name for name in catalogue.eurostat_datasets() if name in DATASETS]


def refresh(
    settings: Settings,
    catalogue: Catalogue,
    datasets: Sequence[str] | None = None,
    timeout: float | None = None,
    progress: Progress | None = None,
    *,
    client: EurostatClient | None = None,
    sleep: Sleep = time.sleep,
    destination: Destination | None = None,
    locked: bool = False,
) -> RefreshReport:
    """Fetch, check and publish `datasets` (default: every Eurostat dataset of the catalogue).

    Raises UnknownDatasetError before any network access if a name is not refreshable;
    every other failure is reported in the returned RefreshReport, never raised. `timeout`
    overrides the http_timeout setting; `client` and `sleep` are for tests (a given client
    brings its own timeout and sleep). `destination`: where the data is read and published
    (default: the data folder); `locked`: the caller holds its lock already (the worker,
    which records the attempt under the same lock).
    """
    target = destination or FolderDestination(settings)
    if locked:
        return _refresh_unlocked(
            settings, catalogue, datasets, timeout, progress, client=client, sleep=sleep,
            destination=target,
        )  # fmt: skip
    with target.lock() as got:
        if not got:
            return RefreshReport(ok=False, outcomes=(), errors=(BUSY,))
        return _refresh_unlocked(
            settings, catalogue, datasets, timeout, progress, client=client, sleep=sleep,
            destination=target,
        )  # fmt: skip


class Destination(Protocol):
    """Where a refresh reads the active data from and publishes to, and its lock: the data
    folder here; the database in `dih_dash.store.national_data`."""

    def lock(self) -> AbstractContextManager[bool]: ...

    def active_datasets(self) -> dict[str, DatasetInfo]: ...

    def publish(self, results: Mapping[str, tuple[pd.DataFrame, Mapping[str, object]]]) -> Path: ...


@dataclass(frozen=True)
class FolderDestination:
    """The data folder: version folders and the CURRENT pointer (national_store)."""

    settings: Settings

    def lock(self) -> AbstractContextManager[bool]:
        return folder_lock(self.settings)

    def active_datasets(self) -> dict[str, DatasetInfo]:
        return active_datasets(self.settings)

    def publish(self, results: Mapping[str, tuple[pd.DataFrame, Mapping[str, object]]]) -> Path:
        return publish_refresh(self.settings, results)


@contextmanager
def folder_lock(settings: Settings) -> Iterator[bool]:
    """Yield whether this process may refresh the data folder now; never waits.

    Two refreshes at once would each publish a version built on the same previous one,
    and the later would drop the earlier's datasets: one runs, the other is told so.
    The lock is on the folder itself, so no lock file lies among the data.
    """
    settings.eurostat_dir.mkdir(parents=True, exist_ok=True)
    folder = os.open(settings.eurostat_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(folder)  # closing releases the lock


def _refresh_unlocked(
    settings: Settings,
    catalogue: Catalogue,
    datasets: Sequence[str] | None,
    timeout: float | None,
    progress: Progress | None,
    *,
    client: EurostatClient | None,
    sleep: Sleep,
    destination: Destination,
) -> RefreshReport:
    known = refreshable_datasets(catalogue)
    wanted = list(dict.fromkeys(datasets)) if datasets else known
    unknown = [name for name in wanted if name not in known]
    if unknown:
        listing = ", ".join(known) or "none"
        raise UnknownDatasetError(
            f"unknown dataset {', '.join(map(repr, unknown))}; the catalogue's Eurostat "
            f"datasets are: {listing}"
        )

    total = 2 * len(wanted) + 1
    step = 0

    def report(message: str) -> None:
        if progress is not None:
            progress(step, total, message)

    if client is None:
        client = EurostatClient.from_settings(
            settings, timeout=timeout, sleep=sleep, on_retry=report
        )

    previous = _active_frames(destination)
    outcomes: list[DatasetOutcome] = []
    results: dict[str, tuple[pd.DataFrame, dict[str, object]]] = {}
    offline = False
    for name in wanted:
        if offline:
            # Every retry against an unreachable host costs back-off time; the next dataset
            # would only repeat it.
            step += 2
            outcomes.append(DatasetOutcome(name, ok=False, message=f"{name}: not tried (offline)"))
            continue
        report(f"Fetching {name} from Eurostat…")
        filters = catalogue_filters(catalogue, name)
        fetched_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            fetched = client.fetch(name, filters)
        except EurostatError as exc:
            offline = isinstance(exc, EurostatOfflineError)
            step += 2
            outcomes.append(DatasetOutcome(name, ok=False, message=str(exc)))
            report(f"Failed: {exc}")
            continue
        step += 1
        report(f"Checking {name} ({fetched.body_bytes} bytes)…")
        try:
            outcome, tidy = _check(fetched, catalogue, previous.get(name))
        except (ValueError, TypeError, KeyError, IndexError, OverflowError, MemoryError) as exc:
            # decode_dataset refuses every fault it knows as JsonStatError; this is the net
            # for the tidy step, so a body nobody foresaw is one failed dataset, not a crash.
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            message = f"{name}: the response is unusable ({reason})"
            outcome, tidy = DatasetOutcome(name, ok=False, message=message), None
        step += 1
        outcomes.append(outcome)
        report(outcome.message)
        if outcome.ok and tidy is not None:
            results[name] = (tidy, _manifest_entry(fetched, outcome, fetched_at))

    if len(results) != len(wanted):
        step = total
        report(f"Not published: {len(wanted) - len(results)} of {len(wanted)} datasets failed.")
        return RefreshReport(ok=False, outcomes=tuple(outcomes))

    report("Publishing the new data…")
    try:
        published = destination.publish(results)
    except (OSError, ValueError) as exc:
        step = total
        report(f"Publishing failed: {exc}")
        return RefreshReport(
            ok=False, outcomes=tuple(outcomes), errors=(f"writing the new data failed: {exc}",)
        )
    step = total
    report(f"Published {len(results)} dataset(s).")
    return RefreshReport(ok=True, outcomes=tuple(outcomes), published=published)


def _active_frames(destination: Destination) -> dict[str, pd.DataFrame]:
    """Dataset -> its active tidy frame (snapshot or earlier refresh); absent when unreadable."""
    try:
        infos = destination.active_datasets()
    except (FileNotFoundError, KeyError, ValueError):
        return {}
    found: dict[str, pd.DataFrame] = {}
    for name, info in infos.items():
        try:
            found[name] = pd.read_parquet(info.path)
        except (OSError, ValueError, KeyError):
            continue
    return found


def _check(
    fetched: FetchedDataset, catalogue: Catalogue, active: pd.DataFrame | None
) -> tuple[DatasetOutcome, pd.DataFrame | None]:
    name = fetched.dataset

    def failed(reason: str) -> tuple[DatasetOutcome, None]:
        outcome = DatasetOutcome(
            name, ok=False, message=f"{name}: {reason}", url=fetched.url, attempts=fetched.attempts
        )
        return outcome, None

    try:
        decoded = decode_dataset(fetched.payload)
    except JsonStatError as exc:
        return failed(f"the response is not valid JSON-stat: {exc}")

    entries = catalogue.by_source(f"eurostat:{name}")
    expected = {"geo", TIME_COLUMN} | {dim for entry in entries for dim in entry.filters}
    present = set(decoded.observations.columns) - {"value", "flag"}
    missing = sorted(expected - present)
    if missing:
        return failed(
            "the response lacks the dimension(s) "
            + ", ".join(missing)
            + f" (it has {', '.join(decoded.metadata.dimension_ids)})"
        )
    if decoded.observations.empty:
        return failed("the response holds no observations (empty dataset)")

    tidy = series_from_observations(decoded.observations, catalogue, name)
    if tidy.empty:
        return failed(
            f"none of the {len(decoded.observations)} observations matches a catalogue series "
            "for the EU member states or EU27_2020"
        )
    duplicated = tidy.duplicated(["indicator", "geo", "period"])
    if duplicated.any():
        first = tidy.loc[duplicated].iloc[0]
        # Two rows for one series point means a dimension the catalogue does not pin down
        # (say a second nace_r2 code) came back; publishing either row would be a guess.
        return failed(
            f"{int(duplicated.sum())} duplicate observations, e.g. {first['indicator']} "
            f"{first['geo']} {first['period']}: the catalogue filters do not select one series"
        )
    found = set(tidy["indicator"])
    active_ids = set() if active is None else set(active["indicator"].astype(str))
    kept = sorted((active_ids & {e.id for e in entries}) - found)
    if kept:
        # A response without some series (a narrower answer than asked for) must not delete
        # what the app shows today, perhaps a KPI: those series keep their previous values,
        # and the manifest and the report say which ones.
        carried = active[active["indicator"].isin(kept)]  # type: ignore[index]
        tidy = coerce_tidy(pd.concat([tidy, carried], ignore_index=True))
    missing_ids = tuple(sorted(e.id for e in entries if e.id not in found and e.id not in kept))
    message = f"{name}: {len(tidy)} rows, Eurostat updated {decoded.metadata.updated or 'unknown'}"
    if kept:
        shown = ", ".join(kept[:MAX_LISTED])
        more = f", … {len(kept) - MAX_LISTED} more" if len(kept) > MAX_LISTED else ""
        message += (
            f"; {len(kept)} series not in the response kept their previous values ({shown}{more})"
        )
    if missing_ids:
        shown = ", ".join(missing_ids[:MAX_LISTED])
        more = f", … {len(missing_ids) - MAX_LISTED} more" if len(missing_ids) > MAX_LISTED else ""
        message += f"; no rows for {len(missing_ids)} catalogue series ({shown}{more})"
    outcome = DatasetOutcome(
        name,
        ok=True,
        message=message,
        url=fetched.url,
        rows=len(tidy),
        updated=decoded.metadata.updated,
        attempts=fetched.attempts,
        missing_indicators=missing_ids,
        kept_indicators=tuple(kept),
    )
    return outcome, tidy


def _manifest_entry(
    fetched: FetchedDataset, outcome: DatasetOutcome, fetched_at: str
) -> dict[str, object]:
    # publish_refresh adds file, rows and the Parquet file's sha256.
    return {
        "dataset": fetched.dataset,
        "url": fetched.url,
        "updated": outcome.updated,
        "fetched_at": fetched_at,
        "response_sha256": fetched.body_sha256,
        "label": fetched.payload.get("label"),
        "kept_from_previous": list(outcome.kept_indicators),
    }
