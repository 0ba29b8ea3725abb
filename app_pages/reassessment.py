"""Reassessment tracker (hub staff only): each member's next assessment round, due the
configured number of months after its latest one, with the services it received since;
filtered by status and kind, downloadable as CSV/XLSX."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages.kit import access, context, data, widgets
from dih_dash.domain.reassessment import STATUSES, reassessment_schedule, status_counts
from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.exports.member_report import category_key

KINDS = ("sme", "pso")

tr = context.translator()
config = context.settings()

st.title(tr("nav.reassessment"))
if not access.require_admin():
    st.stop()

months = config.reassess_months
st.caption(tr("staff_pages.reassessment.intro", months=months))

today = dt.date.today()


def schedule_now() -> pd.DataFrame:
    # Real or demo decided for the whole store, as on every page; the staff see every
    # kind, so the store's rows, not the SME-only scored cohort.
    assessments = data.shown_assessments(config.database_url, data.members_version())
    return reassessment_schedule(assessments, data.services(), months, today)


# Worked out once per data version, setting and day: filters rerun the page.
version = (config.database_url, data.members_version(), months, today)
schedule = data.analysis("reassessment", version, schedule_now)
if schedule.empty:
    st.info(tr("staff_pages.reassessment.none"), icon=":material/event_busy:")
    st.stop()
if schedule["is_demo"].any():
    st.warning(tr("staff_pages.reassessment.demo"), icon=":material/science:")

left, right = st.columns(2)
statuses = left.multiselect(
    tr("staff_pages.reassessment.status_filter"),
    options=list(STATUSES),
    default=list(STATUSES),
    format_func=lambda s: tr(f"staff_pages.reassessment.statuses.{s}"),
    key=context.widget_key("reassessment_status"),
)
kinds = right.multiselect(
    tr("staff_pages.reassessment.kind_filter"),
    options=list(KINDS),
    default=list(KINDS),
    format_func=lambda k: tr(f"staff_pages.kinds.{k}"),
    key=context.widget_key("reassessment_kind"),
)

# The counts follow the kind chosen, so they add up to what the status filter can show.
of_kind = schedule[schedule["kind"].isin(kinds)]
counts = status_counts(of_kind)
for column, status in zip(st.columns(len(STATUSES)), STATUSES, strict=True):
    column.metric(tr(f"staff_pages.reassessment.statuses.{status}"), tr.num(counts[status], 0))

shown = of_kind[of_kind["status"].isin(statuses)]
if shown.empty:
    st.info(tr("staff_pages.reassessment.nothing_shown"))
    st.stop()

category_names = {c: tr(category_key(c)) for c in CATEGORIES}
table = shown.drop(columns=["is_demo"]).assign(
    kind=shown["kind"].map(lambda k: tr(f"staff_pages.kinds.{k}") if k in KINDS else k),
    status=shown["status"].map(lambda s: tr(f"staff_pages.reassessment.statuses.{s}")),
    days_left=shown["days_left"].astype("Int64"),
    categories_since=shown["categories_since"].map(
        lambda found: "; ".join(category_names[c] for c in found)
    ),
)
labels = {c: tr(f"staff_pages.reassessment.columns.{c}") for c in table.columns}
table = table.rename(columns=labels)
widgets.table(table, height=min(600, 38 + 35 * len(table)), counts=[labels["services_since"]])
widgets.downloads(
    table,
    f"{tr('staff_pages.reassessment.file')}-{today.isoformat()}-{tr.lang}",
    tr,
    notes={
        tr("staff_pages.reassessment.months_note"): str(months),
        tr("staff_pages.reassessment.as_of"): today.isoformat(),
    },
    key="reassessment",
)
