"""axe-core on every page of the app, in Romanian and English, signed out and signed in: no
`serious` or `critical` violation of the project's own markup.

The pages are read from app.py's `page(...)` calls, so a page added there is checked without
touching this file. axe-core comes from npm (tests/support/axe, pinned by its lock file) and is
injected from disk: no request leaves the machine. A violation in Streamlit's own markup that
the app cannot change is let through only by an entry in STREAMLIT_OWN below (rule and
selector, each with the reason); anything else fails with the rule, the element and axe's
summary of what to fix.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, demo_app_with_admin, sign_in

pytestmark = pytest.mark.browser
PASSWORD = "parola-de-test-accesibilitate"
AXE_DIR = ROOT / "tests" / "support" / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

# Streamlit's markup the app cannot change: (axe rule, CSS selector the failing element is
# inside, why). Each entry is as narrow as the framework allows.
STREAMLIT_OWN: list[tuple[str, str, str]] = [
    # st.navigation's sidebar menu: a <ul> whose children are one <div> per section, each
    # holding the section's <li> items (Streamlit 1.67). axe's `list` (only <li> in a <ul>)
    # and `listitem` (an <li> only in a <ul>) fail on that structure; the app passes pages
    # to st.navigation and has no say in its markup.
    ("list", "[data-testid=stSidebarNavItems]", "Streamlit's navigation markup"),
    ("listitem", "[data-testid=stSidebarNavItems]", "Streamlit's navigation markup"),
    # Streamlit's running indicator in the header ("Running…" and its Stop button, a
    # header-kind button drawn in the theme's faded text colour). It is there only while a
    # script runs, and a page may rerun after `settle` (seen once on /exports in a full
    # run); the app has no say in its markup or colours.
    ("color-contrast", "[data-testid=stStatusWidget]", "Streamlit's running indicator"),
]


def _pages() -> tuple[list[str], list[str], str]:
    """The url paths of app.py's pages: (public, staff-only, the default page). Staff pages
    are the ones app.py hides from the public (`hidden=...`)."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    public: list[str] = []
    staff: list[str] = []
    default = ""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "page"):
            continue
        if len(node.args) < 4 or not isinstance(node.args[3], ast.Constant):
            continue
        url = node.args[3].value
        hidden = any(k.arg == "hidden" for k in node.keywords)
        (staff if hidden else public).append(url)
        if any(k.arg == "default" for k in node.keywords):
            default = url
    return public, staff, default


PUBLIC, STAFF, DEFAULT = _pages()


