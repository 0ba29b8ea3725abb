"""Members by county: an offline map of Romania's counties (no tiles, no CDN) with counts and
the median DMA score, for the kind of member chosen (SMEs or public-sector organisations);
counties below the minimum group size say only "fewer than N"."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.kit import context, data
from app_pages.kit.member import member_page
from dih_dash.charts.members import county_map, members_text
from dih_dash.domain.cohort import county_summary, sorted_waves
from dih_dash.exports.member_tables import cohort_table
from dih_dash.sources.reference import county_table

tr = context.translator()

st.title(tr("member_pages.counties.title"))
st.caption(tr("member_pages.counties.intro"))
page = member_page()
cohort = page.rows
minimum = page.minimum
waves = sorted_waves(cohort["wave"].unique())
if not waves:
    st.stop()
default = context.query_value("round", lambda v: v in waves, waves[-1])
wave = (
    st.segmented_control(
        tr("member_pages.counties.wave"), options=waves, default=default, key="counties_wave"
    )
    or waves[-1]
)
context.set_query(round=wave)

in_wave = cohort[cohort["wave"] == wave]
summary = page.analysis(
    "county_summary", lambda: county_summary(in_wave, minimum, county_table()), wave
)
page.chart(
    lambda: county_map(
        summary, data.county_geojson(), tr, waves=[wave],
        min_group=minimum if page.rule.is_public else None,
        members=int(in_wave["member_id"].nunique()), kind=page.kind,
    ),
    key="counties_map",
    data=summary,
    words=lambda shown: cohort_table(shown, tr),
    state=(wave,),
)  # fmt: skip
st.caption(tr("member_pages.counties.attribution"))

st.subheader(tr("member_pages.counties.table_heading"))
shown = summary.copy()
shown["median_dma_overall"] = [
    tr.num(v) if pd.notna(v) else "–" for v in shown["median_dma_overall"]
]
shown["members"] = [
    tr("members.privacy.hidden_group", members=members_text(tr, minimum)) if hidden else str(int(n))
    for hidden, n in zip(shown["suppressed"], shown["members"].fillna(0), strict=True)
]
page.table(
    shown[["county_name", "members", "median_dma_overall"]].rename(
        columns={
            "county_name": tr("member_pages.filters.county"),
            "members": tr("member_pages.counties.members_column"),
            "median_dma_overall": tr("member_pages.profile.dma_overall"),
        }
    ),
)
