"""The member store: assessments keyed by (member_id, wave), their history, the import log.

One class, `Store`, for SQLite and PostgreSQL. The import semantics are those of
spec/survey-format.md §6:

* a new key is inserted, a known key with the same values is *unchanged*, a known key
  with other values is *updated* and its previous values go to `assessment_history`;
* a company name that differs from the stored one replaces it (the file is the newer
  word), the old one goes to `member_name_history`, and the outcome carries a warning;
* all or nothing: with rejected rows and no `skip_invalid`, nothing is written;
* one transaction per import, taken with the writers' lock *before* the diff is computed,
  so two imports at once are serialised and neither works from a stale picture.

Everything is bulk: the rows already stored for the file's members are read with a few
`IN` queries per chunk of members, the diff is done in pandas, and the writes are
executemany batches. Chunks are cut between members (never inside one), so a member's
waves and name are always decided together, and memory stays bounded for a million rows.

Counts always classify the file's rows against the store as it was when the import ran;
`stored` says whether that was written. So a dry run, or a file blocked by errors, reports
what an import would do (for a blocked file: what `skip_invalid` would do).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.engine import URL

from dih_dash.domain.survey_schema import (
    ASSESSMENT_COLUMNS,
    DII_ITEMS,
    DMA_COLUMNS,
    KEY_COLUMNS,
    ORG_TYPES,
    PSO_DIMENSIONS,
)
from dih_dash.gc_pause import gc_paused
from dih_dash.i18n import t
from dih_dash.store import bulk
from dih_dash.store.engine import WRITE_OPTION, lock_writers, make_engine
from dih_dash.store.migrate import ensure_schema
from dih_dash.store.schema import (
    UPLOAD_KINDS,
    VALUE_COLUMNS,
    assessment_history,
    assessments,
    member_name_history,
    members,
    service_history,
    service_links,
    services,
    uploads,
)

# Members per chunk: bounds the `IN (...)` lists (SQLite allows 32,766 parameters) and the
# memory of one chunk's frames; a member has a handful of waves, so rows per chunk stay
# in the tens of thousands.
MEMBERS_PER_CHUNK = 10_000
# Rows per executemany batch when writing.
WRITE_BATCH = 10_000

_STRING_COLUMNS = ("cluster", "sector", "size_class", "county")


@dataclass(frozen=True)
class Actor:
    """Who asks. The store checks it itself, so no page or command can skip the check."""

    name: str
    is_admin: bool


@dataclass(frozen=True)
class UploadInfo:
    """What the import log records about the file, besides the counts."""

    filename: str
    sha256: str
    size_bytes: int
    layout: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    kind: str = "file"

    def __post_init__(self) -> None:
        if self.kind not in UPLOAD_KINDS:
            raise ValueError(f"upload kind must be one of {UPLOAD_KINDS}, got {self.kind!r}")

    @classmethod
    def for_bytes(cls, data: bytes, filename: str, **details: Any) -> UploadInfo:
        return cls(
            filename=filename,
            sha256=hashlib.sha256(data).hexdigest(),
            size_bytes=len(data),
            **details,
        )


@dataclass(frozen=True)
class NameChange:
    """A file row whose company name differs from the one stored for its member."""

    row: int | None
    member_id: str
    old: str
    new: str
    kept: str = ""  # the name the member keeps: its latest round's in the file

    column = "company_name"

    def message(self, lang: str = "en") -> str:
        return t(
            "store.name_changed", lang, member_id=self.member_id, old=self.old, new=self.new,
            kept=self.kept or self.new,
        )  # fmt: skip

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.new,
            "old_value": self.old,
            "message": self.message(lang),
        }


class DemoConflictError(ValueError):
    """The demo cohort would write to members that real imports created."""


@dataclass
class ImportCounts:
    """What an import did to the file's rows, as its `uploads` row records it."""

    rows: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    stored: bool = False
    upload_id: int | None = None


@dataclass
class StoreOutcome(ImportCounts):
    name_changes: list[NameChange] = field(default_factory=list)


