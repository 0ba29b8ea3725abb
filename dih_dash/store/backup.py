"""Backups of the member store: one ZIP file, restorable into SQLite or PostgreSQL.

    summary = backup_store(url, Path("dih-dash.backup.zip"), mapping_dir=settings.mapping_dir)
    summary = restore_store(Path("dih-dash.backup.zip"), url, mapping_dir=settings.mapping_dir)

The file holds:

* `manifest.json`: format and format version, the dih-dash version, the store's alembic
  revision, when and from which database it was made, and per table its columns (name and
  kind), row count and the SHA-256 of its rows file; per saved mapping its SHA-256;
* `tables/<table>.jsonl`: one JSON array per row, in the manifest's column order;
* `files/mappings/<name>.toml`: the saved column mappings of the data folder.

Nothing in here names a table: a backup copies every table of the store at its revision
(the head schema's tables, or those reflected from an older store), so tables that later
migrations add are backed up without a change here.

A backup reads every table inside one transaction, so it is one snapshot while the app
keeps writing: REPEATABLE READ (read only) on PostgreSQL, one read transaction on SQLite,
whose WAL gives it a fixed view from its first read.

A restore checks the whole file before it touches the store, then works inside one
transaction that holds the writers' lock: bring the store to the head revision, refuse
if any table has rows (unless `replace`, which deletes them in the same transaction),
insert, set PostgreSQL's id sequences past the restored ids. Any failure rolls all of it
back. A backup from an older revision is first restored into a scratch SQLite file at its
own revision and migrated to head there, so the migrations, not this module, carry old
data forward, whatever revision the target store is at.

Values are written so that they come back exactly on either database: dates and times as
ISO 8601 (times with a zone in UTC; the store's naive times are UTC), binary as base64,
decimals as text, floats as JSON numbers (shortest repr, exact).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import hashlib
import importlib.metadata
import json
import os
import re
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from alembic import command
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    Interval,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Time,
    Uuid,
    func,
    select,
    text,
)
from sqlalchemy.engine import URL
from sqlalchemy.types import TypeEngine

from dih_dash.files import write_atomic
from dih_dash.store import bulk, migrate
from dih_dash.store.engine import (
    WRITE_OPTION,
    StoreURLError,
    lock_writers,
    make_engine,
    normalise_url,
    sqlite_path,
)
from dih_dash.store.schema import metadata

FORMAT = "dih-dash-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ALEMBIC_TABLE = "alembic_version"
MAPPINGS_AREA = "mappings"

# Rows per read from the source and per executemany on the target: bounds memory for
# tables of a million rows without making a round trip per row.
BATCH = 5_000

# A saved mapping's file name as `mapping_filename` makes it; anything else in a backup
# (a path, a dot file) is refused rather than written into the data folder.
_SAFE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.toml$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one line for the user."""


class BackupFileError(BackupError):
    """The file is not a backup this version can use: unreadable, not a backup, corrupt,
    or made by a newer dih-dash."""


class StoreNotEmptyError(BackupError):
    """The target store (or its mappings folder) holds data and `replace` was not asked."""


class NoStoreError(BackupError):
    """There is no store to back up at the URL (no SQLite file, or no dih-dash schema)."""


# --- value kinds -------------------------------------------------------------------------------


def column_kind(type_: TypeEngine[Any]) -> str:
    """How a column's values are written to the backup, from its SQLAlchemy type.

    Subclasses come before their bases (Float is a Numeric, Enum a String)."""
    checks: tuple[tuple[type[TypeEngine[Any]], str], ...] = (
        (Boolean, "bool"),
        (LargeBinary, "bytes"),
        (JSON, "json"),
        (DateTime, "datetime"),
        (Date, "date"),
        (Time, "time"),
        (Interval, "interval"),
        (Float, "float"),
        (Numeric, "decimal"),
        (Integer, "int"),
        (Uuid, "uuid"),
        (String, "str"),
    )
    for base, kind in checks:
        if isinstance(type_, base):
            return kind
    raise BackupError(f"a column of type {type_!r} cannot be backed up yet")


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is None else value.astimezone(dt.UTC)


def _encode_interval(value: dt.timedelta) -> list[int]:
    return [value.days, value.seconds, value.microseconds]


