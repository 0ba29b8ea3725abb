"""Every hostile file of tests/hostile/generate.py through `dih-dash import`, as in CI.

Each case is checked three ways: a dry run (`--dry-run --json`: the exit status, the JSON
report, no traceback), a real import into a fresh SQLite store (`--skip-invalid` where
rows are rejected, so that the valid rows' stored values can be read back: "Piața Brașov
SRL" stored exactly, not re-decoded), and `dih-dash stats --json` afterwards. Most run
in this process through `dih_dash.cli.main` (a subprocess costs ~2 s of interpreter and
imports per call on two cores); the cases with a memory bound run their dry run in a child
process whose peak RSS is measured, and a few cases also go through `python -m dih_dash`
to show that the entry point answers as `main` does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dih_dash.cli import main
from dih_dash.settings import PROJECT_ROOT
from dih_dash.store import Store
from tests.hostile import generate
from tests.hostile.generate import REFUSED, REJECTED, Case

CASES = generate.cases()
REPORT_KEYS = {
    "file", "layout", "encoding", "delimiter", "rows", "inserted", "updated", "unchanged",
    "rejected", "stored", "errors", "warnings",
}  # fmt: skip
# Variables a developer's shell may set that would change what a case means.
_SETTINGS = ("DIH_DASH_MAX_ROWS", "DIH_DASH_MAX_UPLOAD_MB", "DIH_DASH_MAPPINGS_DIR")


def test_there_are_at_least_80_cases_of_every_kind() -> None:
    assert len(CASES) >= 80
    groups = {c.group for c in CASES}
    assert groups == {"encoding", "dialect", "injection", "values", "size", "xlsx"}
    outcomes = {c.expected.exit for c in CASES}
    assert outcomes == {0, 1, 2}


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    small = [c.name for c in CASES if c.expected.max_rss_mb is None]
    first = generate.generate(tmp_path / "a", small)
    generate.generate(tmp_path / "b", small)
    for case in first:
        a = (tmp_path / "a" / case.filename).read_bytes()
        assert a == (tmp_path / "b" / case.filename).read_bytes(), case.name
    assert (tmp_path / "a" / "cases.json").read_bytes() == (
        tmp_path / "b" / "cases.json"
    ).read_bytes()
    manifest = json.loads((tmp_path / "a" / "cases.json").read_text(encoding="utf-8"))
    assert [m["name"] for m in manifest] == small
    assert all("exit" in m["expected"] and m["hostile"] for m in manifest)


# --- running the command ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("hostile-files")
    generate.generate(directory)
    return directory


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite store, copied for each case (migrating costs ~0.5 s)."""
    path = tmp_path_factory.mktemp("store") / "empty.sqlite"
    Store.open(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def store_url(empty_store: Path, tmp_path: Path) -> str:
    path = tmp_path / "data" / "members.sqlite"
    path.parent.mkdir()
    shutil.copyfile(empty_store, path)
    return f"sqlite:///{path}"


@contextlib.contextmanager
def environment(case: Case, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The case's settings in os.environ (the CLI reads them there), restored afterwards."""
    saved = dict(os.environ)
    for name in _SETTINGS:
        os.environ.pop(name, None)
    os.environ["DIH_DASH_DATA_DIR"] = str(tmp_path / "data")
    os.environ["DIH_DASH_AUTO_LOAD_DEMO"] = "0"
    os.environ.update(case.env)
    try:
        yield dict(os.environ)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def cli(*argv: str) -> tuple[int, str, str]:
    """`dih-dash ARGV` in this process: (exit status, stdout, stderr). An exception that
    escapes `main` is what a user would see as a traceback: the case fails with it."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse
            code = int(exit_.code or 0)
        except Exception as exc:  # the failure shows it
            pytest.fail(f"dih-dash {' '.join(argv[:1])} raised {exc!r}: a traceback for the user")
    return code, out.getvalue(), err.getvalue()


def one_json_line(out: str) -> dict[str, Any]:
    lines = out.strip().splitlines()
    assert len(lines) == 1, f"--json prints exactly one line, got {out[:500]!r}"
    return json.loads(lines[0])


# --- checks -----------------------------------------------------------------------------------


def check_report(case: Case, code: int, report: dict[str, Any], err: str) -> None:
    expected = case.expected
    assert "Traceback" not in err, err[-2000:]
    summary = {k: report.get(k) for k in ("refused", "errors", "rows", "rejected")}
    assert code == expected.exit, (
        f"{case.hostile}: {json.dumps(summary, ensure_ascii=False)[:1500]}"
    )
    assert report["file"] == case.filename
    if expected.exit == REFUSED:
        assert set(report) == {"file", "stored", "refused"}
        assert report["stored"] is False
        reason = report["refused"]
        assert isinstance(reason, str) and reason.strip() and "\n" not in reason
        assert "Traceback" not in reason
        for part in expected.refused:
            assert part.lower() in reason.lower(), f"{part!r} not in {reason!r}"
        return
    assert set(report) == REPORT_KEYS
    counts = [report[k] for k in ("inserted", "updated", "unchanged", "rejected")]
    assert sum(counts) == report["rows"], report
    assert (report["rejected"] > 0) == (expected.exit == REJECTED)
    if expected.errors is not None:
        found = [(e["row"], e["column"]) for e in report["errors"]]
        assert found == list(expected.errors), report["errors"]
    if expected.exit == REJECTED:
        for error in report["errors"]:
            assert isinstance(error["row"], int) and error["row"] >= 2, error
            assert error["message"].strip() and "Traceback" not in error["message"]
    warnings = [(w.get("row"), w.get("column")) for w in report["warnings"]]
    for warning in expected.warnings:
        assert list(warning) in [list(w) for w in warnings], report["warnings"]
    for key in ("encoding", "delimiter", "layout", "rows"):
        value = getattr(expected, key)
        if value is not None:
            assert report[key] == value, (key, report[key])


def plain(value: Any) -> Any:
    """A stored value as the case writes it: dates as ISO text, no numpy or pandas types."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def check_stored(case: Case, url: str) -> None:
    if not case.expected.stored:
        return
    store = Store.open(url)
    try:
        loaded = store.load_assessments()
    finally:
        store.close()
    by_key = {f"{r['member_id']}/{r['wave']}": r for r in loaded.to_dict("records")}
    for key, values in case.expected.stored.items():
        assert key in by_key, f"{key} not stored; stored: {sorted(by_key)}"
        got = {column: plain(by_key[key][column]) for column in values}
        assert got == values, key


def stats(url: str) -> dict[str, int]:
    code, out, err = cli("stats", "--db", url, "--json")
    assert (code, err) == (0, "")
    counts = one_json_line(out)
    return {k: counts[k] for k in ("members", "assessments", "uploads")}


# --- the cases --------------------------------------------------------------------------------


def params(cases: list[Case]) -> list[Any]:
    """The cases as test parameters; a known, unfixed defect is a strict xfail naming it."""
    return [
        pytest.param(
            c,
            id=c.name,
            marks=[pytest.mark.xfail(strict=True, reason=f"known bug: {c.expected.known_bug}")]
            if c.expected.known_bug
            else [],
        )
        for c in cases
    ]


IN_PROCESS = params([c for c in CASES if c.expected.max_rss_mb is None])
MEASURED = params([c for c in CASES if c.expected.max_rss_mb is not None])


@pytest.mark.parametrize("case", IN_PROCESS)
def test_hostile_file(case: Case, files: Path, store_url: str, tmp_path: Path) -> None:
    path = files / case.filename
    with environment(case, tmp_path):
        code, out, err = cli(
            "import", str(path), "--db", store_url, "--dry-run", "--json", *case.args
        )
        check_report(case, code, one_json_line(out), err)
        assert stats(store_url) == {"members": 0, "assessments": 0, "uploads": 0}, "dry run"

        extra = ("--skip-invalid",) if case.expected.exit == REJECTED else ()
        code, out, err = cli("import", str(path), "--db", store_url, "--json", *extra, *case.args)
        report = one_json_line(out)
        check_report(case, code, report, err)
        counts = stats(store_url)
        if case.expected.exit == REFUSED:
            # A refused file is neither stored nor logged.
            assert counts == {"members": 0, "assessments": 0, "uploads": 0}
            return
        assert report["stored"] is True
        assert counts["assessments"] == report["inserted"]
        assert counts["uploads"] == 1
        if case.expected.stats is not None:
            assert counts == case.expected.stats
        check_stored(case, store_url)


# Runs a command and prints its exit status and peak RSS in kB before its stdout: the
# wrapper's only child is the command, so RUSAGE_CHILDREN is that command's own peak.
_MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{done.returncode}\\n{peak}\\n{done.stdout}", end="")
sys.stderr.write(done.stderr)
"""


def run_child(case: Case, argv: list[str], tmp_path: Path) -> tuple[int, int, str, str]:
    """`python -m dih_dash ARGV` with the case's settings: (exit, peak RSS kB, out, err)."""
    with environment(case, tmp_path) as env:
        env["PYTHONPATH"] = str(PROJECT_ROOT)
        done = subprocess.run(
            [sys.executable, "-c", _MEASURE, sys.executable, "-m", "dih_dash", *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=180,
            check=False,
        )
    status, peak, out = done.stdout.split("\n", 2)
    return int(status), int(peak), out, done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("case", MEASURED)
def test_hostile_file_within_its_memory_bound(
    case: Case, files: Path, store_url: str, tmp_path: Path
) -> None:
    path = files / case.filename
    argv = ["import", str(path), "--db", store_url, "--dry-run", "--json", *case.args]
    code, peak_kb, out, err = run_child(case, argv, tmp_path)
    check_report(case, code, one_json_line(out), err)
    assert case.expected.max_rss_mb is not None
    assert peak_kb <= case.expected.max_rss_mb * 1024, f"peak RSS {peak_kb / 1024:.0f} MB"
    assert err == ""
    with environment(case, tmp_path):
        assert stats(store_url) == {"members": 0, "assessments": 0, "uploads": 0}


ENTRY_POINT = ["utf8-with-a-cp1250-row", "nul-byte", "xlsx-good"]


@pytest.mark.slow
def test_the_entry_point_answers_as_main_does(files: Path, store_url: str, tmp_path: Path) -> None:
    """The real `python -m dih_dash import` on an accepted, a rejected and a refused file."""
    for case in (c for c in CASES if c.name in ENTRY_POINT):
        extra = ["--skip-invalid"] if case.expected.exit == REJECTED else []
        argv = ["import", str(files / case.filename), "--db", store_url, "--json", *extra]
        code, _peak, out, err = run_child(case, argv, tmp_path)
        check_report(case, code, one_json_line(out), err)
        assert err == ""
    with environment(CASES[0], tmp_path):
        # The damaged file stores RO1001 and RO1003 (--skip-invalid), the workbook RO1001
        # again (unchanged) and RO1002/T1; the refused file adds nothing.
        assert stats(store_url) == {"members": 3, "assessments": 3, "uploads": 2}
