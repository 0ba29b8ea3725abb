"""Members vs Romania vs EU: the share of members at least basic in digital intensity per
round, beside Romania's and the EU's SMEs and the 90% target; the same for the DII bands."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.kit import context, data, widgets
from app_pages.kit.member import member_page
from dih_dash.charts.members import dii_bands_chart, headline_chart, members_text
from dih_dash.domain.cohort import (
    cohort_size,
    dii_bands_by_wave,
    dii_share_by_wave,
    sorted_waves,
)
from dih_dash.domain.geo import EU_AGGREGATE, HOME
from dih_dash.text_safety import markdown_text

tr = context.translator()

st.title(tr("member_pages.headline.title"))
st.caption(tr("member_pages.headline.intro"))
page = member_page()
cohort = page.rows
size = cohort_size(cohort)
minimum = page.minimum
waves = sorted_waves(cohort["wave"].unique())
st.caption(
    tr("member_pages.cohort_line", members=members_text(tr, size.members),
       assessments=size.assessments, waves=", ".join(markdown_text(w) for w in waves) or "–")
)  # fmt: skip
st.info(tr("member_pages.headline.instruments"), icon=":material/compare_arrows:")

national_data = data.national()
national = national_data.rows_of("desi_sme_di3_gelo")
national = national[national["geo"].isin([HOME, EU_AGGREGATE])]
shares = page.analysis(
    "dii_shares",
    lambda: page.groups(
        dii_share_by_wave(cohort),
        value_columns=["assessed", "members", "at_least_basic", "share", "gap_to_target"],
    ),
)

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

page.chart(
    lambda: headline_chart(shares, national, tr, members=size.members, min_group=minimum),
    key="members_headline",
    data=pd.concat([shares.drop(columns=["suppressed"]), national], ignore_index=True),
)

st.subheader(tr("member_pages.headline.bands_heading"))
bands = page.analysis(
    "dii_bands",
    lambda: page.groups(dii_bands_by_wave(cohort), value_columns=["members", "in_band", "share"]),
)
national_bands = national_data.rows_of("dii3_vlo", "dii3_lo", "dii3_hi", "dii3_vhi")
national_bands = national_bands[national_bands["geo"].isin([HOME, EU_AGGREGATE])]
page.chart(
    lambda: dii_bands_chart(bands, national_bands, tr, members=size.members, min_group=minimum),
    key="members_bands",
    data=pd.concat([bands.drop(columns=["suppressed"]), national_bands], ignore_index=True),
)

st.subheader(tr("member_pages.headline.table_heading"))
shown = shares.drop(columns=["suppressed"]).copy()
shown["size_group"] = [tr(f"members.size_groups.{g}") for g in shown["size_group"]]
shown = shown.rename(columns=lambda c: tr(f"member_pages.headline.columns.{c}"))
national_rows = national.assign(size_group=tr("sizes.10-249"))[
    ["geo", "period", "value", "flag", "source"]
]
page.table(
    shown,
    counts=[
        tr(f"member_pages.headline.columns.{c}") for c in ("assessed", "members", "at_least_basic")
    ],
)
widgets.downloads(
    page.public(pd.concat([shown, national_rows], ignore_index=True)),
    f"members-vs-national-{tr.lang}",
    tr,
    notes={tr("common.source"): tr("common.attribution")},
    key="headline",
)
