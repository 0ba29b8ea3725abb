"""SMEs' digital intensity: the four DII bands for Romania vs the EU and by size class, the
two index versions as separate series, and the pace that would reach 90% by 2030."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.kit import context, data, widgets
from dih_dash.charts.national import dii_bands_chart, size_class_chart, sme_path_chart
from dih_dash.domain.catalogue import DII_SIZES, dii_indicator_id
from dih_dash.domain.geo import EU_AGGREGATE, HOME, geo_name
from dih_dash.domain.national import (
    gap_to_target,
    latest_period,
    observed_pace,
    target_for,
    yearly_pace_needed,
)
from dih_dash.domain.provenance import source_line, source_name

tr = context.translator()
national_data = data.national()
catalogue = data.catalogue()

KPI_V3, KPI_V4 = "desi_sme_di3_gelo", "desi_sme_di4_gelo"
entry = catalogue[KPI_V3]
target = target_for(entry, national_data.targets)

st.title(tr("sme.title"))
st.caption(tr("sme.intro"))
st.warning(tr("sme.versions_warning"), icon=":material/warning:")

# --- headline: gap to the 90% target and the pace that would close it --------------------
path_points = national_data.rows_of(KPI_V3, KPI_V4)
path_points = path_points[path_points["geo"].isin([HOME, EU_AGGREGATE])]
columns = st.columns(2)
for column, geo in zip(columns, (HOME, EU_AGGREGATE), strict=True):
    year = latest_period(path_points, KPI_V3, geo)
    v3 = path_points[(path_points["indicator"] == KPI_V3) & (path_points["geo"] == geo)]
    latest = float(v3[v3["period"] == year].iloc[0]["value"]) if year else None
    with column, st.container(border=True):
        st.markdown(f"#### {geo_name(geo, tr.lang)}")
        if latest is None or target is None or year is None:
            st.caption(tr("common.no_data"))
            continue
        gap = gap_to_target(latest, target)
        needed = yearly_pace_needed(latest, year, target)
        seen = observed_pace(v3)
        st.metric(tr("sme.latest_v3", year=year), tr.pct(latest))
        st.markdown(
            "  \n".join(
                [
                    tr("sme.gap_to_target", gap=tr.pp(gap).lstrip("+"), target=tr.pct(target, 0)),
                    tr("sme.pace_needed", pace=tr.pp(needed) if needed is not None else "–"),
                    tr(
                        "sme.pace_seen",
                        pace=tr.pp(seen) if seen is not None else "–",
                        first=int(v3["period"].min()),
                        last=int(v3["period"].max()),
                    ),
                ]
            )
        )
path_note = source_line(
    tr, path_points["source"].unique(), path_points["period"], path_points["flag"]
)
romania_v3 = path_points[(path_points["indicator"] == KPI_V3) & (path_points["geo"] == HOME)]
pace_from = None
if not romania_v3.empty:
    last = romania_v3.sort_values("period").iloc[-1]
    pace_from = (int(last["period"]), float(last["value"]))
if target is not None:
    widgets.chart(
        lambda: sme_path_chart(
            path_points,
            tr,
            target=target,
            pace_from=pace_from,
            title=tr("sme.path_title"),
            source_note=path_note,
        ),
        key="sme_path",
        data=path_points,
    )

# --- the four bands, Romania vs EU -------------------------------------------------------------
st.subheader(tr("sme.bands_heading"))
version_label = {
    3: tr("charts.dii_version", version="v3"),
    4: tr("charts.dii_version", version="v4"),
}
band_ids = {f"dii{v}_{b}" for v in (3, 4) for b in ("vlo", "lo", "hi", "vhi")}
versions = sorted({int(i[3]) for i in set(national_data.by_indicator) & band_ids})
# A choice only when the data hold bands of both versions (the snapshot has version 3's;
# a refresh may add version 4's).
version = versions[0]
if len(versions) > 1:
    version = (
        st.segmented_control(
            tr("sme.index_version"),
            options=versions,
            format_func=lambda v: version_label[v],
            default=int(
                context.query_value(
                    "version", lambda v: v.isdigit() and int(v) in versions, str(versions[0])
                )
            ),
            key=context.widget_key("sme_version"),
        )
        or versions[0]
    )
context.set_query(version=str(version) if len(versions) > 1 else None)
bands = national_data.rows_of(*(f"dii{version}_{b}" for b in ("vlo", "lo", "hi", "vhi")))
bands = bands[bands["geo"].isin([HOME, EU_AGGREGATE])].copy()
bands["band"] = bands["indicator"].str.split("_").str[1]
bands_note = source_line(tr, bands["source"].unique(), bands["period"], bands["flag"])
widgets.chart(
    lambda: dii_bands_chart(
        bands,
        tr,
        title=tr("sme.bands_title", version=version_label[version]),
        source_note=bands_note,
    ),
    key="sme_bands",
    data=bands,
    state=(version,),
)

# --- by size class ------------------------------------------------------------------------------
st.subheader(tr("sme.sizes_heading"))
size_year = latest_period(path_points, KPI_V3, HOME)
size_rows = []
for size in ("10-49", "50-249", "10-249", "GE250", "GE10"):
    indicator_id = dii_indicator_id(3, "gelo", size)
    rows = national_data.rows_of(indicator_id)
    part = rows[(rows["period"] == size_year) & rows["geo"].isin([HOME, EU_AGGREGATE])]
    size_rows.append(part.assign(size=size))
sizes = pd.concat(size_rows, ignore_index=True) if size_rows else pd.DataFrame()
if not sizes.empty:
    sizes_note = source_line(tr, sizes["source"].unique(), sizes["period"], sizes["flag"])
    widgets.chart(
        lambda: size_class_chart(
            sizes,
            tr,
            title=tr("sme.sizes_title", year=size_year),
            source_note=sizes_note,
            target=target,
        ),
        key="sme_sizes",
        data=sizes,
    )
    st.caption(tr("sme.sizes_note", sizes=", ".join(f"{s}: {tr(f'sizes.{s}')}" for s in DII_SIZES)))

# --- the data shown -------------------------------------------------------------------------------
st.subheader(tr("explorer.data_shown"))
shown = pd.concat(
    [path_points, bands.drop(columns=["band"]), sizes.drop(columns=["size"], errors="ignore")],
    ignore_index=True,
)
shown = shown.drop_duplicates(subset=["indicator", "geo", "period"]).sort_values(
    ["indicator", "geo", "period"]
)
# In the reader's words: the indicator's name, the country, the unit and the source as the
# charts say them (the codes stay in the Data & sources page's catalogue).
shown = pd.DataFrame(
    {
        tr("common.indicator"): [catalogue[i].label(tr.lang) for i in shown["indicator"]],
        tr("explorer.columns.country"): [geo_name(g, tr.lang) for g in shown["geo"]],
        tr("explorer.columns.period"): shown["period"].astype(int).to_numpy(),
        tr("explorer.columns.value"): shown["value"].to_numpy(),
        tr("explorer.columns.unit"): [
            tr(f"units.{u}") if tr.has(f"units.{u}") else u for u in shown["unit"]
        ],
        tr("explorer.columns.flag"): shown["flag"].to_numpy(),
        tr("explorer.columns.source"): [source_name(tr, s) for s in shown["source"]],
    }
)
widgets.table(shown, height=240)
widgets.downloads(
    shown, f"sme-digital-intensity-{tr.lang}", tr, notes={tr("common.source"): path_note}
)
