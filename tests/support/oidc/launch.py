"""Start and stop the test OpenID provider (`provider.js`, npm's oidc-provider) on 127.0.0.1.

Its packages are installed on first use from the committed lock file (`npm ci`). Without
node or npm the caller's test is skipped with the reason; under CI=true it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.processes import free_port, stop

HERE = Path(__file__).resolve().parent
CLIENT_ID = "dih-dash"
CLIENT_SECRET = "dih-dash-test-secret"


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def install() -> str:
    """The node executable, with oidc-provider installed beside provider.js."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _missing("node and npm are needed for the OpenID provider (apt-get install nodejs npm)")
    if not (HERE / "node_modules" / "oidc-provider" / "package.json").is_file():
        # `ci` installs exactly the locked versions and never rewrites the lock file.
        command = "ci" if (HERE / "package-lock.json").is_file() else "install"
        done = subprocess.run(
            [npm, command, "--no-audit", "--no-fund"],
            cwd=HERE, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if done.returncode != 0:
            _missing(f"npm {command} in {HERE} failed: {done.stderr[-2000:]}")
    return node  # type: ignore[return-value]


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    process: subprocess.Popen

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


@contextmanager
def running_provider(redirect_uri: str, *, log: Path | None = None) -> Iterator[Provider]:
    """The provider, serving until the block ends; `redirect_uri` is the app's callback."""
    node = install()
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "OIDC_REDIRECT_URI": redirect_uri,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
    }
    output = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        [node, str(HERE / "provider.js"), str(port)],
        cwd=HERE, env=env, stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    provider = Provider(issuer, CLIENT_ID, CLIENT_SECRET, process)
    try:
        _wait_for_metadata(provider, log)
        yield provider
    finally:
        stop(process)
        if log:
            output.close()  # type: ignore[union-attr]


def _wait_for_metadata(provider: Provider, log: Path | None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if provider.process.poll() is not None:
            said = log.read_text(errors="replace")[-2000:] if log else "(no log)"
            raise RuntimeError(f"the OpenID provider exited: {said}")
        try:
            with urllib.request.urlopen(provider.metadata_url, timeout=2) as answer:
                if json.load(answer).get("issuer") == provider.issuer:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the OpenID provider did not answer at {provider.metadata_url}")
