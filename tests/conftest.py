"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.replay_server import ReplayServer

pytest_plugins = ("support.fixtures",)


@pytest.fixture
def replay_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    """A local Eurostat stand-in; requests to it must never go through a proxy."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    server = ReplayServer().start()
    try:
        yield server
    finally:
        server.stop()
