"""`dih-dash indicators` and `dih-dash refresh` end to end, on data in tmp_path."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from support.national_data import dii_body, dii_catalogue, national_env, tree_digest
from support.replay_server import Fault, ReplayServer

from dih_dash.cli import main
from dih_dash.settings import PROJECT_ROOT

HEADER = "indicator,geo,period,value,unit,flag,source"


@pytest.fixture
def env(
    tmp_path: Path, replay_server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    replay_server.serve("isoc_e_dii", dii_body())
    variables = national_env(tmp_path, replay_server.base_url)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    # The refresh command reads the project catalogue; these tests use one that matches
    # the recorded response.
    monkeypatch.setattr("dih_dash.cli.national.load_catalogue", dii_catalogue)
    monkeypatch.chdir(tmp_path)
    return variables


def data_state(env: dict[str, str]) -> dict[str, str]:
    return tree_digest(Path(env["DIH_DASH_DATA_DIR"]))


# --- indicators --------------------------------------------------------------------------------


def test_indicators_prints_the_active_frame_as_csv(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["indicators"]) == 0

    out = capsys.readouterr().out
    assert out.splitlines() == [
        HEADER,
        "dii4_hi_ge10,EU27_2020,2020,22.23,PC_ENT,b,eurostat:isoc_e_dii",
        "dii4_hi_ge10,RO,2020,11.5,PC_ENT,,eurostat:isoc_e_dii",
    ]


def test_indicators_filters_by_indicator_and_geo(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["indicators", "--indicator", "dii4_hi_ge10", "--geo", "ro"]) == 0

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["indicator"], r["geo"], r["value"]) for r in rows] == [
        ("dii4_hi_ge10", "RO", "11.5")
    ]


def test_indicators_json_is_a_list_of_records(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["indicators", "--format", "json", "--geo", "EU27_2020,RO"]) == 0

    records = json.loads(capsys.readouterr().out)
    assert records == [
        {
            "indicator": "dii4_hi_ge10",
            "geo": "EU27_2020",
            "period": 2020,
            "value": 22.23,
            "unit": "PC_ENT",
            "flag": "b",
            "source": "eurostat:isoc_e_dii",
        },
        {
            "indicator": "dii4_hi_ge10",
            "geo": "RO",
            "period": 2020,
            "value": 11.5,
            "unit": "PC_ENT",
            "flag": "",
            "source": "eurostat:isoc_e_dii",
        },
    ]


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--indicator", "dii4_hi_ge1"],
         "unknown indicator 'dii4_hi_ge1'; did you mean: dii4_hi_ge10?"),
        (["--geo", "RO,ROU"], "unknown geo 'ROU'; did you mean: RO?"),
        (["--indicator", "zzz"], "unknown indicator 'zzz'\n"),
    ],
)  # fmt: skip
def test_unknown_ids_exit_2_with_close_matches(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], argv: list[str], complaint: str
) -> None:
    assert main(["indicators", *argv]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert complaint in captured.err


def test_indicators_without_any_data_fails_clearly(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv("DIH_DASH_SNAPSHOT_DIR", str(tmp_path / "nowhere"))

    assert main(["indicators"]) == 1
    assert "No national data snapshot" in capsys.readouterr().err


def test_indicators_in_a_separate_process(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dih_dash", "indicators", "--format", "json", "--geo", "RO"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert [(r["geo"], r["value"]) for r in json.loads(result.stdout)] == [("RO", 11.5)]


# --- refresh -----------------------------------------------------------------------------------


def test_refresh_succeeds_and_the_new_data_becomes_active(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["refresh"]) == 0

    captured = capsys.readouterr()
    [summary, published] = captured.out.splitlines()
    assert summary.startswith("isoc_e_dii\t")
    assert summary.endswith(" rows\tEurostat updated 2025-04-08T23:00:00+0200")
    assert published.startswith("Published to ")
    assert "[0/3] Fetching isoc_e_dii from Eurostat…" in captured.err
    assert "[3/3] Published 1 dataset(s)." in captured.err

    assert main(["indicators", "--geo", "RO", "--indicator", "dii4_hi_ge10,dii4_vhi_ge10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "dii4_hi_ge10,RO,2022,18.61,PC_ENT,,eurostat:isoc_e_dii" in lines
    assert "dii4_vhi_ge10,RO,2022,0.9,PC_ENT,,eurostat:isoc_e_dii" in lines
    assert not any(",2020," in line for line in lines)


def test_refresh_failure_exits_1_and_keeps_the_data(
    env: dict[str, str], replay_server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = data_state(env)
    replay_server.always("isoc_e_dii", Fault.http(500))

    assert main(["refresh"]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "FAILED isoc_e_dii: Eurostat answered HTTP 500 (after 3 tries)" in captured.err
    assert "The previous data was kept." in captured.err
    assert len(replay_server.requests_for("isoc_e_dii")) == 3
    assert data_state(env) == before
    assert main(["indicators", "--geo", "RO"]) == 0
    assert "dii4_hi_ge10,RO,2020,11.5" in capsys.readouterr().out


def test_refresh_timeout_option_is_used(
    env: dict[str, str], replay_server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    replay_server.always("isoc_e_dii", Fault.slow(5.0))

    assert main(["refresh", "--dataset", "isoc_e_dii", "--timeout", "0.2"]) == 1
    assert "did not answer within 0.2 s" in capsys.readouterr().err


def test_refresh_offline_says_so(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = data_state(env)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("DIH_DASH_EUROSTAT_URL", f"http://127.0.0.1:{port}/eurostat/api")

    assert main(["refresh"]) == 1

    err = capsys.readouterr().err
    assert f"cannot reach 127.0.0.1:{port}: the machine seems offline" in err
    assert "The previous data was kept." in err
    assert data_state(env) == before


def test_refresh_unknown_dataset_exits_2(
    env: dict[str, str], replay_server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["refresh", "--dataset", "isoc_e_diii"]) == 2
    assert "unknown dataset 'isoc_e_diii'" in capsys.readouterr().err
    assert replay_server.requests == []


def test_refresh_rejects_a_non_positive_timeout(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["refresh", "--timeout", "0"])
    assert caught.value.code == 2
    assert "must be more than 0 seconds" in capsys.readouterr().err


def test_indicators_help_documents_the_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["indicators", "--help"])
    out = capsys.readouterr().out
    assert "one JSON array of objects" in out
    assert "--format {csv,json}" in out
