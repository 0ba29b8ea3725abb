"""DESI 2017–2022: Romania's overall and dimension scores and rank against the EU, from the
2022 edition's recalculated series (not the figures published in each of those years)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.kit import context, data, widgets
from dih_dash.charts.national import desi_score_chart
from dih_dash.domain.geo import EU_AGGREGATE, HOME
from dih_dash.domain.provenance import source_line

tr = context.translator()
national_data = data.national()
catalogue = data.catalogue()

SCORES = ["desi2022_overall", "desi2022_hc", "desi2022_conn", "desi2022_idt", "desi2022_dps"]

st.title(tr("desi.title"))
st.info(tr("desi.edition_label"), icon=":material/history:")

chosen = (
    st.segmented_control(
        tr("desi.score"),
        options=SCORES,
        format_func=lambda i: catalogue[i].label(tr.lang),
        default=context.query_value("score", lambda v: v in SCORES, SCORES[0]),
        key=context.widget_key("desi_score"),
    )
    or SCORES[0]
)
context.set_query(score=chosen)
entry = catalogue[chosen]

scores = national_data.rows_of(*SCORES)
points = scores[(scores["indicator"] == chosen) & scores["geo"].isin([HOME, EU_AGGREGATE])]
home_ranks = data.ranks_by_period(chosen)
home_ranks = home_ranks[home_ranks["geo"] == HOME]
ranks = dict(zip(home_ranks["period"].astype(int), home_ranks["rank"].astype(int), strict=True))
note = (
    source_line(tr, points["source"].unique(), points["period"])
    + " · "
    + tr("desi.period_is_edition")
)
widgets.chart(
    lambda: desi_score_chart(
        points,
        entry,
        tr,
        ranks=ranks,
        title=tr("desi.chart_title", score=entry.label(tr.lang)),
        source_note=note,
    ),
    key="desi_chart",
    data=points,
    state=(chosen,),
)

st.subheader(tr("desi.table_heading"))
columns: dict[str, pd.Series] = {}
for indicator in SCORES:
    short = tr(f"desi.short.{indicator}")
    ranked = data.ranks_by_period(indicator)
    home = ranked[ranked["geo"] == HOME].set_index("period")
    eu = scores[(scores["indicator"] == indicator) & (scores["geo"] == EU_AGGREGATE)]
    eu = eu.set_index("period")
    columns[f"{short} · {tr('common.romania')}"] = home["value"].round(2)
    columns[f"{short} · {tr('common.eu_average')}"] = eu["value"].round(2)
    columns[f"{short} · {tr('common.rank')}"] = home["rank"].astype("Int64")
shown = pd.DataFrame(columns).rename_axis(tr("charts.edition")).reset_index()
widgets.table(shown)
st.caption(tr("desi.published_differ"))
widgets.downloads(shown, f"desi-2022-edition-{tr.lang}", tr, notes={tr("common.source"): note})