class Store:
    """The member store behind one engine. Open with `Store.open(url)`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Test hook: called with the import's connection after every write and before the
        # commit, so a test can look at the uncommitted rows and kill the process there.
        self.before_commit: Callable[[Connection], None] | None = None

    @classmethod
    def open(cls, url: str | URL, *, migrate: bool = True) -> Store:
        """The store at `url`, upgraded to the current schema unless `migrate` is False."""
        engine = make_engine(url)
        if migrate:
            ensure_schema(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    # --- transactions ---------------------------------------------------------------------

    @contextmanager
    def write_transaction(self) -> Iterator[Connection]:
        """One transaction that is the store's only writer from its first statement."""
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                lock_writers(conn)
                yield conn

    @contextmanager
    def read_transaction(self) -> Iterator[Connection]:
        """A consistent read of several statements (a snapshot on both backends)."""
        with self.engine.connect() as conn:
            if self.backend == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    # --- import ---------------------------------------------------------------------------

    def import_assessments(
        self,
        frame: pd.DataFrame,
        upload: UploadInfo,
        *,
        actor: Actor,
        rows: int | None = None,
        rejected: int = 0,
        skip_invalid: bool = False,
        dry_run: bool = False,
        is_demo: bool = False,
        carried: Collection[str] | None = None,
    ) -> StoreOutcome:
        """Store the valid rows of one file (an assessment frame), all in one transaction.

        `carried` names the value columns the file actually has (default: all). A stored
        assessment keeps its other values: a DMA-tool export, which has no dates and no DII
        answers, must not blank those that a hub-template file stored earlier.

        `frame` holds the rows that passed validation (ASSESSMENT_COLUMNS, optionally
        `source_row`); `rejected` counts the rows that did not, and `rows` the file's data
        rows (default: both together). With rejected rows and no `skip_invalid`, nothing
        is stored; the import is still logged (not stored) unless it is a dry run.
        """
        if not dry_run and not actor.is_admin:
            raise PermissionError(t("store.not_admin_import", "en"))
        missing = [c for c in ASSESSMENT_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"assessment frame lacks columns {missing}")
        if rejected < 0:
            raise ValueError("rejected must be >= 0")

        prepared, duplicates = _prepare(frame)
        rows = len(frame) + rejected if rows is None else rows
        # Rows neither in the frame nor rejected are copies of a frame row that validation
        # dropped (spec: identical repeats are kept once); like the frame's own repeats they
        # change nothing, so every row of the file lands in exactly one count.
        copies = rows - len(frame) - rejected
        if copies < 0:
            raise ValueError(f"rows ({rows}) < valid rows ({len(frame)}) + rejected ({rejected})")
        outcome = StoreOutcome(rows=rows, rejected=rejected, unchanged=duplicates + copies)
        apply = not dry_run and (rejected == 0 or skip_invalid)
        log = not dry_run
        now = dt.datetime.now(dt.UTC)

        transaction = self.write_transaction() if log else self.read_transaction()
        with gc_paused(), transaction as conn:
            if log:
                outcome.upload_id = insert_upload(conn, upload, actor, now)
            for chunk in _member_chunks(prepared):
                _import_chunk(
                    conn,
                    chunk,
                    outcome,
                    carried=VALUE_COLUMNS if carried is None else tuple(carried),
                    apply=apply,
                    is_demo=is_demo,
                    upload_id=outcome.upload_id,
                    now=now,
                )
            settle_upload(conn, outcome, log=log, apply=apply)
            if self.before_commit is not None and log:
                self.before_commit(conn)
        outcome.name_changes.sort(key=lambda c: (c.row is None, c.row or 0, c.member_id))
        return outcome

    # --- queries for the pages ------------------------------------------------------------

    def load_assessments(self, include_demo: bool = True) -> pd.DataFrame:
        """Every stored assessment as an assessment frame, plus `is_demo` and `upload_id`.

        Typed like the validation's output: DMA floats, DII `boolean` (<NA> = unknown),
        employees `Int64`, assessed_on `datetime.date` or None. Sorted by member, wave.
        """
        query = select(
            members.c.member_id,
            members.c.company_name,
            members.c.org_type,
            assessments.c.wave,
            *(assessments.c[name] for name in VALUE_COLUMNS),
            assessments.c.is_demo,
            assessments.c.upload_id,
        ).join_from(assessments, members, assessments.c.member_pk == members.c.id)
        if not include_demo:
            query = query.where(assessments.c.is_demo.is_(False))
        with self.read_transaction() as conn:
            found = bulk.select_columns(conn, query)
        frame = _frame_from_columns(found)
        frame["is_demo"] = np.array(found["is_demo"], dtype=bool)
        if len(frame):
            frame = (
                frame.assign(_wave=_wave_numbers(frame["wave"]))
                .sort_values(["member_id", "_wave"], kind="stable")
                .drop(columns="_wave")
                .reset_index(drop=True)
            )
        return frame[[*ASSESSMENT_COLUMNS, "is_demo", "upload_id"]]

    def list_uploads(self) -> pd.DataFrame:
        """The import log, newest first."""
        columns = [c.name for c in uploads.columns]
        query = select(uploads).order_by(uploads.c.imported_at.desc(), uploads.c.id.desc())
        with self.read_transaction() as conn:
            records = conn.execute(query).all()
        frame = pd.DataFrame.from_records(records, columns=columns)
        frame["imported_at"] = [_as_utc(v) for v in frame["imported_at"]]
        return frame

    def stats(self) -> dict[str, int]:
        with self.read_transaction() as conn:
            return {
                "members": _count(conn, members),
                "assessments": _count(conn, assessments),
                "uploads": _count(conn, uploads),
            }

    def organisation_counts(self) -> dict[str, int]:
        """Members per kind (spec edih-services.md §4), every kind present even at 0."""
        query = select(members.c.org_type, func.count()).group_by(members.c.org_type)
        with self.read_transaction() as conn:
            found = {str(kind): int(n) for kind, n in conn.execute(query).all()}
        return {kind: found.get(kind, 0) for kind in ORG_TYPES}

    def member_kinds(self, member_ids: Collection[str]) -> dict[str, str]:
        """The stored kind of each of `member_ids` that is stored (ids as validation hands
        them over: trimmed, upper-case)."""
        wanted = list(dict.fromkeys(member_ids))
        if not wanted:
            return {}
        with self.read_transaction() as conn:
            found = bulk.select_where_in(
                conn, members, ["member_id", "org_type"], "member_id", wanted
            )
        return dict(zip(found["member_id"], found["org_type"], strict=True))

    def data_version(self) -> tuple[int, int, int, int, str, int, str]:
        """Changes whenever stored data does: every write is an upload (a new id) or a
        deletion (fewer rows), and updates move `updated_at`. Pages key their caches on it."""
        with self.read_transaction() as conn:
            row = conn.execute(
                select(
                    select(func.count()).select_from(members).scalar_subquery(),
                    select(func.count()).select_from(assessments).scalar_subquery(),
                    select(func.count()).select_from(uploads).scalar_subquery(),
                    select(func.coalesce(func.max(uploads.c.id), 0)).scalar_subquery(),
                    select(func.max(assessments.c.updated_at)).scalar_subquery(),
                    # Linking a customer writes no upload: the services' own stamp moves.
                    select(func.count()).select_from(services).scalar_subquery(),
                    select(func.max(services.c.updated_at)).scalar_subquery(),
                )
            ).one()
        return (
            int(row[0]), int(row[1]), int(row[2]), int(row[3]), str(row[4]),
            int(row[5]), str(row[6]),
        )  # fmt: skip

    def has_data(self) -> bool:
        with self.read_transaction() as conn:
            return conn.execute(select(assessments.c.id).limit(1)).first() is not None

    def has_real_data(self) -> bool:
        """Whether anything real (not demo) is stored, an assessment or a service: then the
        pages show no demo data at all (`domain.demo_rule`)."""
        with self.read_transaction() as conn:
            for table in (assessments, services):
                query = select(table.c.id).where(table.c.is_demo.is_(False)).limit(1)
                if conn.execute(query).first() is not None:
                    return True
        return False

    def has_demo(self) -> bool:
        query = select(assessments.c.id).where(assessments.c.is_demo.is_(True)).limit(1)
        with self.read_transaction() as conn:
            found = conn.execute(query).first() is not None
            uploaded = conn.execute(
                select(uploads.c.id).where(uploads.c.kind == "demo").limit(1)
            ).first()
        return found or uploaded is not None

    def existing_member_ids(self, member_ids: Sequence[str]) -> set[str]:
        """Which of `member_ids` the store holds (any, demo or not)."""
        found: set[str] = set()
        with self.read_transaction() as conn:
            for part in _batches(list(member_ids), MEMBERS_PER_CHUNK):
                found.update(
                    conn.execute(
                        select(members.c.member_id).where(members.c.member_id.in_(part))
                    ).scalars()
                )
        return found

    # --- deletions ------------------------------------------------------------------------

    def delete_member(self, member_id: str, actor: Actor) -> bool:
        """Delete a member with all its assessments and history; False if it is not stored.

        The import log keeps its rows: it records what was imported, not what is kept.
        """
        if not actor.is_admin:
            raise PermissionError(t("store.not_admin_delete", "en"))
        key = member_id.strip().upper()
        with self.write_transaction() as conn:
            pk = conn.execute(select(members.c.id).where(members.c.member_id == key)).scalar()
            if pk is None:
                return False
            _delete_members(conn, [pk])
        return True

    def remove_demo(self, actor: Actor) -> dict[str, int]:
        """Delete every demo assessment, demo member and demo upload, in one transaction.

        A demo member to which a real file has since added or rewritten assessments keeps
        those (they are no longer demo rows) and stops being a demo member.
        """
        if not actor.is_admin:
            raise PermissionError(t("store.not_admin_demo", "en"))
        with self.write_transaction() as conn:
            # First, so the count is the demo's own (deleting members also takes services).
            demo_services = select(services.c.id).where(services.c.is_demo.is_(True))
            conn.execute(
                service_history.delete().where(service_history.c.service_id.in_(demo_services))
            )
            removed_services = conn.execute(
                services.delete().where(services.c.is_demo.is_(True))
            ).rowcount
            demo_rows = select(assessments.c.id).where(assessments.c.is_demo.is_(True))
            removed_history = conn.execute(
                assessment_history.delete().where(assessment_history.c.assessment_id.in_(demo_rows))
            ).rowcount
            removed_assessments = conn.execute(
                assessments.delete().where(assessments.c.is_demo.is_(True))
            ).rowcount
            with_rows = select(assessments.c.member_pk)
            empty_demo = list(
                conn.execute(
                    select(members.c.id).where(
                        members.c.is_demo.is_(True), members.c.id.not_in(with_rows)
                    )
                ).scalars()
            )
            _delete_members(conn, empty_demo)
            conn.execute(update(members).where(members.c.is_demo.is_(True)).values(is_demo=False))
            removed_uploads = conn.execute(
                uploads.delete().where(uploads.c.kind == "demo")
            ).rowcount
        return {
            "members": len(empty_demo),
            "assessments": removed_assessments,
            "history": removed_history,
            "services": removed_services,
            "uploads": removed_uploads,
        }


