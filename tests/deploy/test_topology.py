"""The hub's topology for real: `deploy/local.sh up --replicas 2` (HAProxy, two dih-dash
replicas with a data folder each, the worker) on a fresh PostgreSQL schema, driven through
the proxy and each replica in Chromium.

- pages through the proxy, both replicas taking new visitors, each kept on its replica;
- a survey uploaded through replica A is seen through replica B;
- a `dih-dash refresh` (from the replay server) is seen by both replicas;
- replica A killed: new visitors, and A's own visitors reloading, are still served.

The tests run in this order and share the topology (starting it costs ~10 s).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.national_data import ai_body, dii_body
from support.postgres import fresh_schema, postgres_url
from support.replay_server import ReplayServer

from dih_dash.auth import hash_password

ROOT = Path(__file__).resolve().parents[2]
LOCAL_SH = ROOT / "deploy" / "local.sh"
SURVEYS = ROOT / "tests" / "fixtures" / "surveys"
PASSWORD = "parola-de-test-a-hubului"
PORT = 18450

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]


def _browser_support() -> object:
    """tests/browser/conftest.py (Chromium's path and flags), loaded under its own name:
    a second module called `conftest` would shadow it for the browser tests."""
    spec = importlib.util.spec_from_file_location(
        "dih_browser_support", ROOT / "tests" / "browser" / "conftest.py"
    )
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


browser_support = _browser_support()


@dataclass
class Topology:
    proxy: str
    replicas: list[str]
    run_dir: Path
    env: dict[str, str]
    database_url: str
    eurostat: ReplayServer


def _require_haproxy() -> None:
    if shutil.which("haproxy") or Path("/usr/sbin/haproxy").is_file():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("haproxy not installed (apt-get install haproxy)")
    pytest.skip("haproxy not installed (apt-get install haproxy)")


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    browser_support._require_browser()  # type: ignore[attr-defined]
    _require_haproxy()
    server = postgres_url()
    run_dir = tmp_path_factory.mktemp("topology")
    eurostat = ReplayServer().start()
    eurostat.serve("isoc_e_dii", dii_body())
    eurostat.serve("isoc_eb_ai", ai_body())
    with fresh_schema(server) as url:
        env = {
            **os.environ,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "DIH_DASH_RUN_DIR": str(run_dir),
            "DIH_DASH_DATABASE_URL": url,
            "DIH_DASH_ADMIN_PASSWORD_HASH": hash_password(PASSWORD),
            # An empty store, and every group shown: the two uploaded members are the count.
            "DIH_DASH_AUTO_LOAD_DEMO": "0",
            "DIH_DASH_MIN_GROUP_SIZE": "1",
            # The saved column mappings of the survey fixtures, the same for both replicas.
            "DIH_DASH_MAPPINGS_DIR": str(SURVEYS),
            # The worker's first attempt goes nowhere (a closed port): the refresh the test
            # sees is the one it runs, not the worker's.
            "DIH_DASH_EUROSTAT_URL": "http://127.0.0.1:9/eurostat/api/dissemination",
            "DIH_DASH_HTTP_RETRIES": "0",
            # Replicas ask PostgreSQL for a new national version every 2 s (default 30 s).
            "DIH_DASH_NATIONAL_POLL_SECONDS": "2",
        }
        up = subprocess.run(
            [str(LOCAL_SH), "up", "--replicas", "2", "--port", str(PORT)],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        try:
            assert up.returncode == 0, up.stderr
            lines = up.stdout.splitlines()
            assert lines[0] == f"proxy http://127.0.0.1:{PORT}"
            replicas = [line.split()[1] for line in lines[1:]]
            assert [line.split()[0] for line in lines[1:]] == ["replica", "replica"]
            yield Topology(lines[0].split()[1], replicas, run_dir, env, url, eurostat)
        finally:
            groups = [int(p.read_text()) for p in run_dir.glob("*.pid")]
            down = subprocess.run(
                [str(LOCAL_SH), "down"], env=env, capture_output=True, text=True, timeout=60
            )
            eurostat.stop()
            # Nothing `up` started is left running: no process in any of its groups (a
            # replica is `dih-dash serve` and its Streamlit child).
            assert len(groups) >= 4, "proxy, two replicas and the worker were recorded"
            assert not list(run_dir.glob("*.pid")), down.stdout + down.stderr
            assert _members_of(groups) == [], down.stdout + down.stderr


def _members_of(groups: list[int]) -> list[int]:
    """The processes still alive in these process groups."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[2]) in groups:
                alive.append(int(entry.name))
    return alive


def _local_sh(topology: Topology, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LOCAL_SH), *args], env=topology.env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browser_support.CHROMIUM,  # type: ignore[attr-defined]
            args=browser_support.LAUNCH_ARGS,  # type: ignore[attr-defined]
        )
        yield browser
        browser.close()


