"""National data in the store: published in one transaction, seen by every data folder
(replica) using the same database, pruned, with the bundled snapshot as the fallback."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support.national_data import dii_and_ai_catalogue, dii_catalogue, national_settings
from support.replay_server import Fault

from dih_dash.services.national import manual_refresh, refresh
from dih_dash.settings import Settings
from dih_dash.sources.refresh import BUSY
from dih_dash.store import national as stored
from dih_dash.store.national_data import (
    VersionPoll,
    active_version_key,
    adopt_folder_refresh,
    dispose_engines,
    load_national,
    national_engine,
    refresh_lock,
)
from dih_dash.store.schema import national_active, national_datasets, national_versions

SNAPSHOT_ONLY = {2020}


pytestmark = pytest.mark.usefixtures("close_national_engines")


def replica(tmp_path: Path, store_url: str, eurostat_url: str, name: str, **extra: str) -> Settings:
    """Settings of one replica: its own data folder, the shared snapshot and database."""
    return national_settings(
        tmp_path,
        eurostat_url,
        DIH_DASH_DATA_DIR=str(tmp_path / name),
        DIH_DASH_DATABASE_URL=store_url,
        DIH_DASH_NATIONAL_STORE="database",
        **extra,
    )


def run(settings: Settings, catalogue=None, **kwargs):
    kwargs.setdefault("sleep", lambda _s: None)
    return refresh(settings, catalogue or dii_catalogue(), **kwargs)


def counts(settings: Settings) -> tuple[int, int, int]:
    with national_engine(settings).connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (national_versions, national_datasets, national_active)
        )


def test_a_new_store_serves_the_snapshot(tmp_path, store_url, eurostat):
    settings = replica(tmp_path, store_url, eurostat.base_url, "a")
    data = load_national(settings)
    assert set(data.tidy["period"]) == SNAPSHOT_ONLY
    assert {i.origin for i in data.datasets.values()} == {"snapshot"}
    assert active_version_key(settings) == "db:snapshot"
    assert counts(settings) == (0, 0, 0)


def test_a_refresh_is_published_in_the_database_and_read_back(tmp_path, store_url, eurostat):
    settings = replica(tmp_path, store_url, eurostat.base_url, "a")

    report = run(settings)

    assert report.ok, report.message
    [stamp] = stored.version_stamps(national_engine(settings))
    assert report.published is not None and report.published.name == stamp
    assert active_version_key(settings) == f"db:{stamp}"
    data = load_national(settings)
    assert 2020 not in set(data.tidy["period"]) and 2024 in set(data.tidy["period"])
    assert data.datasets["isoc_e_dii"].origin == "refresh"
    # Nothing went to the data folder's own versions: only this replica's cached copy.
    assert not (settings.eurostat_dir / "CURRENT").exists()
    assert not (settings.eurostat_dir / "versions").exists()
    assert counts(settings) == (1, 1, 1)


def test_another_data_folder_sees_the_refresh_through_the_same_database(
    tmp_path, store_url, eurostat
):
    first = replica(tmp_path, store_url, eurostat.base_url, "a")
    second = replica(tmp_path, store_url, eurostat.base_url, "b")
    before = load_national(second).tidy
    assert set(before["period"]) == SNAPSHOT_ONLY

    assert run(first).ok

    after = load_national(second)
    assert (
        after.tidy.sort_values(["indicator", "geo", "period"])
        .reset_index(drop=True)
        .equals(
            load_national(first)
            .tidy.sort_values(["indicator", "geo", "period"])
            .reset_index(drop=True)
        )
    )
    assert after.datasets["isoc_e_dii"].origin == "refresh"
    assert after.datasets["isoc_e_dii"].path.is_relative_to(second.data_dir)
    assert not eurostat.requests_for("isoc_e_dii")[1:], "the second replica fetched nothing"


def test_replicas_notice_a_new_version_within_the_poll_interval(tmp_path, store_url, eurostat):
    first = replica(tmp_path, store_url, eurostat.base_url, "a")
    second = replica(tmp_path, store_url, eurostat.base_url, "b")
    assert second.national_poll_seconds == 30.0
    now = [1000.0]
    poll = VersionPoll(clock=lambda: now[0])
    assert poll.key(second) == "db:snapshot"

    assert run(first).ok
    [stamp] = stored.version_stamps(national_engine(first))

    now[0] += 29.0
    assert poll.key(second) == "db:snapshot"  # no query yet: a page run costs nothing
    now[0] += 1.0
    assert poll.key(second) == f"db:{stamp}"


def test_publishing_is_one_transaction(tmp_path, store_url, eurostat):
    settings = replica(tmp_path, store_url, eurostat.base_url, "a")
    assert run(settings).ok
    versions_before = stored.version_stamps(national_engine(settings))
    key_before = active_version_key(settings)
    tidy_before = load_national(settings).tidy
    # The database refuses the last step, the switch of the active version, after the new
    # version and its datasets were written in the same transaction.
    engine = national_engine(settings)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE UPDATE ON national_active "
                "BEGIN SELECT RAISE(ABORT, 'switch refused'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'switch refused'; END $$"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE UPDATE ON national_active "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )

    report = run(settings, dii_and_ai_catalogue())

    assert not report.ok
    assert "writing the new data failed: the database refused the new version" in report.message
    assert "switch refused" in report.message
    assert stored.version_stamps(engine) == versions_before
    assert counts(settings) == (1, 1, 1)  # no stray version, no stray dataset
    assert active_version_key(settings) == key_before
    assert load_national(settings).tidy.equals(tidy_before)


def test_a_partial_refresh_carries_the_other_datasets_over(tmp_path, store_url, eurostat):
    settings = replica(tmp_path, store_url, eurostat.base_url, "a")
    assert run(settings, dii_and_ai_catalogue()).ok
    first = load_national(settings)

    assert run(settings, dii_and_ai_catalogue(), datasets=["isoc_eb_ai"]).ok

    second = load_national(settings)
    assert set(second.datasets) == set(first.datasets)
    assert second.datasets["isoc_e_dii"].sha256 == first.datasets["isoc_e_dii"].sha256
    assert second.datasets["isoc_e_dii"].fetched_at == first.datasets["isoc_e_dii"].fetched_at
    assert second.datasets["isoc_eb_ai"].fetched_at >= first.datasets["isoc_eb_ai"].fetched_at
    dii = second.tidy[second.tidy["source"] == "eurostat:isoc_e_dii"]
    assert len(dii) == second.datasets["isoc_e_dii"].rows


def test_only_the_last_versions_are_kept(tmp_path, store_url, eurostat):
    settings = replica(tmp_path, store_url, eurostat.base_url, "a")
    for _ in range(stored.KEEP_VERSIONS + 2):
        assert run(settings, dii_and_ai_catalogue(), datasets=["isoc_eb_ai"]).ok

    engine = national_engine(settings)
    stamps = stored.version_stamps(engine)
    assert len(stamps) == stored.KEEP_VERSIONS
    assert active_version_key(settings) == f"db:{stamps[-1]}"
    assert counts(settings) == (stored.KEEP_VERSIONS, stored.KEEP_VERSIONS, 1)
    cached = sorted(p.name for p in (settings.eurostat_dir / "store-cache").iterdir())
    assert cached == stamps


def test_two_refreshes_at_once_across_data_folders_one_is_refused(tmp_path, store_url, eurostat):
    first = replica(tmp_path, store_url, eurostat.base_url, "a")
    second = replica(tmp_path, store_url, eurostat.base_url, "b")
    if not first.database_url.startswith("postgres"):
        # SQLite serves one machine: the lock is the data folder's, so share one folder.
        second = first
    eurostat.then("isoc_e_dii", Fault.slow(1.5))
    results = {}
    thread = threading.Thread(target=lambda: results.setdefault("first", run(first)))
    thread.start()
    try:
        for _ in range(200):  # the first refresh holds the lock once it has asked Eurostat
            if eurostat.requests_for("isoc_e_dii"):
                break
            threading.Event().wait(0.01)
        results["second"] = run(second)
    finally:
        thread.join()

    assert results["first"].ok, results["first"].message
    assert not results["second"].ok and results["second"].errors == (BUSY,)
    assert len(eurostat.requests_for("isoc_e_dii")) == 1
    assert len(stored.version_stamps(national_engine(first))) == 1


@pytest.mark.postgres
def test_the_database_lock_is_held_across_machines(tmp_path, eurostat):
    from support.postgres import fresh_schema, postgres_url

    with fresh_schema(postgres_url()) as url:
        first = replica(tmp_path, url, eurostat.base_url, "a")
        second = replica(tmp_path, url, eurostat.base_url, "b")
        with refresh_lock(first) as got:
            assert got
            with refresh_lock(second) as other:
                assert not other
            report = run(second)
            assert report.errors == (BUSY,)
        with refresh_lock(second) as got_after:
            assert got_after  # released when the holder finished
        dispose_engines()


def test_an_unreachable_database_falls_back_to_the_local_copy_then_the_snapshot(
    tmp_path, store_url, eurostat
):
    settings = replica(tmp_path, store_url, eurostat.base_url, "a")
    assert run(settings).ok
    refreshed = load_national(settings).tidy
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = f"postgresql://dih:dih@127.0.0.1:{port}/nowhere"

    same_folder = replica(tmp_path, down, eurostat.base_url, "a")
    assert load_national(same_folder).tidy.equals(refreshed)
    other_folder = replica(tmp_path, down, eurostat.base_url, "c")
    assert set(load_national(other_folder).tidy["period"]) == SNAPSHOT_ONLY


def test_a_data_folder_refresh_is_adopted_by_the_database(tmp_path, store_url, eurostat):
    folder = national_settings(
        tmp_path, eurostat.base_url, DIH_DASH_DATA_DIR=str(tmp_path / "a"),
        DIH_DASH_NATIONAL_STORE="folder",
    )  # fmt: skip
    assert run(folder).ok
    in_folder = load_national(folder).tidy
    settings = replica(tmp_path, store_url, eurostat.base_url, "a")
    assert active_version_key(settings) == "db:snapshot"

    stamp = adopt_folder_refresh(settings)

    assert stamp is not None and active_version_key(settings) == f"db:{stamp}"
    assert load_national(replica(tmp_path, store_url, eurostat.base_url, "b")).tidy.equals(
        in_folder
    )
    assert adopt_folder_refresh(settings) is None  # only once: the database has a version


def test_a_refresh_with_the_database_down_is_reported_not_raised(tmp_path, eurostat):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = replica(
        tmp_path, f"postgresql://dih:dih@127.0.0.1:{port}/nowhere", eurostat.base_url, "a"
    )

    report = run(down)

    assert not report.ok and report.published is None
    assert report.errors[0].startswith("the database cannot be reached")
    assert eurostat.requests == []
    assert set(load_national(down).tidy["period"]) == SNAPSHOT_ONLY


def test_a_refresh_by_hand_first_adopts_the_data_folder_refresh(tmp_path, store_url, eurostat):
    # A refresh of one dataset, by hand, before any worker ran: the folder's refresh of the
    # other dataset must be carried into the database, not replaced by the snapshot's.
    folder = national_settings(
        tmp_path, eurostat.base_url, DIH_DASH_DATA_DIR=str(tmp_path / "a"),
        DIH_DASH_NATIONAL_STORE="folder",
    )  # fmt: skip
    assert run(folder, dii_and_ai_catalogue()).ok
    assert load_national(folder).datasets["isoc_eb_ai"].origin == "refresh"
    settings = replica(tmp_path, store_url, eurostat.base_url, "a")

    report = manual_refresh(
        settings, dii_and_ai_catalogue(), national_engine(settings), ["isoc_e_dii"]
    )

    assert report.ok, report.message
    other = load_national(replica(tmp_path, store_url, eurostat.base_url, "b"))
    assert other.datasets["isoc_eb_ai"].origin == "refresh"