# --- import internals -------------------------------------------------------------------


def _prepare(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The frame's rows once per key, typed for comparison; and how many repeats were dropped.

    Validation rejects a key repeated with different values; a key repeated with the same
    values is one assessment, and its repeats count as unchanged.
    """
    columns = [*ASSESSMENT_COLUMNS]
    prepared = frame[columns].copy()
    prepared["source_row"] = (
        frame["source_row"].to_numpy(dtype=object, na_value=None)
        if "source_row" in frame.columns
        else None
    )
    for name in KEY_COLUMNS:
        prepared[name] = pd.Series(
            [str(v).strip().upper() for v in prepared[name]], index=prepared.index, dtype=object
        )
    prepared = _typed_frame(prepared)
    repeated = prepared.duplicated(list(KEY_COLUMNS), keep=False)
    if not repeated.any():
        return prepared.reset_index(drop=True), 0
    first = prepared[repeated].drop_duplicates(list(KEY_COLUMNS))
    compare = [c for c in columns if c not in KEY_COLUMNS]
    distinct = prepared[repeated][[*KEY_COLUMNS, *compare]].astype(object).fillna("\x00")
    if len(distinct.drop_duplicates()) != len(first):
        raise ValueError(
            "the assessment frame repeats a (member_id, wave) with different values; "
            "validation must reject such rows"
        )
    kept = prepared.drop_duplicates(list(KEY_COLUMNS)).reset_index(drop=True)
    return kept, len(prepared) - len(kept)


def _typed_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Normalise value columns to one dtype each, whatever produced them (file or database)."""
    out = frame.copy()
    for name in (*DMA_COLUMNS, *PSO_DIMENSIONS):
        out[name] = pd.to_numeric(out[name], errors="raise").astype("float64")
    for name in DII_ITEMS:
        out[name] = _as_masked(out[name], "boolean")
    out["employees"] = _as_masked(out["employees"], "Int64")
    out["assessed_on"] = _as_dates(out["assessed_on"])
    # Text as object columns with None: converted once here, they cost nothing later when
    # handed to the driver (pandas' own string dtype converts element by element).
    for name in ("member_id", "wave", "company_name", "org_type", *_STRING_COLUMNS):
        if name in out.columns and out[name].dtype != object:
            out[name] = pd.Series(
                out[name].to_numpy(dtype=object, na_value=None), index=out.index, dtype=object
            )
    return out


def _as_masked(column: pd.Series, dtype: str) -> pd.Series:
    """`column` as a pandas masked dtype (<NA> for missing, None and NaN alike)."""
    if str(column.dtype) == dtype:
        return column
    values = column.to_numpy(dtype=object, na_value=None)
    return pd.Series(pd.array(values, dtype=dtype), index=column.index)


def _as_dates(column: pd.Series) -> pd.Series:
    """`column` as an object column of `datetime.date` and None."""
    if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(column):
        column = column.dt.date.astype(object)
    elif column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) in (
        "date",
        "empty",
    ):
        # Already what validation hands over (checked in C); only NaN/NA need to be None.
        return column.where(column.notna(), None) if column.hasnans else column
    return pd.Series([_as_date(v) for v in column], index=column.index, dtype=object)


