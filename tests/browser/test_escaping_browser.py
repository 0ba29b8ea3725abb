"""Escaped file text, rendered by the real stack (Streamlit's markdown, Plotly.js in
Chromium): it shows exactly the characters of the file, and no link or styling from it."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from support.processes import free_port, stop, streamlit_run, wait_healthy

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
MARKDOWN_VALUES = [
    '<a href="x">Evil</a> <b>SRL</b>',
    "**bold** _it_ `code` [link](http://x) <http://auto.link>",
    ":red[red] :material/home: :smile: $x^2$ ~~struck~~",
    "1. not a list",
    "# not a heading",
    "A&amp;B back\\slash",
]
PLOTLY_VALUES = ['<a href="x">Evil</a> <b>SRL</b>', "<span style='color:red'>IT & Co</span>"]

SCRIPT = textwrap.dedent(
    """
    import plotly.graph_objects as go
    import streamlit as st

    from dih_dash.text_safety import markdown_text, plotly_text

    MARKDOWN_VALUES = {markdown!r}
    PLOTLY_VALUES = {plotly!r}
    for number, value in enumerate(MARKDOWN_VALUES):
        st.markdown(f"value {{number}}: {{markdown_text(value)}}")
    st.error(f"error: {{markdown_text(MARKDOWN_VALUES[0])}}")
    figure = go.Figure(
        go.Bar(x=[plotly_text(v) for v in PLOTLY_VALUES], y=[1, 2],
               name=plotly_text(PLOTLY_VALUES[0]), showlegend=True)
    )
    figure.update_layout(title={{"text": plotly_text(PLOTLY_VALUES[1])}})
    st.plotly_chart(figure, theme=None)
    """
).format(markdown=MARKDOWN_VALUES, plotly=PLOTLY_VALUES)


@pytest.fixture
def escaped_page(tmp_path: Path, web: object) -> object:
    script = tmp_path / "escaping.py"
    script.write_text(SCRIPT, encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        streamlit_run(script, port),
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(process, base, lambda: "(its output is not kept)")
        web.goto(base)  # type: ignore[attr-defined]
        web.wait_for_selector(".xtick text", timeout=60_000)  # type: ignore[attr-defined]
        yield web
    finally:
        stop(process)


def test_markdown_and_plotly_show_the_file_text_as_it_is(escaped_page):
    page = escaped_page
    shown = page.locator('[data-testid="stMarkdownContainer"]').all_inner_texts()
    for number, value in enumerate(MARKDOWN_VALUES):
        assert f"value {number}: {value}" in [s.strip() for s in shown], (value, shown)
    assert f"error: {MARKDOWN_VALUES[0]}" in [s.strip() for s in shown]
    # Nothing from the values became an element: no link, bold, heading, list, maths.
    main = page.locator('[data-testid="stMain"]')
    for selector in ("a[href='x']", "a[href='http://x']", "b", "strong", "em", "h1", "ol",
                     "del", ".katex", "code"):  # fmt: skip
        assert main.locator(f"[data-testid='stMarkdownContainer'] {selector}").count() == 0, (
            selector
        )
    ticks = page.locator(".xtick text").all_text_contents()
    assert ticks == PLOTLY_VALUES
    assert page.locator(".gtitle").text_content() == PLOTLY_VALUES[1]
    assert page.locator(".legendtext").first.text_content() == PLOTLY_VALUES[0]
    assert page.locator(".main-svg a").count() == 0, "no link inside the chart"
