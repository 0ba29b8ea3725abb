"""Backups of the member store: exact round trips between SQLite and PostgreSQL, refusals
that leave the store as it was, older backups migrated, one snapshot while others write."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import io
import json
import math
import multiprocessing
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, text
from support.backup_data import (
    PARQUET_BYTES,
    fill_old_store,
    fill_store,
    reflected_rows,
    sqlite_url,
    table_rows,
    writer,
)
from support.postgres import fresh_schema, postgres_url
from support.store_data import ADMIN, members, upload

from dih_dash.store import Store, make_engine
from dih_dash.store.backup import (
    KINDS,
    BackupFileError,
    NoStoreError,
    StoreNotEmptyError,
    backup_store,
    decode_value,
    encode_value,
    restore_store,
)
from dih_dash.store.migrate import head_revision, known_revisions
from dih_dash.store.schema import metadata

SPAWN = multiprocessing.get_context("spawn")
MAPPING = b'name = "Formular"\n\n[columns]\nmember_id = "CUI"\n'


@pytest.fixture
def source(tmp_path: Path) -> Iterator[str]:
    """A SQLite store with rows in every member table (and national data, if the schema has it)."""
    url = sqlite_url(tmp_path / "source.sqlite")
    with Store.open(url) as store:
        fill_store(store)
    yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty target: a SQLite file that does not exist yet, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "target" / "restored.sqlite")
        return
    with fresh_schema(postgres_url()) as url:
        yield url


def non_empty(rows: dict[str, list[Any]]) -> set[str]:
    return {name for name, found in rows.items() if found and name != "alembic_version"}


# --- values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("int", 2**62),
        ("float", 0.1 + 0.2),
        ("float", -0.0),
        ("float", 5e-324),
        ("float", math.inf),
        ("decimal", decimal.Decimal("12345678901234567890.000000001")),
        ("bool", False),
        ("str", "Ţară, „ghilimele”, \u0000 și \n"),
        ("bytes", bytes(range(256))),
        ("bytes", b""),
        ("date", dt.date(1999, 12, 31)),
        ("datetime", dt.datetime(2026, 3, 29, 1, 30, 0, 1, tzinfo=dt.UTC)),
        ("datetime", dt.datetime(2026, 3, 29, 1, 30, 0, 999999)),
        ("time", dt.time(23, 59, 59, 5)),
        ("interval", dt.timedelta(days=-2, seconds=7, microseconds=3)),
        ("uuid", uuid.UUID(int=2**127 + 5)),
        ("json", {"a": [1, 2.5, None, "ă"], "b": {"c": True}}),
    ],
)
def test_every_kind_of_value_comes_back_equal_through_json(kind: str, value: Any) -> None:
    written = json.loads(json.dumps(encode_value(kind, value)))
    back = decode_value(kind, written)
    assert back == value and type(back) is type(value)
    if kind == "float":
        assert math.copysign(1, back) == math.copysign(1, value)


def test_times_with_a_zone_are_written_in_utc() -> None:
    bucharest = dt.timezone(dt.timedelta(hours=2))
    value = dt.datetime(2026, 1, 1, 10, 0, tzinfo=bucharest)
    assert encode_value("datetime", value) == "2026-01-01T08:00:00+00:00"
    assert decode_value("datetime", "2026-01-01T08:00:00+00:00") == value


def test_every_kind_has_a_decoder_and_nan_survives() -> None:
    assert {"int", "float", "bool", "str", "bytes", "date", "datetime"} <= KINDS
    assert math.isnan(
        decode_value("float", json.loads(json.dumps(encode_value("float", math.nan))))
    )
    assert encode_value("bytes", None) is None and decode_value("bytes", None) is None
    with pytest.raises(TypeError):
        decode_value("int", True)  # a JSON boolean is not a number of a corrupt file


# --- round trips ---------------------------------------------------------------------------


def test_sqlite_to_target_and_back_to_sqlite_keeps_every_row_exactly(
    source: str, target: str, tmp_path: Path
) -> None:
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "formular.toml").write_bytes(MAPPING)
    first = tmp_path / "first.zip"
    made = backup_store(source, first, mapping_dir=mappings)

    original = table_rows(source)
    assert made.schema_revision == head_revision()
    assert made.tables == {
        name: len(rows) for name, rows in original.items() if name in made.tables
    }
    assert {"members", "assessments", "uploads", "assessment_history", "member_name_history"} <= (
        non_empty(original)
    )
    if "national_datasets" in metadata.tables:
        assert original["national_datasets"][0][2] == PARQUET_BYTES

    restored_mappings = tmp_path / "restored-mappings"
    summary = restore_store(first, target, mapping_dir=restored_mappings)
    assert table_rows(target) == original
    assert summary.tables == made.tables and not summary.migrated and not summary.replaced
    assert (restored_mappings / "formular.toml").read_bytes() == MAPPING

    second = tmp_path / "second.zip"
    backup_store(target, second)
    again = sqlite_url(tmp_path / "again.sqlite")
    restore_store(second, again)
    # Not even normalised: SQLite -> target -> SQLite gives the very same values back.
    assert table_rows(again, normalise=False) == table_rows(source, normalise=False)

    # The restored store goes on as a store: new rows get new ids, past the restored ones.
    with Store.open(target) as store:
        before = store.stats()
        outcome = store.import_assessments(members("NEW", 0, 3), upload("new.csv"), actor=ADMIN)
        assert outcome.inserted == 3
        assert store.stats()["uploads"] == before["uploads"] + 1


def test_the_backup_file_is_private_and_says_what_it_holds(source: str, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "folder" / "b.zip"
    backup_store(source, out)
    assert out.stat().st_mode & 0o077 == 0
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert archive.testzip() is None
    assert manifest["format"] == "dih-dash-backup"
    assert manifest["schema_revision"] == head_revision()
    assert manifest["source_dialect"] == "sqlite"
    assert {t["name"] for t in manifest["tables"]} == set(metadata.tables)
    assert [p.name for p in out.parent.iterdir()] == ["b.zip"]  # no temporary file left


# --- refusals ------------------------------------------------------------------------------


def test_a_non_empty_store_is_refused_and_left_as_it_was(
    source: str, target: str, tmp_path: Path
) -> None:
    backup = tmp_path / "b.zip"
    backup_store(source, backup)
    with Store.open(target) as store:
        store.import_assessments(members("OTHER", 0, 2), upload("other.csv"), actor=ADMIN)
    before = table_rows(target)

    with pytest.raises(StoreNotEmptyError, match="not empty"):
        restore_store(backup, target)
    assert table_rows(target) == before

    summary = restore_store(backup, target, replace=True)
    assert table_rows(target) == table_rows(source)
    assert summary.replaced == {"members": 2, "assessments": 2, "uploads": 1}


def test_a_saved_mapping_of_the_same_name_with_other_content_needs_replace(
    source: str, target: str, tmp_path: Path
) -> None:
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "formular.toml").write_bytes(MAPPING)
    backup = tmp_path / "b.zip"
    backup_store(source, backup, mapping_dir=mappings)
    theirs = tmp_path / "their-mappings"
    theirs.mkdir()
    (theirs / "formular.toml").write_bytes(b'name = "Alt formular"\n')
    (theirs / "own.toml").write_bytes(b'name = "Own"\n')

    with pytest.raises(StoreNotEmptyError, match=r"formular\.toml"):
        restore_store(backup, target, mapping_dir=theirs)
    assert tables_in(target) == []
    assert (theirs / "formular.toml").read_bytes() == b'name = "Alt formular"\n'

    restore_store(backup, target, mapping_dir=theirs, replace=True)
    assert (theirs / "formular.toml").read_bytes() == MAPPING
    assert (theirs / "own.toml").exists()  # files the backup does not name are left alone


def rewrite(backup: Path, out: Path, change: Any) -> Path:
    """A copy of `backup` whose members pass through `change(name, data) -> data | None`."""
    with zipfile.ZipFile(backup) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
    return out


def resealed(backup: Path, table: str, change: Any) -> Any:
    """A `rewrite` change that edits one table's rows file and gives the manifest its new
    row count and SHA-256: a file that passes the checksums and is still wrong."""
    with zipfile.ZipFile(backup) as archive:
        changed = change(archive.read(f"tables/{table}.jsonl"))

    def apply(name: str, data: bytes) -> bytes:
        if name == f"tables/{table}.jsonl":
            return changed
        if name == "manifest.json":
            manifest = json.loads(data)
            (entry,) = [t for t in manifest["tables"] if t["name"] == table]
            entry["rows"] = changed.count(b"\n")
            entry["sha256"] = hashlib.sha256(changed).hexdigest()
            return json.dumps(manifest).encode()
        return data

    return apply


@pytest.mark.parametrize(
    ("table", "change", "reason"),
    [
        ("members", lambda d: d.replace(b"[", b"{", 1), r"tables/members\.jsonl line 1: "),
        ("members", lambda d: d + b"[1,2]\n", r"line \d+: not a row of members"),
        ("assessments", lambda d: d.replace(b'"20', b'"XX', 1), r"column assessed_on: Invalid"),
    ],
)
def test_rows_that_pass_the_checksum_but_are_no_rows_are_refused(
    source: str, target: str, tmp_path: Path, table: str, change: Any, reason: str
) -> None:
    good = tmp_path / "good.zip"
    backup_store(source, good)
    bad = rewrite(good, tmp_path / "bad.zip", resealed(good, table, change))
    with Store.open(target) as store:
        store.import_assessments(members("OTHER", 0, 2), upload("other.csv"), actor=ADMIN)
    before = table_rows(target)

    with pytest.raises(BackupFileError, match=reason):
        restore_store(bad, target, replace=True)
    assert table_rows(target) == before


def corrupt_a_row(name: str, data: bytes) -> bytes:
    return data.replace(b'"Demo', b'"Dema', 1) if name == "tables/members.jsonl" else data


def newer_revision(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["schema_revision"] = "9999_from_the_future"
    return json.dumps(manifest).encode()


def newer_format(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    return json.dumps({**json.loads(data), "format_version": 2}).encode()


def no_manifest(name: str, data: bytes) -> bytes | None:
    return None if name == "manifest.json" else data


def truncated_rows(name: str, data: bytes) -> bytes:
    if name != "tables/assessments.jsonl":
        return data
    return data[: data.rindex(b"\n", 0, len(data) - 1) + 1]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (corrupt_a_row, "corrupt backup: the rows of table members do not match their SHA-256"),
        (truncated_rows, "corrupt backup: the rows of table assessments do not match"),
        (newer_revision, "schema revision '9999_from_the_future'.*newer dih-dash"),
        (newer_format, "format 2, made by a newer dih-dash"),
        (no_manifest, "not a dih-dash backup: the ZIP file has no manifest.json"),
    ],
)
def test_an_unusable_backup_is_refused_before_the_store_is_touched(
    source: str, target: str, tmp_path: Path, change: Any, reason: str
) -> None:
    good = tmp_path / "good.zip"
    backup_store(source, good)
    bad = rewrite(good, tmp_path / "bad.zip", change)

    with pytest.raises(BackupFileError, match=reason):
        restore_store(bad, target)
    if target.startswith("sqlite"):
        assert not Path(target.removeprefix("sqlite:///")).exists()
    else:
        assert tables_in(target) == []


def tables_in(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_files_that_are_no_backup_are_refused(target: str, tmp_path: Path) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a backup")
    foreign = tmp_path / "other.zip"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("manifest.json", '{"format": "something-else"}')
    flipped = io.BytesIO()
    with zipfile.ZipFile(flipped, "w") as archive:
        archive.writestr("manifest.json", "{not json")

    with pytest.raises(BackupFileError, match="not a ZIP file"):
        restore_store(text_file, target)
    with pytest.raises(BackupFileError, match="of another format"):
        restore_store(foreign, target)
    (tmp_path / "broken.zip").write_bytes(flipped.getvalue())
    with pytest.raises(BackupFileError, match=r"manifest\.json is not JSON"):
        restore_store(tmp_path / "broken.zip", target)
    with pytest.raises(BackupFileError, match="no such file"):
        restore_store(tmp_path / "missing.zip", target)


def test_a_failure_while_inserting_rolls_the_whole_restore_back(
    source: str, target: str, tmp_path: Path
) -> None:
    # A value SQLite accepts and the target may not (a county of three letters, over
    # VARCHAR(2) on PostgreSQL), or on both: a duplicate key in a rewritten file.
    with Store.open(source) as store, store.write_transaction() as conn:
        conn.execute(text("UPDATE assessments SET county = 'XYZ' WHERE id = 3"))
    good = tmp_path / "good.zip"
    backup_store(source, good)

    def duplicate_member(data: bytes) -> bytes:
        return data + data.splitlines(keepends=True)[0]

    bad = rewrite(good, tmp_path / "dup.zip", resealed(good, "members", duplicate_member))
    with Store.open(target) as store:
        store.import_assessments(members("OTHER", 0, 2), upload("other.csv"), actor=ADMIN)
    before = table_rows(target)

    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        restore_store(bad, target, replace=True)
    assert table_rows(target) == before
    if target.startswith("postgresql"):
        with pytest.raises(Exception, match=r"(?i)too long"):
            restore_store(good, target, replace=True)
        assert table_rows(target) == before


def test_a_failed_restore_into_a_new_sqlite_file_leaves_no_file(
    source: str, tmp_path: Path
) -> None:
    backup = tmp_path / "b.zip"
    backup_store(source, backup)
    rewritten = rewrite(
        backup,
        tmp_path / "bad.zip",
        lambda name, data: (
            data.replace(b'"is_demo"', b'"no_such_column"') if name == "manifest.json" else data
        ),
    )
    new_file = tmp_path / "new" / "store.sqlite"
    with pytest.raises(BackupFileError, match="no column 'no_such_column'"):
        restore_store(rewritten, sqlite_url(new_file))
    assert not new_file.exists()


def test_there_is_no_backup_of_a_store_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    with pytest.raises(NoStoreError, match="no store at"):
        backup_store(sqlite_url(missing), tmp_path / "b.zip")
    assert not missing.exists() and not (tmp_path / "b.zip").exists()


# --- older backups -------------------------------------------------------------------------

OLDER = sorted(known_revisions() - {head_revision()})


@pytest.mark.parametrize("revision", OLDER)
@pytest.mark.parametrize("target_state", ["new", "empty at head"])
def test_a_backup_of_an_older_schema_is_migrated_with_its_data(
    revision: str, target_state: str, target: str, tmp_path: Path
) -> None:
    old = sqlite_url(tmp_path / "old.sqlite")
    fill_old_store(old, revision)
    before = reflected_rows(old)
    backup = tmp_path / "old.zip"
    made = backup_store(old, backup)
    assert made.schema_revision == revision
    assert made.tables == {name: len(rows) for name, rows in before.items()}
    if target_state == "empty at head":
        Store.open(target).close()

    summary = restore_store(backup, target)

    assert summary.migrated and summary.backup_revision == revision
    after = table_rows(target)
    assert after["alembic_version"] == [(head_revision(),)]
    restored = reflected_rows(target)
    for name, rows in before.items():
        # Every old value kept; columns added since get their defaults.
        assert [{k: r[k] for k in rows[0]} for r in restored[name]] == rows, name
    assert {r["kind"] for r in restored["uploads"]} == {"file"}
    with Store.open(target) as store:
        outcome = store.import_assessments(members("RO", 3, 5), upload("next.csv"), actor=ADMIN)
        assert outcome.inserted == 2
        assert store.stats()["uploads"] == 3


# --- one snapshot while the app writes -----------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def busy_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "busy.sqlite")
        return
    with fresh_schema(postgres_url()) as url:
        yield url


@pytest.mark.slow
def test_backups_taken_while_another_process_imports_are_each_one_snapshot(
    busy_store: str, tmp_path: Path
) -> None:
    with Store.open(busy_store) as store:
        store.import_assessments(members("BASE", 0, 2000), upload("base.csv"), actor=ADMIN)
    stop, done = SPAWN.Event(), SPAWN.Queue()
    child = SPAWN.Process(target=writer, args=(busy_store, stop, done))
    child.start()
    backups = []
    try:
        with Store.open(busy_store) as store:
            deadline = dt.datetime.now() + dt.timedelta(seconds=60)
            while store.stats()["uploads"] < 3 and dt.datetime.now() < deadline:
                time.sleep(0.05)
        for n in range(4):
            backups.append(backup_store(busy_store, tmp_path / f"b{n}.zip"))
    finally:
        stop.set()
        made = done.get(timeout=120)
        child.join(60)
    assert child.exitcode == 0
    counts = [b.tables["uploads"] for b in backups]
    assert counts == sorted(counts) and counts[-1] > counts[0] and made > 4, (counts, made)

    for n, summary in enumerate(backups):
        restored = sqlite_url(tmp_path / f"r{n}.sqlite")
        restore_store(summary.path, restored)
        with Store.open(restored) as store, store.engine.connect() as conn:
            uploads = metadata.tables["uploads"]
            assessments = metadata.tables["assessments"]
            per_upload = dict(
                conn.execute(
                    select(assessments.c.upload_id, func.count()).group_by(assessments.c.upload_id)
                ).all()
            )
            logged = dict(conn.execute(select(uploads.c.id, uploads.c.inserted)).all())
            # Each upload with exactly the rows its import inserted: no import half seen.
            assert per_upload == logged
            assert summary.tables["members"] == summary.tables["assessments"]
