"""Chart builders: the right traces, Romania highlighted, the target and EU marked, the
source inside the figure, and the two DII versions never on one line."""

from __future__ import annotations

import pandas as pd
import pytest

from dih_dash.charts.national import (
    dii_bands_chart,
    place_labels,
    ranking_chart,
    series_chart,
    size_class_chart,
    sme_path_chart,
)
from dih_dash.charts.theme import ROMANIA, wrap
from dih_dash.i18n import Translator
from dih_dash.sources.reference import load_catalogue


@pytest.fixture
def catalogue():
    return load_catalogue()


def ranks() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "geo": ["FI", "EE", "RO"],
            "value": [94.04, 72.12, 44.34],
            "flag": ["", "d", ""],
            "rank": [1, 2, 3],
        }
    )


def test_ranking_chart_highlights_romania_and_marks_eu_and_target(catalogue):
    fig = ranking_chart(
        ranks(),
        catalogue["desi_sme_di3_gelo"],
        Translator("ro"),
        period=2025,
        eu_value=71.39,
        target=90.0,
        source_note="Sursa: Eurostat (isoc_e_dii) · anul datelor 2025",
    )
    bar = fig.data[0]
    assert list(bar.x) == ["Finlanda", "Estonia", "România"]
    assert bar.marker.color[2] == ROMANIA and bar.marker.color[0] != ROMANIA
    assert bar.text[2] == "44,3%" and bar.text[1] == "d"
    lines = {shape.y0 for shape in fig.layout.shapes}
    assert {71.39, 90.0} <= lines
    assert "isoc_e_dii" in fig.layout.title.subtitle.text
    assert fig.layout.separators == ",."


def points(rows):
    return pd.DataFrame(rows, columns=["indicator", "geo", "period", "value", "flag", "source"])


def test_sme_path_never_joins_versions():
    data = points(
        [
            ("desi_sme_di3_gelo", "RO", 2021, 22.23, "", "s"),
            ("desi_sme_di4_gelo", "RO", 2022, 52.49, "", "s"),
            ("desi_sme_di3_gelo", "RO", 2023, 26.78, "", "s"),
            ("desi_sme_di4_gelo", "RO", 2024, 69.10, "", "s"),
            ("desi_sme_di3_gelo", "RO", 2025, 44.34, "", "s"),
        ]
    )
    fig = sme_path_chart(
        data, Translator("en"), target=90, pace_from=(2025, 44.34), title="t", source_note="s"
    )
    series = [t for t in fig.data if t.name != "Straight path to the 2030 target"]
    assert len(series) == 2
    for trace in series:
        years = list(trace.x)
        assert all(y % 2 == years[0] % 2 for y in years), f"{trace.name} mixes odd and even years"
        # Measured every other year: points only, no line drawn through the years between.
        assert "lines" not in trace.mode, trace.name
    path = next(t for t in fig.data if t.name == "Straight path to the 2030 target")
    assert list(path.x) == [2025, 2030] and list(path.y) == [44.34, 90]


def test_series_chart_one_trace_per_geo(catalogue):
    data = points(
        [
            ("desi_dsk_bab", "RO", 2025, 31.84, "", "desi2026"),
            ("desi_dsk_bab", "EU27_2020", 2025, 60.39, "", "desi2026"),
            ("desi_dsk_bab", "BG", 2025, 35.0, "b", "desi2026"),
        ]
    )
    entry = catalogue["desi_dsk_bab"]
    fig = series_chart(
        data,
        {entry.id: entry},
        Translator("en"),
        geos=["RO", "EU27_2020", "BG", "PL"],
        target=80.0,
        source_note="Source: x",
        title="t",
    )
    assert [t.name for t in fig.data] == ["Romania", "EU average (EU-27)", "Bulgaria"]
    assert fig.data[2].customdata[0] == "b"


