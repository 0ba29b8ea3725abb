"""`dih-dash import`, `stats` and `demo` (spec/survey-format.md §7), end to end on SQLite."""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from support.store_data import hub_csv, row

from dih_dash.cli import main
from dih_dash.domain.survey_schema import ASSESSMENT_COLUMNS
from dih_dash.settings import PROJECT_ROOT
from dih_dash.store import Store

SPEC_KEYS = [
    "file", "layout", "encoding", "delimiter", "rows", "inserted", "updated", "unchanged",
    "rejected", "stored", "errors", "warnings",
]  # fmt: skip
DEMO_CSV = PROJECT_ROOT / "data" / "demo" / "demo_cohort.csv"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An isolated data folder and default store; the repository's data is never touched."""
    variables = {
        "DIH_DASH_DATA_DIR": str(tmp_path / "data"),
        "DIH_DASH_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'members.sqlite'}",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return variables


def write(path: Path, rows: list[dict[str, Any]], **options: Any) -> Path:
    path.write_bytes(hub_csv(rows, **options))
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1, "--json prints exactly one line"
    return code, json.loads(out)


BASE_COUNTS = ("members", "assessments", "uploads")


def stats(capsys: pytest.CaptureFixture[str], *db: str) -> dict[str, int]:
    """The member counts of `stats --json` (organisations and services have their tests)."""
    code, counts = run_json(capsys, "stats", *db)
    assert code == 0
    return {key: counts[key] for key in BASE_COUNTS}


def store_of(env: dict[str, str]) -> Store:
    return Store.open(env["DIH_DASH_DATABASE_URL"])


def test_a_good_file_exits_0_with_the_spec_json(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [row("RO1", company_name="Mobilă Şerban SRL"), row("RO2"), row("RO3")]
    path = write(tmp_path / "membri.csv", rows, delimiter=";", encoding="cp1250", decimal=",")

    code, result = run_json(capsys, "import", str(path))

    assert code == 0
    assert list(result) == SPEC_KEYS
    assert result == {
        "file": "membri.csv",
        "layout": "hub",
        "encoding": "cp1250",
        "delimiter": ";",
        "rows": 3,
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "stored": True,
        "errors": [],
        "warnings": [],
    }
    assert stats(capsys) == {"members": 3, "assessments": 3, "uploads": 1}

    code, again = run_json(capsys, "import", str(path))
    assert (code, again["inserted"], again["unchanged"], again["stored"]) == (0, 0, 3, True)


def test_rejected_rows_exit_1_and_store_nothing_unless_skip_invalid(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "bad.csv", [row("RO1"), row("RO2", dma_green=130.0), row("RO3")])

    code, result = run_json(capsys, "import", str(path))

    assert code == 1
    assert (result["rows"], result["rejected"], result["stored"]) == (3, 1, False)
    [error] = result["errors"]
    assert list(error) == ["row", "column", "value", "message"]
    assert (error["row"], error["column"], error["value"]) == (3, "dma_green", "130.0")
    assert "0" in error["message"] and "100" in error["message"]
    # Logged (not stored), so the staff can see the attempt.
    assert stats(capsys) == {"members": 0, "assessments": 0, "uploads": 1}

    code, result = run_json(capsys, "import", str(path), "--skip-invalid")

    assert code == 1
    assert (result["inserted"], result["rejected"], result["stored"]) == (2, 1, True)
    assert stats(capsys) == {"members": 2, "assessments": 2, "uploads": 2}


def test_a_dry_run_reports_and_stores_nothing(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path / "good.csv", [row("RO1"), row("RO2")])
    bad = write(tmp_path / "bad.csv", [row("RO1"), row("RO2", county="Atlantis")])

    code, result = run_json(capsys, "import", str(good), "--dry-run")
    assert (code, result["inserted"], result["stored"]) == (0, 2, False)

    code, result = run_json(capsys, "import", str(bad), "--dry-run", "--skip-invalid")
    assert (code, result["inserted"], result["rejected"], result["stored"]) == (1, 1, 1, False)

    assert stats(capsys) == {"members": 0, "assessments": 0, "uploads": 0}


def test_a_refused_file_exits_2_with_the_short_json(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    unknown = tmp_path / "other.csv"
    unknown.write_text("name,score\nAcme,3\n", encoding="utf-8")

    for path in (empty, unknown, tmp_path / "missing.csv"):
        code, result = run_json(capsys, "import", str(path))
        assert code == 2
        assert list(result) == ["file", "stored", "refused"]
        assert result["file"] == path.name and result["stored"] is False
        assert result["refused"] and "\n" not in result["refused"]
    assert "member_id" in run_json(capsys, "import", str(unknown))[1]["refused"]
    assert stats(capsys)["uploads"] == 0


def test_an_xlsx_file_has_no_encoding_or_separator(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(ASSESSMENT_COLUMNS))
    sheet.append([row("RO1").get(name) for name in ASSESSMENT_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "membri.xlsx"
    path.write_bytes(buffer.getvalue())

    code, result = run_json(capsys, "import", str(path))

    assert code == 0, result
    assert (result["encoding"], result["delimiter"], result["inserted"]) == (None, None, 1)


def test_a_changed_company_name_is_a_warning(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, "import", str(write(tmp_path / "a.csv", [row("RO1", company_name="Vechi")])))

    code, result = run_json(
        capsys, "import", str(write(tmp_path / "b.csv", [row("RO1", company_name="Nou")]))
    )

    assert code == 0 and result["stored"] and result["unchanged"] == 1
    [warning] = result["warnings"]
    assert (warning["row"], warning["column"], warning["value"]) == (2, "company_name", "Nou")
    assert "company name differs from the one stored for that member_id" in warning["message"]


def test_wave_and_layout_options(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "dma.csv"
    export.write_text(
        "SME name,SME ID,DMA Timing,DMA Score,Digital Business Strategy,Digital Readiness,"
        "Human-Centric Digitalisation,Data Governance,Automation & Artificial Intelligence,"
        "Green Digitalisation,EDIH Name\n"
        "Acme SRL,RO77,T1,40,40,40,40,40,40,40,Transilvania DIH\n",
        encoding="utf-8",
    )
    code, result = run_json(capsys, "import", str(export), "--layout", "dma-export")
    assert (code, result["layout"], result["inserted"]) == (0, "dma-export", 1)

    no_wave = tmp_path / "no_wave.csv"
    no_wave.write_text("member_id,company_name,dma_strategy\nRO88,Beta SRL,12\n", encoding="utf-8")
    code, result = run_json(capsys, "import", str(no_wave), "--wave", "T2")
    assert (code, result["inserted"]) == (0, 1)

    with store_of(env) as store:
        loaded = store.load_assessments().set_index("member_id")
    assert loaded.loc["RO77", "wave"] == "T1" and loaded.loc["RO88", "wave"] == "T2"


def test_an_unusable_mapping_refuses_the_import(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "a.csv", [row("RO1")])

    code, result = run_json(capsys, "import", str(path), "--mapping", "no-such-mapping")

    assert code == 2 and result["stored"] is False and "--mapping" in result["refused"]


def test_the_human_report(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "a.csv", [row("RO1"), row("RO2", dma_green=130.0)])

    assert main(["import", str(path)]) == 1
    out = capsys.readouterr().out
    assert "a.csv: layout hub, encoding utf-8, separator comma (,)" in out
    assert "2 rows: 0 new, 0 updated, 0 unchanged, 1 rejected" in out
    assert "Row 3" in out and "Nothing stored" in out

    assert main(["import", str(path), "--skip-invalid"]) == 1
    assert "Stored (the rejected rows were skipped)." in capsys.readouterr().out

    assert main(["import", str(tmp_path / "missing.csv")]) == 2
    assert "refused" in capsys.readouterr().err

    assert main(["stats"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == ["members: 1", "assessments: 1", "uploads: 2"]
    assert "services: 0" in lines and "services_unlinked: 0" in lines


def test_db_option_chooses_the_store(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = f"sqlite:///{tmp_path / 'elsewhere' / 'other.sqlite'}"
    path = write(tmp_path / "a.csv", [row("RO1")])

    code, _ = run_json(capsys, "import", str(path), "--db", other)

    assert code == 0
    assert stats(capsys, "--db", other)["assessments"] == 1
    assert stats(capsys)["assessments"] == 0


def test_a_store_that_cannot_be_opened_exits_3(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "a.csv", [row("RO1")])

    assert main(["import", str(path), "--db", "mysql://nowhere/db", "--json"]) == 3
    assert "cannot open the store" in capsys.readouterr().err


def test_demo_load_and_remove(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "load"]) == 0
    assert "Demo cohort loaded" in capsys.readouterr().out
    loaded = stats(capsys)
    # 40 SMEs and 12 public-sector organisations; the cohort and its services files.
    assert loaded["members"] == 52 and loaded["uploads"] == 2
    with store_of(env) as store:
        assert store.load_assessments()["is_demo"].all()

    assert main(["demo", "load"]) == 0
    assert "already loaded" in capsys.readouterr().out
    assert stats(capsys) == loaded

    assert main(["demo", "remove"]) == 0
    assert "Demo data removed: 52 members" in capsys.readouterr().out
    assert stats(capsys) == {"members": 0, "assessments": 0, "uploads": 0}


def test_import_never_marks_rows_demo(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, result = run_json(capsys, "import", str(DEMO_CSV))

    assert code == 0 and result["stored"]
    with store_of(env) as store:
        assert not store.load_assessments()["is_demo"].any()
        assert not store.has_demo()
    # The demo loader will not write over what is now real data.
    assert main(["demo", "load"]) == 1
    assert "DEMO-001" in capsys.readouterr().err


def test_the_installed_command_in_a_subprocess(env: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", [row("RO1"), row("RO2", wave="X")])
    environment = {**os.environ, **env}

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dih_dash", *argv],
            capture_output=True,
            text=True,
            env=environment,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    imported = run("import", str(path), "--json", "--skip-invalid")
    assert imported.returncode == 1, imported.stderr
    result = json.loads(imported.stdout)
    assert (result["inserted"], result["rejected"], result["stored"]) == (1, 1, True)
    assert result["errors"][0]["column"] == "wave"

    counted = run("stats", "--json")
    assert counted.returncode == 0, counted.stderr
    counts = json.loads(counted.stdout)
    assert {key: counts[key] for key in BASE_COUNTS} == {
        "members": 1,
        "assessments": 1,
        "uploads": 1,
    }
    assert counts["organisations"] == {"sme": 1, "pso": 0}


# --- what is not a survey file, and files over the limit ------------------------------------------


def bytes_read_by_this_process() -> int:
    """`rchar` of /proc/self/io: every byte this process has read, from files and pipes."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux /proc/self/io")
def test_a_file_over_the_size_limit_is_refused_without_being_read(
    env: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIH_DASH_MAX_UPLOAD_MB", "1")
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as file:
        file.truncate(64 * 1_048_576)  # sparse: 64 MB long, no disk used
    before = bytes_read_by_this_process()

    code, result = run_json(capsys, "import", str(huge))

    assert code == 2
    assert result == {
        "file": "huge.csv",
        "stored": False,
        "refused": "The file is 64 MB, over the limit of 1 MB.",
    }
    # Opening the store reads a little; the 64 MB (or even 1 MB of them) are never read.
    assert bytes_read_by_this_process() - before < 1_048_576


def test_a_file_at_the_size_limit_is_read(
    env: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIH_DASH_MAX_UPLOAD_MB", "1")
    data = hub_csv([row("RO1")])
    path = tmp_path / "exact.csv"
    path.write_bytes(data + b"\n" * (1_048_576 - len(data)))  # blank lines up to 1 MB

    code, result = run_json(capsys, "import", str(path))

    assert (code, result["inserted"]) == (0, 1)


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda tmp: tmp, "a directory"),
        (lambda tmp: Path(os.devnull), "a device"),
    ],
    ids=["directory", "device"],
)
def test_what_is_not_a_regular_file_is_refused_unread(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], make, kind: str
) -> None:
    path = make(tmp_path)

    code, result = run_json(capsys, "import", str(path))

    assert code == 2
    assert result == {
        "file": path.name,
        "stored": False,
        "refused": f"not a regular file ({kind}): {path}",
    }


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    done = threading.Event()

    def unblock() -> None:
        # Were the pipe opened for reading, it would wait for a writer for ever; after a few
        # seconds one comes (and goes at once), so a regression fails instead of hanging.
        if done.wait(5):
            return
        with contextlib.suppress(OSError):  # no reader: nothing to unblock
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    helper = threading.Thread(target=unblock, daemon=True)
    helper.start()
    try:
        started = time.monotonic()
        code, result = run_json(capsys, "import", str(fifo))
        elapsed = time.monotonic() - started
    finally:
        done.set()
        helper.join()

    assert code == 2
    assert result["refused"] == f"not a regular file (a named pipe): {fifo}"
    assert elapsed < 5


def test_a_missing_file_is_named(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.csv"

    code, result = run_json(capsys, "import", str(missing))

    assert code == 2
    assert result == {"file": "missing.csv", "stored": False, "refused": f"no such file: {missing}"}


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_refused_in_a_process_with_little_memory(
    env: dict[str, str], tmp_path: Path
) -> None:
    # Reading /dev/zero never ends; a regression must end in MemoryError under the limit
    # (and fail the test) rather than take the machine's memory.
    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (1 << 30, 1 << 30))

    done = subprocess.run(
        [sys.executable, "-m", "dih_dash", "import", "/dev/zero", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=tmp_path,
        timeout=120,
        check=False,
        preexec_fn=limit_memory,
    )

    assert done.returncode == 2, done.stderr
    assert json.loads(done.stdout) == {
        "file": "zero",
        "stored": False,
        "refused": "not a regular file (a device): /dev/zero",
    }


@pytest.mark.parametrize(
    "argv",
    [
        ["--layout", "hub", "--mapping", "forms"],
        ["--mapping", "forms", "--layout", "dma-export"],
    ],
    ids=["layout-first", "mapping-first"],
)
def test_a_fixed_layout_and_a_mapping_are_an_argument_error(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    path = write(tmp_path / "a.csv", [row("RO1")])

    with pytest.raises(SystemExit) as exited:
        main(["import", str(path), *argv])

    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: dih-dash import")
    assert "not allowed with argument --mapping" in err


def test_layout_auto_still_goes_with_a_mapping(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "a.csv", [row("RO1")])

    for argv in (
        ["--layout", "auto", "--mapping", "nope"],
        ["--mapping", "nope", "--layout", "auto"],
    ):
        code, result = run_json(capsys, "import", str(path), *argv)
        # Past the arguments: the mapping itself is looked up (and not found).
        assert code == 2 and "--mapping" in result["refused"] and "nope" in result["refused"]
