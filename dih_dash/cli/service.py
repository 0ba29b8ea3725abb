"""`dih-dash worker`: refresh the national data on a schedule, for as long as it runs.

Log lines go to stdout (one per event, UTC time first), for the service manager's log.
SIGTERM or SIGINT stop it between attempts; during an attempt it finishes the attempt
first (a second signal stops it at once, and the next worker records that attempt as
interrupted: nothing half-published, since publishing is one transaction).
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
from types import FrameType

from sqlalchemy.exc import SQLAlchemyError

from dih_dash.cli.common import EXIT_STORE, STORE_ERRORS, fail
from dih_dash.cli.errors import one_line
from dih_dash.services.national import RefreshWorker
from dih_dash.settings import load_settings
from dih_dash.sources.reference import load_catalogue
from dih_dash.store import open_store

EXIT_OK = 0
EXIT_FAILED = 1
# sysexits' EX_TEMPFAIL: another refresh holds the lock; cron may simply try later.
EXIT_BUSY = 75

_DESCRIPTION = """\
Refresh the Eurostat datasets on a schedule (DIH_DASH_REFRESH_AT, default 03:30 in
DIH_DASH_REFRESH_TIMEZONE, default Europe/Bucharest; or every DIH_DASH_REFRESH_EVERY_HOURS
hours from that time), retrying a failure after DIH_DASH_REFRESH_RETRY_MINUTES x 1, 2, 4...
up to DIH_DASH_REFRESH_RETRIES times. Workers on several machines may run against one
PostgreSQL store: a database lock lets one refresh at a time. Every attempt, its outcome
and the next run are recorded in the store and shown to hub staff on Data & sources.
"""


def register(commands: argparse._SubParsersAction) -> None:
    worker = commands.add_parser(
        "worker",
        help="refresh the national data on a schedule (long-running)",
        description=_DESCRIPTION,
        epilog=(
            "Exit status with --once: 0 refreshed, 1 the refresh failed (the previous data "
            f"is kept), {EXIT_STORE} the store cannot be opened, {EXIT_BUSY} another refresh "
            "is running."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    worker.add_argument(
        "--once",
        action="store_true",
        help="refresh once now, record it, and exit (for cron and tests)",
    )
    worker.set_defaults(handler=run_worker)


def _log(message: str) -> None:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    print(f"{now} dih-dash worker: {message}", flush=True)


def run_worker(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
        store = open_store(settings)
    except STORE_ERRORS as exc:
        return fail("worker", EXIT_STORE, f"cannot open the store: {one_line(exc)}")
    try:
        worker = RefreshWorker(settings, load_catalogue(), store.engine, log=_log)
        if args.once:
            try:
                result = worker.cycle("once")
            except SQLAlchemyError as exc:
                return fail("worker", EXIT_STORE, f"the store cannot be reached: {one_line(exc)}")
            if result.status == "busy":
                _log(result.reason)
                return EXIT_BUSY
            return EXIT_OK if result.status == "ok" else EXIT_FAILED
        _handle_signals(worker)
        worker.run_forever()
        return EXIT_OK
    finally:
        store.close()


def _handle_signals(worker: RefreshWorker) -> None:
    def stop(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if worker.stop.is_set() and worker.busy.is_set():
            _log(f"{name} again: stopping now")
            raise KeyboardInterrupt
        worker.stop.set()
        if worker.busy.is_set():
            _log(f"{name}: stopping after the current refresh")
        else:
            _log(f"{name}: stopping")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
