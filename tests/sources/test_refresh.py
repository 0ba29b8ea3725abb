"""A refresh replaces the active national data whole, or leaves it byte for byte as it was."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import pandas as pd
import pytest
from support.national_data import (
    ai_body,
    dii_and_ai_catalogue,
    dii_body,
    dii_catalogue,
    indicator,
    national_settings,
    tree_digest,
)
from support.replay_server import Fault, ReplayServer, emptied, sliced, without_dimension

from dih_dash.domain.catalogue import Catalogue
from dih_dash.domain.geo import EU27
from dih_dash.settings import Settings
from dih_dash.sources.national_store import current_refresh_dir, load_national, sha256_file
from dih_dash.sources.refresh import RefreshReport, UnknownDatasetError, refresh


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def settings(tmp_path: Path, replay_server: ReplayServer) -> Settings:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.serve("isoc_eb_ai", ai_body())
    return national_settings(tmp_path, replay_server.base_url)


def state(settings: Settings) -> dict[str, dict[str, str]]:
    """Every byte of the active national data: the refresh versions and the snapshot."""
    return {
        "data": tree_digest(settings.data_dir),
        "snapshot": tree_digest(settings.snapshot_dir),
    }


def run(settings: Settings, catalogue: Catalogue | None = None, **kwargs: object) -> RefreshReport:
    kwargs.setdefault("sleep", Sleeps())
    return refresh(settings, catalogue or dii_catalogue(), **kwargs)  # type: ignore[arg-type]


# --- a healthy refresh -------------------------------------------------------------------------


def test_healthy_refresh_publishes_the_new_rows(settings: Settings) -> None:
    before = load_national(settings).tidy
    assert set(before["period"]) == {2020}

    report = run(settings)

    assert report.ok, report.message
    tidy = load_national(settings).tidy
    ro = tidy[(tidy["geo"] == "RO") & (tidy["period"] == 2022)].set_index("indicator")
    eu = tidy[(tidy["geo"] == "EU27_2020") & (tidy["period"] == 2022)].set_index("indicator")
    assert ro.loc["dii4_hi_ge10", "value"] == 18.61
    assert ro.loc["dii4_vhi_ge10", "value"] == 0.90
    assert eu.loc["dii4_hi_ge10", "value"] == 27.90
    assert eu.loc["dii4_vhi_ge10", "value"] == 4.19
    fr = tidy[(tidy["geo"] == "FR") & (tidy["period"] == 2022)].set_index("indicator")
    assert fr.loc["dii4_hi_ge10", "flag"] == "b"
    # The refreshed dataset replaces the snapshot's copy whole: its 2020 rows are gone.
    assert 2020 not in set(tidy["period"])
    assert set(tidy["geo"]) <= {*EU27, "EU27_2020"}
    assert "EU28" not in set(tidy["geo"]) and "NO" not in set(tidy["geo"])
    assert set(tidy["source"]) == {"eurostat:isoc_e_dii"}
    assert len(tidy) == report.outcomes[0].rows


def test_manifest_records_url_stamps_and_checksums(settings: Settings) -> None:
    report = run(settings)

    version = current_refresh_dir(settings)
    assert version is not None and version == report.published
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["datasets"]["isoc_e_dii"]
    assert entry["dataset"] == "isoc_e_dii"
    assert entry["url"].endswith(
        "/statistics/1.0/data/isoc_e_dii?format=JSON&lang=EN"
        "&indic_is=E_DI4_HI&indic_is=E_DI4_VHI&size_emp=GE10&unit=PC_ENT"
    )
    assert entry["updated"] == "2025-04-08T23:00:00+0200"
    assert entry["fetched_at"].endswith("+00:00")
    assert entry["response_sha256"] == hashlib.sha256(dii_body()).hexdigest()
    assert entry["label"] == "Digital Intensity by size class of enterprise"
    assert entry["rows"] == report.outcomes[0].rows
    assert entry["sha256"] == sha256_file(version / entry["file"])


def test_progress_reports_every_step_up_to_the_total(settings: Settings) -> None:
    calls: list[tuple[int, int, str]] = []

    report = run(settings, dii_and_ai_catalogue(), progress=lambda *a: calls.append(a))

    assert report.ok, report.message
    steps = [step for step, _, _ in calls]
    assert {total for _, total, _ in calls} == {5}  # 2 datasets x (fetch, check) + publish
    assert steps == sorted(steps)
    assert calls[-1][0] == 5
    assert calls[0][2] == "Fetching isoc_e_dii from Eurostat…"
    assert calls[-1][2] == "Published 2 dataset(s)."


def test_both_datasets_are_published_together(settings: Settings) -> None:
    report = run(settings, dii_and_ai_catalogue())

    assert report.ok, report.message
    tidy = load_national(settings).tidy
    ai = tidy[tidy["indicator"] == "desi_ai"].set_index("geo")
    assert ai.loc["RO", "value"] == 5.21
    assert ai.loc["EU27_2020", "value"] == 19.95
    assert set(tidy["source"]) == {"eurostat:isoc_e_dii", "eurostat:isoc_eb_ai"}


def test_429_then_ok_succeeds_after_the_server_s_wait(
    settings: Settings, replay_server: ReplayServer
) -> None:
    replay_server.then("isoc_e_dii", Fault.http(429, retry_after="3"))
    sleeps = Sleeps()

    report = run(settings, sleep=sleeps)

    assert report.ok, report.message
    assert sleeps == [3.0]
    assert len(replay_server.requests_for("isoc_e_dii")) == 2
    assert report.outcomes[0].attempts == 2


def test_series_without_rows_are_named_but_do_not_fail(settings: Settings) -> None:
    catalogue = Catalogue(
        [
            *dii_catalogue(),
            indicator("dii4_hi", "eurostat:isoc_e_dii",
                      indic_is="E_DI4_HI", size_emp="10-249", unit="PC_ENT"),
        ]
    )  # fmt: skip

    report = run(settings, catalogue)

    assert report.ok, report.message
    assert report.outcomes[0].missing_indicators == ("dii4_hi",)
    assert "no rows for 1 catalogue series (dii4_hi)" in report.outcomes[0].message


# --- every failure keeps the previous data -----------------------------------------------------


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/eurostat/api/dissemination"


FAULTS = {
    "timeout": (Fault.slow(5.0), "did not answer within 0.3 s (after 3 tries)"),
    "500": (Fault.http(500), "Eurostat answered HTTP 500 (after 3 tries)"),
    "400": (Fault.http(400, b'{"error":[{"status":400,"id":140,"label":"BAD"}]}'), "BAD"),
    "truncated": (Fault.truncated(), "not valid JSON (3136 bytes"),
    "missing dimension": (
        Fault.serve(without_dimension(dii_body(), "indic_is")),
        "lacks the dimension(s) indic_is (it has freq, size_emp, nace_r2, unit, geo, time)",
    ),
    "missing single-category dimension": (
        Fault.serve(without_dimension(dii_body(), "size_emp")),
        "lacks the dimension(s) size_emp",
    ),
    "empty": (Fault.serve(emptied(dii_body())), "no observations (empty dataset)"),
    "not JSON-stat": (Fault.serve(b'{"class": "collection"}'), "not valid JSON-stat"),
    "connection drop": (Fault.drop(), "was dropped before a complete answer (after 3 tries)"),
}


@pytest.mark.parametrize("after_refresh", [True, False], ids=["refreshed", "snapshot-only"])
@pytest.mark.parametrize("fault_name", list(FAULTS))
def test_a_failed_refresh_leaves_the_active_data_byte_identical(
    settings: Settings, replay_server: ReplayServer, fault_name: str, after_refresh: bool
) -> None:
    if after_refresh:
        assert run(settings).ok
    before = state(settings)
    pointer = current_refresh_dir(settings)
    active = load_national(settings).tidy
    fault, expected = FAULTS[fault_name]
    replay_server.always("isoc_e_dii", fault)

    # A short timeout only where the timeout is the fault, so a loaded machine cannot turn
    # another fault into a timeout.
    report = run(settings, timeout=0.3 if fault_name == "timeout" else None)

    assert not report.ok
    assert report.published is None
    [failure] = report.failures
    assert failure.dataset == "isoc_e_dii"
    assert expected in failure.message
    assert report.message.endswith("The previous data was kept.")
    assert state(settings) == before
    assert current_refresh_dir(settings) == pointer
    assert load_national(settings).tidy.equals(active)


def test_offline_keeps_the_previous_data_and_says_so(settings: Settings, tmp_path: Path) -> None:
    assert run(settings).ok
    before = state(settings)
    offline = national_settings(tmp_path, _closed_port_url())
    sleeps = Sleeps()

    report = run(offline, sleep=sleeps)

    assert not report.ok
    assert "the machine seems offline" in report.message
    assert report.message.endswith("The previous data was kept.")
    assert len(sleeps) == 2  # the retries happened
    assert state(settings) == before


def test_offline_does_not_retry_every_dataset(settings: Settings, tmp_path: Path) -> None:
    offline = national_settings(tmp_path, _closed_port_url())
    sleeps = Sleeps()

    report = run(offline, dii_and_ai_catalogue(), sleep=sleeps)

    assert [o.message for o in report.failures][1] == "isoc_eb_ai: not tried (offline)"
    assert len(sleeps) == 2


def test_one_failed_dataset_blocks_publishing_the_other(
    settings: Settings, replay_server: ReplayServer
) -> None:
    before = state(settings)
    replay_server.always("isoc_eb_ai", Fault.http(503))

    report = run(settings, dii_and_ai_catalogue())

    assert not report.ok
    assert [o.dataset for o in report.outcomes if o.ok] == ["isoc_e_dii"]
    assert [o.dataset for o in report.failures] == ["isoc_eb_ai"]
    assert state(settings) == before
    assert current_refresh_dir(settings) is None


def test_a_narrower_response_keeps_the_series_it_lacks(
    settings: Settings, replay_server: ReplayServer
) -> None:
    # The snapshot has dii4_hi_ge10; this answer only has the E_DI4_VHI cells.
    before = load_national(settings).tidy
    replay_server.always("isoc_e_dii", Fault.serve(sliced(dii_body(), "indic_is", "E_DI4_VHI")))

    report = run(settings)

    assert report.ok, report.message
    assert report.outcomes[0].kept_indicators == ("dii4_hi_ge10",)
    assert (
        "1 series not in the response kept their previous values (dii4_hi_ge10)" in report.message
    )
    after = load_national(settings).tidy
    kept = before[before["indicator"] == "dii4_hi_ge10"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        after[after["indicator"] == "dii4_hi_ge10"].reset_index(drop=True), kept
    )
    assert after[after["indicator"] == "dii4_vhi_ge10"]["period"].max() == 2024
    manifest = json.loads((current_refresh_dir(settings) / "manifest.json").read_text())
    assert manifest["datasets"]["isoc_e_dii"]["kept_from_previous"] == ["dii4_hi_ge10"]


def test_ambiguous_series_are_refused(settings: Settings) -> None:
    # Filtering on size_emp only, each (geo, year) has two indic_is rows for one id.
    catalogue = Catalogue([indicator("vague", "eurostat:isoc_e_dii", size_emp="GE10")])
    before = state(settings)

    report = run(settings, catalogue)

    assert not report.ok
    assert "duplicate observations" in report.failures[0].message
    assert state(settings) == before


def test_no_matching_series_is_a_failure(settings: Settings) -> None:
    catalogue = Catalogue(
        [indicator("x", "eurostat:isoc_e_dii", indic_is="E_DI3_GELO", size_emp="10-249")]
    )

    report = run(settings, catalogue)

    assert not report.ok
    assert "none of the 133 observations matches a catalogue series" in report.message


def test_a_failed_publish_is_reported(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_publish(*_args: object) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr("dih_dash.sources.refresh.publish_refresh", broken_publish)
    before = state(settings)

    report = run(settings)

    assert not report.ok
    assert report.errors == ("writing the new data failed: disk full",)
    assert state(settings) == before


# --- choosing datasets -------------------------------------------------------------------------


def test_only_the_requested_dataset_is_fetched(
    settings: Settings, replay_server: ReplayServer
) -> None:
    report = run(settings, dii_and_ai_catalogue(), datasets=["isoc_eb_ai"])

    assert report.ok, report.message
    assert [o.dataset for o in report.outcomes] == ["isoc_eb_ai"]
    assert replay_server.requests_for("isoc_e_dii") == []


def test_unknown_dataset_is_refused_before_any_request(
    settings: Settings, replay_server: ReplayServer
) -> None:
    with pytest.raises(UnknownDatasetError, match=r"unknown dataset 'isoc_xx'.*isoc_e_dii"):
        run(settings, datasets=["isoc_xx"])
    assert replay_server.requests == []


def test_a_second_refresh_at_the_same_time_is_told_to_wait(settings: Settings) -> None:
    import fcntl
    import os

    settings.eurostat_dir.mkdir(parents=True, exist_ok=True)
    before = state(settings)
    held = os.open(settings.eurostat_dir, os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)  # another refresh is running
        report = run(settings)
    finally:
        os.close(held)
    assert not report.ok
    assert "another refresh is running" in report.message
    assert state(settings) == before