def _page(chromium: object) -> object:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    return context.new_page()


def _wait_done(page: object, timeout: float = 90_000, showing: str | None = None) -> None:
    """Until the script has run (and, if given, the page shows `showing`)."""
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout)  # type: ignore[attr-defined]
    if showing:
        page.get_by_text(showing).first.wait_for(timeout=timeout)  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout
    )


def _open_chart_page(page: object, url: str) -> None:
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90_000)  # type: ignore[attr-defined]
    _wait_done(page)
    assert page.locator("[data-testid=stException]").count() == 0  # type: ignore[attr-defined]


def _sticky_cookie(page: object) -> str:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}  # type: ignore[attr-defined]
    return cookies.get("DIHDASH", "")


def _main_text(page: object) -> str:
    return page.locator("[data-testid=stMain]").inner_text()  # type: ignore[attr-defined]


def _wait_for_text(page: object, url: str, text: str, settled: str, limit: float = 60) -> str:
    """Reload `url` until its main area shows `text` (replicas poll the store); `settled`
    is on the page once it has drawn, with or without `text`."""
    deadline = time.monotonic() + limit
    while True:
        page.goto(url)  # type: ignore[attr-defined]
        _wait_done(page, showing=settled)
        shown = _main_text(page)
        if text in shown or time.monotonic() > deadline:
            return shown
        time.sleep(1)


def test_pages_through_the_proxy(topology, chromium):
    paths = ["", "indicators", "sme-digital-intensity", "desi-2017-2022"]
    cookies = set()
    for path in paths:
        page = _page(chromium)
        _open_chart_page(page, f"{topology.proxy}/{path}?lang=en")
        assert page.locator("[role=dialog]").count() == 0, "no 'Page not found'"  # type: ignore[attr-defined]
        cookie = _sticky_cookie(page)
        assert cookie, "the proxy set its sticky-session cookie"
        cookies.add(cookie)
        # The same visitor stays on its replica: clicking through keeps the cookie.
        page.get_by_role("link", name="Data & sources").click()  # type: ignore[attr-defined]
        page.get_by_text("Data as of").wait_for(timeout=60_000)  # type: ignore[attr-defined]
        assert _sticky_cookie(page) == cookie
        page.context.close()  # type: ignore[attr-defined]
    assert len(cookies) == 2, "new visitors went to both replicas"
    status = _local_sh(topology, "status").stdout
    assert f"proxy {topology.proxy} answers" in status
    assert all(f"replica {url} answers" in status for url in topology.replicas)
    assert "worker running" in status
    again = _local_sh(topology, "up", "--replicas", "2", "--port", str(PORT))
    assert again.returncode != 0 and "already up" in again.stderr
    log = (topology.run_dir / "proxy.log").read_text()
    assert "replicas/app1" in log and "replicas/app2" in log
    # Websockets went through the proxy (101 Switching Protocols) to the replicas.
    assert " 101 " in log and "/_stcore/stream" in log


