"""`dih-dash worker`: scheduled refreshes, recorded in the store, never two at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from support.national_data import dii_catalogue, national_env
from support.replay_server import Fault, ReplayServer

from dih_dash.services.national import INTERRUPTED, RefreshWorker
from dih_dash.settings import Settings, load_settings
from dih_dash.sources.schedule import Schedule, slot_after
from dih_dash.store import national as stored
from dih_dash.store.national_data import load_national

ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.usefixtures("close_national_engines")


@pytest.fixture
def env(tmp_path: Path, store_url: str, eurostat: ReplayServer) -> dict[str, str]:
    # The national store follows the database: the data folder on SQLite, the database
    # on PostgreSQL (DIH_DASH_NATIONAL_STORE=auto).
    return national_env(tmp_path, eurostat.base_url, DIH_DASH_DATABASE_URL=store_url)


def settings_of(env: dict[str, str], **extra: str) -> Settings:
    return load_settings(env={**env, **extra}, secrets={})


def worker_once(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dih_dash", "worker", "--once"],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_worker_once_records_a_success_then_a_failure(env, store, eurostat):
    settings = settings_of(env)

    done = worker_once(env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "dih-dash worker: refresh started (once)" in done.stdout
    assert "dih-dash worker: refresh succeeded: version " in done.stdout
    ok = stored.last_run(store.engine)
    assert ok is not None and ok.ok is True and ok.trigger == "once" and ok.reason is None
    assert ok.finished_at is not None and ok.finished_at >= ok.started_at
    assert ok.version_stamp and ok.version_stamp in done.stdout
    planned = stored.planned_run(store.engine)
    assert planned is not None
    assert planned.next_run_at == slot_after(ok.started_at, Schedule.from_settings(settings))
    refreshed = load_national(settings).tidy
    assert 2024 in set(refreshed["period"])

    eurostat.always("isoc_e_dii", Fault.http(500))
    failed_run = worker_once(env)

    assert failed_run.returncode == 1, failed_run.stdout + failed_run.stderr
    assert "refresh failed (next run " in failed_run.stdout
    assert "): Refresh failed: isoc_e_dii: Eurostat answered HTTP 500" in failed_run.stdout
    failed = stored.last_run(store.engine)
    assert failed is not None and failed.ok is False and failed.version_stamp is None
    assert "Eurostat answered HTTP 500" in (failed.reason or "")
    assert "The previous data was kept." in (failed.reason or "")
    assert stored.last_run(store.engine, ok=True) == ok
    # First failure of the slot: retried after the base wait (10 minutes).
    planned = stored.planned_run(store.engine)
    assert planned is not None and failed.finished_at is not None
    assert (planned.next_run_at - failed.finished_at).total_seconds() == 600
    assert load_national(settings).tidy.equals(refreshed)


def test_the_loop_refreshes_when_due_then_waits_for_the_next_slot(env, store, eurostat):
    settings = settings_of(env)
    lines: list[str] = []
    worker = RefreshWorker(settings, dii_catalogue(), store.engine, log=lines.append)
    thread = threading.Thread(target=worker.run_forever)
    thread.start()
    try:
        for _ in range(3000):
            if any(line.startswith("next refresh at") for line in lines):
                break
            threading.Event().wait(0.01)
    finally:
        worker.stop.set()
        thread.join(30)
    assert not thread.is_alive()

    [run] = stored.recent_runs(store.engine)
    assert (run.trigger, run.ok) == ("schedule", True), lines
    expected = slot_after(run.started_at, Schedule.from_settings(settings))
    assert f"next refresh at {expected.isoformat(timespec='seconds')}" in lines
    assert stored.planned_run(store.engine).next_run_at == expected  # type: ignore[union-attr]
    assert lines[-1].endswith("stopped")

    # Another worker (another replica) finds the slot served: it does not refresh again.
    other = RefreshWorker(settings, dii_catalogue(), store.engine, log=lines.append, name="b")
    result = other.cycle("schedule", only_if_due=True)
    assert result.status == "not-due" and result.next_run == expected
    assert len(stored.recent_runs(store.engine)) == 1
    assert len(eurostat.requests_for("isoc_e_dii")) == 1


def test_a_failed_scheduled_run_is_retried_with_backoff(env, store, eurostat):
    eurostat.always("isoc_e_dii", Fault.http(503))
    settings = settings_of(env, DIH_DASH_REFRESH_RETRY_MINUTES="7")
    worker = RefreshWorker(settings, dii_catalogue(), store.engine, log=lambda _m: None)

    first = worker.cycle("schedule", only_if_due=True)
    second = worker.cycle("schedule", only_if_due=True)

    assert first.status == "failed" and "HTTP 503" in first.reason
    assert second.status == "not-due"  # the retry waits
    [run] = stored.recent_runs(store.engine)
    assert run.finished_at is not None
    assert (first.next_run - run.finished_at).total_seconds() == 7 * 60  # type: ignore[operator]


def test_an_attempt_whose_worker_died_is_closed_as_interrupted(env, store):
    settings = settings_of(env)
    dead = stored.start_run(store.engine, "schedule", "gone:1")
    lines: list[str] = []
    worker = RefreshWorker(settings, dii_catalogue(), store.engine, log=lines.append)

    assert worker.cycle("once").status == "ok"

    runs = {r.id: r for r in stored.recent_runs(store.engine)}
    assert runs[dead].ok is False and runs[dead].reason == INTERRUPTED
    assert "marked 1 unfinished attempt(s) as interrupted" in lines


def test_sigterm_stops_the_worker_cleanly(env, store):
    process = subprocess.Popen(
        [sys.executable, "-m", "dih_dash", "worker"],
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            seen.append(line)
            if "next refresh at" in line:
                break
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = "".join(seen) + rest
    assert process.returncode == 0, output
    assert "refresh succeeded" in output
    assert "SIGTERM: stopping" in output
    assert output.rstrip().endswith("stopped")
    [run] = stored.recent_runs(store.engine)
    assert run.ok is True and run.trigger == "schedule"


def test_worker_once_while_another_refresh_runs_exits_busy_and_records_nothing(env, store):
    from dih_dash.store.national_data import refresh_lock

    with refresh_lock(settings_of(env)) as got:
        assert got
        busy = worker_once(env)

    assert busy.returncode == 75, busy.stdout + busy.stderr
    assert "another refresh is running" in busy.stdout
    assert stored.recent_runs(store.engine) == []