_ENCODE: dict[str, Callable[[Any], Any]] = {
    "bool": bool,
    "bytes": lambda v: base64.b64encode(bytes(v)).decode("ascii"),
    "json": lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True),
    "datetime": lambda v: _utc(v).isoformat(),
    "date": lambda v: v.isoformat(),
    "time": lambda v: v.isoformat(),
    "interval": _encode_interval,
    "float": float,
    "decimal": str,
    "int": int,
    "uuid": str,
    "str": str,
}

_DECODE: dict[str, Callable[[Any], Any]] = {
    "bool": lambda v: _typed(v, bool),
    "bytes": lambda v: base64.b64decode(_typed(v, str), validate=True),
    "json": lambda v: json.loads(_typed(v, str)),
    "datetime": lambda v: dt.datetime.fromisoformat(_typed(v, str)),
    "date": lambda v: dt.date.fromisoformat(_typed(v, str)),
    "time": lambda v: dt.time.fromisoformat(_typed(v, str)),
    "interval": lambda v: dt.timedelta(*_typed(v, list)),
    "float": lambda v: float(_typed(v, (int, float))),
    "decimal": lambda v: decimal.Decimal(_typed(v, str)),
    "int": lambda v: _typed(v, int),
    "uuid": lambda v: uuid.UUID(_typed(v, str)),
    "str": lambda v: _typed(v, str),
}
KINDS = frozenset(_ENCODE)


def _typed(value: Any, expected: type | tuple[type, ...]) -> Any:
    # bool is an int to Python; a JSON `true` in an int column is still a corrupt file.
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is int):
        raise TypeError(f"unexpected {type(value).__name__}")
    return value


def encode_value(kind: str, value: Any) -> Any:
    """A column value as the backup writes it (JSON-ready); None is NULL."""
    return None if value is None else _ENCODE[kind](value)


def decode_value(kind: str, value: Any) -> Any:
    """The Python value of a backup's JSON value; TypeError/ValueError when it is not one."""
    return None if value is None else _DECODE[kind](value)


# Kinds whose JSON value is already the Python value (a float is written with a point or
# an exponent, so it is read back as a float): no call per value on the way in.
_AS_READ = frozenset({"int", "float", "str", "bool"})

# One encoder for every row: `json.dumps` with options builds a new one per call.
_JSON_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _encode_rows(kinds: list[str], rows: Sequence[Any]) -> bytes:
    """JSON lines of `rows`, converted column by column (a call per kind, not per value)."""
    columns: list[Sequence[Any]] = []
    for kind, values in zip(kinds, zip(*rows, strict=True), strict=True):
        if kind in _AS_READ:
            columns.append(values)
        else:
            encode = _ENCODE[kind]
            columns.append([None if v is None else encode(v) for v in values])
    line = _JSON_LINE.encode
    return "".join(line(values) + "\n" for values in zip(*columns, strict=True)).encode("utf-8")


# Rows column-wise, as `bulk.insert_columns` takes them: column name -> values.
Columns = dict[str, list[Any]]


def _fit_datetimes(table: Table, batch: Columns) -> Columns:
    """Times as the target column holds them, all in UTC: a zone for `timezone=True`
    columns (PostgreSQL would read a naive time in its session's zone), none otherwise
    (SQLite keeps the wall time and drops the zone)."""
    for column in table.columns:
        values = batch.get(column.name)
        if values is None or not isinstance(column.type, DateTime):
            continue
        if column.type.timezone:
            batch[column.name] = [
                v.replace(tzinfo=dt.UTC) if v is not None and v.tzinfo is None else v
                for v in values
            ]
        else:
            batch[column.name] = [
                v.astimezone(dt.UTC).replace(tzinfo=None)
                if v is not None and v.tzinfo is not None
                else v
                for v in values
            ]
    return batch


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    schema_revision: str
    dialect: str
    tables: dict[str, int]
    files: list[str]
    size_bytes: int

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "schema_revision": self.schema_revision,
            "source_dialect": self.dialect,
            "tables": self.tables,
            "rows": sum(self.tables.values()),
            "files": self.files,
            "bytes": self.size_bytes,
        }


@dataclass(frozen=True)
class RestoreSummary:
    path: Path
    backup_revision: str
    schema_revision: str
    tables: dict[str, int]
    files: list[str]
    replaced: dict[str, int] = field(default_factory=dict)

    @property
    def migrated(self) -> bool:
        return self.backup_revision != self.schema_revision

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "backup_revision": self.backup_revision,
            "schema_revision": self.schema_revision,
            "migrated": self.migrated,
            "tables": self.tables,
            "rows": sum(self.tables.values()),
            "files": self.files,
            "replaced": self.replaced,
        }


