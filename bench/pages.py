"""Page speed: the warm script run per page, and navigation-to-first-chart in Chromium,
each beside a bare Streamlit app drawing one Plotly chart of the same data (the floor) and
that same page behind `st.navigation` with a sidebar (bare_nav_app.py).

Script run (the target): AppTest.run with caches filled and the scripts compiled once, as
the server keeps them (AppTest alone would compile them again on every run). Also printed:
the run timed inside the server (DIH_DASH_LOG_RUN_TIMES=1 makes app.py log each finished
run) during the page loads below, where it shares the two cores with the browser drawing
the page, as on a workshop laptop.
First chart: measured three ways. A shared link (the target): a fresh browser context for
every load, so nothing is cached in the browser, pages and the bare app taken in turn
(round-robin) so that both see the same machine. A reload in a warm tab (a typed link), and
a click on the page's sidebar link from a page without a chart (clicking through the app).

    python bench/pages.py [--runs 7] [--browser-runs 5] [--no-browser | --no-script]

Targets (2-core machine): every page's warm script run under 150 ms; first chart of a
shared link within 1.2x the bare app (issue 13). The script prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# tests/browser/conftest.py imports the shared helpers of tests/support; tests/browser goes
# first on the path, so that `conftest` is the browser tests' and not tests/conftest.py.
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

# Romania vs EU is the default page: its address is the root ("/romania-vs-eu" opens
# Streamlit's "Page not found" dialog over it, which an earlier version of this script timed).
PAGES = {
    "romania_vs_eu": "",
    "indicator_explorer": "indicators",
    "sme_digital_intensity": "sme-digital-intensity",
    "desi_2017_2022": "desi-2017-2022",
    "data_sources": "data-sources",
    # The member pages on the demo cohort (40 fictional members, 72 assessments).
    "members_vs_national": "members",
    "cohort_overview": "cohort",
    "progress": "progress",
    "counties": "counties",
    "hub_services": "services",
    "impact": "impact",
    "presentation": "presentation",
}


FLOOR = "(bare app: one chart)"
NAV_FLOOR = "(same, st.navigation)"
RUN_LINE = re.compile(r"dih-dash run page=(?P<page>\S+) ms=(?P<ms>[0-9.]+)")


def _collect_runs(process: subprocess.Popen) -> list[tuple[str, float]]:
    """The script runs a server logs on stderr, as (url path, seconds), filled as they come."""
    runs: list[tuple[str, float]] = []

    def read() -> None:
        for raw in process.stderr or ():
            if match := RUN_LINE.search(raw.decode(errors="replace")):
                runs.append((match["page"], float(match["ms"]) / 1000))

    threading.Thread(target=read, daemon=True).start()
    return runs


def _compile_once() -> None:
    """AppTest makes a new script cache for every run, so each run would parse, rewrite
    ("magic") and compile app.py and the page again; the server compiles them once and
    keeps them in one cache. One shared cache here, so the figure is the script's run."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment]


def script_times(runs: int) -> dict[str, list[float]]:
    from streamlit.testing.v1 import AppTest

    _compile_once()

    results: dict[str, list[float]] = {}
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["lang"] = "ro"
        at.run()
        at.switch_page(f"app_pages/{page}.py").run()  # first run fills the caches
        if at.exception:
            raise SystemExit(f"{page} raised: {at.exception[0].message}")
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            at.run()
            timings.append(time.perf_counter() - start)
        results[page] = timings
    bare = AppTest.from_file(str(ROOT / "bench" / "bare_app.py"), default_timeout=120)
    bare.run()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        bare.run()
        timings.append(time.perf_counter() - start)
    results[FLOOR] = timings
    return results


