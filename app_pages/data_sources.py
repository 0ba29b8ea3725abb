"""Data & sources: each dataset with its source, update stamp, when it was fetched, the
flag legend, licences and attribution, the indicator catalogue, and a refresh action."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from app_pages.kit import access, context, data, widgets
from dih_dash.charts.national import coverage_chart
from dih_dash.domain.provenance import FLAG_LETTERS, periods_text, source_name
from dih_dash.services.national import manual_refresh
from dih_dash.sources.refresh import refreshable_datasets
from dih_dash.store import national as stored

tr = context.translator()
config = context.settings()
national_data = data.national()
catalogue = data.catalogue()

st.title(tr("data_sources.title"))
st.caption(tr("data_sources.intro"))


def data_as_of() -> str:
    """The date of the data in view: when the refreshed Eurostat data was fetched, and when
    the snapshot (which the rest comes from) was built."""
    fetched = [i.fetched_at for i in national_data.datasets.values() if i.origin == "refresh"]
    built = [i.fetched_at for i in national_data.datasets.values() if i.origin == "snapshot"]
    built_text = context.fetched_text(tr, max(filter(None, built), default=None))
    if any(fetched):
        return tr(
            "data_sources.status.data_as_of_refresh",
            fetched=context.fetched_text(tr, max(filter(None, fetched))),
            built=built_text,
        )
    return tr("data_sources.status.data_as_of_snapshot", built=built_text)


st.markdown(data_as_of())

st.subheader(tr("data_sources.datasets_heading"))
records = []
for info in national_data.datasets.values():
    rows = national_data.tidy[national_data.tidy["source"] == info.source]
    records.append(
        {
            tr("data_sources.col_dataset"): source_name(tr, info.source),
            tr("data_sources.col_origin"): tr(f"data_sources.origin_{info.origin}"),
            tr("data_sources.col_years"): periods_text(rows["period"]),
            tr("data_sources.col_indicators"): int(rows["indicator"].nunique()),
            tr("data_sources.col_rows"): info.rows,
            tr("data_sources.col_updated"): info.updated or tr("data_sources.not_stated"),
            tr("data_sources.col_fetched"): context.fetched_text(tr, info.fetched_at),
            tr("data_sources.col_sha"): info.sha256[:16],
            tr("data_sources.col_url"): info.url or ", ".join(f["path"] for f in info.source_files),
        }
    )
datasets_frame = pd.DataFrame(records)
coverage = (
    national_data.tidy.groupby("source")["period"]
    .agg(first="min", last="max")
    .reset_index()
    .assign(label=lambda f: [source_name(tr, s) for s in f["source"]])
)
widgets.chart(
    lambda: coverage_chart(
        coverage, tr, title=tr("data_sources.coverage_title"), source_note=tr("common.attribution")
    ),
    key="coverage",
    data=coverage,
)
widgets.table(datasets_frame)
st.caption(tr("data_sources.snapshot_note"))

st.subheader(tr("data_sources.refresh_heading"))
st.markdown(tr("data_sources.refresh_help", url=config.eurostat_url))
datasets = refreshable_datasets(catalogue)
# A refresh writes the data everyone sees and may take minutes of retries: hub staff only.
if not access.is_admin():
    st.caption(tr("data_sources.refresh_admin_only"))
elif st.button(tr("data_sources.refresh_button"), icon=":material/sync:", key="refresh_button"):
    bar = st.progress(0.0, text=tr("data_sources.refresh_starting"))

    def show(step: int, total: int, message: str) -> None:
        bar.progress(min(step / max(total, 1), 1.0), text=message)

    with st.spinner(tr("data_sources.refresh_running")):
        report = manual_refresh(config, catalogue, data.store().engine, datasets, show)
    st.session_state["refresh_outcome"] = {
        "ok": report.ok,
        "datasets": ", ".join(f"{o.dataset} ({o.rows})" for o in report.outcomes),
        "detail": report.message,
    }
    if report.ok:
        # Run the page again so every table above shows the newly published data.
        data.clear_national_cache()
        st.rerun()

outcome = st.session_state.pop("refresh_outcome", None)
if outcome and outcome["ok"]:
    st.success(
        tr("data_sources.refresh_ok", datasets=outcome["datasets"]), icon=":material/check_circle:"
    )
    st.caption(outcome["detail"])
elif outcome:
    st.error(tr("data_sources.refresh_failed"), icon=":material/error:")
    st.code(outcome["detail"], language=None, wrap_lines=True)


def when(moment: dt.datetime | None) -> str:
    return context.fetched_text(tr, moment.isoformat() if moment else None)


def run_text(run: stored.RefreshRun | None) -> str:
    if run is None:
        return tr("data_sources.status.never")
    state = "running" if run.ok is None else "succeeded" if run.ok else "failed"
    trigger = tr(f"data_sources.status.trigger_{run.trigger}")
    return tr(f"data_sources.status.{state}", when=when(run.started_at), trigger=trigger)


def next_run_text(planned: stored.PlannedRun | None) -> str:
    if planned is None or planned.next_run_at is None:
        return tr("data_sources.status.none_planned")
    # A worker replans at least every minute; a time well past means none is running.
    if planned.next_run_at < dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10):
        return tr("data_sources.status.overdue", when=when(planned.next_run_at))
    return when(planned.next_run_at)


# What the worker did: staff only (failure reasons name servers and errors).
if access.is_admin():
    st.subheader(tr("data_sources.status.heading"))
    every = config.refresh_every_hours
    st.caption(
        tr(
            "data_sources.status.help",
            at=f"{config.refresh_at:%H:%M}",
            zone=config.refresh_timezone,
            every=tr("data_sources.status.every", hours=f"{every:g}") if every else "",
            retries=config.refresh_retries,
        )
    )
    try:
        engine = data.store().engine
        last = stored.last_run(engine)
        success = stored.last_run(engine, ok=True)
        failure = stored.last_run(engine, ok=False)
        planned = stored.planned_run(engine)
    except SQLAlchemyError:
        st.warning(tr("data_sources.status.unavailable"), icon=":material/warning:")
    else:
        status = st.columns(3)
        status[0].markdown(f"**{tr('data_sources.status.last_attempt')}**  \n{run_text(last)}")
        status[1].markdown(
            f"**{tr('data_sources.status.last_success')}**  \n"
            + (when(success.started_at) if success else tr("data_sources.status.never"))
        )
        status[2].markdown(f"**{tr('data_sources.status.next_run')}**  \n{next_run_text(planned)}")
        if failure is not None:
            st.caption(tr("data_sources.status.failure_reason", when=when(failure.started_at)))
            st.code(failure.reason or "–", language=None, wrap_lines=True)

st.subheader(tr("data_sources.flags_heading"))
widgets.table(
    pd.DataFrame(
        {
            tr("common.flag"): list(FLAG_LETTERS),
            tr("data_sources.col_meaning"): [tr(f"flags.{f}") for f in FLAG_LETTERS],
        }
    ),
)
st.caption(tr("data_sources.flags_note"))

st.subheader(tr("data_sources.licence_heading"))
st.markdown(tr("data_sources.licence_text"))

st.subheader(tr("data_sources.catalogue_heading"))
catalogue_frame = catalogue.to_frame(tr.lang)
catalogue_frame["dimension"] = [tr(f"dimensions.{d}") for d in catalogue_frame["dimension"]]
catalogue_frame = catalogue_frame.rename(
    columns=lambda c: tr(f"data_sources.catalogue_columns.{c}")
)
widgets.table(catalogue_frame, height=320)
widgets.downloads(catalogue_frame, f"dih-dash-catalogue-{tr.lang}", tr, key="catalogue")
