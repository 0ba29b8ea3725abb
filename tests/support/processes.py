"""Servers the tests start on 127.0.0.1: a free port, `streamlit run`, waiting until it is
healthy, and stopping a process for sure."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_run(script: Path, port: int, *extra: str) -> list[str]:
    """The command serving `script` headless on 127.0.0.1:`port`, telling Streamlit's
    servers nothing (no usage statistics)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        *extra,
    ]  # fmt: skip


def wait_healthy(
    process: subprocess.Popen, base: str, said: Callable[[], str], timeout: float = 60.0
) -> None:
    """Return once the Streamlit server at `base` answers its health check; raise
    RuntimeError with `said()` (the end of its output) if it exits first, or on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited: {said()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """Terminate `process`, killing it if it has not ended within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
