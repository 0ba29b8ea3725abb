"""`widgets.chart` puts the chart's text alternative under it: the summary sentence and a
real HTML table of its values, in the interface language."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def _chart_script(lang: str) -> None:
    import plotly.graph_objects as go
    import streamlit as st

    from app_pages.kit import widgets

    st.session_state["lang"] = lang
    st.query_params["lang"] = lang

    def build() -> go.Figure:
        fig = go.Figure(go.Bar(x=["Cluj", "Bihor"], y=[61.5, 48.0], name="Median"))
        return fig.update_layout(title={"text": "Members' score"})

    widgets.chart(build, key="test-chart")


@pytest.mark.parametrize(
    ("lang", "heading", "sentence", "cell"),
    [
        ("en", "Chart data (text)", "Median: 2 values, lowest 48 (Bihor), highest 61.5 (Cluj).",
         '<td class="num">61.5</td>'),
        ("ro", "Datele graficului (text)",
         "Median: 2 valori, cea mai mică 48 (Bihor), cea mai mare 61,5 (Cluj).",
         '<td class="num">61,5</td>'),
    ],
)  # fmt: skip
def test_every_chart_has_its_text_alternative(lang, heading, sentence, cell):
    at = AppTest.from_function(_chart_script, args=(lang,), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    bodies = [e.proto.body for e in at.get("html")]
    assert len(bodies) == 1, "one text alternative under the one chart"
    body = bodies[0]
    assert f"<summary>{heading}</summary>" in body
    assert f"<p>Members&#x27; score. {sentence}</p>" in body
    assert "<table>" in body and "<td>Cluj</td>" in body and cell in body


def test_a_slide_can_keep_it_off_screen_but_readable():
    import plotly.graph_objects as go

    from app_pages.kit.widgets import chart_text
    from dih_dash.i18n import Translator

    fig = go.Figure(go.Bar(x=["a"], y=[1.0], name="A"))
    shown = chart_text(fig, Translator("en"))
    offscreen = chart_text(fig, Translator("en"), on_screen=False)
    assert (
        'class="chart-text"' in shown and "chart-text-offscreen" not in shown.split("</style>")[1]
    )
    assert 'class="chart-text chart-text-offscreen"' in offscreen
    # Still the same text for a screen reader.
    assert (
        offscreen.split("<details")[1].split(">", 1)[1]
        == shown.split("<details")[1].split(">", 1)[1]
    )
