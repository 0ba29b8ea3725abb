"""The floor for bench/pages.py: a bare Streamlit app drawing one Plotly chart of the same
data (the 27 member states on the SMEs' digital intensity KPI), with no dih-dash code."""

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "snapshot" / "isoc_e_dii.parquet"


@st.cache_data
def load() -> pd.DataFrame:
    frame = pd.read_parquet(SNAPSHOT)
    rows = frame[(frame["indicator"] == "desi_sme_di3_gelo") & (frame["period"] == 2025)]
    return rows.sort_values("value", ascending=False)


rows = load()
st.plotly_chart(go.Figure(go.Bar(x=rows["geo"], y=rows["value"])), theme=None)