def _install_axe() -> Path:
    if AXE_JS.is_file():
        return AXE_JS
    npm = shutil.which("npm")
    reason = ""
    if npm:
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=AXE_DIR, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if done.returncode == 0 and AXE_JS.is_file():
            return AXE_JS
        reason = f"npm ci in {AXE_DIR} failed: {done.stderr[-2000:]}"
    else:
        reason = "npm is needed to install axe-core (apt-get install nodejs npm)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def axe_source() -> str:
    return _install_axe().read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def a11y_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the demo cohort and demo services, and an admin password."""
    yield from demo_app_with_admin(tmp_path_factory, "a11y-app", PASSWORD)


def settle(web: object, timeout: float = 90_000) -> None:
    """Wait until the page's script has finished and its charts are drawn."""
    web.wait_for_selector("[data-testid=stMain] h1", timeout=timeout)
    web.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout
    )
    web.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot')]
                 .every(p => p.querySelector('.main-svg'))""",
        timeout=timeout,
    )
    # Streamlit fades out the previous page's elements for a moment after a run.
    web.wait_for_function("() => !document.querySelector('[data-stale=true]')", timeout=timeout)


_RUN_AXE = """async ([ownRules]) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  const found = [];
  for (const v of result.violations) {
    if (!['serious', 'critical'].includes(v.impact)) continue;
    for (const node of v.nodes) {
      const selector = node.target[node.target.length - 1];
      const element = typeof selector === 'string' ? document.querySelector(selector) : null;
      const own = ownRules.some(([rule, inside]) =>
        rule === v.id && element && element.closest(inside));
      if (own) continue;
      found.push({rule: v.id, impact: node.impact || v.impact, target: node.target.join(' '),
                  html: node.html.slice(0, 200), summary: node.failureSummary});
    }
  }
  return found;
}"""


def violations(web: object, axe_source: str) -> list[dict[str, str]]:
    if not web.evaluate("() => typeof axe !== 'undefined'"):
        web.add_script_tag(content=axe_source)
    own = [[rule, inside] for rule, inside, _ in STREAMLIT_OWN]
    return web.evaluate(_RUN_AXE, [own])


def described(where: str, found: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{where}: {v['rule']} ({v['impact']}) at {v['target']}\n  {v['html']}\n  {v['summary']}"
        for v in found
    )


def test_pages_are_read_from_app_py():
    # The walk below is only as complete as this list.
    assert {"romania-vs-eu", "members", "services", "impact", "presentation"} <= set(PUBLIC)
    assert {"exports", "data-sources", "sign-in"} <= set(PUBLIC)
    assert DEFAULT == "romania-vs-eu"
    assert {"member-profile", "upload", "service-links", "reassessment"} <= set(STAFF)


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("path", PUBLIC + STAFF)
def test_signed_out(a11y_app, web, axe_source, path, lang):
    """Every page as the public opens it from a link (staff pages show their refusal)."""
    web.goto(f"{a11y_app}/{path}?lang={lang}")
    settle(web)
    assert web.locator("[data-testid=stException]").count() == 0
    found = violations(web, axe_source)
    assert not found, described(f"/{path}?lang={lang}", found)
    assert web.external_requests == []
    check_chart_texts(web, path)
    check_tables_are_text(web, path)


def check_chart_texts(web: object, path: str) -> None:
    """Every chart followed by its text alternative: the summary sentence and the table of
    values, in the page's text (a collapsed <details> is still read by screen readers)."""
    main = web.locator("[data-testid=stMain]")
    charts = main.locator("[data-testid=stPlotlyChart]").count()
    texts = main.locator("details.chart-text")
    described_charts = sum(
        1
        for i in range(texts.count())
        if texts.nth(i).locator("p").text_content().strip()
        and texts.nth(i).locator("table td").count() > 0
    )
    assert described_charts >= charts, f"/{path}: {charts} charts, {described_charts} described"


def check_tables_are_text(web: object, path: str) -> None:
    """No table drawn on a canvas (st.dataframe's grid): every table's header and cells are
    text in the page, which a screen reader walks and a page search finds."""
    main = web.locator("[data-testid=stMain]")
    assert main.locator("[data-testid=stDataFrame]").count() == 0, f"/{path}: a canvas grid"
    tables = main.locator(".data-table table")
    for i in range(tables.count()):
        header = tables.nth(i).locator("thead th")
        # text_content: a table in a closed expander has no rendered text, yet is in the page.
        assert header.count() > 0 and header.first.text_content().strip(), f"/{path}: table {i}"


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_signed_in(a11y_app, web, axe_source, lang):
    """Every page as hub staff see it (names, staff banner, the staff pages' forms): signed
    in once, then through the navigation, as staff move between pages."""
    sign_in(web, a11y_app, PASSWORD)
    if lang == "ro":
        web.locator("[data-testid=stSidebar] button", has_text="Română").click()
        web.get_by_text("Autentificat ca Ana").wait_for(timeout=30_000)
    problems: list[str] = []
    # The presentation hides the menu (a projector shows only the slide): it comes last.
    walk = STAFF + sorted(PUBLIC, key=lambda path: path == "presentation")
    for path in walk:
        # The menu links the default page as the app's root.
        href = f"{a11y_app}/" if path == DEFAULT else f"{a11y_app}/{path}"
        before = web.locator("[data-testid=stMain] h1").first.inner_text()
        web.locator(f"[data-testid=stSidebarNav] a[href='{href}']").click()
        web.wait_for_url(f"{href}*", timeout=30_000)
        # The new page's title, not the last page's still on screen.
        print(f"{lang}: /{path} after {before!r}")
        web.wait_for_function(
            """(before) => {
                 const h1 = document.querySelector('[data-testid=stMain] h1');
                 return h1 && h1.innerText !== before;
               }""",
            arg=before,
            timeout=60_000,
        )
        settle(web)
        assert web.locator("[data-testid=stException]").count() == 0, path
        found = violations(web, axe_source)
        if found:
            problems.append(described(f"/{path} ({lang}, signed in)", found))
        check_tables_are_text(web, path)
    assert not problems, "\n".join(problems)
    assert web.external_requests == []
