"""The impact chart: one instrument per figure, the medians and the difference with its
interval where they are known, hidden groups without a marker but with their note, the source
line and the not-randomised note in both languages."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from dih_dash.charts.impact import impact_chart
from dih_dash.domain.disclosure import DisclosureRule
from dih_dash.domain.impact import impact_table, public_impact
from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.i18n import Translator

TEST, TRAINING, FUNDING, NETWORK = CATEGORIES
START = dt.date(2025, 6, 1)


def cohort() -> tuple[pd.DataFrame, pd.DataFrame]:
    """SMEs: six served in Test before invest (changes 10..15, median 12.5) and six never
    served (changes 0..5, median 2.5): difference 10. Two SMEs trained (changes 50, 60).
    PSOs: six served in Test before invest (changes 100..105) and five never served
    (changes −5..−1): a PSO change would stand out on the SME axis."""
    rows, services = [], []

    def member(member_id: str, kind: str, change: float) -> None:
        for wave, score, day in (("T0", 20.0, dt.date(2025, 3, 1)), ("T1", 20.0 + change, None)):
            rows.append(
                {
                    "member_id": member_id,
                    "company_name": f"Secret {member_id} SRL",
                    "org_type": kind,
                    "wave": wave,
                    "assessed_on": day,
                    "dma_overall": score,
                }
            )

    for i in range(6):
        member(f"SS{i}", "sme", 10.0 + i)
        services.append((f"SS{i}", TEST, START))
        member(f"SN{i}", "sme", float(i))
        member(f"PS{i}", "pso", 100.0 + i)
        services.append((f"PS{i}", TEST, START))
    for i in range(5):
        member(f"PN{i}", "pso", -5.0 + i)
    for i, change in enumerate((50.0, 60.0)):
        member(f"ST{i}", "sme", change)
        services.append((f"ST{i}", TRAINING, START))
    frame = pd.DataFrame(services, columns=["member_id", "category", "start_date"])
    return pd.DataFrame(rows), frame


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    assessments, services = cohort()
    return impact_table(assessments, services, resamples=300)


def trace(fig: go.Figure, meta: str) -> go.Scatter:
    found = [t for t in fig.data if t.meta == meta]
    assert len(found) == 1
    return found[0]


def hidden_notes(fig: go.Figure) -> dict[str, str]:
    return {
        a.name.removeprefix("hidden:"): a.text
        for a in fig.layout.annotations
        if (a.name or "").startswith("hidden:")
    }


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_one_instrument_per_figure(table, lang):
    tr = Translator(lang)
    sme = impact_chart(table, tr, instrument="sme", earlier="T0", later="T1")
    pso = impact_chart(table, tr, instrument="pso", earlier="T0", later="T1")
    # SMEs: changes up to 60; PSOs: from −5 to 105. Neither figure holds the other's.
    sme_x = [x for t in sme.data for x in t.x]
    pso_x = [x for t in pso.data for x in t.x]
    assert max(sme_x) < 100 and min(pso_x) < 0
    assert 102.5 in trace(pso, "served").x and 102.5 not in sme_x
    title = sme.layout.title.text
    assert ("IMM-uri" if lang == "ro" else "SMEs") in title
    assert "T0 → T1" in title
    subtitle = sme.layout.title.subtitle.text
    assert ("aleatoriu" if lang == "ro" else "not randomised") in subtitle.replace("<br>", " ")
    assert ("Sursa" if lang == "ro" else "Source") in subtitle


def test_medians_and_difference_with_interval(table):
    fig = impact_chart(table, Translator("en"), instrument="sme", earlier="T0", later="T1")
    served, other, difference = (trace(fig, m) for m in ("served", "not_served", "difference"))
    # Rows: 0 Test before invest, 1 Training; the medians sit just above and below the row.
    assert list(served.x) == [12.5, 55.0] and list(served.y) == [-0.15, 0.85]
    # The not-served group is the same for every category: its median on each row.
    assert list(other.x) == [2.5] * 4
    assert list(difference.x) == [10.0, 52.5] and list(difference.y) == [0, 1]
    # The figures are written beside their markers, for a projector without hover.
    assert list(served.text) == ["+12.5", "+55.0"] and list(difference.text) == ["+10.0", "+52.5"]
    tested = table[(table["instrument"] == "sme") & (table["category"] == TEST)].iloc[0]
    assert difference.error_x.array[0] == pytest.approx(tested["ci_high"] - 10.0)
    assert difference.error_x.arrayminus[0] == pytest.approx(10.0 - tested["ci_low"])
    assert fig.layout.xaxis.title.text == "Change in DMA points"
    assert fig.layout.xaxis2.title.text == "Change in DMA points"
    assert list(fig.layout.yaxis.ticktext) == [
        "Test before invest",
        "Training and skills<br>development",
        "Support to find<br>investment",
        "Innovation ecosystem<br>and networking",
    ]
    # The admin's view: categories nobody was served in say so, with no marker.
    notes = hidden_notes(fig)
    assert set(notes) == {FUNDING, NETWORK}
    assert all("nothing to compare" in n for n in notes.values())


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_hidden_groups_have_no_marker_but_a_note(table, lang):
    tr = Translator(lang)
    public = public_impact(table, DisclosureRule(5))
    fig = impact_chart(public, tr, instrument="sme", earlier="T0", later="T1", min_group=5)
    # Two trained SMEs: their group is hidden, its median (55) and difference (52.5) gone.
    assert list(trace(fig, "served").x) == [12.5]
    assert list(trace(fig, "difference").x) == [10.0]
    notes = hidden_notes(fig)
    assert set(notes) == {TRAINING, FUNDING, NETWORK}
    expected = "&lt; 5 membri – ascuns" if lang == "ro" else "&lt; 5 members – hidden"
    assert all(expected in n for n in notes.values())
    spec = json.dumps(fig.to_plotly_json(), default=str)
    assert "55.0" not in spec and "52.5" not in spec
    # The PSO comparison has five not served (shown) and six served: nothing hidden.
    pso = impact_chart(public, tr, instrument="pso", earlier="T0", later="T1", min_group=5)
    assert list(trace(pso, "difference").x) == [105.5]


def test_no_member_name_reaches_the_figure(table):
    for instrument in ("sme", "pso"):
        fig = impact_chart(
            public_impact(table, DisclosureRule(5)),
            Translator("ro"),
            instrument=instrument,
            earlier="T0",
            later="T1",
            min_group=5,
        )
        spec = json.dumps(fig.to_plotly_json(), default=str)
        assert "Secret" not in spec and "SS0" not in spec


def test_a_round_name_is_text_not_html(table):
    fig = impact_chart(table, Translator("en"), instrument="sme", earlier="<b>T0", later="T1")
    assert "<b>T0" not in fig.layout.title.text and "&lt;b&gt;T0" in fig.layout.title.text
