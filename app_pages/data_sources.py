"""Data & sources: each dataset with its source, update stamp, when it was fetched, the
flag legend, licences and attribution, the indicator catalogue, and a refresh action."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from dih_dash.charts.national import coverage_chart
from dih_dash.domain.provenance import FLAG_LETTERS, periods_text, source_name
from dih_dash.sources.refresh import refresh, refreshable_datasets

tr = common.translator()
config = common.settings()
data = common.national()
catalogue = common.catalogue()

st.title(tr("data_sources.title"))
st.caption(tr("data_sources.intro"))

st.subheader(tr("data_sources.datasets_heading"))
records = []
for info in data.datasets.values():
    rows = data.tidy[data.tidy["source"] == info.source]
    records.append(
        {
            tr("data_sources.col_dataset"): source_name(tr, info.source),
            tr("data_sources.col_origin"): tr(f"data_sources.origin_{info.origin}"),
            tr("data_sources.col_years"): periods_text(rows["period"]),
            tr("data_sources.col_indicators"): int(rows["indicator"].nunique()),
            tr("data_sources.col_rows"): info.rows,
            tr("data_sources.col_updated"): info.updated or tr("data_sources.not_stated"),
            tr("data_sources.col_fetched"): common.fetched_text(tr, info.fetched_at),
            tr("data_sources.col_sha"): info.sha256[:16],
            tr("data_sources.col_url"): info.url or ", ".join(f["path"] for f in info.source_files),
        }
    )
datasets_frame = pd.DataFrame(records)
coverage = (
    data.tidy.groupby("source")["period"]
    .agg(first="min", last="max")
    .reset_index()
    .assign(label=lambda f: [source_name(tr, s) for s in f["source"]])
)
common.chart(
    lambda: coverage_chart(
        coverage, tr, title=tr("data_sources.coverage_title"), source_note=tr("common.attribution")
    ),
    key="coverage",
    data=coverage,
)
common.table(datasets_frame)
st.caption(tr("data_sources.snapshot_note"))

st.subheader(tr("data_sources.refresh_heading"))
st.markdown(tr("data_sources.refresh_help", url=config.eurostat_url))
datasets = refreshable_datasets(catalogue)
# A refresh writes the data everyone sees and may take minutes of retries: hub staff only.
if not common.is_admin():
    st.caption(tr("data_sources.refresh_admin_only"))
elif st.button(tr("data_sources.refresh_button"), icon=":material/sync:", key="refresh_button"):
    bar = st.progress(0.0, text=tr("data_sources.refresh_starting"))

    def show(step: int, total: int, message: str) -> None:
        bar.progress(min(step / max(total, 1), 1.0), text=message)

    with st.spinner(tr("data_sources.refresh_running")):
        report = refresh(config, catalogue, datasets, progress=show)
    st.session_state["refresh_outcome"] = {
        "ok": report.ok,
        "datasets": ", ".join(f"{o.dataset} ({o.rows})" for o in report.outcomes),
        "detail": report.message,
    }
    if report.ok:
        # Run the page again so every table above shows the newly published data.
        common.clear_national_cache()
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

st.subheader(tr("data_sources.flags_heading"))
common.table(
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
common.table(catalogue_frame, height=320)
common.downloads(catalogue_frame, f"dih-dash-catalogue-{tr.lang}", tr, key="catalogue")