def _as_date(value: object) -> dt.date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is pd.NA:
        return None
    return dt.date.fromisoformat(str(value))


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands timestamps back without a zone; the store writes UTC only.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _member_chunks(frame: pd.DataFrame) -> Iterator[pd.DataFrame]:
    if frame.empty:
        return
    codes, _uniques = pd.factorize(frame["member_id"])
    groups = codes // MEMBERS_PER_CHUNK
    for _group, chunk in frame.groupby(groups, sort=True):
        yield chunk


def _wave_numbers(waves: pd.Series) -> np.ndarray:
    """`T3` → 3 for every row (a file has a handful of distinct waves: map, don't parse)."""
    numbers = {w: int(w[1:]) if w[1:].isdigit() else -1 for w in waves.unique()}
    return waves.map(numbers).to_numpy(dtype="int64")


def settle_upload(conn: Connection, outcome: ImportCounts, *, log: bool, apply: bool) -> None:
    """Mark `outcome` stored or not and, when the import is logged, write its counts into
    its `uploads` row (opened by `insert_upload`)."""
    outcome.stored = apply
    if log and not apply:
        # Blocked by rejected rows: nothing went in, and the log and the report say
        # so; what *would* happen is what a dry run (the upload page's check) shows.
        outcome.inserted = outcome.updated = outcome.unchanged = 0
    if log:
        conn.execute(
            update(uploads)
            .where(uploads.c.id == outcome.upload_id)
            .values(
                rows=outcome.rows,
                inserted=outcome.inserted,
                updated=outcome.updated,
                unchanged=outcome.unchanged,
                rejected=outcome.rejected,
                stored=outcome.stored,
            )
        )


