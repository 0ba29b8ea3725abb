"""The floor for bench/pages.py: a bare Streamlit app drawing one Plotly chart of the same
data (the 27 member states on the SMEs' digital intensity KPI), with no dih-dash code."""

import os
import sys
import time
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

started = time.perf_counter()
SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "snapshot" / "isoc_e_dii.parquet"


@st.cache_data
def load() -> pd.DataFrame:
    frame = pd.read_parquet(SNAPSHOT)
    rows = frame[(frame["indicator"] == "desi_sme_di3_gelo") & (frame["period"] == 2025)]
    return rows.sort_values("value", ascending=False)


rows = load()
st.plotly_chart(go.Figure(go.Bar(x=rows["geo"], y=rows["value"])), theme=None)
if os.environ.get("DIH_DASH_LOG_RUN_TIMES") == "1":  # the same line dih-dash's app.py writes
    ms = (time.perf_counter() - started) * 1000
    print(f"dih-dash run page=(bare) ms={ms:.1f}", file=sys.stderr, flush=True)
