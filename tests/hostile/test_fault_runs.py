"""Fault runs of the real `dih-dash import`: killed, run twice at once, on a store that
cannot be written, is not a database, or cannot be reached.

tests/store/test_crash_and_concurrency.py already kills a writer inside its transaction
and runs two imports at once through the store's API (`Store.import_assessments`, a hook
that stops before the commit). These runs go through the command line on files, as the
hub's staff would: a `python -m dih_dash import` killed with SIGKILL while it holds the
store's write lock, two commands started together on overlapping files, and the store
failures that must end in exit status 3 with one clear line on stderr, no traceback, and
nothing changed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from support.store_data import dump

from dih_dash.cli import main
from dih_dash.settings import PROJECT_ROOT
from dih_dash.store import Store
from dih_dash.store.engine import WRITERS_LOCK_CLASS

pytestmark = pytest.mark.slow

EXIT_STORE = 3
HEADER = "member_id;company_name;wave;county;dma_strategy;dma_green\n"


def hub_file(path: Path, members: range, *, green: str = "50", name: str = "Firma") -> Path:
    """A hub-template CSV: one row per member number, `M00042`-style ids."""
    rows = (f"M{i:05d};{name} {i} SRL;T0;CJ;40;{green}\n" for i in members)
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings that point nowhere near the repository's data."""
    monkeypatch.setenv("DIH_DASH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIH_DASH_AUTO_LOAD_DEMO", "0")
    for name in ("DIH_DASH_MAX_ROWS", "DIH_DASH_MAX_UPLOAD_MB", "DIH_DASH_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def cli(*argv: str) -> tuple[int, str, str]:
    """`dih-dash ARGV` in this process, for setting up and reading back."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def imported(path: Path, url: str) -> dict[str, Any]:
    code, out, err = cli("import", str(path), "--db", url, "--json")
    assert (code, err) == (0, ""), out
    return json.loads(out)


def stats(url: str) -> dict[str, int]:
    """The survey counts (what these runs import); organisations and services ride along."""
    code, out, err = cli("stats", "--db", url, "--json")
    assert (code, err) == (0, "")
    counts = json.loads(out)
    return {k: counts[k] for k in ("members", "assessments", "uploads")}


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    store = Store.open(url)
    try:
        return dump(store)
    finally:
        store.close()


def command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "dih_dash", *argv]


def child_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **extra}


def assert_store_failure(done: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 3, one line on stderr naming the store's problem, no traceback, no report."""
    assert done.returncode == EXIT_STORE, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("dih-dash "), lines[0]
    assert "store" in lines[0]
    for word in words:
        assert word.lower() in lines[0].lower(), (word, lines[0])
    assert done.stdout == ""


# --- kill -9 while the import is writing ------------------------------------------------------

# How far into its transaction the import is killed: "early", as soon as it has written
# something; "late", with SQLite's write-ahead log at 3 MB (of ~6 MB before the commit) or
# PostgreSQL's transaction 0.3 s after its first write.
STAGES = {"early": (1, 0.0), "late": (3 << 20, 0.3)}


def sqlite_writing(url: str, stage: str) -> Callable[[], bool]:
    """True while another connection holds the SQLite store's write lock with uncommitted
    pages in the write-ahead log (the store is closed between commands, which folds the
    log into the file and removes it, so what is there is the running transaction's)."""
    path = make_url(url).database
    assert path is not None
    wal = Path(path + "-wal")
    least = STAGES[stage][0]

    def locked() -> bool:
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc) or "busy" in str(exc), exc
            return True
        finally:
            probe.close()

    def writing() -> bool:
        try:
            size = wal.stat().st_size
        except FileNotFoundError:
            return False
        return size >= least and locked()

    return writing


def postgres_writing(url: str, application: str) -> tuple[Callable[[], bool], Callable[[], None]]:
    """True while the session named `application` holds the store's advisory lock and its
    transaction has written (it has a transaction id). Only our session counts: other
    tests on the same server may hold the same lock."""
    engine = create_engine(make_url(url).difference_update_query(["options"]))
    query = text(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted "
        "AND l.classid::bigint = :key AND l.objsubid = 2 "
        "AND a.application_name = :application AND a.backend_xid IS NOT NULL"
    )

    def writing() -> bool:
        with engine.connect() as conn:
            found = conn.execute(query, {"key": WRITERS_LOCK_CLASS, "application": application})
            return bool(found.scalar_one())

    return writing, engine.dispose


def wait_until(child: subprocess.Popen[bytes], writing: Callable[[], bool], then: float) -> None:
    """Return while the import is writing, `then` seconds after it was first seen to."""
    deadline = time.monotonic() + 180
    while not writing():
        assert child.poll() is None, "the import ended before the kill: make it bigger"
        assert time.monotonic() < deadline, "the import was never seen writing"
        time.sleep(0.002)
    if then:
        time.sleep(then)
        assert writing(), "the import stopped writing before the kill: make it bigger"
    assert child.poll() is None, "the import ended before the kill: make it bigger"


