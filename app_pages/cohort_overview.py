"""Cohort overview: members and assessments per round and cluster, DMA bands per round,
the six dimensions (radar and bars) by cluster, sector or size class, and a heatmap; for
the kind of member chosen (SMEs, or public-sector organisations with their own six
dimensions), never both in one figure."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.kit import context
from app_pages.kit.member import member_page
from dih_dash.charts.members import (
    RadarTrace,
    cohort_heatmap,
    dimension_bars,
    dimension_radar,
    dma_band_chart,
    members_text,
    round_colour,
)
from dih_dash.domain.cohort import (
    cohort_medians,
    cohort_size,
    counts_by_wave_and_cluster,
    dimension_matrix,
    dimension_stats,
    dma_band_distribution,
    member_matrix,
    sorted_waves,
)
from dih_dash.exports.member_tables import cohort_table
from dih_dash.text_safety import markdown_text

tr = context.translator()
config = context.settings()

st.title(tr("member_pages.cohort.title"))
st.caption(tr("member_pages.cohort.intro"))
page = member_page()
cohort = page.rows
kind = page.kind
size = cohort_size(cohort)
minimum = page.minimum
waves = sorted_waves(cohort["wave"].unique())
st.caption(
    tr("member_pages.cohort_line", members=members_text(tr, size.members),
       assessments=size.assessments, waves=", ".join(markdown_text(w) for w in waves) or "–")
)  # fmt: skip

# --- counts -----------------------------------------------------------------------------------
st.subheader(tr("member_pages.cohort.counts_heading"))
counts = page.analysis("counts", lambda: counts_by_wave_and_cluster(cohort))
if not page.is_admin:
    # Each cell is a group: a cluster, or a cluster in one round, with fewer members than
    # the minimum shows no count.
    # No assessment total beside the blanked counts: it would give them back by subtraction.
    counts = page.rule.counts(
        page.groups(counts).drop(columns=["suppressed", "assessments"]), waves
    )
    if counts[[*waves, "members"]].isna().any().any():
        page.withheld_note()
counts["cluster"] = counts["cluster"].fillna(tr("member_pages.profile.no_cluster"))
count_labels = {
    "members": tr("member_pages.cohort.members_column"),
    "assessments": tr("member_pages.cohort.assessments_column"),
}
page.table(
    counts.rename(columns={"cluster": tr("surveys.fields.cluster"), **count_labels}),
    # Every column but the cluster counts members or assessments (one per round).
    counts=[*waves, *count_labels.values()],
)

# --- DMA bands --------------------------------------------------------------------------------
st.subheader(tr("member_pages.cohort.bands_heading"))
distribution = page.analysis(
    "dma_bands",
    lambda: page.groups(
        dma_band_distribution(cohort), value_columns=["members", "in_band", "share"]
    ),
)
page.chart(
    lambda: dma_band_chart(distribution, tr, members=size.members, min_group=minimum, kind=kind),
    key="cohort_bands",
    data=distribution,
    words=lambda shown: cohort_table(shown, tr),
)
bounds = ", ".join(tr.num(b, 0) for b in config.dma_band_bounds)
# Everyone is told which bands are confirmed; only hub staff need the setting's name.
key = "member_pages.cohort.bands_note" if page.is_admin else "member_pages.cohort.bands_note_public"
st.caption(tr(key, bounds=bounds))

# --- the six dimensions -----------------------------------------------------------------------
st.subheader(tr("member_pages.cohort.dimensions_heading"))
left, right = st.columns(2)
# Public-sector organisations have no size class.
groupings = ["", "cluster", "sector"] if page.is_pso else ["", "cluster", "sector", "size_class"]
group_by = (
    left.segmented_control(
        tr("member_pages.cohort.group_by"),
        options=groupings,
        format_func=lambda g: (
            tr("member_pages.cohort.group_none") if not g else tr(f"surveys.fields.{g}")
        ),
        default=context.query_value("by", lambda v: v in groupings, ""),
        key=context.widget_key("cohort_by"),
    )
    or ""
)
statistics = page.rule.statistics
statistic = statistics[0]
if len(statistics) > 1:
    # Means of overlapping groups can be differenced into one member's score; the public
    # view keeps to medians (domain.disclosure, rule 3).
    statistic = (
        right.segmented_control(
            tr("member_pages.cohort.statistic"),
            options=list(statistics),
            format_func=lambda s: tr(f"members.statistic.{s}"),
            default=context.query_value("stat", lambda v: v in statistics, statistic),
            key=context.widget_key("cohort_stat"),
        )
        or statistic
    )
context.set_query(by=group_by or None, stat=statistic)

stats = page.analysis(
    "dimension_stats",
    lambda: page.groups(
        dimension_stats(cohort, by=group_by or None, kind=kind),
        value_columns=["members", "mean", "median"],
    ),
    group_by,
)
medians = page.analysis(
    "cohort_medians",
    lambda: {
        wave: cohort_medians(cohort, wave, kind=kind)
        for wave in waves
        if not page.rule.too_small(int((cohort["wave"] == wave).sum()))
    },
)
traces = [
    RadarTrace(
        tr("member_pages.profile.radar_cohort", wave=wave),
        values,
        "cohort",
        colour=round_colour(wave, waves),
    )
    for wave, values in medians.items()
]
page.chart(
    lambda: dimension_radar(traces, tr, waves=waves, members=size.members, kind=kind),
    key="cohort_radar",
    data=pd.DataFrame(
        [
            {"wave": wave, "dimension": dimension, "median": value}
            for wave, values in medians.items()
            for dimension, value in values.items()
        ],
        columns=["wave", "dimension", "median"],
    ),
    words=lambda shown: cohort_table(shown, tr),
)
page.chart(
    lambda: dimension_bars(
        stats,
        tr,
        members=size.members,
        statistic=statistic,
        by=group_by or None,
        min_group=minimum,
        kind=kind,
    ),
    key="cohort_bars",
    data=stats,
    words=lambda shown: cohort_table(shown, tr, group_by or None),
    state=(group_by, statistic),
)

# --- heatmap ----------------------------------------------------------------------------------
st.subheader(tr("member_pages.cohort.heatmap_heading"))
heat_wave = (
    st.selectbox(
        tr("member_pages.cohort.heatmap_wave"),
        options=waves,
        index=len(waves) - 1,
        key="cohort_heat_wave",
    )
    if waves
    else None
)
if heat_wave is not None:
    if page.is_admin:
        # Name and id: two members may share a name, and rows must never merge.
        labelled = cohort.assign(label=cohort["company_name"] + " (" + cohort["member_id"] + ")")
        matrix = page.analysis(
            "member_matrix",
            lambda: member_matrix(labelled, heat_wave, label_column="label", kind=kind),
            heat_wave,
        )
        st.caption(tr("member_pages.cohort.heatmap_members", wave=markdown_text(heat_wave)))
        by = None
    else:
        by = group_by or "cluster"
        matrix = page.analysis(
            "dimension_matrix",
            lambda: dimension_matrix(
                page.groups(
                    dimension_stats(cohort[cohort["wave"] == heat_wave], by=by, kind=kind),
                    value_columns=["members", "mean", "median"],
                ),
                statistic=statistic,
            ),
            heat_wave, by, statistic,
        )  # fmt: skip
    if matrix.empty:
        page.withheld_note()
    else:
        page.chart(
            lambda: cohort_heatmap(
                matrix,
                tr,
                waves=[heat_wave],
                by=by,
                members=int(cohort.loc[cohort["wave"] == heat_wave, "member_id"].nunique()),
                kind=kind,
            ),
            key="cohort_heatmap",
            data=matrix.reset_index(names="group"),
            words=lambda shown: cohort_table(shown, tr, by),
            state=(heat_wave, by, statistic),
        )
