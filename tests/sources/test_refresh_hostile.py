"""`dih-dash refresh` as a separate process against servers that compress, drip or lie.

The CLI runs with the project's own catalogue against the replay server, so what is checked
is what a user sees: the exit status, stdout, stderr (one reason per failed dataset, never a
traceback) and the active data afterwards, byte for byte.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.national_data import ai_body, dii_body, national_env, tree_digest
from support.replay_server import (
    Fault,
    ReplayServer,
    deeply_nested,
    fixture_bytes,
    gzip_bomb,
    huge_cube,
)

from dih_dash.settings import PROJECT_ROOT, load_settings
from dih_dash.sources.national_store import current_refresh_dir, load_national
from dih_dash.sources.reference import load_catalogue
from dih_dash.sources.refresh import refresh

# The published 2025 share of enterprises using AI (E_AI_TANY, 10+ employed) in Romania,
# as served by ai_body(); the bundled snapshot of these tests has no such row.
RO_AI_2025 = "desi_ai,RO,2025,5.21,PC_ENT,,eurostat:isoc_eb_ai"
RO_DII4_HI_2022 = "dii4_hi_ge10,RO,2022,18.61,PC_ENT,,eurostat:isoc_e_dii"


@pytest.fixture
def env(tmp_path: Path, replay_server: ReplayServer) -> dict[str, str]:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.serve("isoc_eb_ai", ai_body())
    # Only this test's settings: none of the machine's DIH_DASH_* (a database, say).
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("DIH_DASH_")}
    # HTTP_TIMEOUT 2 s: a hanging test fails fast; the drip tests set their own.
    return {**inherited, **national_env(tmp_path, replay_server.base_url)}


def dih_dash(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dih_dash", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ro_rows(env: dict[str, str]) -> list[str]:
    shown = dih_dash(env, "indicators", "--geo", "RO")
    assert shown.returncode == 0, shown.stderr
    return shown.stdout.splitlines()


def refreshed_once(env: dict[str, str]) -> dict[str, object]:
    """Publish a first refresh (in this process, plain answers) and return the state that
    every failed refresh afterwards must leave exactly as it is."""
    settings = load_settings(env=env, secrets={})
    assert refresh(settings, load_catalogue()).ok
    return {
        "files": tree_digest(settings.data_dir),
        "tidy": load_national(settings).tidy,
    }


def assert_kept(env: dict[str, str], before: dict[str, object]) -> None:
    settings = load_settings(env=env, secrets={})
    assert tree_digest(settings.data_dir) == before["files"]
    assert load_national(settings).tidy.equals(before["tidy"])


def assert_clean_refusal(result: subprocess.CompletedProcess, reason: str) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED ")]
    assert len(failed) == 1, result.stderr
    assert failed[0].startswith("FAILED isoc_e_dii: ")
    assert reason in failed[0]
    assert result.stderr.endswith(
        "Refresh failed; nothing was published. The previous data was kept.\n"
    )


# --- compressed answers publish ------------------------------------------------------------------


@pytest.mark.parametrize("mode", [None, "gzip", "deflate", "deflate-raw"])
def test_the_recorded_answers_publish_plain_and_compressed(
    env: dict[str, str], replay_server: ReplayServer, mode: str | None
) -> None:
    before = load_national(load_settings(env=env, secrets={})).tidy
    assert "desi_ai" not in set(before["indicator"])
    replay_server.compress(mode)

    result = dih_dash(env, "refresh")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    # The 27 member states and EU27_2020 of the recorded 39 geos, 2 series, 2015-2024.
    assert result.stdout.startswith("isoc_e_dii\t112 rows\tEurostat updated 2025-04-08")
    assert "\nisoc_eb_ai\t2 rows\tEurostat updated 2025-12-11T23:00:00+0100\n" in result.stdout
    rows = ro_rows(env)
    assert RO_AI_2025 in rows
    assert RO_DII4_HI_2022 in rows
    # The manifest records the digest of the decoded answer: the recorded file's, however
    # it travelled.
    assert response_sha256(env).startswith("bfd86ae2215ac47a")
    for request in replay_server.requests:
        assert request.header("Accept-Encoding") == "gzip, deflate"


def response_sha256(env: dict[str, str]) -> str:
    folder = current_refresh_dir(load_settings(env=env, secrets={}))
    assert folder is not None
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return manifest["datasets"]["isoc_e_dii"]["response_sha256"]


# --- hostile answers are refused cleanly ---------------------------------------------------------


def _wrong_value_type() -> bytes:
    payload = json.loads(dii_body())
    payload["value"]["277"] = "18.61"
    return json.dumps(payload).encode()


def _time_code_not_a_period() -> bytes:
    # pandas once turned such a code into inf and then failed on it, with a traceback.
    return dii_body().replace(b'"2024":9', b'"1e400":9')


HOSTILE = {
    "deep nesting": (lambda: Fault.serve(deeply_nested(100_000)), "100,001 levels deep"),
    "7 x 1,000 dimensions": (
        lambda: Fault.serve(huge_cube(dii_body(), 7, 1_000)),
        "more than the 100,000,000 a dataset may have",
    ),
    "a value as text": (
        lambda: Fault.serve(_wrong_value_type()),
        "not valid JSON-stat: the value at cell 277 is not a number: '18.61'",
    ),
    "a time code that is no period": (
        lambda: Fault.serve(_time_code_not_a_period()),
        "category '1e400' is not a period code",
    ),
    "another dataset": (
        lambda: Fault.serve(fixture_bytes("jsonstat2_sdmx3_isoc_ci_cm_h_A2.json")),
        "the response is dataset 'ISOC_CI_CM_H', not the 'isoc_e_dii' asked for; refused",
    ),
    "not JSON": (
        lambda: Fault.serve(b"<html><body>Service Unavailable</body></html>"),
        "the response is not valid JSON (45 bytes; truncated or not JSON-stat)",
    ),
    "deeply nested error page": (
        lambda: Fault.http(500, b'{"error":' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        "Eurostat answered HTTP 500 (after 3 tries)",
    ),
    "gzip bomb": (
        lambda: Fault.encoded(gzip_bomb(201 * 1_048_576), "gzip"),
        "the answer (gzip-compressed) unpacks to more than the 200 MB a dataset may take; refused",
    ),
}
PLAIN_TOO = {"deep nesting", "7 x 1,000 dimensions"}


@pytest.mark.parametrize(
    ("case", "mode"),
    [
        # Unpacking 200 MB to find the bomb takes a few seconds.
        pytest.param(case, "gzip", marks=[pytest.mark.slow] if case == "gzip bomb" else [])
        for case in HOSTILE
    ]
    + [(case, None) for case in sorted(PLAIN_TOO)],
)
def test_a_hostile_answer_is_refused_in_one_line_and_the_data_kept(
    env: dict[str, str], replay_server: ReplayServer, case: str, mode: str | None
) -> None:
    before = refreshed_once(env)
    make_fault, reason = HOSTILE[case]
    replay_server.always("isoc_e_dii", make_fault())
    replay_server.compress(mode)

    result = dih_dash(env, "refresh")

    assert_clean_refusal(result, reason)
    assert_kept(env, before)


# --- a server that drips -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("fault", [Fault.drip(1.0), Fault.drip_all(1.0)], ids=["body", "headers"])
def test_timeout_bounds_the_whole_refresh_against_a_dripping_server(
    env: dict[str, str], replay_server: ReplayServer, fault: Fault
) -> None:
    before = refreshed_once(env)
    # Defaults of a real installation: 30 s per read, 3 retries, 1 s back-off. A byte a
    # second satisfies every read, so without a limit on the whole this would run for
    # 4 tries x 120 s, and then the next dataset.
    env = {
        **env,
        "DIH_DASH_HTTP_TIMEOUT": "30",
        "DIH_DASH_HTTP_RETRIES": "3",
        "DIH_DASH_HTTP_BACKOFF": "1",
    }
    replay_server.always("isoc_e_dii", fault)
    asked = len(replay_server.requests_for("isoc_e_dii"))
    started = time.monotonic()

    result = dih_dash(env, "refresh", "--timeout", "10", timeout=90)

    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert 10 <= elapsed < 30
    what = "send the whole answer" if fault.kind == "drip" else "answer"
    assert (
        f"FAILED isoc_e_dii: 127.0.0.1:{replay_server.port} did not {what} within 10 s, "
        "the time limit for the whole refresh (after 1 try)\n"
    ) in result.stderr
    assert (
        "FAILED isoc_eb_ai: not tried: the 10 s time limit for the whole refresh had run out\n"
    ) in result.stderr
    assert len(replay_server.requests_for("isoc_e_dii")) == asked + 1
    assert len(replay_server.requests_for("isoc_eb_ai")) == 1  # the first refresh's only
    assert_kept(env, before)


def test_retries_are_still_shown_as_progress(
    env: dict[str, str], replay_server: ReplayServer
) -> None:
    replay_server.then("isoc_e_dii", Fault.http(503))
    replay_server.compress("gzip")

    result = dih_dash(env, "refresh", "--timeout", "20")

    assert result.returncode == 0, result.stderr
    assert (
        "[0/5] isoc_e_dii: Eurostat answered HTTP 503; retrying in 0.0 s (attempt 2 of 3)\n"
    ) in result.stderr


def test_a_timeout_long_enough_lets_a_slow_answer_through(
    env: dict[str, str], replay_server: ReplayServer
) -> None:
    # 6 KB at full speed after a 1 s pause: well inside --timeout 20.
    replay_server.then("isoc_e_dii", Fault.slow(1.0))
    replay_server.compress("gzip")

    result = dih_dash(env, "refresh", "--timeout", "20")

    assert result.returncode == 0, result.stderr
    assert RO_AI_2025 in ro_rows(env)