def insert_upload(conn: Connection, upload: UploadInfo, actor: Actor, now: dt.datetime) -> int:
    """Open the `uploads` row of an import (counts zero until `settle_upload`); its id."""
    result = conn.execute(
        insert(uploads)
        .values(
            filename=upload.filename[:255],
            sha256=upload.sha256,
            size_bytes=upload.size_bytes,
            layout=upload.layout,
            encoding=upload.encoding,
            delimiter=upload.delimiter,
            rows=0,
            inserted=0,
            updated=0,
            unchanged=0,
            rejected=0,
            stored=False,
            imported_by=actor.name[:200],
            imported_at=now,
            kind=upload.kind,
        )
        .returning(uploads.c.id)
    )
    return int(result.scalar_one())


@dataclass(frozen=True)
class _Member:
    pk: int
    company_name: str
    is_demo: bool


def _import_chunk(
    conn: Connection,
    chunk: pd.DataFrame,
    outcome: StoreOutcome,
    *,
    carried: tuple[str, ...],
    apply: bool,
    is_demo: bool,
    upload_id: int | None,
    now: dt.datetime,
) -> None:
    """Classify and (if `apply`) write one chunk: all waves of a set of members.

    Plain dicts and sets for the per-member bookkeeping (tens of thousands of keys, where
    pandas' per-call overhead would dominate); numpy column arrays for the value diff.
    """
    chunk = chunk.reset_index(drop=True)
    ids: list[str] = chunk["member_id"].tolist()
    names: list[str] = chunk["company_name"].tolist()
    member_ids = list(dict.fromkeys(ids))
    stored = _stored_members(conn, member_ids)

    if is_demo and not all(m.is_demo for m in stored.values()):
        # Checked inside the writers' lock: demo rows written over a real member's would be
        # deleted with the demo data.
        clash = sorted(m for m, member in stored.items() if not member.is_demo)
        raise DemoConflictError(
            f"the demo cohort uses member ids that real data already has: {', '.join(clash[:5])}"
        )

    # The name a member keeps: its latest wave's in this file (the file is the newer word).
    latest: dict[str, str] = {}
    for i in np.argsort(_wave_numbers(chunk["wave"]), kind="stable"):
        latest[ids[i]] = names[i]
    source_rows = chunk["source_row"].tolist()
    for member_id, name, source_row in zip(ids, names, source_rows, strict=True):
        member = stored.get(member_id)
        if member is not None and name != member.company_name:
            outcome.name_changes.append(
                NameChange(
                    row=None if source_row is None else int(source_row),
                    member_id=member_id,
                    old=member.company_name,
                    new=name,
                    kept=latest[member_id],
                )
            )
    renamed = {m: latest[m] for m, member in stored.items() if latest[m] != member.company_name}
    new_members = [m for m in member_ids if m not in stored]
    # A new member's kind: what the file says (a file without the column says "sme"). A
    # stored member's kind never changes here: the import rejects rows that would change it.
    kinds: dict[str, str] = {}
    for member_id, kind in zip(ids, chunk["org_type"].tolist(), strict=True):
        if isinstance(kind, str) and kind in ORG_TYPES:
            kinds.setdefault(member_id, kind)

    pks = {m: member.pk for m, member in stored.items()}
    if apply:
        _write_members(conn, stored, renamed, new_members, latest, kinds, is_demo, upload_id, now)
        if new_members:
            pks.update((m, member.pk) for m, member in _stored_members(conn, new_members).items())
    else:
        # A dry run never writes, so new members get placeholder keys that match nothing.
        pks.update((m, -n) for n, m in enumerate(new_members, start=1))

    member_pk = np.fromiter((pks[m] for m in ids), dtype="int64", count=len(ids))
    waves: list[str] = chunk["wave"].tolist()
    existing = _stored_assessments(conn, [member.pk for member in stored.values()])
    at = {
        key: i
        for i, key in enumerate(
            zip(existing["member_pk"].tolist(), existing["wave"].tolist(), strict=True)
        )
    }
    position = np.fromiter(
        (at.get(key, -1) for key in zip(member_pk.tolist(), waves, strict=True)),
        dtype="int64",
        count=len(ids),
    )
    is_new = position < 0
    known = chunk[~is_new].reset_index(drop=True)
    old = existing.iloc[position[~is_new]].reset_index(drop=True)
    # What the file does not carry is not news: the stored value stands.
    for name in VALUE_COLUMNS:
        if name not in carried:
            known[name] = old[name].to_numpy()
    changed = _differs(known, old)

    outcome.inserted += int(is_new.sum())
    outcome.updated += int(changed.sum())
    outcome.unchanged += len(known) - int(changed.sum())

    if apply:
        _write_assessments(
            conn,
            chunk[is_new].assign(member_pk=member_pk[is_new]),
            known[changed],
            old[changed],
            is_demo,
            upload_id,
            now,
        )


