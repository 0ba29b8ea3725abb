"""Refreshing the national data: once (`refresh`), on request (`manual_refresh`: the Data &
sources page and `dih-dash refresh`) and on schedule (`dih-dash worker` runs
`RefreshWorker.run_forever`).

Any number of workers (one per replica, say) may run against one store: every attempt
takes the refresh lock (PostgreSQL advisory lock, or the data folder's lock), then reads
the record of attempts again under it, so a slot another worker has just served is not
refreshed twice. Every attempt is recorded in the store (start, end, success, the reason
of a failure) with the next planned run, which the Data & sources page shows to staff.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dih_dash.domain.catalogue import Catalogue
from dih_dash.settings import Settings
from dih_dash.sources.eurostat_client import EurostatClient, Sleep
from dih_dash.sources.refresh import BUSY, Progress, RefreshReport, refreshable_datasets
from dih_dash.sources.refresh import refresh as refresh_into
from dih_dash.sources.schedule import Attempt, Schedule, next_run
from dih_dash.store import national as stored
from dih_dash.store.national_data import (
    adopt_folder_refresh,
    destination,
    process_name,
    refresh_lock,
)

# The longest the idle loop sleeps before reading the record again: another worker may
# have run, or the settings' schedule a slot sooner than we thought.
WAKE_SECONDS = 60.0
# After finding the lock taken, how long to wait before looking again.
BUSY_SECONDS = 30.0
INTERRUPTED = "interrupted: the worker stopped during the refresh; nothing was published"
# Attempts read to count the failures in a row of one slot (retries are few).
HISTORY = 20
# Triggers whose attempts the schedule counts: a manual refresh from the page does not
# move the schedule, so the nightly run still happens.
SCHEDULED = ("schedule", "once")


def refresh(
    settings: Settings,
    catalogue: Catalogue,
    datasets: Sequence[str] | None = None,
    timeout: float | None = None,
    progress: Progress | None = None,
    *,
    client: EurostatClient | None = None,
    sleep: Sleep = time.sleep,
    locked: bool = False,
) -> RefreshReport:
    """`dih_dash.sources.refresh.refresh` into the destination the settings name. A
    database that cannot be reached is reported like any failure, never raised."""
    try:
        return refresh_into(
            settings, catalogue, datasets, timeout, progress,
            client=client, sleep=sleep, destination=destination(settings), locked=locked,
        )  # fmt: skip
    except SQLAlchemyError as exc:
        # Only the lock touches the database before publishing, which reports its own
        # errors: nothing was fetched or published.
        return RefreshReport(
            ok=False, outcomes=(), errors=(f"the database cannot be reached: {exc}",)
        )


@dataclass(frozen=True)
class CycleResult:
    status: str  # "ok", "failed", "busy", "not-due"
    reason: str = ""
    next_run: dt.datetime | None = None


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass
class RefreshWorker:
    settings: Settings
    catalogue: Catalogue
    engine: Engine  # the store that records attempts
    log: Callable[[str], None] = print
    clock: Callable[[], dt.datetime] = utc_now
    stop: threading.Event = field(default_factory=threading.Event)
    name: str = field(default_factory=process_name)
    # Set while a refresh runs: a stop request then waits for it to finish.
    busy: threading.Event = field(default_factory=threading.Event)

    @property
    def schedule(self) -> Schedule:
        return Schedule.from_settings(self.settings)

    def attempts(self) -> list[Attempt]:
        runs = stored.recent_runs(self.engine, limit=HISTORY, triggers=SCHEDULED)
        return [Attempt(started=r.started_at, ok=r.ok, finished=r.finished_at) for r in runs]

    def due(self) -> dt.datetime:
        return next_run(self.attempts(), self.schedule, self.clock())

    def cycle(self, trigger: str = "schedule", *, only_if_due: bool = False) -> CycleResult:
        """One attempt under the refresh lock, recorded; with `only_if_due`, only when the
        record (read again under the lock) says one is due."""
        with refresh_lock(self.settings) as got:
            if not got:
                return CycleResult("busy", BUSY)
            closed = stored.close_unfinished_runs(self.engine, INTERRUPTED)
            if closed:
                self.log(f"marked {closed} unfinished attempt(s) as interrupted")
            if only_if_due:
                due = self.due()
                if due > self.clock():
                    return CycleResult("not-due", next_run=due)
            return self._attempt(trigger)

    def _attempt(self, trigger: str) -> CycleResult:
        run_id = stored.start_run(self.engine, trigger, self.name, self.clock())
        self.log(f"refresh started ({trigger})")
        self.busy.set()
        try:
            adopted = adopt_folder_refresh(self.settings)
            if adopted:
                self.log(f"adopted the data folder's refresh as version {adopted}")
            report = refresh(
                self.settings,
                self.catalogue,
                refreshable_datasets(self.catalogue),
                progress=lambda step, total, message: self.log(f"[{step}/{total}] {message}"),
                locked=True,
            )
            ok, reason = report.ok, ("" if report.ok else report.message)
            stamp = report.published.name if report.published is not None else None
        except Exception as exc:  # recorded, then the loop carries on
            ok, reason, stamp = False, f"{type(exc).__name__}: {exc}", None
        finally:
            self.busy.clear()
        stored.finish_run(self.engine, run_id, ok, reason or None, stamp, self.clock())
        planned = self.plan()
        if ok:
            self.log(f"refresh succeeded: version {stamp}; next run {_stamp(planned)}")
            return CycleResult("ok", next_run=planned)
        self.log(f"refresh failed (next run {_stamp(planned)}): {reason}")
        return CycleResult("failed", reason, planned)

    def plan(self) -> dt.datetime:
        """Compute the next run and record it for the page."""
        due = max(self.due(), self.clock())
        stored.set_next_run(self.engine, due, self.name)
        return due

    def run_forever(self) -> None:
        self.log(
            f"worker {self.name} started: schedule {self.settings.refresh_at:%H:%M} "
            f"{self.settings.refresh_timezone}"
            + (
                f", every {self.settings.refresh_every_hours:g} h"
                if self.settings.refresh_every_hours
                else ", daily"
            )
            + f", up to {self.settings.refresh_retries} retries"
        )
        announced: dt.datetime | None = None
        while not self.stop.is_set():
            try:
                due = self.plan()
                now = self.clock()
                if due > now:
                    if due != announced:
                        self.log(f"next refresh at {_stamp(due)}")
                        announced = due
                    self.stop.wait(min((due - now).total_seconds(), WAKE_SECONDS))
                    continue
                result = self.cycle("schedule", only_if_due=True)
            except SQLAlchemyError as exc:
                # The store is down or restarting: the schedule lives there, so wait for it.
                self.log(f"the store cannot be reached ({type(exc).__name__}); trying again")
                self.stop.wait(WAKE_SECONDS)
                continue
            announced = None
            if result.status == "busy":
                self.log("another refresh is running; waiting for it")
                self.stop.wait(BUSY_SECONDS)
        self.log(f"worker {self.name} stopped")


def manual_refresh(
    settings: Settings,
    catalogue: Catalogue,
    engine: Engine,
    datasets: list[str] | None = None,
    progress: Progress | None = None,
    *,
    client: EurostatClient | None = None,
) -> RefreshReport:
    """A refresh asked for on the Data & sources page or with `dih-dash refresh`, recorded
    like the worker's (under the same lock) but not counted by the schedule, so the nightly
    run still happens. `client` brings the command line's time budget."""
    try:
        with refresh_lock(settings) as got:
            if not got:
                return RefreshReport(ok=False, outcomes=(), errors=(BUSY,))
            run_id = stored.start_run(engine, "manual", process_name())
            try:
                # As the worker does: a refresh the data folder holds from before the database
                # was used must become the base this one carries its other datasets from.
                adopt_folder_refresh(settings)
                report = refresh(
                    settings, catalogue, datasets, progress=progress, client=client, locked=True
                )
            except BaseException as exc:
                stored.finish_run(engine, run_id, False, f"{type(exc).__name__}: {exc}")
                raise
            stamp = report.published.name if report.published is not None else None
            reason = None if report.ok else report.message
            stored.finish_run(engine, run_id, report.ok, reason, stamp)
            return report
    except SQLAlchemyError as exc:
        return RefreshReport(
            ok=False, outcomes=(), errors=(f"the database cannot be reached: {exc}",)
        )
