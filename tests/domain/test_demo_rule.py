"""Demo or real: one decision for the whole store (dih_dash/domain/demo_rule.py)."""

from __future__ import annotations

import pandas as pd

from dih_dash.domain.demo_rule import displayed, shows_real


def frame(*demo: bool) -> pd.DataFrame:
    return pd.DataFrame({"id": range(len(demo)), "is_demo": list(demo)})


def test_anything_real_hides_every_demo_row():
    demo_members, no_services = frame(True, True), frame()
    assert not shows_real(demo_members, no_services)
    assert shows_real(demo_members, frame(True, False)), "a real service is enough"
    assert shows_real(frame(True, False), frame(True)), "a real assessment is enough"


def test_displayed_keeps_the_rows_the_decision_says():
    mixed = frame(True, False, True)
    assert displayed(mixed, real=True)["id"].tolist() == [1]
    assert displayed(mixed, real=False)["id"].tolist() == [0, 2]
    # Real data stored elsewhere: the demo services are not shown, even with no real ones.
    assert displayed(frame(True, True), real=True).empty
    assert displayed(frame(), real=True).empty
