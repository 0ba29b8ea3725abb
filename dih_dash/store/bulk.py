"""Bulk reads and writes through the database driver, for the import's hot path.

SQLAlchemy Core builds a parameter dictionary per row and compiles an `IN` list per key;
for a hundred thousand rows that costs more than the database work itself. Here the
statements are written once per call and the rows go to the driver as tuples:

* writes: `executemany` (SQLite) or `COPY ... FROM STDIN` (PostgreSQL);
* key look-ups: one parameter for the whole key list, `json_each(?)` on SQLite and
  `= ANY(%s)` on PostgreSQL, instead of thousands of placeholders.

Values are converted with the column type's own SQLAlchemy bind and result processors,
so what lands in the database is exactly what Core would have written, and Core queries
(the pages' `load_assessments`, the tests) read it back unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any

from sqlalchemy import Boolean, Connection, Date, Select, Table
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any] | None


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _placeholder(conn: Connection) -> str:
    return "?" if conn.dialect.name == "sqlite" else "%s"


def _bind_processor(conn: Connection, table: Table, column: str) -> Processor:
    col_type = table.c[column].type
    if isinstance(col_type, Boolean):
        # psycopg takes Python bools as they are. SQLite stores 1/0 (as Core does), but
        # Python's sqlite3 binds an exact int ten times faster than a bool (a bool goes
        # through its adaptation lookup), so they are turned into ints first.
        return _BOOL_INT if conn.dialect.name == "sqlite" else None
    if conn.dialect.name == "sqlite" and type(col_type) is Date:
        # Core's SQLite DATE format is %Y-%m-%d, i.e. isoformat(), at a tenth of the cost.
        return _DATE_ISO
    return col_type.dialect_impl(conn.dialect).bind_processor(conn.dialect)


# Mark the conversions `_apply` runs as one list comprehension each.
_DATE_ISO: Processor = dt.date.isoformat
_BOOL_INT: Processor = int


def _result_processor(conn: Connection, col_type: TypeEngine[Any]) -> Processor:
    if conn.dialect.name != "sqlite":
        # psycopg returns date, timestamptz, bool, float, int and str as Python objects.
        return None
    if isinstance(col_type, Boolean):
        # SQLite's 1/0 stay ints here: callers turn whole columns into pandas booleans,
        # which is far cheaper than a processor call per value.
        return None
    return col_type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)


def _apply(processor: Processor, values: list[Any]) -> list[Any]:
    if processor is None:
        return values
    if processor is _DATE_ISO:
        return [None if v is None else v.isoformat() for v in values]
    if processor is _BOOL_INT:
        return [None if v is None else 1 if v else 0 for v in values]
    return [None if v is None else processor(v) for v in values]


def _rows(
    conn: Connection,
    table: Table,
    columns: dict[str, list[Any]],
    constants: dict[str, Any],
    tail: list[Any] | None = None,
) -> list[tuple[Any, ...]]:
    """Row tuples: the per-row columns, then the constants (converted once), then `tail`."""
    lengths = {len(values) for values in columns.values()}
    if tail is not None:
        lengths.add(len(tail))
    if len(lengths) != 1:
        raise ValueError(f"columns of unequal length: {sorted(lengths)}")
    processed = [_apply(_bind_processor(conn, table, n), v) for n, v in columns.items()]
    fixed = [
        (_bind_processor(conn, table, n) or (lambda v: v))(v) if v is not None else None
        for n, v in constants.items()
    ]
    parts: list[Any] = [*processed, *(repeat(v) for v in fixed)]
    if tail is not None:
        parts.append(tail)
    # `repeat` is endless, so zip must stop at the per-row lists (checked equal above).
    return list(zip(*parts, strict=False))


def insert_columns(
    conn: Connection,
    table: Table,
    columns: dict[str, list[Any]],
    constants: dict[str, Any] | None = None,
) -> None:
    """Insert rows given column-wise (equal-length lists of plain values, None = NULL).

    `constants` are columns with one value for every row (timestamps, the upload id).
    """
    constants = constants or {}
    if not columns:
        raise ValueError("insert_columns needs at least one per-row column")
    rows = _rows(conn, table, columns, constants)
    if not rows:
        return
    names = [*columns, *constants]
    quoted = ", ".join(_quote(conn, n) for n in names)
    if conn.dialect.name == "postgresql":
        # COPY is the bulk path PostgreSQL is built for: one stream, no per-row statement.
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {_quote(conn, table.name)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    marks = ", ".join([_placeholder(conn)] * len(names))
    statement = f"INSERT INTO {_quote(conn, table.name)} ({quoted}) VALUES ({marks})"
    conn.exec_driver_sql(statement, rows)


def update_columns(
    conn: Connection,
    table: Table,
    key: str,
    key_values: list[Any],
    columns: dict[str, list[Any]],
    constants: dict[str, Any] | None = None,
) -> None:
    """`UPDATE table SET col = value ... WHERE key = value`, one executemany for all rows."""
    constants = constants or {}
    if not key_values:
        return
    rows = _rows(conn, table, columns, constants, tail=key_values)
    mark = _placeholder(conn)
    assignments = ", ".join(f"{_quote(conn, n)} = {mark}" for n in [*columns, *constants])
    conn.exec_driver_sql(
        f"UPDATE {_quote(conn, table.name)} SET {assignments} WHERE {_quote(conn, key)} = {mark}",
        rows,
    )


def select_where_in(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    key: str,
    values: Sequence[Any],
) -> dict[str, list[Any]]:
    """The `columns` of every row whose `key` is one of `values`, column-wise.

    Values are as Core would return them, except booleans: SQLite gives 1/0.
    """
    if not values:
        return {name: [] for name in columns}
    selected = ", ".join(_quote(conn, n) for n in columns)
    where = _quote(conn, key)
    if conn.dialect.name == "sqlite":
        condition = f"{where} IN (SELECT value FROM json_each(?))"
        parameter: Any = json.dumps(list(values))
    else:
        condition = f"{where} = ANY(%s)"
        parameter = list(values)
    result = conn.exec_driver_sql(
        f"SELECT {selected} FROM {_quote(conn, table.name)} WHERE {condition}", (parameter,)
    )
    return _columns(conn, result.fetchall(), [(n, table.c[n].type) for n in columns])


def select_columns(conn: Connection, query: Select[Any]) -> dict[str, list[Any]]:
    """A Core `select` (without parameters from outside) run through the driver, column-wise.

    For the pages' full reads: Core would build a Row and call a type processor for every
    value. Values are as Core would return them, except booleans: SQLite gives 1/0.
    """
    # Literal values only come from the query itself (never from users), so rendering
    # them inline is safe and keeps the statement free of dialect-specific parameters.
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name != "sqlite":
        sql = sql.replace("%", "%%")  # psycopg reads % as a placeholder marker
    records = conn.exec_driver_sql(sql).fetchall()
    return _columns(conn, records, [(c.key, c.type) for c in query.selected_columns])


def _columns(
    conn: Connection, records: Sequence[Any], columns: Sequence[tuple[str, TypeEngine[Any]]]
) -> dict[str, list[Any]]:
    if not records:
        return {name: [] for name, _type in columns}
    return {
        name: _apply(_result_processor(conn, col_type), list(raw))
        for (name, col_type), raw in zip(columns, zip(*records, strict=True), strict=True)
    }