def _stored_members(conn: Connection, member_ids: list[str]) -> dict[str, _Member]:
    """The stored members among `member_ids`, by member_id."""
    found = bulk.select_where_in(
        conn, members, ["member_id", "id", "company_name", "is_demo"], "member_id", member_ids
    )
    return {
        member_id: _Member(int(pk), name, bool(flag))
        for member_id, pk, name, flag in zip(
            found["member_id"], found["id"], found["company_name"], found["is_demo"], strict=True
        )
    }


_STORED_COLUMNS = ["id", "member_pk", "wave", *VALUE_COLUMNS, "upload_id"]


def _stored_assessments(conn: Connection, member_pks: list[int]) -> pd.DataFrame:
    """The stored assessments of these members, typed like `_prepare`'s frame."""
    found = bulk.select_where_in(conn, assessments, _STORED_COLUMNS, "member_pk", member_pks)
    return _frame_from_columns(found)


def _frame_from_columns(found: dict[str, list[Any]]) -> pd.DataFrame:
    """Database columns (as `bulk` returns them) typed like an assessment frame."""
    data: dict[str, Any] = {}
    for name, values in found.items():
        if name in DMA_COLUMNS or name in PSO_DIMENSIONS:
            data[name] = np.array(values, dtype="float64")  # None → NaN
        elif name in DII_ITEMS:
            # SQLite hands booleans back as 1/0 (the processor is skipped for speed).
            data[name] = pd.Series(values, dtype=object).astype("boolean")
        elif name in ("employees", "upload_id"):
            data[name] = pd.array(values, dtype="Int64")
        elif name in ("id", "member_pk"):
            data[name] = np.array(values, dtype="int64")
        else:
            data[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)


