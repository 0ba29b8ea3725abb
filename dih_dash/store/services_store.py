"""Services delivered in the store (spec/edih-services.md §3.3–§4): import, link, count.

The semantics are those of the assessments (store.py): one write transaction per import,
taken with the writers' lock before the diff; a new service key is inserted, a known one
with the same values is unchanged, one with other values is updated and its previous values
go to `service_history`; with rejected rows and no `skip_invalid` nothing is stored, and the
import is still logged unless it is a dry run.

Linking an export row (a customer named, no id): a link staff made (`service_links`) wins;
else the one member whose stored name folds to the same key; no member or several: the row
is stored unlinked (`member_pk` NULL) and its name is reported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, func, insert, select, update

from dih_dash.domain.customer_links import KIND_OF_CUSTOMER_TYPE
from dih_dash.domain.services_schema import customer_key, fold_name
from dih_dash.domain.services_validation import ServiceIssue, ServiceRow
from dih_dash.i18n import t
from dih_dash.store import bulk
from dih_dash.store.schema import members, service_history, service_links, services
from dih_dash.store.store import (
    Actor,
    ImportCounts,
    Store,
    UploadInfo,
    insert_upload,
    settle_upload,
)

_BATCH = 500  # keys per IN (…) query: well under SQLite's and PostgreSQL's parameter limits
_WHOLE_TABLE = 2000  # more keys than this: read the services table once instead
# What a re-import compares; a change in any of them is an update (the key is the rest).
_COMPARED = ("customer_name", "member_pk", "customer_type", "price_eur", "status")


@dataclass
class ServicesOutcome(ImportCounts):
    errors: list[ServiceIssue] = field(default_factory=list)  # unknown member ids
    warnings: list[ServiceIssue] = field(default_factory=list)  # unlinked customers
    unlinked: list[str] = field(default_factory=list)  # names as in the file, first spelling


def import_services(
    store: Store,
    rows: Sequence[ServiceRow],
    upload: UploadInfo,
    *,
    actor: Actor,
    file_rows: int,
    rejected: int = 0,
    skip_invalid: bool = False,
    dry_run: bool = False,
    is_demo: bool = False,
) -> ServicesOutcome:
    """Store the valid service rows of one file, all in one transaction.

    `rows` passed validation; `rejected` counts the file's rows that did not, `file_rows`
    all its data rows (rows repeated identically in the file were dropped by validation and
    count as unchanged). Hub rows naming an unknown member are rejected here."""
    if not dry_run and not actor.is_admin:
        raise PermissionError(t("store.not_admin_import", "en"))
    outcome = ServicesOutcome(rows=file_rows, rejected=rejected)
    now = dt.datetime.now(dt.UTC)
    log = not dry_run
    transaction = store.write_transaction() if log else store.read_transaction()
    with transaction as conn:
        if log:
            outcome.upload_id = insert_upload(conn, upload, actor, now)
        known = _member_pks(conn, sorted({r.member_id for r in rows if r.member_id}), demo=is_demo)
        valid: list[ServiceRow] = []
        for row in rows:
            if row.member_id is not None and row.member_id not in known:
                outcome.errors.append(
                    ServiceIssue(row.row, "member_id", row.member_id, "unknown_member")
                )
            else:
                valid.append(row)
        outcome.rejected += len(rows) - len(valid)
        outcome.unchanged = max(0, file_rows - len(rows) - rejected)  # identical repeats
        linked = _link_names(conn, valid, outcome, demo=is_demo)
        apply = log and (outcome.rejected == 0 or skip_invalid)
        stored = _stored(conn, [r.key for r in valid])
        # Collected and written in one executemany per statement: a statement per row
        # spends more time building SQL than the database spends storing.
        new_rows: list[dict[str, Any]] = []
        replaced: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for row in valid:
            member_pk = known[row.member_id] if row.member_id else linked.get(row.customer_key)
            values = {
                "customer_name": row.customer,
                "member_pk": member_pk,
                "customer_type": row.customer_type,
                "price_eur": row.price_eur,
                "status": row.status,
            }
            old = stored.get(row.key)
            if old is None:
                outcome.inserted += 1
                new_rows.append(
                    {
                        "service_key": row.key,
                        "customer_key": row.customer_key,
                        "category": row.category,
                        "start_date": row.start_date,
                        "end_date": row.end_date,
                        "description": row.description,
                        "created_at": now,
                        "updated_at": now,
                        "upload_id": outcome.upload_id,
                        "is_demo": is_demo,
                        **values,
                    }
                )
            elif all(old[c] == values[c] for c in _COMPARED) and (
                bool(old["is_demo"]) == is_demo or is_demo
            ):
                # A real file's row equal to a demo row makes it real (an update below),
                # so removing the demo later keeps it; the demo never takes a real row.
                outcome.unchanged += 1
            else:
                outcome.updated += 1
                replaced.append(
                    {
                        "service_id": old["id"],
                        "written_by_upload": old["upload_id"],
                        "replaced_by_upload": outcome.upload_id,
                        "replaced_at": now,
                        **{c: old[c] for c in _COMPARED},
                    }
                )
                demo = is_demo and bool(old["is_demo"])  # demo only while both are
                changed.append(
                    {"row_id": old["id"], "upload_id": outcome.upload_id, "is_demo": demo, **values}
                )
        if apply:
            for batch in _batches(new_rows):
                conn.execute(insert(services), list(batch))
            for batch in _batches(replaced):
                conn.execute(insert(service_history), list(batch))
            if changed:
                statement = (
                    update(services)
                    .where(services.c.id == bindparam("row_id"))
                    .values(
                        updated_at=now,
                        upload_id=bindparam("upload_id"),
                        is_demo=bindparam("is_demo"),
                        **{c: bindparam(c) for c in _COMPARED},
                    )
                )
                for batch in _batches(changed):
                    conn.execute(statement, list(batch))
        settle_upload(conn, outcome, log=log, apply=apply)
    return outcome


def _batches(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _member_pks(conn: Connection, member_ids: Sequence[str], *, demo: bool) -> dict[str, int]:
    """The stored members among `member_ids`: the demo ones for the demo data, the real ones
    for everything else, so a real service is never tied to a fictional demo company (the
    demo's removal would leave it without its member)."""
    found: dict[str, int] = {}
    for batch in _batches(member_ids):
        query = select(members.c.member_id, members.c.id).where(
            members.c.member_id.in_(batch), members.c.is_demo.is_(demo)
        )
        found.update({mid: pk for mid, pk in conn.execute(query)})
    return found


def _stored(conn: Connection, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    columns = [services.c.id, services.c.service_key, services.c.upload_id, services.c.is_demo]
    columns += [services.c[c] for c in _COMPARED]
    wanted = sorted(set(keys))
    if len(wanted) > _WHOLE_TABLE:
        # A big file: one pass over the table beats many IN lists, which PostgreSQL scans
        # once per list while its statistics still call the table small (before autovacuum
        # has analysed a first import).
        keep = set(wanted)
        for row in conn.execute(select(*columns)):
            if row.service_key in keep:
                found[row.service_key] = dict(row._mapping)
        return found
    for batch in _batches(wanted):
        for row in conn.execute(select(*columns).where(services.c.service_key.in_(batch))):
            found[row.service_key] = dict(row._mapping)
    return found


def _link_names(
    conn: Connection, rows: Sequence[ServiceRow], outcome: ServicesOutcome, *, demo: bool
) -> dict[str, int]:
    """customer_key → member_pk for the export rows' customers that link; the others are
    reported (once per name, at its first row) in `outcome`. A name is matched among the
    members of the kind its customer type says (a PSO never links to an SME)."""
    first: dict[str, ServiceRow] = {}
    for row in rows:
        if row.customer is not None:
            first.setdefault(row.customer_key, row)
    if not first:
        return {}
    linked = _links(conn, list(first))
    by_name = _members_by_folded_name(conn, demo=demo)
    for key, row in first.items():
        if key in linked:
            continue
        kind = KIND_OF_CUSTOMER_TYPE.get(row.customer_type or "")
        matches = [
            (pk, mid)
            for pk, mid, member_kind in by_name.get(fold_name(row.customer or ""), [])
            if kind is None or member_kind == kind
        ]
        if len(matches) == 1:
            linked[key] = matches[0][0]
            continue
        outcome.unlinked.append(row.customer or "")
        if matches:
            ids = ", ".join(sorted(mid for _, mid in matches))
            issue = ServiceIssue(
                row.row, "Customer", row.customer, "ambiguous",
                {"name": row.customer, "members": ids}, "warning",
            )  # fmt: skip
        else:
            issue = ServiceIssue(
                row.row, "Customer", row.customer, "unlinked", {"name": row.customer}, "warning"
            )
        outcome.warnings.append(issue)
    return linked


def _links(conn: Connection, keys: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for batch in _batches(keys):
        query = select(service_links.c.customer_key, service_links.c.member_pk).where(
            service_links.c.customer_key.in_(batch)
        )
        found.update({key: pk for key, pk in conn.execute(query)})
    return found


def _members_by_folded_name(
    conn: Connection, *, demo: bool
) -> dict[str, list[tuple[int, str, str]]]:
    # Folded in Python: the folding (diacritics, legal forms) is not SQL on either backend.
    # A hub has hundreds of members, not millions.
    by_name: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    query = select(
        members.c.id, members.c.member_id, members.c.company_name, members.c.org_type
    ).where(members.c.is_demo.is_(demo))
    for pk, member_id, name, kind in conn.execute(query):
        by_name[fold_name(name)].append((pk, member_id, str(kind)))
    return by_name


def link_customer(store: Store, name: str, member_id: str, actor: Actor) -> int | None:
    """Link every stored and future export row whose customer folds like `name` to the
    member `member_id` (spec §3.3). The number of stored rows now linked to it, or None
    when no such (real) member is stored."""
    if not actor.is_admin:
        raise PermissionError(t("store.not_admin_import", "en"))
    key = customer_key(name=name)
    now = dt.datetime.now(dt.UTC)
    with store.write_transaction() as conn:
        # A real customer is linked to a real member only (demo services need no links).
        found = _member_pks(conn, [member_id.strip().upper()], demo=False)
        if not found:
            return None
        member_pk = next(iter(found.values()))
        existing = conn.execute(
            select(service_links.c.id).where(service_links.c.customer_key == key)
        ).scalar_one_or_none()
        values = {
            "customer_name": " ".join(name.split())[:200],
            "member_pk": member_pk,
            "linked_by": actor.name[:200],
            "linked_at": now,
        }
        if existing is None:
            conn.execute(insert(service_links).values(customer_key=key, **values))
        else:
            conn.execute(update(service_links).where(service_links.c.id == existing).values(values))
        conn.execute(
            update(services)
            .where(services.c.customer_key == key)
            .values(member_pk=member_pk, updated_at=now)
        )
        return int(
            conn.execute(
                select(func.count())
                .select_from(services)
                .where(services.c.customer_key == key, services.c.member_pk == member_pk)
            ).scalar_one()
        )


def service_counts(store: Store) -> dict[str, int]:
    """`services` and `services_unlinked` of `dih-dash stats` (spec §4)."""
    with store.read_transaction() as conn:
        total = conn.execute(select(func.count()).select_from(services)).scalar_one()
        unlinked = conn.execute(
            select(func.count()).select_from(services).where(services.c.member_pk.is_(None))
        ).scalar_one()
    return {"services": int(total), "services_unlinked": int(unlinked)}


# Columns of `load_services`, in order.
SERVICE_COLUMNS: tuple[str, ...] = (
    "service_id",
    "customer_name",
    "customer_key",
    "member_id",
    "member_name",
    "org_type",
    "customer_type",
    "category",
    "start_date",
    "end_date",
    "description",
    "price_eur",
    "status",
    "is_demo",
    "upload_id",
)


def load_services(store: Store, include_demo: bool = True) -> pd.DataFrame:
    """Every stored service, one row each, with the member it is linked to.

    `member_id`, `member_name` and `org_type` (the linked member's kind, `sme`/`pso`) are None
    while the row is unlinked; `customer_type` is as the file gave it (`SME`, `PSO`,
    `Small mid-cap`; None for hub-template rows); `category` is one of
    `services_schema.CATEGORIES`; dates are `datetime.date` or None; `price_eur` float (NaN
    when not given). Sorted by start date (undated last), then id.
    """
    query = select(
        services.c.id.label("service_id"),
        services.c.customer_name,
        services.c.customer_key,
        members.c.member_id,
        members.c.company_name.label("member_name"),
        members.c.org_type,
        services.c.customer_type,
        services.c.category,
        services.c.start_date,
        services.c.end_date,
        services.c.description,
        services.c.price_eur,
        services.c.status,
        services.c.is_demo,
        services.c.upload_id,
    ).join_from(services, members, services.c.member_pk == members.c.id, isouter=True)
    if not include_demo:
        query = query.where(services.c.is_demo.is_(False))
    with store.read_transaction() as conn:
        found = bulk.select_columns(conn, query)
    frame = pd.DataFrame({name: pd.Series(found[name], dtype=object) for name in SERVICE_COLUMNS})
    frame["service_id"] = frame["service_id"].astype("int64")
    frame["is_demo"] = np.array(found["is_demo"], dtype=bool)
    frame["price_eur"] = pd.to_numeric(frame["price_eur"], errors="coerce").astype("float64")
    for name in ("start_date", "end_date"):
        frame[name] = [_as_date(v) for v in frame[name]]
    frame["upload_id"] = frame["upload_id"].astype("Int64")
    order = [
        (d is None, d or dt.date.min, i)
        for d, i in zip(frame["start_date"], frame["service_id"], strict=True)
    ]
    frame = frame.iloc[sorted(range(len(frame)), key=order.__getitem__)]
    return frame.reset_index(drop=True)


def _as_date(value: object) -> dt.date | None:
    # SQLite hands dates back as ISO text through the driver.
    if value is None or isinstance(value, float):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def unlinked_customers(store: Store) -> pd.DataFrame:
    """The customer names stored unlinked, once per folded name: `customer_key`,
    `customer_name` (the most recent spelling), `customer_type`, `services` (how many rows),
    `first_start`, `last_end`. The linking page lists these; sorted by name."""
    columns = [
        "customer_key",
        "customer_name",
        "customer_type",
        "services",
        "first_start",
        "last_end",
    ]
    frame = load_services(store)
    # Name-keyed (export) rows only: a hub-template row names its member by id and goes
    # with it when the member is deleted, so it is never an unlinked name.
    frame = frame[frame["member_id"].isna() & frame["customer_key"].str.startswith("name:")]
    if frame.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    rows = []
    for key, group in frame.groupby("customer_key", sort=False):
        starts = [d for d in group["start_date"] if d is not None]
        ends = [d for d in group["end_date"] if d is not None]
        kinds = [k for k in group["customer_type"] if k]
        rows.append(
            {
                "customer_key": key,
                "customer_name": group.sort_values("service_id")["customer_name"].iloc[-1],
                "customer_type": kinds[-1] if kinds else None,
                "services": len(group),
                "first_start": min(starts) if starts else None,
                "last_end": max(ends) if ends else None,
            }
        )
    found = pd.DataFrame(rows, columns=columns)
    order = found["customer_name"].map(fold_name)
    return found.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def service_links_frame(store: Store) -> pd.DataFrame:
    """The links staff made: `customer_name`, `member_id`, `member_name`, `linked_by`,
    `linked_at`, newest first."""
    query = (
        select(
            service_links.c.customer_name,
            members.c.member_id,
            members.c.company_name.label("member_name"),
            service_links.c.linked_by,
            service_links.c.linked_at,
        )
        .join_from(service_links, members, service_links.c.member_pk == members.c.id)
        .order_by(service_links.c.linked_at.desc(), service_links.c.id.desc())
    )
    with store.read_transaction() as conn:
        records = conn.execute(query).all()
    return pd.DataFrame.from_records(
        records, columns=["customer_name", "member_id", "member_name", "linked_by", "linked_at"]
    )
