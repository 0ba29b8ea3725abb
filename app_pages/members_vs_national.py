"""Members vs Romania vs EU: the share of members at least basic in digital intensity per
round, beside Romania's and the EU's SMEs and the 90% target; the same for the DII bands.

Public-sector organisations (`?kind=pso`) answer another instrument and have no DII:
their scores are never set against Eurostat's enterprise figures. For them the page says
why, and shows only their own DMA overall scores per round (bands and medians)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.kit import context, data
from app_pages.kit.member import MemberPage, member_page
from dih_dash.charts.members import dii_bands_chart, dma_band_chart, headline_chart, members_text
from dih_dash.domain.cohort import (
    cohort_size,
    dii_bands_by_wave,
    dii_share_by_wave,
    dimension_stats,
    dma_band_distribution,
    sorted_waves,
)
from dih_dash.domain.geo import EU_AGGREGATE, HOME
from dih_dash.domain.survey_schema import DMA_OVERALL
from dih_dash.exports.member_tables import (
    cohort_table,
    dii_bands_table,
    members_vs_national_table,
)
from dih_dash.text_safety import markdown_text


def public_sector_view(page: MemberPage, members: int) -> None:
    """The public-sector organisations' own DMA overall scores per round: no Eurostat
    figure (those describe enterprises) and no DII (an enterprise index)."""
    tr = page.tr
    st.info(tr("member_pages.headline.pso_not_comparable"), icon=":material/block:")
    st.caption(tr("member_pages.headline.pso_no_dii"))
    cohort = page.rows

    def overall_per_round() -> pd.DataFrame:
        stats = dimension_stats(cohort, kind="pso")
        stats = stats[stats["dimension"] == DMA_OVERALL].reset_index(drop=True)
        return page.groups(stats, value_columns=["members", "mean", "median"])

    overall = page.analysis("pso_overall", overall_per_round)
    shown_rounds = overall[~overall["suppressed"]]
    if not shown_rounds.empty:
        last = shown_rounds.iloc[-1]  # rounds come sorted, T0 first
        metrics = st.columns(2)
        metrics[0].metric(
            tr("member_pages.headline.pso_latest", wave=markdown_text(last["wave"])),
            tr.num(last["median"]),
        )
        metrics[1].metric(
            tr("member_pages.headline.pso_assessed", wave=markdown_text(last["wave"])),
            tr.num(last["members"], 0),
        )
    st.subheader(tr("member_pages.headline.pso_bands_heading"))
    bands = page.analysis(
        "pso_bands",
        lambda: page.groups(
            dma_band_distribution(cohort), value_columns=["members", "in_band", "share"]
        ),
    )
    page.chart(
        lambda: dma_band_chart(bands, tr, members=members, min_group=page.minimum, kind="pso"),
        key="members_pso_bands",
        data=bands,
        words=lambda shown: cohort_table(shown, tr),
    )
    st.subheader(tr("member_pages.headline.pso_table_heading"))
    if overall["suppressed"].any():
        page.withheld_note()
    # The audience's columns first (no mean for the public), then the translated names.
    table = page.public(overall[["wave", "members", "median", "mean"]])
    page.table(
        table.rename(columns=lambda c: tr(f"member_pages.headline.pso_columns.{c}")),
        counts=[tr("member_pages.headline.pso_columns.members")],
    )


tr = context.translator()

st.title(tr("member_pages.headline.title"))
# Filled once the kind is known: the comparison it describes is the SMEs' only.
intro = st.empty()
page = member_page()
intro.caption(
    tr("member_pages.headline.intro_pso" if page.is_pso else "member_pages.headline.intro")
)
cohort = page.rows
size = cohort_size(cohort)
minimum = page.minimum
waves = sorted_waves(cohort["wave"].unique())
st.caption(
    tr("member_pages.cohort_line", members=members_text(tr, size.members),
       assessments=size.assessments, waves=", ".join(markdown_text(w) for w in waves) or "–")
)  # fmt: skip
if page.is_pso:
    public_sector_view(page, size.members)
    st.stop()
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
tens = shares[shares["size_group"] == "10plus"]
metric_columns = st.columns(4)
hidden_latest = None
if not tens.empty:
    last = tens.iloc[-1]  # rounds come sorted, T0 first
    latest_label = tr("member_pages.headline.latest", wave=markdown_text(last["wave"]))
    if bool(last["suppressed"]):
        # The latest round stays the headline's, said hidden: falling back to an earlier
        # round without a word read as if that round were the latest.
        hidden_latest = str(last["wave"])
        metric_columns[0].metric(latest_label, tr("member_pages.headline.hidden_value"))
        metric_columns[3].metric(tr("member_pages.headline.gap"), "–")
    else:
        metric_columns[0].metric(latest_label, tr.pct(last["share"]))
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

if hidden_latest is not None:
    st.caption(
        tr(
            "member_pages.headline.latest_hidden",
            wave=markdown_text(hidden_latest),
            members=members_text(tr, minimum),
        )
    )

page.chart(
    lambda: headline_chart(shares, national, tr, members=size.members, min_group=minimum),
    key="members_headline",
    data=shares,
    words=lambda shown: members_vs_national_table(shown, national, tr),
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
    data=bands,
    words=lambda shown: dii_bands_table(shown, national_bands, tr),
)

st.subheader(tr("member_pages.headline.table_heading"))
shown = shares.drop(columns=["suppressed"]).copy()
shown["size_group"] = [tr(f"members.size_groups.{g}") for g in shown["size_group"]]
shown = shown.rename(columns=lambda c: tr(f"member_pages.headline.columns.{c}"))
page.table(
    shown,
    counts=[
        tr(f"member_pages.headline.columns.{c}") for c in ("assessed", "members", "at_least_basic")
    ],
)
# Each row names its own source (the hub's survey, or Eurostat) in the file itself.
page.downloads(
    shares,
    f"members-vs-national-{tr.lang}",
    key="headline",
    words=lambda shown: members_vs_national_table(shown, national, tr),
    notes={tr("member_pages.headline.national_licence"): tr("common.attribution")},
)
