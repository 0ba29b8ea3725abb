"""Fixtures more than one test folder uses; tests/conftest.py registers them for the suite
(a test module or folder may still define its own of the same name)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.national_data import ai_body, dii_body
from support.postgres import fresh_schema, postgres_url
from support.replay_server import ReplayServer

from dih_dash.store import Store
from dih_dash.store.national_data import dispose_engines


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL for an empty store: a SQLite file in tmp_path/data, or a fresh PostgreSQL
    schema; every test that takes it runs on both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'store.sqlite'}"
        return
    with fresh_schema(postgres_url()) as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def close_national_engines() -> Iterator[None]:
    """Dispose of the national data's cached engines after the test: each test's database
    is gone by the next one."""
    yield
    dispose_engines()


@pytest.fixture
def eurostat(replay_server: ReplayServer) -> ReplayServer:
    """The replay server serving the two datasets of `dii_and_ai_catalogue`."""
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.serve("isoc_eb_ai", ai_body())
    return replay_server
