"""One transaction per import: a killed import leaves no trace, concurrent imports lose nothing."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from support.store_data import (
    ADMIN,
    dump,
    frame,
    import_worker,
    killed_import_worker,
    members,
    row,
    upload,
)

from dih_dash.store import Store
from dih_dash.store.schema import assessment_history

pytestmark = pytest.mark.slow

# Processes are started with "spawn": a clean interpreter, as a second app or CLI would be,
# with no connection pool inherited from the test process.
SPAWN = multiprocessing.get_context("spawn")


def crash_rows() -> list[dict[str, Any]]:
    """An import that updates 1,500 stored rows, renames members and inserts 3,000 rows."""
    changed = [row(f"M{i:05d}", dma_green=1.5, company_name=f"Nou {i}") for i in range(1500)]
    new = [row(f"N{i:05d}", wave) for i in range(1500) for wave in ("T0", "T1")]
    return changed + new


def test_a_kill_inside_the_import_transaction_leaves_the_store_exactly_as_before(
    store: Store, store_url: str
) -> None:
    store.import_assessments(members("M", 0, 2000), upload("base.csv"), actor=ADMIN)
    before = dump(store)
    rows = crash_rows()
    ready = SPAWN.Queue()
    child = SPAWN.Process(target=killed_import_worker, args=(store_url, rows, ready))
    child.start()
    try:
        # Inside its transaction the child sees all its writes: 2,000 old + 3,000 new rows.
        assert ready.get(timeout=120) == 5000
        # Nothing is committed: other connections still see the old store.
        assert dump(store) == before
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join(30)
        assert child.exitcode == -signal.SIGKILL
    finally:
        if child.is_alive():
            child.kill()

    reopened = Store.open(store_url)
    try:
        assert dump(reopened) == before
        # The dead writer's lock is gone: the same import now goes through.
        outcome = reopened.import_assessments(frame(rows), upload("again.csv"), actor=ADMIN)
        assert (outcome.inserted, outcome.updated, len(outcome.name_changes)) == (3000, 1500, 1500)
    finally:
        reopened.close()


def overlapping_imports() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two files that share 500 keys (with other values) and 500 members (with new waves)."""
    first = [row(f"M{i:05d}", dma_green=10.0) for i in range(1500)]
    second = [row(f"M{i:05d}", dma_green=90.0) for i in range(1000, 2500)]
    second += [row(f"M{i:05d}", "T1") for i in range(1000, 1500)]
    return first, second


def check_nothing_lost(store: Store, outcomes: list[dict[str, int]]) -> None:
    assert store.stats() == {"members": 2500, "assessments": 3000, "uploads": 2}
    assert sum(o["inserted"] for o in outcomes) == 3000
    # Whichever ran second saw the first one's rows: the 500 shared keys were updated.
    assert sum(o["updated"] for o in outcomes) == 500
    assert sum(o["unchanged"] for o in outcomes) == 0
    with store.engine.connect() as conn:
        kept = conn.execute(select(func.count()).select_from(assessment_history)).scalar_one()
    assert kept == 500
    loaded = store.load_assessments()
    shared = loaded[loaded["member_id"].between("M01000", "M01499") & (loaded["wave"] == "T0")]
    # The imports did not interleave: all shared keys hold the later file's value.
    assert len(shared) == 500 and shared["dma_green"].nunique() == 1
    assert shared["dma_green"].iloc[0] in (10.0, 90.0)


def test_two_imports_at_once_in_threads_lose_nothing(store: Store) -> None:
    first, second = overlapping_imports()
    barrier = threading.Barrier(2)
    outcomes: list[dict[str, int]] = []
    failures: list[BaseException] = []

    def run(rows: list[dict[str, Any]], name: str) -> None:
        data = frame(rows)
        barrier.wait()
        try:
            outcome = store.import_assessments(data, upload(name), actor=ADMIN)
            outcomes.append(
                {
                    "inserted": outcome.inserted,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                }
            )
        except BaseException as exc:  # the assertion below shows it
            failures.append(exc)

    threads = [
        threading.Thread(target=run, args=(first, "first.csv")),
        threading.Thread(target=run, args=(second, "second.csv")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    check_nothing_lost(store, outcomes)


def test_two_imports_at_once_in_separate_processes_lose_nothing(
    store: Store, store_url: str
) -> None:
    first, second = overlapping_imports()
    barrier = SPAWN.Barrier(2)
    results = SPAWN.Queue()
    workers = [
        SPAWN.Process(target=import_worker, args=(store_url, rows, name, barrier, results))
        for rows, name in ((first, "first.csv"), (second, "second.csv"))
    ]
    for worker in workers:
        worker.start()
    try:
        outcomes = [results.get(timeout=180) for _ in workers]
    finally:
        for worker in workers:
            worker.join(60)
            if worker.is_alive():
                worker.kill()

    assert [o for o in outcomes if "error" in o] == []
    assert [worker.exitcode for worker in workers] == [0, 0]
    check_nothing_lost(store, outcomes)
