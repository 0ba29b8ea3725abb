"""Progress between rounds: only members assessed in both rounds count; the change per
dimension (median and spread), the share that moved up a band, and (hub staff) each member;
for the kind chosen (SMEs, or public-sector organisations on their own six dimensions)."""

from __future__ import annotations

import streamlit as st

from app_pages.kit import context
from app_pages.kit.member import member_page
from dih_dash.charts.members import dumbbell_chart, members_text, progress_chart
from dih_dash.domain.cohort import band_moves, paired_assessments, progress_summary, sorted_waves
from dih_dash.exports.member_tables import progress_table
from dih_dash.text_safety import markdown_text

tr = context.translator()
config = context.settings()

st.title(tr("member_pages.progress.title"))
st.caption(tr("member_pages.progress.intro"))
page = member_page()
cohort = page.rows
waves = sorted_waves(cohort["wave"].unique())
if len(waves) < 2:
    st.info(tr("member_pages.progress.same_wave"))
    st.stop()

left, right = st.columns(2)
default_from = context.query_value(
    "from", lambda v: v in waves, "T0" if "T0" in waves else waves[0]
)
default_to = context.query_value("to", lambda v: v in waves, "T1" if "T1" in waves else waves[1])
wave_from = left.selectbox(
    tr("member_pages.progress.wave_from"),
    waves,
    index=waves.index(default_from),
    key="progress_from",
)
wave_to = right.selectbox(
    tr("member_pages.progress.wave_to"), waves, index=waves.index(default_to), key="progress_to"
)
context.set_query(**{"from": wave_from, "to": wave_to})
if wave_from == wave_to:
    st.warning(tr("member_pages.progress.same_wave"))
    st.stop()

state = (wave_from, wave_to)
paired = page.analysis(
    "paired", lambda: paired_assessments(cohort, wave_from, wave_to, kind=page.kind), *state
)
count = len(paired)
# Rounds come from the survey files: escaped wherever markdown shows them.
from_shown, to_shown = markdown_text(wave_from), markdown_text(wave_to)
st.markdown(
    tr("member_pages.progress.paired", members=f"**{members_text(tr, count)}**",
       wave_from=from_shown, wave_to=to_shown)
)  # fmt: skip
if page.rule.too_small(count):
    st.info(
        tr("member_pages.progress.too_few", members=members_text(tr, page.minimum)),
        icon=":material/lock:",
    )
    st.stop()

summary = page.analysis(
    "progress_summary", lambda: progress_summary(paired, kind=page.kind), *state
)
moves = page.analysis("band_moves", lambda: band_moves(paired, config.dma_band_bounds), *state)
overall = summary[summary["dimension"] == "dma_overall"]
metrics = st.columns(2)
metrics[0].metric(
    tr("member_pages.progress.moved_up"),
    tr.pct(moves.share_up),
    help=tr("member_pages.progress.moved_up_detail", up=moves.up, same=moves.same, down=moves.down),
)
if not overall.empty:
    metrics[1].metric(
        tr("member_pages.progress.median_overall"),
        # DMA scores are points on a 0-100 scale, not percentages: "points", not "pp".
        tr("member_pages.progress.points", change=tr.signed(overall.iloc[0]["median_change"])),
    )
page.chart(
    lambda: progress_chart(
        summary, tr, wave_from=wave_from, wave_to=wave_to, members=count, kind=page.kind
    ),
    key="progress_chart",
    data=summary,
    words=lambda shown: progress_table(shown, tr),
    state=state,
)
page.downloads(
    summary,
    f"progress-{wave_from}-{wave_to}-{tr.lang}",
    key="progress",
    words=lambda shown: progress_table(shown, tr),
)

if page.is_admin:
    st.subheader(
        tr("member_pages.progress.per_member_heading", wave_from=from_shown, wave_to=to_shown)
    )
    labels = [
        f"{n} ({m})" for n, m in zip(paired["company_name"], paired["member_id"], strict=True)
    ]
    # The page key names the audience: this figure is never a public one.
    page.chart(
        lambda: dumbbell_chart(
            paired, tr, wave_from=wave_from, wave_to=wave_to, labels=labels, kind=page.kind
        ),
        key="progress_dumbbell",
        data=paired,
        state=state,
    )
