"""Members vs Romania vs EU: the share of members at least basic in digital intensity per
round, beside Romania's and the EU's SMEs and the 90% target; the same for the DII bands."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from dih_dash.charts.members import dii_bands_chart, headline_chart, members_text
from dih_dash.domain.cohort import (
    cohort_size,
    dii_bands_by_wave,
    dii_share_by_wave,
    sorted_waves,
    suppress_small_groups,
)
from dih_dash.domain.geo import EU_AGGREGATE, HOME
from dih_dash.text_safety import markdown_text

tr = common.translator()

st.title(tr("member_pages.headline.title"))
st.caption(tr("member_pages.headline.intro"))
frame = common.members_frame()
if frame is None:
    st.stop()

cohort, cohort_key = common.selected_cohort(frame)
if not common.public_selection_ok(cohort, frame):
    st.stop()
note = common.survey_note(cohort)
size = cohort_size(cohort)
minimum = common.min_group()
waves = sorted_waves(cohort["wave"].unique())
st.caption(
    tr("member_pages.cohort_line", members=members_text(tr, size.members),
       assessments=size.assessments, waves=", ".join(markdown_text(w) for w in waves) or "–")
)  # fmt: skip
st.info(tr("member_pages.headline.instruments"), icon=":material/compare_arrows:")

national_data = common.national()
national = national_data.rows_of("desi_sme_di3_gelo")
national = national[national["geo"].isin([HOME, EU_AGGREGATE])]
shares = common.analysis(
    "dii_shares", (cohort_key, minimum),
    lambda: suppress_small_groups(
        dii_share_by_wave(cohort), "members", minimum,
        value_columns=["assessed", "members", "at_least_basic", "share", "gap_to_target"],
    ),
)  # fmt: skip

# Headline numbers: members (10+) in the latest round vs the latest national year.
latest_national = national.sort_values("period").groupby("geo").tail(1).set_index("geo")
tens = shares[(shares["size_group"] == "10plus") & ~shares["suppressed"]]
metric_columns = st.columns(4)
if not tens.empty:
    last = tens.iloc[-1]  # rounds come sorted, T0 first
    metric_columns[0].metric(
        tr("member_pages.headline.latest", wave=markdown_text(last["wave"])),
        tr.pct(last["share"]),
    )
    metric_columns[3].metric(
        tr("member_pages.headline.gap"), tr.pp(last["gap_to_target"]).lstrip("+")
    )
for column, geo, key in (
    (metric_columns[1], HOME, "romania"),
    (metric_columns[2], EU_AGGREGATE, "eu"),
):
    if geo in latest_national.index:
        row = latest_national.loc[geo]
        column.metric(
            tr(f"member_pages.headline.{key}", year=int(row["period"])), tr.pct(row["value"])
        )

common.chart(
    lambda: headline_chart(shares, national, tr, members=size.members, min_group=minimum),
    key="members_headline",
    note=note,
    data=common.public_data(
        pd.concat([shares.drop(columns=["suppressed"]), national], ignore_index=True)
    ),
    state=(cohort_key, minimum),
)

st.subheader(tr("member_pages.headline.bands_heading"))
bands = common.analysis(
    "dii_bands", (cohort_key, minimum),
    lambda: suppress_small_groups(
        dii_bands_by_wave(cohort), "members", minimum,
        value_columns=["members", "in_band", "share"],
    ),
)  # fmt: skip
national_bands = national_data.rows_of("dii3_vlo", "dii3_lo", "dii3_hi", "dii3_vhi")
national_bands = national_bands[national_bands["geo"].isin([HOME, EU_AGGREGATE])]
common.chart(
    lambda: dii_bands_chart(bands, national_bands, tr, members=size.members, min_group=minimum),
    key="members_bands",
    note=note,
    data=common.public_data(
        pd.concat([bands.drop(columns=["suppressed"]), national_bands], ignore_index=True)
    ),
    state=(cohort_key, minimum),
)

st.subheader(tr("member_pages.headline.table_heading"))
shown = shares.drop(columns=["suppressed"]).copy()
shown["size_group"] = [tr(f"members.size_groups.{g}") for g in shown["size_group"]]
shown = shown.rename(columns=lambda c: tr(f"member_pages.headline.columns.{c}"))
national_rows = national.assign(size_group=tr("sizes.10-249"))[
    ["geo", "period", "value", "flag", "source"]
]
common.table(
    shown,
    counts=[
        tr(f"member_pages.headline.columns.{c}") for c in ("assessed", "members", "at_least_basic")
    ],
)
common.downloads(
    pd.concat([shown, national_rows], ignore_index=True),
    f"members-vs-national-{tr.lang}",
    tr,
    notes={tr("common.source"): tr("common.attribution")},
    key="headline",
)