def _differs(new: pd.DataFrame, old: pd.DataFrame) -> np.ndarray:
    """Which rows' values differ from the stored ones (row i of `new` vs row i of `old`);
    missing equals missing."""
    changed = np.zeros(len(new), dtype=bool)
    if not len(new):
        return changed
    for name in VALUE_COLUMNS:
        if name in DMA_COLUMNS or name in PSO_DIMENSIONS:
            # Doubles round-trip exactly through both databases; the tolerance only guards
            # against a value that went through a float32 on its way in.
            a = new[name].to_numpy(dtype="float64", na_value=np.nan)
            b = old[name].to_numpy(dtype="float64", na_value=np.nan)
            same = np.isclose(a, b, rtol=0.0, atol=1e-9) | (np.isnan(a) & np.isnan(b))
        else:
            # Object arrays with None for missing: numpy compares element by element in C,
            # and None == None, so "unknown" stays equal to "unknown".
            a = new[name].to_numpy(dtype=object, na_value=None)
            b = old[name].to_numpy(dtype=object, na_value=None)
            same = np.asarray(a == b, dtype=bool)
        changed |= ~same
    return changed


def _write_members(
    conn: Connection,
    stored: dict[str, _Member],
    renamed: dict[str, str],
    new_members: list[str],
    latest: dict[str, str],
    kinds: dict[str, str],
    is_demo: bool,
    upload_id: int | None,
    now: dt.datetime,
) -> None:
    # A member's is_demo says "created by the demo loader"; remove_demo decides from it and
    # from the assessments' own flags, so importing a real file never needs to change it.
    if new_members:
        bulk.insert_columns(
            conn,
            members,
            {
                "member_id": new_members,
                "company_name": [latest[m] for m in new_members],
                "org_type": [kinds.get(m, "sme") for m in new_members],
            },
            {"is_demo": is_demo, "created_at": now, "updated_at": now},
        )
    if renamed:
        pks = [stored[m].pk for m in renamed]
        bulk.insert_columns(
            conn,
            member_name_history,
            {"member_pk": pks, "company_name": [stored[m].company_name for m in renamed]},
            {"replaced_by_upload": upload_id, "replaced_at": now},
        )
        bulk.update_columns(
            conn, members, "id", pks, {"company_name": list(renamed.values())}, {"updated_at": now}
        )


