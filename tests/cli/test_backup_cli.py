"""`dih-dash backup` and `dih-dash restore`, end to end: SQLite -> PostgreSQL -> SQLite with
the same `stats`, refusals with their exit status and the store left as it was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.backup_data import SURVEYS, sqlite_url, table_rows
from support.postgres import fresh_schema, postgres_url
from support.store_data import hub_csv, row

from dih_dash.cli import main
from dih_dash.settings import PROJECT_ROOT


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An isolated data folder and default store; the repository's data is never touched."""
    variables = {
        "DIH_DASH_DATA_DIR": str(tmp_path / "data"),
        "DIH_DASH_DATABASE_URL": sqlite_url(tmp_path / "data" / "members.sqlite"),
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return variables


@pytest.fixture
def postgres() -> Iterator[str]:
    with fresh_schema(postgres_url()) as url:
        yield url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def stats(capsys: pytest.CaptureFixture[str], db: str) -> dict[str, object]:
    code, out, _err = run(capsys, "stats", "--db", db, "--json")
    assert code == 0
    return json.loads(out)


def fill_default_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Demo cohort, a mapped Google Forms export with its mapping saved in the data folder,
    then a hub-template file that changes a stored assessment and a company name."""
    mappings = tmp_path / "data" / "mappings"
    mappings.mkdir(parents=True)
    shutil.copy(SURVEYS / "google_forms_en.toml", mappings / "google-form.toml")
    assert run(capsys, "demo", "load")[0] == 0
    code, out, _ = run(
        capsys,
        "import",
        str(SURVEYS / "google_forms_en.csv"),
        "--mapping",
        "Google Form - DMA results (US locale)",
        "--json",
    )
    assert code == 0, out
    update = tmp_path / "update.csv"
    update.write_bytes(
        hub_csv([row("RO10000001", "T1", company_name="Exemplu Mobilă Nouă SRL", dma_green=7.25)])
    )
    code, out, _ = run(capsys, "import", str(update), "--json")
    assert code == 0 and json.loads(out)["updated"] == 1, out


def test_a_sqlite_backup_restores_into_a_new_sqlite_store_with_the_same_stats(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill_default_store(capsys, tmp_path)
    source = env["DIH_DASH_DATABASE_URL"]

    code, out, err = run(capsys, "backup", "--out", "hub.zip")
    assert code == 0, err
    assert out.startswith("Backup written to hub.zip") and "members: 54" in out
    assert "one snapshot" in err  # progress goes to stderr

    copy = sqlite_url(tmp_path / "copy.sqlite")
    code, out, err = run(capsys, "restore", "hub.zip", "--db", copy, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["tables"]["members"] == 54 and summary["migrated"] is False
    assert summary["files"] == ["google-form.toml"]
    assert stats(capsys, copy) == stats(capsys, source)
    assert table_rows(copy, normalise=False) == table_rows(source, normalise=False)


@pytest.mark.postgres
def test_sqlite_to_postgresql_to_sqlite_keeps_stats_and_rows(
    env: dict[str, str], tmp_path: Path, postgres: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fill_default_store(capsys, tmp_path)
    source = env["DIH_DASH_DATABASE_URL"]
    expected = stats(capsys, source)
    assert expected["members"] == 54 and expected["uploads"] == 4

    assert run(capsys, "backup", "--out", "from-sqlite.zip")[0] == 0
    code, _out, err = run(capsys, "restore", "from-sqlite.zip", "--db", postgres)
    assert code == 0, err
    assert stats(capsys, postgres) == expected
    assert table_rows(postgres) == table_rows(source)

    code, out, err = run(capsys, "backup", "--db", postgres, "--out", "from-pg.zip", "--json")
    assert code == 0, err
    assert json.loads(out)["source_dialect"] == "postgresql"
    back = sqlite_url(tmp_path / "back.sqlite")
    assert run(capsys, "restore", "from-pg.zip", "--db", back)[0] == 0
    assert stats(capsys, back) == expected
    assert table_rows(back, normalise=False) == table_rows(source, normalise=False)

    # Over a store that has data: refused with 4, nothing changed; --replace overwrites.
    extra = tmp_path / "extra.csv"
    extra.write_bytes(hub_csv([row("RO99")]))
    assert run(capsys, "import", str(extra), "--db", postgres)[0] == 0
    before = table_rows(postgres)
    code, out, err = run(capsys, "restore", "from-pg.zip", "--db", postgres)
    assert (code, out) == (4, "")
    assert err.strip().splitlines()[-1].startswith("dih-dash restore: refused: the store is not")
    assert table_rows(postgres) == before
    code, out, err = run(capsys, "restore", "from-pg.zip", "--db", postgres, "--replace")
    assert code == 0, err
    assert "replaced" in out
    assert stats(capsys, postgres) == expected


def test_refusals_have_their_exit_status_and_one_line(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill_default_store(capsys, tmp_path)
    assert run(capsys, "backup", "--out", "good.zip")[0] == 0
    target = tmp_path / "target.sqlite"
    default = env["DIH_DASH_DATABASE_URL"]
    before = table_rows(default)

    corrupt = tmp_path / "corrupt.zip"
    with zipfile.ZipFile("good.zip") as old, zipfile.ZipFile(corrupt, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "tables/assessments.jsonl":
                data = data.replace(b"T0", b"T9", 1)
            new.writestr(info.filename, data)
    (tmp_path / "notes.txt").write_text("hello")

    cases = [
        (["restore", "corrupt.zip"], 2, "corrupt backup: the rows of table assessments"),
        (["restore", "notes.txt"], 2, "not a dih-dash backup (not a ZIP file)"),
        (["restore", "missing.zip"], 2, "no such file"),
        (["restore", "good.zip", "--db", "mysql://u@h/db"], 3, "unsupported database"),
        (["backup", "--out", "x.zip", "--db", sqlite_url(target)], 3, "no store at"),
        (["restore", "good.zip", "--db", default], 4, "refused: the store is not empty"),
    ]
    for argv, status, reason in cases:
        args = [*argv, "--db", sqlite_url(target)] if "--db" not in argv else argv
        code, out, err = run(capsys, *args)
        lines = [line for line in err.splitlines() if reason in line]
        assert (code, out) == (status, ""), (argv, err)
        assert len(lines) == 1 and err.splitlines()[-1] == lines[0], (argv, err)
    # Nothing was written: no target store, no backup, the full store as it was.
    assert not target.exists()
    assert not Path("x.zip").exists()
    assert table_rows(default) == before


def test_the_installed_command_restores_an_older_backup_and_migrates_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    from support.backup_data import fill_old_store

    from dih_dash.store.migrate import head_revision, known_revisions

    oldest = min(known_revisions())
    old = sqlite_url(tmp_path / "old.sqlite")
    fill_old_store(old, oldest)
    command = [sys.executable, "-m", "dih_dash"]
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}

    made = subprocess.run(
        [*command, "backup", "--db", old, "--out", "old.zip", "--json"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["schema_revision"] == oldest

    new = sqlite_url(tmp_path / "new.sqlite")
    restored = subprocess.run(
        [*command, "restore", "old.zip", "--db", new, "--json"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert restored.returncode == 0, restored.stderr
    summary = json.loads(restored.stdout)
    assert summary["backup_revision"] == oldest
    assert summary["schema_revision"] == head_revision() and summary["migrated"] is True
    assert summary["tables"]["assessments"] == 3
    assert table_rows(new)["alembic_version"] == [(head_revision(),)]