def _quiet(_message: str) -> None:
    return None


def dih_dash_version() -> str:
    try:
        return importlib.metadata.version("dih-dash")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout
        return "unknown"


# --- backup ------------------------------------------------------------------------------------


def backup_store(
    url: str | URL,
    out: Path,
    *,
    mapping_dir: Path | None = None,
    progress: Progress = _quiet,
) -> BackupSummary:
    """Write a backup of the store at `url` (and the mappings in `mapping_dir`) to `out`.

    `out` appears whole or not at all (written beside it, then renamed), and is readable
    by its owner only: it holds the members' data."""
    engine = _open_existing(url)
    try:
        with _output(out) as (handle, finish):
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                revision, tables = _write_tables(engine, archive, progress)
                files = _write_files(archive, mapping_dir, progress)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "dih_dash_version": dih_dash_version(),
                    "schema_revision": revision,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "source_dialect": engine.dialect.name,
                    "tables": tables,
                    "files": files,
                }
                archive.writestr(
                    _zip_entry(MANIFEST), json.dumps(manifest, ensure_ascii=False, indent=1)
                )
            size = finish()
    finally:
        engine.dispose()
    return BackupSummary(
        path=out,
        schema_revision=revision,
        dialect=engine.dialect.name,
        tables={t["name"]: t["rows"] for t in tables},
        files=[f["name"] for f in files],
        size_bytes=size,
    )


def _open_existing(url: str | URL) -> Engine:
    """An engine on a store that exists; a SQLite URL naming no file is refused rather than
    answered with a backup of the empty database that opening it would create."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if path is None:
            raise StoreURLError("an in-memory SQLite database cannot be backed up or restored")
        if not path.is_file():
            raise NoStoreError(f"no store at {path}")
    return make_engine(parsed)


@contextmanager
def _output(out: Path) -> Iterator[tuple[IO[bytes], Callable[[], int]]]:
    """A private temporary file beside `out`; `finish()` flushes it to disk and renames it
    over `out`. Left unfinished (an error), it is removed."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    except OSError as exc:
        raise BackupFileError(f"cannot write {out}: {exc.strerror or exc}") from exc
    handle = os.fdopen(descriptor, "w+b")
    finished = False

    def finish() -> int:
        nonlocal finished
        handle.flush()
        os.fsync(handle.fileno())
        size = handle.tell()
        handle.close()
        try:
            os.replace(temporary, out)
        except OSError as exc:
            raise BackupFileError(f"cannot write {out}: {exc.strerror or exc}") from exc
        finished = True
        return size

    try:
        yield handle, finish
    except OSError as exc:
        raise BackupFileError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        if not finished:
            handle.close()
            Path(temporary).unlink(missing_ok=True)


