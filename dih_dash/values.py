"""Small facts about values shared by every layer."""

from __future__ import annotations

import math

import pandas as pd


def is_missing(value: object) -> bool:
    """None, pandas' NA or NaT, or a float NaN: "no value", whatever produced the frame."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)
