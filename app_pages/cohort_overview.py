"""Cohort overview: members and assessments per round and cluster, DMA bands per round,
the six dimensions (radar and bars) by cluster, sector or size class, and a heatmap."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from dih_dash.charts.members import (
    RadarTrace,
    cohort_heatmap,
    dimension_bars,
    dimension_radar,
    dma_band_chart,
    members_text,
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
    suppress_small_groups,
)
from dih_dash.text_safety import markdown_text

tr = common.translator()
config = common.settings()

st.title(tr("member_pages.cohort.title"))
st.caption(tr("member_pages.cohort.intro"))
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
state = (cohort_key, minimum)
st.caption(
    tr("member_pages.cohort_line", members=members_text(tr, size.members),
       assessments=size.assessments, waves=", ".join(markdown_text(w) for w in waves) or "–")
)  # fmt: skip

# --- counts -----------------------------------------------------------------------------------
st.subheader(tr("member_pages.cohort.counts_heading"))
counts = common.analysis("counts", state, lambda: counts_by_wave_and_cluster(cohort))
if not common.is_admin():
    # Each cell is a group: a cluster, or a cluster in one round, with fewer members than
    # the minimum shows no count.
    # No assessment total beside the blanked counts: it would give them back by subtraction.
    counts = suppress_small_groups(counts, "members", minimum).drop(
        columns=["suppressed", "assessments"]
    )
    for wave in waves:
        counts[wave] = counts[wave].astype("Int64").mask(counts[wave] < minimum)
    if counts[[*waves, "members"]].isna().any().any():
        st.caption(tr("members.privacy.hidden_group", members=members_text(tr, minimum)))
counts["cluster"] = counts["cluster"].fillna(tr("member_pages.profile.no_cluster"))
count_labels = {
    "members": tr("member_pages.cohort.members_column"),
    "assessments": tr("member_pages.cohort.assessments_column"),
}
common.table(
    counts.rename(columns={"cluster": tr("surveys.fields.cluster"), **count_labels}),
    # Every column but the cluster counts members or assessments (one per round).
    counts=[*waves, *count_labels.values()],
)

# --- DMA bands --------------------------------------------------------------------------------
st.subheader(tr("member_pages.cohort.bands_heading"))
distribution = common.analysis(
    "dma_bands", state,
    lambda: suppress_small_groups(
        dma_band_distribution(cohort), "members", minimum,
        value_columns=["members", "in_band", "share"],
    ),
)  # fmt: skip
common.chart(
    lambda: dma_band_chart(distribution, tr, members=size.members, min_group=minimum),
    key="cohort_bands",
    note=note,
    data=common.public_data(distribution.drop(columns=["suppressed"])),
    state=state,
)
bounds = ", ".join(tr.num(b, 0) for b in config.dma_band_bounds)
# Everyone is told which bands are confirmed; only hub staff need the setting's name.
key = (
    "member_pages.cohort.bands_note"
    if common.is_admin()
    else "member_pages.cohort.bands_note_public"
)
st.caption(tr(key, bounds=bounds))

# --- the six dimensions -----------------------------------------------------------------------
st.subheader(tr("member_pages.cohort.dimensions_heading"))
left, right = st.columns(2)
groupings = ["", "cluster", "sector", "size_class"]
group_by = (
    left.segmented_control(
        tr("member_pages.cohort.group_by"),
        options=groupings,
        format_func=lambda g: (
            tr("member_pages.cohort.group_none") if not g else tr(f"surveys.fields.{g}")
        ),
        default=common.query_value("by", lambda v: v in groupings, ""),
        key=common.widget_key("cohort_by"),
    )
    or ""
)
statistic = "median"
if common.is_admin():
    # Means of overlapping groups can be differenced into one member's score; the public
    # view keeps to medians (domain.cohort, rule 3).
    statistic = (
        right.segmented_control(
            tr("member_pages.cohort.statistic"),
            options=["median", "mean"],
            format_func=lambda s: tr(f"members.statistic.{s}"),
            default=common.query_value("stat", lambda v: v in ("median", "mean"), "median"),
            key=common.widget_key("cohort_stat"),
        )
        or "median"
    )
common.set_query(by=group_by or None, stat=statistic)

stats = common.analysis(
    "dimension_stats", (*state, group_by),
    lambda: suppress_small_groups(
        dimension_stats(cohort, by=group_by or None), "members", minimum,
        value_columns=["members", "mean", "median"],
    ),
)  # fmt: skip
medians = common.analysis(
    "cohort_medians", state,
    lambda: {
        wave: cohort_medians(cohort, wave)
        for wave in waves
        if (cohort["wave"] == wave).sum() >= minimum
    },
)  # fmt: skip
traces = [
    RadarTrace(tr("member_pages.profile.radar_cohort", wave=wave), values, "cohort")
    for wave, values in medians.items()
]
common.chart(
    lambda: dimension_radar(traces, tr, waves=waves, members=size.members),
    key="cohort_radar",
    note=note,
    data=common.public_data(pd.DataFrame({t.label: pd.Series(t.values) for t in traces})),
    state=state,
)
common.chart(
    lambda: dimension_bars(
        stats, tr, members=size.members, statistic=statistic, by=group_by or None, min_group=minimum
    ),
    key="cohort_bars",
    note=note,
    data=common.public_data(stats.drop(columns=["suppressed"])),
    state=(*state, group_by, statistic),
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
    if common.is_admin():
        # Name and id: two members may share a name, and rows must never merge.
        labelled = cohort.assign(label=cohort["company_name"] + " (" + cohort["member_id"] + ")")
        matrix = common.analysis(
            "member_matrix", (*state, heat_wave),
            lambda: member_matrix(labelled, heat_wave, label_column="label"),
        )  # fmt: skip
        st.caption(tr("member_pages.cohort.heatmap_members", wave=markdown_text(heat_wave)))
        by = None
    else:
        by = group_by or "cluster"
        matrix = common.analysis(
            "dimension_matrix", (*state, heat_wave, by, statistic),
            lambda: dimension_matrix(
                suppress_small_groups(
                    dimension_stats(cohort[cohort["wave"] == heat_wave], by=by), "members",
                    minimum, value_columns=["members", "mean", "median"],
                ),
                statistic=statistic,
            ),
        )  # fmt: skip
    if matrix.empty:
        st.caption(tr("members.privacy.hidden_group", members=members_text(tr, minimum)))
    else:
        common.chart(
            lambda: cohort_heatmap(
                matrix,
                tr,
                waves=[heat_wave],
                by=by,
                members=int(cohort.loc[cohort["wave"] == heat_wave, "member_id"].nunique()),
            ),
            key="cohort_heatmap",
            note=note,
            data=common.public_data(matrix.reset_index(names=tr("member_pages.cohort.group_by"))),
            state=(*state, heat_wave, by, statistic, common.is_admin()),
        )