def _snapshot(engine: Engine) -> Connection:
    """A connection whose transaction sees one state of the whole store."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return conn


def _write_tables(
    engine: Engine, archive: zipfile.ZipFile, progress: Progress
) -> tuple[str, list[dict[str, Any]]]:
    with _snapshot(engine) as conn, conn.begin():
        revision = migrate.current_revision(conn)
        if revision is None:
            raise NoStoreError("the database holds no dih-dash store (no schema revision)")
        if revision not in migrate.known_revisions():
            raise migrate.SchemaTooNewError(
                f"the store is at schema revision {revision!r}, which this version of "
                "dih-dash does not know; back it up with the dih-dash that uses it"
            )
        progress(f"schema revision {revision} ({engine.dialect.name}), one snapshot")
        entries = [
            _write_table(conn, table, archive, progress) for table in _tables(conn, revision)
        ]
    return revision, entries


def _tables(conn: Connection, revision: str) -> list[Table]:
    """The store's tables at `revision`, parents before children. At head, the schema
    module's (it knows what reflection cannot, such as a time's zone); at an older
    revision, what the database holds."""
    if revision == migrate.head_revision():
        return list(metadata.sorted_tables)
    reflected = MetaData()
    reflected.reflect(bind=conn, only=lambda name, _meta: name != ALEMBIC_TABLE)
    return list(reflected.sorted_tables)


def _write_table(
    conn: Connection, table: Table, archive: zipfile.ZipFile, progress: Progress
) -> dict[str, Any]:
    columns = list(table.columns)
    kinds = [column_kind(c.type) for c in columns]
    order = list(table.primary_key.columns) or columns
    query = select(*columns).order_by(*order).execution_options(yield_per=BATCH)
    entry = f"tables/{table.name}.jsonl"
    digest = hashlib.sha256()
    rows = 0
    with archive.open(_zip_entry(entry), "w", force_zip64=True) as out:
        for partition in conn.execute(query).partitions():
            data = _encode_rows(kinds, partition)
            digest.update(data)
            out.write(data)
            rows += len(partition)
    progress(f"  {table.name}: {rows} rows")
    return {
        "name": table.name,
        "entry": entry,
        "columns": [{"name": c.name, "kind": k} for c, k in zip(columns, kinds, strict=True)],
        "rows": rows,
        "sha256": digest.hexdigest(),
    }


def _zip_entry(name: str) -> zipfile.ZipInfo:
    # A ZipInfo made by name alone is dated 1980 and stored uncompressed.
    now = dt.datetime.now()
    info = zipfile.ZipInfo(name, date_time=now.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def _write_files(
    archive: zipfile.ZipFile, mapping_dir: Path | None, progress: Progress
) -> list[dict[str, Any]]:
    if mapping_dir is None or not mapping_dir.is_dir():
        return []
    entries = []
    for path in sorted(mapping_dir.glob("*.toml")):
        if not path.is_file() or not _SAFE_FILE.match(path.name):
            continue
        data = path.read_bytes()
        entry = f"files/{MAPPINGS_AREA}/{path.name}"
        archive.writestr(_zip_entry(entry), data)
        entries.append(
            {
                "area": MAPPINGS_AREA,
                "name": path.name,
                "entry": entry,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    if entries:
        progress(f"  saved mappings: {len(entries)} files")
    return entries


# --- reading a backup --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str


@dataclass(frozen=True)
class _TableEntry:
    name: str
    entry: str
    columns: tuple[_Column, ...]
    rows: int
    sha256: str


@dataclass(frozen=True)
class _FileEntry:
    name: str
    entry: str
    sha256: str


@dataclass(frozen=True)
class Manifest:
    format_version: int
    schema_revision: str
    dih_dash_version: str
    created_at: str
    source_dialect: str
    tables: tuple[_TableEntry, ...]
    files: tuple[_FileEntry, ...]

    def table(self, name: str) -> _TableEntry | None:
        return next((t for t in self.tables if t.name == name), None)


def _corrupt(detail: str) -> BackupFileError:
    return BackupFileError(f"corrupt backup: {detail}")


def _field(obj: Any, key: str, kind: type, where: str) -> Any:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _corrupt(f"{where}: missing or invalid {key!r}")
    return value


def _parse_manifest(raw: bytes, names: set[str]) -> Manifest:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _corrupt("manifest.json is not JSON") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupFileError("not a dih-dash backup: its manifest.json is of another format")
    version = _field(data, "format_version", int, MANIFEST)
    if version > FORMAT_VERSION:
        raise BackupFileError(
            f"the backup is in format {version}, made by a newer dih-dash "
            f"(this one reads format {FORMAT_VERSION} and older); upgrade dih-dash"
        )
    tables = []
    for item in _field(data, "tables", list, MANIFEST):
        name = _field(item, "name", str, "a table")
        entry = _field(item, "entry", str, name)
        columns = tuple(
            _Column(_field(c, "name", str, name), _field(c, "kind", str, name))
            for c in _field(item, "columns", list, name)
        )
        unknown = sorted({c.kind for c in columns} - KINDS)
        if unknown:
            raise _corrupt(f"table {name}: unknown column kind {unknown[0]!r}")
        rows = _field(item, "rows", int, name)
        digest = _field(item, "sha256", str, name)
        if entry not in names or not _SHA256.match(digest) or rows < 0:
            raise _corrupt(f"table {name}: its rows file is missing or described wrongly")
        tables.append(_TableEntry(name, entry, columns, rows, digest))
    files = []
    for item in data.get("files") or []:
        name = _field(item, "name", str, "a file")
        entry = _field(item, "entry", str, name)
        digest = _field(item, "sha256", str, name)
        if item.get("area") != MAPPINGS_AREA or not _SAFE_FILE.match(name):
            raise _corrupt(f"file {name!r} is not a saved mapping")
        if entry not in names or not _SHA256.match(digest):
            raise _corrupt(f"file {name}: missing or described wrongly")
        files.append(_FileEntry(name, entry, digest))
    return Manifest(
        format_version=version,
        schema_revision=_field(data, "schema_revision", str, MANIFEST),
        dih_dash_version=str(data.get("dih_dash_version", "")),
        created_at=str(data.get("created_at", "")),
        source_dialect=str(data.get("source_dialect", "")),
        tables=tuple(tables),
        files=tuple(files),
    )


@contextmanager
def _reading(path: Path) -> Iterator[zipfile.ZipFile]:
    """The backup as a ZIP; errors of the ZIP layer (a bad CRC, a truncated member) become
    `BackupFileError`, whichever step meets them."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise BackupFileError(f"no such file: {path}") from exc
    except IsADirectoryError as exc:
        raise BackupFileError(f"not a file: {path}") from exc
    except OSError as exc:
        raise BackupFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (zipfile.BadZipFile, EOFError) as exc:
        raise BackupFileError(f"not a dih-dash backup (not a ZIP file): {path}") from exc
    try:
        with archive:
            yield archive
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _corrupt(str(exc) or type(exc).__name__) from exc


