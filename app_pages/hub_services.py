"""Services delivered: how many services and distinct customers, by category, month, kind,
cluster and county, and the hub's own targets (config/kpis.toml) with their progress and
the monthly pace still needed, as the national pages show the pace to 2030.

Public: counts only, never a customer's or member's name or a price; a cluster or county
with fewer customers than the minimum group is blanked, and with it the next-smallest
while the totals would give it back (`disclosure.suppress_complement`). Staff also see
the customers not yet linked to a member, with a link to the page that links them, and the
total price.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.kit import access, context, data, widgets
from dih_dash.charts.services import kpi_chart, services_chart, services_source, value_label
from dih_dash.domain.disclosure import suppress_complement
from dih_dash.domain.services_summary import (
    DIMENSIONS,
    KpiTarget,
    customer_ids,
    kpi_progress,
    kpi_state,
    services_by,
)
from dih_dash.sources.kpis import KpiFileError, load_kpi_targets
from dih_dash.text_safety import markdown_text

tr = context.translator()
config = context.settings()
admin = access.is_admin()
rule = access.disclosure_rule()

st.title(tr("hub_services.title"))
access.staff_view_banner()
st.caption(tr("hub_services.intro"))

services = data.services()
version = data.members_version()
key = (config.database_url, version)
assessments = data.analysis(
    "hub_services.assessments",
    key,
    lambda: data.shown_assessments(*key),
)
demo = bool(services["is_demo"].any()) or (
    services.empty and not assessments.empty and bool(assessments["is_demo"].any())
)
if demo:
    st.warning(tr("hub_services.demo_banner"), icon=":material/science:")
source_note = services_source(tr, len(services), demo=demo)

# --- headline ---------------------------------------------------------------------------------
if services.empty:
    st.info(tr("hub_services.no_services"), icon=":material/inbox:")
    if admin:
        st.caption(tr("hub_services.no_services_admin"))
        st.page_link("app_pages/upload.py", label=tr("nav.upload"), icon=":material/upload:")
else:
    customers = data.analysis(
        "hub_services.customers", key, lambda: int(customer_ids(services).nunique())
    )
    columns = st.columns(4 if admin else 2)
    columns[0].metric(tr("hub_services.metrics.services"), tr.num(len(services), 0))
    columns[1].metric(tr("hub_services.metrics.customers"), tr.num(customers, 0))
    if admin:
        # From the services shown (real, or demo while there are none), not the whole store.
        unlinked = int(services.loc[services["member_id"].isna(), "customer_key"].nunique())
        columns[2].metric(
            tr("hub_services.metrics.unlinked"),
            tr.num(unlinked, 0),
            help=tr("hub_services.metrics.unlinked_help"),
        )
        columns[3].metric(
            tr("hub_services.metrics.price_total"), tr.num(float(services["price_eur"].sum()), 2)
        )
        if unlinked:
            st.page_link(
                "app_pages/service_links.py",
                label=tr("hub_services.metrics.link_page"),
                icon=":material/link:",
            )

# --- the hub's targets ------------------------------------------------------------------------
st.subheader(tr("hub_services.kpi.heading"))
st.caption(tr("hub_services.kpi.intro"))


def read_targets(path: Path) -> list[KpiTarget] | str:
    """The targets, or the error message (cached per file version: the hub edits it)."""
    stamp = path.stat().st_mtime_ns if path.is_file() else None

    def load() -> list[KpiTarget] | str:
        try:
            return load_kpi_targets(path)
        except KpiFileError as exc:
            return str(exc)

    return data.analysis("hub_services.targets", (str(path), stamp), load)


targets = read_targets(config.kpis_file)
if admin:
    st.caption(tr("hub_services.kpi.file_note", file=f"`{config.kpis_file}`"))
today = dt.date.today()
if isinstance(targets, str):
    if admin:
        st.error(
            tr("hub_services.kpi.error", error=markdown_text(targets)), icon=":material/error:"
        )
    else:
        st.info(tr("hub_services.kpi.error_public"), icon=":material/info:")
elif not targets:
    st.info(tr("hub_services.kpi.none"))
else:
    progress = data.analysis(
        "hub_services.kpi_progress",
        (*key, tuple(targets), today),
        lambda: kpi_progress(targets, services, assessments, today),
    )
    label_column = "label_ro" if tr.lang == "ro" else "label_en"
    per_row = 3
    for first in range(0, len(progress), per_row):
        columns = st.columns(per_row)
        for column, (_, kpi) in zip(
            columns, progress.iloc[first : first + per_row].iterrows(), strict=False
        ):
            with column, st.container(border=True):
                st.markdown(f"**{markdown_text(kpi[label_column])}**")
                share = float(kpi["share"])
                st.progress(
                    min(max(share / 100, 0.0), 1.0),
                    text=tr(
                        "hub_services.kpi.progress",
                        achieved=tr.num(int(kpi["achieved"]), 0),
                        target=tr.num(float(kpi["target"]), 0),
                        share=tr.pct(share, 0),
                    ),
                )
                lines = [
                    tr(
                        "hub_services.kpi.end",
                        date=tr.date(kpi["end_date"]),
                        months=tr.num(int(kpi["months_left"]), 0),
                    )
                ]
                state = kpi_state(
                    bool(kpi["reached"]), kpi["end_date"], float(kpi["monthly_pace"]), today
                )
                remaining = tr.num(float(kpi["target"]) - int(kpi["achieved"]), 0)
                if state == "reached":
                    lines.append(f":green[{tr('hub_services.kpi.reached')}]")
                elif state == "ended":
                    lines.append(
                        tr(
                            "hub_services.kpi.ended",
                            end=tr.date(kpi["end_date"]),
                            remaining=remaining,
                        )
                    )
                elif state == "last_month":
                    lines.append(tr("hub_services.kpi.last_month", remaining=remaining))
                else:
                    lines.append(
                        tr("hub_services.kpi.pace_needed", pace=tr.num(kpi["monthly_pace"], 1))
                    )
                st.markdown("  \n".join(lines))
    kpi_note = tr("hub_services.kpi.source", date=tr.date(today))
    if demo:
        kpi_note += f" · {tr('hub_services.demo_source')}"
    kpi_table = pd.DataFrame(
        {
            tr("hub_services.kpi.table_kpi"): progress[label_column],
            tr("hub_services.kpi.table_target"): progress["target"],
            tr("hub_services.kpi.table_achieved"): progress["achieved"],
            tr("hub_services.kpi.table_share"): progress["share"].round(1),
            tr("hub_services.kpi.table_end"): progress["end_date"],
            tr("hub_services.kpi.table_months"): progress["months_left"],
            tr("hub_services.kpi.table_pace"): progress["monthly_pace"].round(1),
            tr("hub_services.kpi.table_reached"): progress["reached"].map(
                {True: tr("hub_services.kpi.yes"), False: tr("hub_services.kpi.no")}
            ),
        }
    )
    widgets.chart(
        lambda: kpi_chart(progress, tr, source_note=kpi_note),
        key="hub_services_kpis",
        state=(version, tuple(targets), today, demo),
        data=kpi_table,
    )

# --- by category, month, kind, cluster and county -------------------------------------------
if not services.empty:
    st.subheader(tr("hub_services.breakdown_heading"))
    st.caption(tr("hub_services.customers_note"))
    counties = data.county_names()
    tabs = st.tabs([tr(f"hub_services.tabs.{d}") for d in DIMENSIONS])
    for tab, dimension in zip(tabs, DIMENSIONS, strict=True):
        table = data.analysis(
            "hub_services.by", (*key, dimension), lambda d=dimension: services_by(
                services, assessments, d
            )
        )  # fmt: skip
        if dimension in ("cluster", "county"):
            # A small group of a place, with the member pages' county and cluster counts,
            # could point at one member: the public sees only groups of the minimum size,
            # and, as the totals above are public too, never one blanked place alone.
            table = data.analysis(
                "hub_services.complement", (*key, dimension, rule),
                lambda t=table: suppress_complement(t, "customers", rule, ["services"]),
            )  # fmt: skip
        shown = data.analysis(
            "hub_services.public", (*key, dimension, rule), lambda t=table: rule.public_table(t)
        )
        with tab:
            if dimension in ("cluster", "county"):
                st.caption(tr("hub_services.places_note"))
                if rule.is_public:
                    st.caption(
                        tr(
                            "hub_services.hidden_caption",
                            customers=tr.count("hub_services.customers_count", rule.minimum),
                        )
                    )
            labelled = shown.assign(
                **{dimension: [value_label(tr, dimension, v, counties) for v in shown[dimension]]}
            ).rename(
                columns={
                    dimension: tr(f"hub_services.tabs.{dimension}"),
                    "services": tr("hub_services.columns.services"),
                    "customers": tr("hub_services.columns.customers"),
                }
            )
            widgets.chart(
                lambda t=table, d=dimension: services_chart(
                    t, d, tr, source_note=source_note, county_names=counties
                ),
                key=f"hub_services_{dimension}",
                state=(version, rule, demo),
                data=labelled,
            )
            widgets.table(
                labelled,
                counts=[tr("hub_services.columns.services"), tr("hub_services.columns.customers")],
            )
            widgets.downloads(
                labelled,
                f"services-by-{dimension}-{tr.lang}",
                tr,
                notes={tr("common.source"): source_note},
                key=f"hub_services_table_{dimension}",
            )