def _write_assessments(
    conn: Connection,
    new_rows: pd.DataFrame,
    changed: pd.DataFrame,
    previous: pd.DataFrame,
    is_demo: bool,
    upload_id: int | None,
    now: dt.datetime,
) -> None:
    """Insert `new_rows`; overwrite the stored rows `previous` with `changed` (row by row),
    keeping `previous` in the history."""
    stamp = {"is_demo": is_demo, "updated_at": now, "upload_id": upload_id}
    for part in _slices(new_rows):
        bulk.insert_columns(
            conn,
            assessments,
            _plain(part, ["member_pk", "wave", *VALUE_COLUMNS]),
            {**stamp, "created_at": now},
        )
    for start in range(0, len(changed), WRITE_BATCH):
        new = changed.iloc[start : start + WRITE_BATCH]
        old = _plain(previous.iloc[start : start + WRITE_BATCH], _STORED_COLUMNS)
        bulk.insert_columns(
            conn,
            assessment_history,
            {
                "assessment_id": old["id"],
                **{name: old[name] for name in VALUE_COLUMNS},
                "written_by_upload": old["upload_id"],
            },
            {"replaced_by_upload": upload_id, "replaced_at": now},
        )
        bulk.update_columns(
            conn, assessments, "id", old["id"], _plain(new, list(VALUE_COLUMNS)), stamp
        )


def _plain(frame: pd.DataFrame, columns: list[str]) -> dict[str, list[Any]]:
    """Columns as lists of plain Python values, None for every kind of missing."""
    return {name: frame[name].to_numpy(dtype=object, na_value=None).tolist() for name in columns}


def _slices(frame: pd.DataFrame) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), WRITE_BATCH):
        yield frame.iloc[start : start + WRITE_BATCH]


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _count(conn: Connection, table: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _delete_members(conn: Connection, pks: list[int]) -> None:
    """Delete members and everything hanging off them, children first.

    Explicit deletes rather than ON DELETE CASCADE alone: they do not depend on SQLite's
    per-connection foreign_keys pragma having been set.
    """
    for part in _batches(pks, MEMBERS_PER_CHUNK):
        # Services: a hub-template row names the member by id and goes with it; an export
        # row keeps the customer's name and becomes unlinked (never dropped, spec §3.3).
        ids = conn.execute(select(members.c.member_id).where(members.c.id.in_(part))).scalars()
        own = [f"member:{member_id}" for member_id in ids]
        owned = select(services.c.id).where(services.c.customer_key.in_(own))
        conn.execute(service_history.delete().where(service_history.c.service_id.in_(owned)))
        conn.execute(services.delete().where(services.c.customer_key.in_(own)))
        conn.execute(update(services).where(services.c.member_pk.in_(part)).values(member_pk=None))
        conn.execute(service_links.delete().where(service_links.c.member_pk.in_(part)))
        rows = select(assessments.c.id).where(assessments.c.member_pk.in_(part))
        conn.execute(
            assessment_history.delete().where(assessment_history.c.assessment_id.in_(rows))
        )
        conn.execute(assessments.delete().where(assessments.c.member_pk.in_(part)))
        conn.execute(member_name_history.delete().where(member_name_history.c.member_pk.in_(part)))
        conn.execute(members.delete().where(members.c.id.in_(part)))
