"""Stores with something in every table kind, table dumps and a writer, for the backup tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, MetaData, select
from support.store_data import ADMIN, frame, members, row, upload

from dih_dash.services import import_file, load_demo
from dih_dash.settings import PROJECT_ROOT, load_settings
from dih_dash.sources.mapping_files import load_mapping
from dih_dash.store import Store, make_engine
from dih_dash.store.migrate import current_revision, upgrade
from dih_dash.store.schema import metadata

SURVEYS = PROJECT_ROOT / "tests" / "fixtures" / "surveys"
NOW = dt.datetime(2026, 11, 30, 8, 15, 42, 123456, tzinfo=dt.UTC)
# Every byte value, and more than one batch's worth: binary columns must come back as is.
PARQUET_BYTES = bytes(range(256)) * 300 + b"PAR1"


def fill_store(store: Store) -> None:
    """The demo cohort, a real mapped survey file, an update that leaves history and a new
    company name, and (when the schema has them) a national data version with its bytes."""
    settings = load_settings(env={}, secrets={})
    assert load_demo(store, settings, ADMIN) is not None
    data = (SURVEYS / "google_forms_en.csv").read_bytes()
    report = import_file(
        store,
        data,
        "google_forms_en.csv",
        actor=ADMIN,
        settings=settings,
        mapping=load_mapping(SURVEYS / "google_forms_en.toml"),
    )
    assert report.stored and report.inserted > 0, report.to_json_dict("en")
    imported = store.load_assessments(include_demo=False)
    first = imported.sort_values(["member_id", "wave"]).iloc[0]
    changed = row(
        str(first["member_id"]),
        str(first["wave"]),
        company_name="Exemplu Nouă Şerban SRL",
        dma_green=0.1 + 0.2,  # not a short decimal: floats must come back bit for bit
        employees=None,
        dii_ai=None,
    )
    outcome = store.import_assessments(frame([changed]), upload("update.csv"), actor=ADMIN)
    assert outcome.updated == 1 and outcome.name_changes
    _national_version(store)


def _national_version(store: Store) -> None:
    tables = metadata.tables
    if not {"national_versions", "national_datasets", "national_active"} <= set(tables):
        return
    with store.write_transaction() as conn:
        version = conn.execute(
            tables["national_versions"]
            .insert()
            .values(
                stamp="20261130T081542Z",
                created_at=NOW,
                published_by="ana.admin",
                manifest='{"datasets": ["isoc_e_dii"]}',
            )
            .returning(tables["national_versions"].c.id)
        ).scalar_one()
        conn.execute(
            tables["national_datasets"].insert(),
            {
                "version_id": version,
                "dataset": "isoc_e_dii",
                "parquet": PARQUET_BYTES,
                "rows": 3,
                "sha256": hashlib.sha256(PARQUET_BYTES).hexdigest(),
                "entry": "{}",
            },
        )
        conn.execute(
            tables["national_active"].insert(),
            {"id": 1, "version_id": version, "activated_at": NOW},
        )


def _normal(value: Any) -> Any:
    # SQLite hands back the store's UTC times without a zone, PostgreSQL with one.
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value


def table_rows(url: str, *, normalise: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the head schema (and the revision), in key order."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            out = _rows(conn, metadata, normalise)
            out["alembic_version"] = [(current_revision(conn),)]
    finally:
        engine.dispose()
    return out


def reflected_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """The same for whatever tables the database holds (an older revision's), by name."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = MetaData()
            found.reflect(conn, only=lambda name, _m: name != "alembic_version")
            return _rows(conn, found, True, by_name=True)
    finally:
        engine.dispose()


def _rows(
    conn: Connection, schema: MetaData, normalise: bool, *, by_name: bool = False
) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for table in schema.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        result = conn.execute(select(table).order_by(*order))
        if by_name:
            out[table.name] = [{k: _normal(v) for k, v in r._mapping.items()} for r in result]
        else:
            out[table.name] = [tuple(_normal(v) if normalise else v for v in r) for r in result]
    return out


def fill_old_store(url: str, revision: str) -> None:
    """A store created at an older `revision`, with rows in its member tables (explicit ids,
    columns that revision lacks left out), written through the tables it really has."""
    engine = make_engine(url)
    upgrade(engine, revision)
    old = MetaData()
    with engine.connect() as conn, conn.begin():
        old.reflect(conn)

        def put(name: str, rows: list[dict[str, Any]]) -> None:
            table = old.tables[name]
            conn.execute(
                table.insert(), [{k: v for k, v in r.items() if k in table.c} for r in rows]
            )

        put(
            "uploads",
            [
                {
                    "id": n,
                    "filename": f"t{n}.csv",
                    "sha256": f"{n}" * 64,
                    "size_bytes": 1234 * n,
                    "layout": "hub",
                    "encoding": "cp1250",
                    "delimiter": ";",
                    "rows": 2,
                    "inserted": 2,
                    "updated": 0,
                    "unchanged": 0,
                    "rejected": 0,
                    "stored": True,
                    "imported_by": "ana",
                    "imported_at": NOW + dt.timedelta(days=n),
                }
                for n in (1, 2)
            ],
        )
        put(
            "members",
            [
                {
                    "id": n,
                    "member_id": f"RO{n}",
                    "company_name": f"Firma Nouă {n} SRL",
                    "is_demo": False,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in (1, 2)
            ],
        )
        assessments = []
        for number, (member, wave) in enumerate([(1, "T0"), (1, "T1"), (2, "T0")], start=1):
            values = {
                k: v for k, v in row(f"RO{member}", wave).items() if k not in ("member_id", "wave")
            }
            values.pop("company_name")
            assessments.append(
                {
                    "id": number,
                    "member_pk": member,
                    "wave": wave,
                    **values,
                    "dma_green": 1 / 3,
                    "dii_ai": None if number == 2 else values["dii_ai"],
                    "is_demo": False,
                    "created_at": NOW,
                    "updated_at": NOW,
                    "upload_id": 1 if member == 1 else 2,
                }
            )
        put("assessments", assessments)
        history = {
            k: v for k, v in assessments[0].items() if k in old.tables["assessment_history"].c
        }
        put(
            "assessment_history",
            [{**history, "id": 1, "assessment_id": 1, "dma_green": 2.5, "replaced_at": NOW}],
        )
        put(
            "member_name_history",
            [{"id": 1, "member_pk": 1, "company_name": "Firma Veche SRL", "replaced_at": NOW}],
        )
    engine.dispose()


def writer(url: str, stop: Any, done: Any) -> None:
    """Import small files in a loop until `stop` is set: each is one transaction of one
    upload and 20 new members with one assessment each. Puts the number made on `done`."""
    store = Store.open(url)
    count = 0
    try:
        while not stop.is_set():
            store.import_assessments(
                members(f"W{count:04d}-", 0, 20), upload(f"w{count}.csv"), actor=ADMIN
            )
            count += 1
            time.sleep(0.002)
    finally:
        store.close()
        done.put(count)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