@pytest.mark.parametrize("stage", list(STAGES))
def test_kill_9_mid_import_leaves_the_store_as_it_was(
    store_url: str, tmp_path: Path, stage: str
) -> None:
    base = hub_file(tmp_path / "base.csv", range(0, 3000))
    imported(base, store_url)
    before = snapshot(store_url)
    counts = stats(store_url)
    # Updates 3,000 stored rows (new scores, new names: history rows) and inserts 30,000.
    big = tmp_path / "big.csv"
    hub_file(big, range(0, 33_000), green="75", name="Nou")

    url = store_url
    cleanup: Callable[[], None] | None = None
    then = 0.0
    if store_url.startswith("sqlite"):
        writing = sqlite_writing(store_url, stage)
    else:
        then = STAGES[stage][1]
        application = f"h9-kill-{os.getpid()}-{time.monotonic_ns()}"
        url = make_url(store_url).update_query_dict({"application_name": application})
        url = url.render_as_string(hide_password=False)
        writing, cleanup = postgres_writing(store_url, application)
    child = subprocess.Popen(
        command("import", str(big), "--db", url, "--json"),
        env=child_env(),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(child, writing, then)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
        if cleanup is not None:
            cleanup()

    assert snapshot(store_url) == before
    assert stats(store_url) == counts
    # The dead writer's lock is gone: the same import now goes through, whole.
    report = imported(big, store_url)
    assert (report["inserted"], report["updated"], report["unchanged"]) == (30_000, 3000, 0)
    assert stats(store_url) == {"members": 33_000, "assessments": 33_000, "uploads": 2}


# --- two imports at once -----------------------------------------------------------------------


def assessments(url: str) -> list[tuple[Any, ...]]:
    """What the store holds, without the upload ids (which differ between runs)."""
    store = Store.open(url)
    try:
        loaded = store.load_assessments().drop(columns=["upload_id"])
    finally:
        store.close()
    return sorted(tuple(str(v) for v in r) for r in loaded.itertuples(index=False))


def test_two_imports_of_overlapping_files_at_once_equal_one_serial_order(
    store_url: str, tmp_path: Path
) -> None:
    # 1,000 keys in both files with other scores and names; 500 members in both files
    # with a new round in the second.
    first = hub_file(tmp_path / "first.csv", range(0, 2000), green="10", name="Prima")
    second = tmp_path / "second.csv"
    hub_file(second, range(1000, 3000), green="90", name="Doua")
    second.write_text(
        second.read_text(encoding="utf-8")
        + "".join(f"M{i:05d};Doua {i} SRL;T1;CJ;40;90\n" for i in range(1000, 1500)),
        encoding="utf-8",
    )
    imported(hub_file(tmp_path / "base.csv", range(0, 500), green="1"), store_url)

    children = [
        subprocess.Popen(
            command("import", str(path), "--db", store_url, "--json"),
            env=child_env(),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in (first, second)
    ]
    results = [child.communicate(timeout=240) for child in children]
    for child, (out, err) in zip(children, results, strict=True):
        assert (child.returncode, err) == (0, ""), out
    reports = [json.loads(out) for out, _ in results]
    assert [r["stored"] for r in reports] == [True, True]
    # Every row of each file was either inserted, updated or unchanged: none lost.
    assert [r["rows"] for r in reports] == [2000, 2500]
    # 3,500 keys in all, 500 of them stored before either import.
    assert sum(r["inserted"] for r in reports) == 3000
    assert stats(store_url) == {"members": 3000, "assessments": 3500, "uploads": 3}

    # The same files one after the other, both ways, in fresh SQLite stores.
    serial = []
    for order in ((first, second), (second, first)):
        url = f"sqlite:///{tmp_path / ('serial-' + order[0].stem)}.sqlite"
        imported(tmp_path / "base.csv", url)
        for path in order:
            imported(path, url)
        serial.append((assessments(url), stats(url)))
    assert (assessments(store_url), stats(store_url)) in serial


# --- a store that cannot be written ------------------------------------------------------------


# Root writes through permission bits (CAP_DAC_OVERRIDE): as root, the command runs with
# that capability dropped from its bounding set, so the bits apply to it as to the hub's
# service user. (A separate unprivileged user could not run this venv's interpreter when
# it lives in root's home.)
_WITHOUT_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


def run_unprivileged(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.fail("running as root without setpriv (util-linux): cannot drop the override")
        prefix = _WITHOUT_OVERRIDE
    return subprocess.run(
        [*prefix, *argv],
        env=child_env(),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@contextlib.contextmanager
def permissions_restored(directory: Path) -> Iterator[None]:
    try:
        yield
    finally:
        for path in (directory, *directory.rglob("*")):
            with contextlib.suppress(OSError):
                path.chmod(0o700 if path.is_dir() else 0o600)


def populated_store(directory: Path, members: range = range(0, 50)) -> tuple[Path, str]:
    database = directory / "store" / "members.sqlite"
    url = f"sqlite:///{database}"
    imported(hub_file(directory / "base.csv", members), url)
    # Fold the write-ahead log into the file, so the file alone is the store.
    with contextlib.closing(sqlite3.connect(database)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return database, url


@pytest.mark.parametrize("where", ["file", "directory"])
def test_a_read_only_store_exits_3_and_changes_nothing(where: str, tmp_path: Path) -> None:
    directory = tmp_path
    database, url = populated_store(directory)
    new = hub_file(directory / "new.csv", range(0, 100), green="99")
    before, counts = snapshot(url), stats(url)
    with permissions_restored(database.parent):
        if where == "file":
            database.parent.chmod(0o777)  # the directory is writable, the store file not
            for path in database.parent.iterdir():
                path.chmod(0o444)
        else:
            for path in database.parent.iterdir():
                path.chmod(0o666)
            database.parent.chmod(0o555)
        stored = database.read_bytes()

        done = run_unprivileged(command("import", str(new), "--db", url, "--json"), directory)

        assert_store_failure(done, "read")
        # (SQLite may leave its empty side files, -wal and -shm, where it may create them.)
        assert database.read_bytes() == stored
        stats_run = run_unprivileged(command("stats", "--db", url, "--json"), directory)
        dry_run = run_unprivileged(
            command("import", str(new), "--db", url, "--json", "--dry-run"), directory
        )
        if where == "file":
            # Reading still works: the counts, and a dry run (which stores nothing).
            assert stats_run.returncode == 0, stats_run.stderr
            shown = json.loads(stats_run.stdout)
            assert {k: shown[k] for k in counts} == counts
            assert dry_run.returncode == 0, dry_run.stderr
            assert json.loads(dry_run.stdout)["updated"] == 50
        else:
            # SQLite cannot even read a write-ahead-logged store where it cannot create
            # the log's index (-shm): the same clear exit 3.
            assert_store_failure(stats_run, "read")
            assert_store_failure(dry_run, "read")
        assert database.read_bytes() == stored
        database.parent.chmod(0o755)
        assert snapshot(url) == before and stats(url) == counts


def test_a_store_in_a_directory_that_cannot_be_created_exits_3(tmp_path: Path) -> None:
    directory = tmp_path
    locked = directory / "locked"
    locked.mkdir()
    new = hub_file(directory / "new.csv", range(0, 5))
    url = f"sqlite:///{locked / 'sub' / 'members.sqlite'}"
    with permissions_restored(locked):
        locked.chmod(0o555)

        done = run_unprivileged(command("import", str(new), "--db", url, "--json"), directory)

        assert_store_failure(done, "permission")
        assert list(locked.iterdir()) == []


# --- a store file that is not a database (any more) -------------------------------------------


def garbage(database: Path) -> None:
    database.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(64 * 1024)))


def truncated(database: Path) -> None:
    data = database.read_bytes()
    database.write_bytes(data[: len(data) // 3])


def garbled_pages(database: Path) -> None:
    """The 100-byte header intact, every page after the first overwritten."""
    data = bytearray(database.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    data[page:] = bytes((i * 31 + 7) % 256 for i in range(len(data) - page))
    database.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [garbage, truncated, garbled_pages], ids=lambda f: f.__name__)
@pytest.mark.parametrize("action", ["import", "stats"])
def test_a_corrupted_sqlite_store_exits_3_without_a_traceback(
    damage: Callable[[Path], None], action: str, tmp_path: Path
) -> None:
    database, url = populated_store(tmp_path, range(0, 3000))
    for extra in ("-wal", "-shm"):
        database.with_name(database.name + extra).unlink(missing_ok=True)
    damage(database)
    damaged = database.read_bytes()
    new = hub_file(tmp_path / "new.csv", range(0, 3000), green="99")
    argv = ["import", str(new)] if action == "import" else ["stats"]

    done = subprocess.run(
        command(*argv, "--db", url, "--json"),
        env=child_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert_store_failure(done)
    assert database.read_bytes() == damaged, "a damaged store is left as it was found"


# --- a server that does not answer -------------------------------------------------------------


@pytest.mark.parametrize("action", ["import", "stats"])
def test_an_unreachable_postgresql_server_exits_3(action: str, tmp_path: Path) -> None:
    # Port 1 on the loopback: nothing listens, the connection is refused at once.
    url = "postgresql+psycopg://dih:dih@127.0.0.1:1/dih_test?connect_timeout=5"
    new = hub_file(tmp_path / "new.csv", range(0, 5))
    argv = ["import", str(new)] if action == "import" else ["stats"]
    started = time.monotonic()

    done = subprocess.run(
        command(*argv, "--db", url, "--json"),
        env=child_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert_store_failure(done, "127.0.0.1")
    assert time.monotonic() - started < 60
    assert "dih:dih@" not in done.stderr, "the password is not printed"
