"""Real-browser tests: the app served by `streamlit run` on 127.0.0.1, driven by Playwright
with Debian's Chromium (no browser download). Without Chromium these tests skip with the
reason; under CI=true a missing browser is a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.processes import free_port, stop, streamlit_run, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("DIH_DASH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium keeps calling Google's hosts, which a closed network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _require_browser() -> None:
    if Path(CHROMIUM).is_file():
        return
    reason = (
        f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set DIH_DASH_CHROMIUM)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def start_app(
    data_dir: Path, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "DIH_DASH_DATA_DIR": str(data_dir),
        "DIH_DASH_DATABASE_URL": f"sqlite:///{data_dir / 'store.sqlite'}",
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        streamlit_run(ROOT / "app.py", port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(process, base, lambda: process.stderr.read().decode(errors="replace")[-2000:])
    except RuntimeError:
        process.kill()
        raise
    return process, base


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_browser()
    process, base = start_app(tmp_path_factory.mktemp("browser-data"))
    try:
        yield base
    finally:
        stop(process)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def web(chromium: object) -> Iterator[object]:
    """A fresh page that records every request leaving 127.0.0.1."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    page.external_requests = []  # type: ignore[attr-defined]
    page.on(
        "request",
        lambda r: (
            page.external_requests.append(r.url)  # type: ignore[attr-defined]
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else None
        ),
    )
    yield page
    context.close()


def demo_app_with_admin(
    tmp_path_factory: pytest.TempPathFactory, name: str, password: str
) -> Iterator[str]:
    """The app on the demo cohort and demo services, with `password` as the admin's: for a
    module fixture to `yield from`."""
    from dih_dash.auth import hash_password

    _require_browser()
    process, base = start_app(
        tmp_path_factory.mktemp(name),
        {"DIH_DASH_ADMIN_PASSWORD_HASH": hash_password(password), "DIH_DASH_AUTO_LOAD_DEMO": "1"},
    )
    try:
        yield base
    finally:
        stop(process)


def sign_in(web: object, base: str, password: str) -> None:
    """Sign in as hub staff ("Ana") through the sign-in page, in English."""
    web.goto(f"{base}/sign-in?lang=en")
    field = web.locator("input[aria-label='Admin password']")
    field.wait_for(timeout=60_000)
    web.get_by_role("textbox", name="Your name (recorded in the import log)").fill("Ana")
    field.fill(password)
    web.get_by_role("button", name="Sign in").click()
    web.get_by_text("Signed in as Ana").wait_for(timeout=30_000)