def test_an_upload_through_one_replica_is_seen_through_the_other(topology, chromium):
    a, b = topology.replicas
    viewer = _page(chromium)
    cohort_b = f"{b}/cohort?lang=en"
    viewer.goto(cohort_b)  # type: ignore[attr-defined]
    _wait_done(viewer, showing="No member assessments are stored yet")
    assert "members in the selection" not in _main_text(viewer), "the store starts empty"

    page = _page(chromium)
    page.goto(f"{a}/sign-in?lang=en")  # type: ignore[attr-defined]
    password = page.locator("input[aria-label='Admin password']")  # type: ignore[attr-defined]
    password.wait_for(timeout=60_000)
    page.get_by_role("textbox", name="Your name (recorded in the import log)").fill("Ana")  # type: ignore[attr-defined]
    password.fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.get_by_text("Signed in as Ana").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    page.get_by_role("link", name="Upload surveys").click()  # type: ignore[attr-defined]
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(  # type: ignore[attr-defined]
        str(SURVEYS / "google_forms_en.csv")
    )
    _choose(page, "Layout", "Other export, through a column mapping")
    _choose(page, "Column mapping", "Google Form - DMA results (US locale)")
    page.get_by_role("button", name="Import", exact=True).click()  # type: ignore[attr-defined]
    page.get_by_text("Stored: 2 new").first.wait_for(timeout=60_000)  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]

    shown = _wait_for_text(viewer, cohort_b, "2 members in the selection", "Cohort overview")
    assert "2 members in the selection" in shown, shown[:500]
    viewer.context.close()  # type: ignore[attr-defined]


def _choose(page: object, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()  # type: ignore[attr-defined]
    page.get_by_role("option", name=option).click()  # type: ignore[attr-defined]
    _wait_done(page)


def test_a_refresh_is_seen_by_both_replicas(topology, chromium):
    pages = {url: _page(chromium) for url in topology.replicas}
    for url, page in pages.items():
        page.goto(f"{url}/data-sources?lang=en")  # type: ignore[attr-defined]
        _wait_done(page, showing="Data as of")
        assert "Data as of: the bundled snapshot" in _main_text(page)

    # The real command, as cron or a person would run it, from a third data folder.
    refresh_dir = topology.run_dir / "refresh-data"
    refresh_dir.mkdir()
    refreshed = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "dih-dash"), "refresh"],
        env={
            **topology.env,
            "DIH_DASH_DATA_DIR": str(refresh_dir),
            "DIH_DASH_EUROSTAT_URL": topology.eurostat.base_url,
        },
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert refreshed.returncode == 0, refreshed.stderr[-2000:]
    assert topology.eurostat.requests_for("isoc_e_dii"), "the refresh asked the replay server"

    for url, page in pages.items():
        shown = _wait_for_text(
            page, f"{url}/data-sources?lang=en", "Eurostat data fetched", "Data as of"
        )
        assert "Data as of: Eurostat data fetched" in shown, f"{url}: {shown[:400]}"
        page.context.close()  # type: ignore[attr-defined]


def test_a_killed_replica_leaves_new_sessions_served(topology, chromium):
    # A visitor on replica 1, found by its cookie.
    regular = None
    for _ in range(4):
        page = _page(chromium)
        _open_chart_page(page, f"{topology.proxy}/?lang=en")
        if regular is None and _owner(topology, _sticky_cookie(page)) == 1:
            regular = page
        else:
            page.context.close()  # type: ignore[attr-defined]
    assert regular is not None, "round robin sent a visitor to replica 1"

    pid = int((topology.run_dir / "replica-1.pid").read_text())
    os.killpg(pid, signal.SIGKILL)  # a crash: no goodbye to the proxy

    # New visitors right away, before the health check has noticed.
    for _ in range(4):
        page = _page(chromium)
        _open_chart_page(page, f"{topology.proxy}/indicators?lang=en")
        page.context.close()  # type: ignore[attr-defined]
    # The visitor whose replica died reloads and is served by the other one.
    _open_chart_page(regular, f"{topology.proxy}/?lang=en")
    assert _owner(topology, _sticky_cookie(regular)) == 2
    regular.context.close()  # type: ignore[attr-defined]
    status = _local_sh(topology, "status").stdout
    assert "replica-1 stopped" in status and "replica-2 running" in status
    assert f"replica {topology.replicas[0]} does not answer" in status
    assert f"proxy {topology.proxy} answers" in status


def _owner(topology: Topology, cookie: str) -> int | None:
    """The replica a sticky cookie leads to: a request carrying it goes through the proxy,
    whose log names the server that answered (the cookie itself is a hash)."""
    request = urllib.request.Request(
        f"{topology.proxy}/_stcore/health", headers={"Cookie": f"DIHDASH={cookie}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in reversed((topology.run_dir / "proxy.log").read_text().splitlines()):
            if '"GET /_stcore/health' in line and "replicas/app" in line:
                return int(line.split("replicas/app", 1)[1].split()[0])
        time.sleep(0.2)
    return None
