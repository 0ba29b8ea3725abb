"""Demo data or real data: one decision for the whole store.

The demo cohort (fictional members, their assessments and services) is shown only while the
hub has stored nothing real: once a real assessment or a real service is stored, every page,
slide and report shows real data only, so fictional companies never mix into the hub's own
figures (an SME slide of demo members beside real services, say). Pure.
"""

from __future__ import annotations

import pandas as pd


def _real(frame: pd.DataFrame) -> bool:
    if frame.empty:
        return False
    if "is_demo" not in frame.columns:
        return True
    return bool((~frame["is_demo"].fillna(False).astype(bool)).any())


def shows_real(assessments: pd.DataFrame, services: pd.DataFrame) -> bool:
    """Whether the store holds anything real (then the demo data is not shown at all)."""
    return _real(assessments) or _real(services)


def displayed(frame: pd.DataFrame, real: bool) -> pd.DataFrame:
    """`frame`'s real rows when `real`, else its demo rows (what `shows_real` decided)."""
    if "is_demo" not in frame.columns or frame.empty:
        return frame if real or frame.empty else frame.iloc[0:0]
    demo = frame["is_demo"].fillna(False).astype(bool)
    return frame[~demo if real else demo].reset_index(drop=True)