def test_bands_and_size_charts():
    bands = pd.DataFrame(
        {
            "geo": ["RO"] * 4,
            "period": [2025] * 4,
            "band": ["vlo", "lo", "hi", "vhi"],
            "value": [55.66, 30.0, 12.0, 2.34],
            "flag": [""] * 4,
        }
    )
    fig = dii_bands_chart(bands, Translator("ro"), title="t", source_note="s")
    assert [t.name for t in fig.data] == [
        "Foarte scăzut (0–3)",
        "Scăzut (4–6)",
        "Ridicat (7–9)",
        "Foarte ridicat (10–12)",
    ]
    assert fig.layout.barmode == "stack"
    sizes = pd.DataFrame(
        {
            "geo": ["RO", "EU27_2020"],
            "size": ["10-49", "10-49"],
            "value": [40.0, 70.0],
            "flag": ["", ""],
        }
    )
    fig = size_class_chart(sizes, Translator("en"), title="t", source_note="s", target=90)
    assert [t.name for t in fig.data] == ["Romania", "EU average (EU-27)"]


def test_wrap_breaks_long_titles():
    assert wrap("a b c", 3) == "a b<br>c"
    assert "<br>" not in wrap("short", 40)


# --- label placement on line charts ---------------------------------------------------------

POSITIONS = ("top center", "bottom center")
X_RANGE, Y_RANGE = (2020.5, 2025.5), (0.0, 100.0)


def test_labels_sit_above_a_flat_line_when_nothing_is_in_the_way():
    line = [(2021.0, 50.0), (2023.0, 50.0), (2025.0, 50.0)]
    placed = place_labels(
        [(line, ["50", "50", "50"], POSITIONS)], [], x_range=X_RANGE, y_range=Y_RANGE
    )
    assert placed == [["top center", "top center", "top center"]]


def test_a_line_through_the_label_moves_it_to_the_next_position():
    line = [(2021.0, 50.0), (2025.0, 50.0)]
    # A target line 4 points above: it would run through a label above the points.
    target = [(2020.5, 54.0), (2025.5, 54.0)]
    placed = place_labels(
        [(line, ["50", "50"], POSITIONS)], [target], x_range=X_RANGE, y_range=Y_RANGE
    )
    assert placed == [["bottom center", "bottom center"]]


def test_labels_never_overlap_and_give_up_when_every_position_is_taken():
    # Two series on the same points: the second's labels cannot go where the first's are.
    first = [(2023.0, 50.0)]
    second = [(2023.0, 50.5)]
    placed = place_labels(
        [(first, ["44,3%"], POSITIONS), (second, ["44,8%"], POSITIONS)],
        [],
        x_range=X_RANGE,
        y_range=Y_RANGE,
    )
    assert placed == [["top center"], ["bottom center"]]
    # Lines just above and below the point: no position is clear, the value stays in the hover.
    fenced = place_labels(
        [(first, ["44,3%"], POSITIONS)],
        [[(2020.5, 53.0), (2025.5, 53.0)], [(2020.5, 47.0), (2025.5, 47.0)]],
        x_range=X_RANGE,
        y_range=Y_RANGE,
    )
    assert fenced == [[None]]


def test_gap_chart_says_better_and_worse_in_words_and_marks_lower_is_better():
    from dih_dash.charts.national import kpi_gap_chart

    table = pd.DataFrame(
        {
            "indicator": ["a", "b", "c"],
            "gap": [-20.0, 5.0, -3.0],
            "period": [2025, 2025, 2024],
            # c: lower is better and Romania is lower, so its "better" bar points left.
            "better": [False, True, True],
        }
    )
    fig = kpi_gap_chart(
        table,
        {"a": "Skills", "b": "Coverage", "c": "Exposure"},
        Translator("en"),
        title="t",
        source_note="s",
        lower_is_better={"c"},
    )
    bars = {t.name: t for t in fig.data if "than the EU" in (t.name or "")}
    assert set(bars) == {"Better than the EU", "Worse than the EU"}
    assert list(bars["Better than the EU"].y) == ["↓ Exposure", "Coverage"]
    assert list(bars["Worse than the EU"].y) == ["Skills"]
    assert bars["Worse than the EU"].marker.pattern.shape == "/"
    assert any("lower is better" in (t.name or "") for t in fig.data)
    assert list(fig.layout.yaxis.categoryarray) == ["Skills", "↓ Exposure", "Coverage"]


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_peer_lines_are_not_faint_on_white():
    from dih_dash.charts.theme import PEER_COLOURS

    faint = [c for c in PEER_COLOURS if 1.05 / (_luminance(c) + 0.05) < 2.0]
    assert faint == [], "a peer's line a projector would wash out"