def first_chart_times(
    runs: int, pages: dict[str, str], shared_only: bool = False
) -> tuple[
    dict[str, list[float]], dict[str, list[float]], dict[str, list[float]], dict[str, list[float]]
]:
    """Per page: a shared link's load to first chart (fresh context), a warm tab's load to
    first chart, an in-app click to first chart, and the server's script run on the warm
    loads (caches warm)."""
    from conftest import CHROMIUM, LAUNCH_ARGS, start_app
    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {}
    shared: dict[str, list[float]] = {}
    in_app: dict[str, list[float]] = {}
    server: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as data_dir:
        app, base = start_app(Path(data_dir), {"DIH_DASH_LOG_RUN_TIMES": "1"})
        logs = {"app": _collect_runs(app)}
        floors = {}
        for script in ("bare_app.py", "bare_nav_app.py"):
            port = _free_port()
            process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(ROOT / "bench" / script),
                 "--server.port", str(port), "--server.address", "127.0.0.1",
                 "--server.headless", "true", "--server.fileWatcherType", "none",
                 "--browser.gatherUsageStats", "false"],
                cwd=ROOT / "bench", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                env={**os.environ, "DIH_DASH_LOG_RUN_TIMES": "1"},
            )  # fmt: skip
            floors[script] = (port, process)
            logs[script] = _collect_runs(process)
            _wait_healthy(f"http://127.0.0.1:{port}")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                targets = {name: (f"{base}/{path}?lang=ro", "app") for name, path in pages.items()}
                targets[FLOOR] = (f"http://127.0.0.1:{floors['bare_app.py'][0]}/", "bare_app.py")
                targets[NAV_FLOOR] = (
                    f"http://127.0.0.1:{floors['bare_nav_app.py'][0]}/chart",
                    "bare_nav_app.py",
                )
                # A shared link: a fresh context per load (empty browser cache, no
                # session), every target once per round so drift hits all alike.
                for round_number in range(runs + 1):
                    for name, (url, _log) in targets.items():
                        context = browser.new_context(viewport={"width": 1400, "height": 1000})
                        elapsed = _navigate(context.new_page(), url)
                        context.close()
                        if round_number:  # round 0 warms the servers' caches
                            shared.setdefault(name, []).append(elapsed)
                if shared_only:
                    browser.close()
                    return shared, {}, {}, {}
                for name, (url, log) in targets.items():
                    _navigate(page, url)  # warm: JavaScript in the browser cache, caches filled
                    seen = len(logs[log])
                    results[name] = [_navigate(page, url) for _ in range(runs)]
                    if log != "bare_nav_app.py":  # its runs are the bare app's script
                        server[name] = [seconds for _, seconds in logs[log][seen:]]
                # In-app: from a page without a chart, a click on the page's sidebar link,
                # as someone clicks through the pages at a workshop (no page load).
                nav_base = f"http://127.0.0.1:{floors['bare_nav_app.py'][0]}"
                clicks = {
                    name: (f"{base}/sign-in?lang=ro", f"{base}/{path}")
                    for name, path in pages.items()
                }
                clicks[NAV_FLOOR] = (f"{nav_base}/other", f"{nav_base}/")
                for name, (start, href) in clicks.items():
                    _click_to(page, start, href)
                    in_app[name] = [_click_to(page, start, href) for _ in range(runs)]
                browser.close()
        finally:
            app.terminate()
            for _, process in floors.values():
                process.terminate()
    return shared, results, in_app, server


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base: str) -> None:
    import urllib.request

    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{base} did not start")


def _navigate(page: object, url: str) -> float:
    start = time.perf_counter()
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - start
    # Not timed: let the script finish (a new page load would stop it before it logs its run).
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000
    )
    return elapsed


def _click_to(page: object, start: str, href: str) -> float:
    page.goto(start)  # type: ignore[attr-defined]
    link = page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]')  # type: ignore[attr-defined]
    link.wait_for(timeout=120_000)
    page.wait_for_timeout(300)  # let the start page settle
    begin = time.perf_counter()
    link.click()
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)  # type: ignore[attr-defined]
    return time.perf_counter() - begin


def report(title: str, results: dict[str, list[float]], unit: float, suffix: str) -> None:
    print(f"\n{title}")
    floor = statistics.median(results.get(FLOOR) or results[NAV_FLOOR])
    nav = results.get(NAV_FLOOR)
    # A second ratio only where the bare app is the first floor (the clicks have no bare app).
    nav_floor = statistics.median(nav) if nav and FLOOR in results else None
    for name, timings in results.items():
        if not timings:
            print(f"  {name:24} no runs recorded")
            continue
        median = statistics.median(timings)
        line = (
            f"  {name:24} median {median * unit:8.1f} {suffix}   min {min(timings) * unit:8.1f}"
            f"   x floor {median / floor:5.2f}"
        )
        if nav_floor:
            line += f"   x navigation floor {median / nav_floor:5.2f}"
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--browser-runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-script", action="store_true", help="only the browser figures")
    parser.add_argument("--shared-only", action="store_true", help="only the shared links")
    parser.add_argument("--pages", help="comma-separated page names (default: all)")
    args = parser.parse_args()
    # A throwaway data folder and store, never the developer's: the demo cohort is loaded.
    data_dir = tempfile.mkdtemp(prefix="dih-bench-")
    os.environ["DIH_DASH_DATA_DIR"] = data_dir
    os.environ["DIH_DASH_DATABASE_URL"] = f"sqlite:///{data_dir}/store.sqlite"
    os.environ["DIH_DASH_AUTO_LOAD_DEMO"] = "1"
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    pages = {name: PAGES[name] for name in args.pages.split(",")} if args.pages else PAGES
    if not args.no_script:
        report("Warm script run (AppTest.run, caches filled, scripts compiled once), "
               "target < 150 ms:", script_times(args.runs), 1000, "ms")  # fmt: skip
    if not args.no_browser:
        shared, loads, clicks, server = first_chart_times(
            args.browser_runs, pages, args.shared_only
        )
        report("Shared link: fresh browser context to first drawn chart in headless "
               "Chromium, target <= 1.2x floor:", shared, 1, "s ")  # fmt: skip
        if args.shared_only:
            return 0
        report("Script run in the server during the page loads below (the browser drawing "
               "on the same two cores):", server, 1000, "ms")  # fmt: skip
        report("Reload in a warm tab (browser cache filled) to first drawn chart:",
               loads, 1, "s ")  # fmt: skip
        report("In-app navigation (sidebar click) to first drawn chart; floor: the bare "
               "page behind st.navigation:", clicks, 1, "s ")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