def read_manifest(archive: zipfile.ZipFile) -> Manifest:
    names = set(archive.namelist())
    if MANIFEST not in names:
        raise BackupFileError("not a dih-dash backup: the ZIP file has no manifest.json")
    return _parse_manifest(archive.read(MANIFEST), names)


def _stream_sha256(archive: zipfile.ZipFile, entry: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    lines = 0
    with archive.open(entry) as member:
        while chunk := member.read(1 << 20):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    return digest.hexdigest(), lines


def verify(archive: zipfile.ZipFile, progress: Progress = _quiet) -> Manifest:
    """The manifest, once every table and file in the backup matches its SHA-256 and count."""
    manifest = read_manifest(archive)
    for table in manifest.tables:
        digest, lines = _stream_sha256(archive, table.entry)
        if digest != table.sha256:
            raise _corrupt(f"the rows of table {table.name} do not match their SHA-256")
        if lines != table.rows:
            raise _corrupt(f"table {table.name} has {lines} rows, the manifest says {table.rows}")
    for item in manifest.files:
        if hashlib.sha256(archive.read(item.entry)).hexdigest() != item.sha256:
            raise _corrupt(f"file {item.name} does not match its SHA-256")
    progress(
        f"backup checked: schema revision {manifest.schema_revision}, "
        f"{sum(t.rows for t in manifest.tables)} rows in {len(manifest.tables)} tables, "
        f"made {manifest.created_at} from {manifest.source_dialect or 'unknown'}"
    )
    return manifest


def _backup_rows(archive: zipfile.ZipFile, table: _TableEntry) -> Iterator[Columns]:
    """The rows of one table of the backup as Python values, column-wise, in batches."""
    digest = hashlib.sha256()
    lines: list[bytes] = []
    read = 0
    with archive.open(table.entry) as member:
        for line in member:
            digest.update(line)
            lines.append(line)
            if len(lines) >= BATCH:
                yield _decoded(table, _parsed(table, lines, read))
                read += len(lines)
                lines = []
    if lines:
        yield _decoded(table, _parsed(table, lines, read))
    # Checked again while inserting: the file could have changed since `verify` read it.
    if digest.hexdigest() != table.sha256:
        raise _corrupt(f"the rows of table {table.name} do not match their SHA-256")


def _parsed(table: _TableEntry, lines: list[bytes], before: int) -> list[list[Any]]:
    """JSON lines as lists, parsed as one array (a call per line costs more than the
    parsing); on a bad line, that line is found and named."""
    try:
        rows = json.loads(b"[" + b",".join(lines) + b"]")
    except ValueError:
        rows = None
    width = len(table.columns)
    if (
        rows is None
        or len(rows) != len(lines)
        or any(not isinstance(r, list) or len(r) != width for r in rows)
    ):
        for number, line in enumerate(lines, start=before + 1):
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise _corrupt(f"{table.entry} line {number}: {exc}") from exc
            if not isinstance(row, list) or len(row) != width:
                raise _corrupt(f"{table.entry} line {number}: not a row of {table.name}")
        raise _corrupt(f"{table.entry}: lines {before + 1}-{before + len(lines)} are not rows")
    return rows


def _decoded(table: _TableEntry, rows: list[list[Any]]) -> Columns:
    out: Columns = {}
    for index, column in enumerate(table.columns):
        values = [row[index] for row in rows]
        if column.kind not in _AS_READ:
            decode = _DECODE[column.kind]
            try:
                values = [None if v is None else decode(v) for v in values]
            except (ValueError, TypeError, binascii.Error, decimal.InvalidOperation) as exc:
                raise _corrupt(f"{table.entry}, column {column.name}: {exc}") from exc
        out[column.name] = values
    return out


# --- restore -----------------------------------------------------------------------------------

# Rows of one target table, in batches of dicts keyed by column name.
RowSource = Callable[[Table], Iterator[Columns]]


def restore_store(
    path: Path,
    url: str | URL,
    *,
    replace: bool = False,
    mapping_dir: Path | None = None,
    progress: Progress = _quiet,
) -> RestoreSummary:
    """Restore the backup at `path` into the store at `url` (SQLite or PostgreSQL, either
    way round), at the head schema revision; see the module's docstring."""
    with _reading(path) as archive:
        manifest = verify(archive, progress)
        revision = manifest.schema_revision
        if revision not in migrate.known_revisions():
            raise BackupFileError(
                f"the backup is at schema revision {revision!r}, which this version of "
                "dih-dash does not know (made by a newer dih-dash); upgrade dih-dash"
            )
        files = _planned_files(archive, manifest, mapping_dir, replace)
        target, created = _open_target(url)
        try:
            if revision == migrate.head_revision():
                _check_head_tables(manifest)

                def from_backup(table: Table) -> Iterator[Columns]:
                    entry = manifest.table(table.name)
                    return _backup_rows(archive, entry) if entry else iter(())

                counts, replaced = _load(target, from_backup, replace, progress)
            else:
                counts, replaced = _via_staging(archive, manifest, target, replace, progress)
        except BaseException:
            target.dispose()
            if created is not None:
                _remove_sqlite(created)
            raise
        target.dispose()
    for name, data in files:
        if mapping_dir is not None:  # always set when `files` is not empty
            write_atomic(mapping_dir / name, data)
    if files:
        progress(f"  saved mappings: {len(files)} files")
    return RestoreSummary(
        path=path,
        backup_revision=revision,
        schema_revision=migrate.head_revision(),
        tables=counts,
        files=[name for name, _data in files],
        replaced=replaced,
    )


def _planned_files(
    archive: zipfile.ZipFile, manifest: Manifest, mapping_dir: Path | None, replace: bool
) -> list[tuple[str, bytes]]:
    """The mapping files to write. A saved mapping of the same name with other content is
    data too: without `replace`, it refuses the restore like a non-empty store."""
    if mapping_dir is None:
        return []
    planned = []
    for item in manifest.files:
        data = archive.read(item.entry)
        existing = mapping_dir / item.name
        differs = existing.exists() and (not existing.is_file() or existing.read_bytes() != data)
        if differs and not replace:
            raise StoreNotEmptyError(
                f"the mappings folder already has {item.name} with other content; "
                "use --replace to overwrite it"
            )
        planned.append((item.name, data))
    return planned


def _open_target(url: str | URL) -> tuple[Engine, Path | None]:
    """The target's engine, and its SQLite file when this restore creates it (removed
    again if the restore fails, so a failed restore leaves no empty store behind)."""
    parsed = normalise_url(url)
    created = None
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if path is None:
            raise StoreURLError("an in-memory SQLite database cannot be backed up or restored")
        if not path.exists():
            created = path
    return make_engine(parsed), created


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _check_head_tables(manifest: Manifest) -> None:
    """A backup at the head revision has the head schema's tables and columns, no others."""
    missing = sorted(set(metadata.tables) - {t.name for t in manifest.tables})
    if missing:
        raise _corrupt(
            f"table {missing[0]} of schema revision {manifest.schema_revision} is missing"
        )
    for entry in manifest.tables:
        table = metadata.tables.get(entry.name)
        if table is None:
            raise _corrupt(
                f"table {entry.name} is not part of schema revision {manifest.schema_revision}"
            )
        unknown = [c.name for c in entry.columns if c.name not in table.columns]
        if unknown:
            raise _corrupt(f"table {entry.name} has no column {unknown[0]!r} at this revision")


def _upgrade_in(conn: Connection, revision: str) -> None:
    """Run the migrations to `revision` inside `conn`'s transaction (which holds the
    writers' lock), so they commit or roll back with the rest of the restore."""
    with migrate._ALEMBIC_LOCK:
        command.upgrade(migrate.alembic_config(conn), revision)


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _load(
    engine: Engine, source: RowSource, replace: bool, progress: Progress
) -> tuple[dict[str, int], dict[str, int]]:
    """Fill the store at head from `source`, all in one locked transaction."""
    tables = list(metadata.sorted_tables)
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            lock_writers(conn)
            current = migrate.current_revision(conn)
            if current is not None and current not in migrate.known_revisions():
                raise migrate.SchemaTooNewError(
                    f"the store is at schema revision {current!r}, which this version of "
                    "dih-dash does not know; upgrade dih-dash"
                )
            if current != migrate.head_revision():
                progress(f"store at schema revision {current or 'none'}: migrating to head")
                _upgrade_in(conn, "head")
            occupied = {t.name: n for t in tables if (n := _count(conn, t))}
            if occupied and not replace:
                listed = ", ".join(f"{name} {n}" for name, n in occupied.items())
                raise StoreNotEmptyError(
                    f"the store is not empty ({listed} rows); use --replace to overwrite it"
                )
            if occupied:
                progress(f"replacing {sum(occupied.values())} rows")
                for table in reversed(tables):
                    conn.execute(table.delete())
            for table in tables:
                written = 0
                for batch in source(table):
                    bulk.insert_columns(conn, table, _fit_datetimes(table, batch))
                    written += len(next(iter(batch.values())))
                counts[table.name] = written
                progress(f"  {table.name}: {written} rows")
            if conn.dialect.name == "postgresql":
                _advance_sequences(conn, tables)
    return counts, occupied


def _advance_sequences(conn: Connection, tables: list[Table]) -> None:
    """Set each id sequence past the largest restored id: the rows were inserted with
    their own ids, which PostgreSQL's sequences do not see."""
    preparer = conn.dialect.identifier_preparer
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, Integer):
            continue
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": preparer.format_table(table), "column": key[0].name},
        ).scalar_one()
        if sequence is None:
            continue
        following = select(func.coalesce(func.max(key[0]), 0) + 1).scalar_subquery()
        conn.execute(select(func.setval(sequence, following, False)))


