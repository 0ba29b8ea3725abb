"""A chart's text alternative read from the figure: the summary sentence and the table of
values, for the kinds of chart the app draws (bars, lines, radar, heatmap, county map)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest

from dih_dash.charts.text_alternative import figure_text, plain, table_html
from dih_dash.i18n import Translator

EN, RO = Translator("en"), Translator("ro")


def test_horizontal_bars_name_lowest_and_highest():
    fig = go.Figure(
        go.Bar(x=[12.5, 40.0, 7.4], y=["Romania", "EU", "Bulgaria"], orientation="h", name="2024")
    )
    fig.update_layout(title={"text": "<b>Basic digital skills</b><br>share of people"})
    summary, table = figure_text(fig, EN)
    assert summary == (
        "Basic digital skills share of people. "
        "2024: 3 values, lowest 7.4 (Bulgaria), highest 40 (EU)."
    )
    assert list(table.columns) == ["Series", "Label", "Value"]
    assert table.values.tolist() == [
        ["2024", "Romania", 12.5],
        ["2024", "EU", 40.0],
        ["2024", "Bulgaria", 7.4],
    ]


def test_romanian_numbers_plurals_and_years():
    fig = go.Figure(
        [
            go.Scatter(x=[2019, 2020, 2021], y=[30.5, None, 44.0], name="România"),
            go.Scatter(x=list(range(2000, 2025)), y=list(range(25)), name="UE"),
        ]
    )
    summary, table = figure_text(fig, RO)
    # No title: the chart is still named; a gap is not a value; 25 takes "de".
    assert summary == (
        "Grafic. România: 2 valori, cea mai mică 30,5 (2019), cea mai mare 44 (2021). "
        "UE: 25 de valori, cea mai mică 0 (2000), cea mai mare 24 (2024)."
    )
    assert table["Etichetă"].tolist()[:3] == ["2019", "2020", "2021"]
    assert math.isnan(table["Valoare"].iloc[1])


def test_closed_radar_counts_each_dimension_once():
    dims = ["Strategy", "Readiness", "Human", "Strategy"]
    fig = go.Figure(
        [
            go.Scatterpolar(r=[40, 55, 61, 40], theta=dims, name="T0"),
            go.Scatterpolar(r=[48, 50, 70, 48], theta=dims, name="T1"),
        ]
    )
    summary, table = figure_text(fig, EN)
    assert "T0: 3 values, lowest 40 (Strategy), highest 61 (Human)." in summary
    assert "T1: 3 values, lowest 48 (Strategy), highest 70 (Human)." in summary
    assert len(table) == 6


def test_heatmap_rows_are_series():
    fig = go.Figure(
        go.Heatmap(z=[[10, 20], [30, None]], x=["Data", "Green"], y=["IT", "Food"], name="Score")
    )
    summary, table = figure_text(fig, EN)
    assert "Score: 3 values, lowest 10 (IT, Data), highest 30 (Food, Data)." in summary
    first = [["IT", "Data", 10.0], ["IT", "Green", 20.0], ["Food", "Data", 30.0]]
    assert table.values.tolist()[:3] == first
    assert len(table) == 4


def test_map_layers_in_one_colour_are_places_not_values():
    fig = go.Figure(
        [
            go.Choroplethmap(
                locations=["AB", "BV"], z=[0, 0], colorscale=[[0, "#eee"], [1, "#eee"]],
                name="No members", hovertext=["Alba: no members", "Brașov: no members"],
            ),
            go.Choroplethmap(locations=["CJ", "BH"], z=[62.5, 48.0], name="Median score"),
        ]
    )  # fmt: skip
    summary, table = figure_text(fig, EN)
    assert "No members: 2 places." in summary
    assert "Median score: 2 values, lowest 48 (BH), highest 62.5 (CJ)." in summary
    assert table["Label"].tolist() == ["Alba: no members", "Brașov: no members", "CJ", "BH"]
    assert table["Value"].isna().tolist() == [True, True, False, False]


def test_hidden_and_text_only_traces_are_left_out():
    fig = go.Figure(
        [
            go.Bar(x=["a"], y=[3], name="shown"),
            go.Bar(x=["b"], y=[4], name="off", visible=False),
            go.Scatter(x=["a"], y=["label"], mode="text", name="labels"),
        ]
    )
    summary, table = figure_text(fig, EN)
    assert summary == "Chart. shown: 3 (a)."
    assert table["Series"].tolist() == ["shown"]


@pytest.mark.parametrize("tr", [EN, RO])
def test_the_table_is_real_cells_in_the_language(tr):
    fig = go.Figure(go.Bar(x=["R&D <50%", "b"], y=[1234.5, None], name="A & B"))
    _, table = figure_text(fig, tr)
    markup = table_html(table, tr, caption="Cap")
    assert "R&amp;D &lt;50%" in markup
    assert "A &amp; B" in markup and "<caption>Cap</caption>" in markup
    assert markup.count('<th scope="col">') == 3 and markup.count("<tr>") == 3
    assert ("1.234,5" if tr.lang == "ro" else "1,234.5") in markup
    assert '<td class="num">–</td>' in markup


def test_plain_strips_plotly_markup():
    assert plain("A<br>b &amp; <i>c</i>") == "A b & c"
    assert plain(None) == ""
