"""PostgreSQL for the store tests: a fresh schema per test on the server the env names.

Set `DIH_DASH_TEST_POSTGRES_URL` (e.g. `postgresql://dih:dih@localhost/dih_test`; the role
needs CREATE on the database). Without it the PostgreSQL cases skip, except under
`CI=true`, where a missing server must fail the run rather than pass it unseen.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine

from dih_dash.store.engine import normalise_url

ENV = "DIH_DASH_TEST_POSTGRES_URL"


def postgres_url() -> str:
    """The server URL from the environment; skip (or, under CI=true, fail) without it."""
    url = os.environ.get(ENV, "").strip()
    if url:
        return url
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{ENV} is not set: under CI=true the PostgreSQL store tests must run")
    pytest.skip(f"{ENV} is not set: PostgreSQL store tests skipped (CI=true makes this fail)")


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A URL whose every connection works in a new, empty schema, dropped afterwards.

    A schema rather than a database: creating one is instant, and the URL (with a
    `search_path` option) carries it into subprocesses, which is what the crash and
    concurrency tests need.
    """
    base = normalise_url(url)
    name = f"dih_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        scoped = base.update_query_dict({"options": f"-csearch_path={name}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()
