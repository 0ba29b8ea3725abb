"""Page speed: warm script run time per page, and navigation-to-first-chart in Chromium,
each beside a bare Streamlit app drawing one Plotly chart of the same data (the floor) and
that same page behind `st.navigation` with a sidebar (bare_nav_app.py). Navigation is
measured twice: a full page load (a typed or shared link), and a click on the page's
sidebar link from a page without a chart (clicking through the app).

    python bench/pages.py [--runs 7] [--browser-runs 5] [--no-browser]

Targets (2-core machine): every page's warm script run under 150 ms; first chart within
1.5x the floor. The script prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

DEFAULT = "romania-vs-eu"  # the default page: its sidebar link is the root URL
PAGES = {
    "romania_vs_eu": "romania-vs-eu",
    "indicator_explorer": "indicators",
    "sme_digital_intensity": "sme-digital-intensity",
    "desi_2017_2022": "desi-2017-2022",
    "data_sources": "data-sources",
    # The member pages on the demo cohort (40 fictional members, 72 assessments).
    "members_vs_national": "members",
    "cohort_overview": "cohort",
    "progress": "progress",
    "counties": "counties",
    "presentation": "presentation",
}


def script_times(runs: int) -> dict[str, list[float]]:
    from streamlit.testing.v1 import AppTest

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
    results["(bare app: one chart)"] = timings
    return results


def first_chart_times(runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Per page: (full page load to first chart, in-app click to first chart)."""
    import subprocess

    from conftest import CHROMIUM, LAUNCH_ARGS, start_app
    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {}
    in_app: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as data_dir:
        app, base = start_app(Path(data_dir))
        floors = {}
        for script in ("bare_app.py", "bare_nav_app.py"):
            port = _free_port()
            floors[script] = (port, subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(ROOT / "bench" / script),
                 "--server.port", str(port), "--server.address", "127.0.0.1",
                 "--server.headless", "true", "--server.fileWatcherType", "none",
                 "--browser.gatherUsageStats", "false"],
                cwd=ROOT / "bench", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip
            _wait_healthy(f"http://127.0.0.1:{port}")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                targets = {name: f"{base}/{path}?lang=ro" for name, path in PAGES.items()}
                targets["(bare app: one chart)"] = f"http://127.0.0.1:{floors['bare_app.py'][0]}/"
                targets["(same, st.navigation)"] = (
                    f"http://127.0.0.1:{floors['bare_nav_app.py'][0]}/chart"
                )
                for name, url in targets.items():
                    _navigate(page, url)  # warm: JavaScript chunks in the browser cache
                    results[name] = [_navigate(page, url) for _ in range(runs)]
                # In-app: from a page without a chart, a click on the page's sidebar link,
                # as someone clicks through the pages at a workshop (no page load).
                nav_base = f"http://127.0.0.1:{floors['bare_nav_app.py'][0]}"
                # The default page's link is the app's root URL.
                clicks = {
                    name: (f"{base}/sign-in?lang=ro", f"{base}/{'' if path == DEFAULT else path}")
                    for name, path in PAGES.items()
                }
                clicks["(same, st.navigation)"] = (f"{nav_base}/other", f"{nav_base}/")
                for name, (start, href) in clicks.items():
                    _click_to(page, start, href)
                    in_app[name] = [_click_to(page, start, href) for _ in range(runs)]
                browser.close()
        finally:
            app.terminate()
            for _, process in floors.values():
                process.terminate()
    return results, in_app


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
    return time.perf_counter() - start


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
    floor = statistics.median(
        results.get("(bare app: one chart)") or results["(same, st.navigation)"]
    )
    nav = results.get("(same, st.navigation)")
    # A second ratio only where the bare app is the first floor (the clicks have no bare app).
    nav_floor = statistics.median(nav) if nav and "(bare app: one chart)" in results else None
    for name, timings in results.items():
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
    args = parser.parse_args()
    # A throwaway data folder and store, never the developer's: the demo cohort is loaded.
    data_dir = tempfile.mkdtemp(prefix="dih-bench-")
    os.environ["DIH_DASH_DATA_DIR"] = data_dir
    os.environ["DIH_DASH_DATABASE_URL"] = f"sqlite:///{data_dir}/store.sqlite"
    os.environ["DIH_DASH_AUTO_LOAD_DEMO"] = "1"
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    report("Warm script run (AppTest.run, caches filled), target < 150 ms:",
           script_times(args.runs), 1000, "ms")  # fmt: skip
    if not args.no_browser:
        loads, clicks = first_chart_times(args.browser_runs)
        report("Navigation (page load) to first drawn chart in headless Chromium, "
               "target < 1.5x floor:", loads, 1, "s ")  # fmt: skip
        report("In-app navigation (sidebar click) to first drawn chart; floor: the bare "
               "page behind st.navigation:", clicks, 1, "s ")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