def _via_staging(
    archive: zipfile.ZipFile,
    manifest: Manifest,
    target: Engine,
    replace: bool,
    progress: Progress,
) -> tuple[dict[str, int], dict[str, int]]:
    """Restore an older backup: into a scratch SQLite store at the backup's revision,
    migrate that to head, then load the target from it."""
    revision = manifest.schema_revision
    with tempfile.TemporaryDirectory(prefix="dih-dash-restore-") as scratch:
        staging = make_engine(f"sqlite:///{Path(scratch) / 'staging.sqlite'}")
        try:
            migrate.upgrade(staging, revision)
            with staging.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    at_revision = MetaData()
                    at_revision.reflect(bind=conn, only=lambda name, _m: name != ALEMBIC_TABLE)
                    for entry in manifest.tables:
                        if entry.name not in at_revision.tables:
                            raise _corrupt(
                                f"table {entry.name} is not part of schema revision {revision}"
                            )
                    for table in at_revision.sorted_tables:
                        entry = manifest.table(table.name)
                        if entry is None:
                            continue
                        for batch in _backup_rows(archive, entry):
                            bulk.insert_columns(conn, table, _fit_datetimes(table, batch))
            progress(f"backup at schema revision {revision}: migrating it to head")
            migrate.upgrade(staging, "head")
            with staging.connect() as reader, reader.begin():

                def from_staging(table: Table) -> Iterator[Columns]:
                    query = select(table).execution_options(yield_per=BATCH)
                    for partition in reader.execute(query).partitions():
                        yield {
                            column.name: [row[i] for row in partition]
                            for i, column in enumerate(table.columns)
                        }

                return _load(target, from_staging, replace, progress)
        finally:
            staging.dispose()
