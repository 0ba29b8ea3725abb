"""Assessment frames built by hand, table dumps, and workers for the store tests.

The frames look like what validation hands the store (ASSESSMENT_COLUMNS + source_row,
the same dtypes), so store tests do not depend on the file readers.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from dih_dash.domain.survey_schema import (
    ASSESSMENT_COLUMNS,
    DII_ITEMS,
    DMA_COLUMNS,
    DMA_DIMENSIONS,
    PSO_DIMENSIONS,
)
from dih_dash.store import Actor, Store, UploadInfo
from dih_dash.store.schema import metadata

ADMIN = Actor("ana.admin", is_admin=True)
VIEWER = Actor("victor.viewer", is_admin=False)
TABLES = ("uploads", "members", "assessments", "assessment_history", "member_name_history")


def row(member_id: str, wave: str = "T0", **values: Any) -> dict[str, Any]:
    """One assessment with plausible values; `values` override any column."""
    number = sum(map(ord, member_id + wave)) % 50
    base: dict[str, Any] = {
        "member_id": member_id,
        "company_name": f"Firma {member_id} SRL",
        "wave": wave,
        "assessed_on": dt.date(2025, 3, 1) + dt.timedelta(days=number),
        "cluster": "IT",
        "sector": "J62",
        "size_class": "small",
        "employees": 12 + number % 38,  # within "small" (10–49), as the class says
        "county": "CJ",
        "org_type": "sme",
    }
    for i, name in enumerate(DMA_DIMENSIONS):
        base[name] = 20.0 + number + 2 * i + 0.5
    base["dma_overall"] = 25.5 + number  # the mean of the six, as a consistent file has it
    for i, name in enumerate(DII_ITEMS):
        base[name] = (i + number) % 3 == 0
    base.update(values)
    return base


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """An assessment frame as validation returns it, rows numbered from 2 (after a header)."""
    data = pd.DataFrame(rows, columns=list(ASSESSMENT_COLUMNS))
    for name in (
        "member_id",
        "company_name",
        "wave",
        "assessed_on",
        "cluster",
        "sector",
        "size_class",
        "county",
        "org_type",
    ):
        data[name] = data[name].astype(object).where(data[name].notna(), None)
    data["employees"] = pd.array(data["employees"].tolist(), dtype="Int64")
    for name in (*DMA_COLUMNS, *PSO_DIMENSIONS):
        data[name] = data[name].astype("float64")
    for name in DII_ITEMS:
        data[name] = pd.array(
            [None if pd.isna(v) else bool(v) for v in data[name]], dtype="boolean"
        )
    data["source_row"] = range(2, len(data) + 2)
    return data


def members(prefix: str, start: int, stop: int, wave: str = "T0", **values: Any) -> pd.DataFrame:
    return frame([row(f"{prefix}{i:05d}", wave, **values) for i in range(start, stop)])


def upload(name: str = "members.csv", kind: str = "file") -> UploadInfo:
    return UploadInfo.for_bytes(
        name.encode(), name, layout="hub", encoding="utf-8", delimiter=",", kind=kind
    )


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every store table (and the schema revision), sorted: for equality."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as conn:
        for name in TABLES:
            table = metadata.tables[name]
            out[name] = sorted(
                tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key))
            )
        out["alembic_version"] = [
            tuple(r) for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")
        ]
    return out


def import_worker(
    url: str, rows: list[dict[str, Any]], name: str, barrier: Any, results: Any
) -> None:
    """Open the store in this process, wait for the other worker, import `rows`, report."""
    store = Store.open(url)
    try:
        data = frame(rows)
        barrier.wait(120)
        outcome = store.import_assessments(data, upload(name), actor=ADMIN)
        results.put(
            {
                "inserted": outcome.inserted,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
            }
        )
    except BaseException as exc:
        results.put({"error": repr(exc)})
        raise
    finally:
        store.close()


def killed_import_worker(url: str, rows: list[dict[str, Any]], ready: Any) -> None:
    """Import `rows` but stop inside the transaction, everything written and nothing
    committed: put what the transaction sees on the `ready` queue and wait to be killed."""
    store = Store.open(url)

    def hang(conn: Connection) -> None:
        seen = conn.execute(select(func.count()).select_from(metadata.tables["assessments"]))
        ready.put(seen.scalar_one())
        time.sleep(600)

    store.before_commit = hang
    store.import_assessments(frame(rows), upload("killed.csv"), actor=ADMIN)


def hub_csv(
    rows: list[dict[str, Any]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    decimal: str = ".",
) -> bytes:
    """A hub-template file of `rows` (values as text; None → empty cell)."""
    header = list(ASSESSMENT_COLUMNS)

    def cell(value: Any) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        if isinstance(value, bool):
            return "da" if value else "nu"
        if isinstance(value, float):
            return repr(value).replace(".", decimal)
        if isinstance(value, dt.date):
            return value.strftime("%d.%m.%Y")
        return str(value)

    lines = [delimiter.join(header)]
    lines += [delimiter.join(cell(r.get(name)) for name in header) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
