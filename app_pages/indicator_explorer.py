"""Indicator explorer: one indicator, the 27 member states ranked, and Romania's series
beside the EU and chosen peers, with the 2030 target where one applies."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.kit import context, data, widgets
from dih_dash.charts.national import ranking_chart, series_chart
from dih_dash.domain.catalogue import DIMENSIONS
from dih_dash.domain.geo import EU27, EU_AGGREGATE, HOME, geo_name
from dih_dash.domain.national import ranking, target_for
from dih_dash.domain.provenance import source_line, source_name

tr = context.translator()
config = context.settings()
national_data = data.national()
catalogue = data.catalogue()

st.title(tr("explorer.title"))

available = set(national_data.by_indicator)
order = {d: i for i, d in enumerate(DIMENSIONS)}
choices = sorted(
    (e for e in catalogue if e.id in available),
    key=lambda e: (order[e.dimension], not e.kpi, e.label(tr.lang)),
)
ids = [e.id for e in choices]
default_id = "desi_sme_di3_gelo" if "desi_sme_di3_gelo" in ids else ids[0]
requested = st.query_params.get("indicator")
if requested and requested not in ids:
    # A link to a series the active data lack (e.g. DII version 4 bands before a refresh).
    known = requested in catalogue
    st.warning(
        tr(
            "explorer.no_data_for",
            indicator=catalogue[requested].label(tr.lang) if known else requested,
        )
    )
indicator_id = context.query_value("indicator", lambda v: v in ids, default_id)
if st.session_state.get(context.widget_key("explorer_indicator")) not in ids:
    st.session_state[context.widget_key("explorer_indicator")] = indicator_id

indicator_id = st.selectbox(
    tr("explorer.choose_indicator"),
    options=ids,
    format_func=lambda i: (
        f"{tr(f'dimensions.{catalogue[i].dimension}')} · {catalogue[i].label(tr.lang)}"
    ),
    key=context.widget_key("explorer_indicator"),
    help=tr("explorer.choose_help"),
)
entry = catalogue[indicator_id]
rows = national_data.rows_of(indicator_id)
periods = sorted(rows["period"].unique().tolist(), reverse=True)

left, right = st.columns([1, 2])
year_default = int(
    context.query_value("year", lambda v: v.isdigit() and int(v) in periods, str(periods[0]))
)
year = left.selectbox(
    tr("explorer.ranking_year"),
    options=periods,
    index=periods.index(year_default),
    key=context.widget_key("explorer_year"),
)
peer_options = [g for g in EU27 if g != HOME]
peers_default = context.query_list("peers", lambda g: g in peer_options, list(config.default_peers))
peers = right.multiselect(
    tr("explorer.peers"),
    options=peer_options,
    default=peers_default,
    format_func=lambda g: geo_name(g, tr.lang),
    key=context.widget_key("explorer_peers"),
)
context.set_query(indicator=indicator_id, year=str(year), peers=peers)

st.info(f"**{entry.label(tr.lang)}** — {entry.definition(tr.lang)}", icon=":material/info:")
if entry.note(tr.lang):
    st.caption(entry.note(tr.lang))

target = target_for(entry, national_data.targets)
ranks = ranking(rows, entry, int(year))
eu_row = rows[(rows["geo"] == EU_AGGREGATE) & (rows["period"] == year)]
eu_value = None if eu_row.empty else float(eu_row.iloc[0]["value"])
if entry.is_count:
    # The EU figure of a count is the EU's total: a line at 7,451 edge nodes over country
    # bars would read as an average no country comes near.
    eu_value = None
# An EU-wide target (500 unicorns) is not a bar a country should reach.
country_target = target if entry.target_level == "country" else None
ranking_note = source_line(tr, rows["source"].unique(), [int(year)], ranks["flag"])
if ranks.empty:
    st.warning(tr("explorer.no_member_states", year=year))
else:
    widgets.chart(
        lambda: ranking_chart(
            ranks,
            entry,
            tr,
            period=int(year),
            eu_value=eu_value,
            target=country_target,
            source_note=ranking_note,
        ),
        key="explorer_ranking",
        data=ranks.assign(indicator=entry.id, period=int(year)),
        state=(indicator_id, int(year)),
    )

# Countries beside the EU's total (counts) would put them at the bottom of an unreadable axis.
geos = [HOME, *peers] if entry.is_count else [HOME, EU_AGGREGATE, *peers]
series_rows = rows[rows["geo"].isin(geos)]
series_note = source_line(
    tr, series_rows["source"].unique(), series_rows["period"], series_rows["flag"]
)
if series_rows["period"].nunique() < 2:
    st.caption(tr("explorer.single_year"))
widgets.chart(
    lambda: series_chart(
        series_rows,
        {entry.id: entry},
        tr,
        geos=geos,
        target=country_target,
        source_note=series_note,
        title=tr("explorer.series_title", indicator=entry.label(tr.lang)),
    ),
    key="explorer_series",
    data=series_rows,
    state=(indicator_id, tuple(peers)),
)

st.subheader(tr("explorer.data_shown"))
shown = pd.concat(
    [
        ranks.assign(period=int(year))[["geo", "period", "value", "flag", "rank"]],
        series_rows[["geo", "period", "value", "flag"]],
    ],
    ignore_index=True,
).drop_duplicates(subset=["geo", "period"])
shown = shown.assign(
    indicator=entry.id,
    country=[geo_name(g, tr.lang) for g in shown["geo"]],
    unit=entry.unit,
    source=rows["source"].iloc[0] if not rows.empty else entry.source,
)[["indicator", "geo", "country", "period", "value", "unit", "flag", "rank", "source"]]
shown["rank"] = shown["rank"].astype("Int64")
shown["unit"] = tr(f"units.{entry.unit}") if tr.has(f"units.{entry.unit}") else entry.unit
shown["source"] = [source_name(tr, s) for s in shown["source"]]
shown = shown.rename(columns=lambda c: tr(f"explorer.columns.{c}"))
widgets.table(shown, height=240)
widgets.downloads(
    shown,
    f"{entry.id}-{tr.lang}",
    tr,
    notes={tr("common.source"): series_note, tr("common.indicator"): entry.label(tr.lang)},
)
