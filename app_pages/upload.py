"""Upload member surveys and services-delivered files (hub staff only): what was detected, a
preview, the validation report, the import with "valid rows only", the import log, templates
and column mappings; a services file's customers left unlinked lead to the linking page."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.kit import access, context, data, widgets
from dih_dash.domain.services_schema import LAYOUTS as SERVICES_LAYOUTS
from dih_dash.domain.services_schema import detect_services_layout
from dih_dash.domain.survey_mapping import (
    ColumnMapping,
    MappingError,
    suggest_mapping,
)
from dih_dash.domain.survey_schema import ASSESSMENT_COLUMNS
from dih_dash.exports.services_templates import (
    SERVICES_TEMPLATE_BASENAME,
    services_template_csv,
    services_template_xlsx,
)
from dih_dash.exports.templates import template_csv, template_xlsx
from dih_dash.services import ImportReport, import_file, remove_demo
from dih_dash.services.services_import import ServicesReport, import_services_file
from dih_dash.sources.mapping_files import list_mappings, save_mapping
from dih_dash.sources.survey_files import DELIMITER_NAMES, FileRefused, read_table
from dih_dash.text_safety import markdown_text

tr = context.translator()
config = context.settings()

st.title(tr("upload.title"))
if not access.require_admin():
    st.stop()

store = data.store()
actor = access.actor()

# --- demo data: labelled and removable in one action ------------------------------------------
if store.has_demo():
    with st.container(border=True):
        st.warning(tr("upload.demo_present"), icon=":material/science:")
        if st.button(tr("upload.remove_demo"), key="remove_demo"):
            remove_demo(store, actor)
            data.clear_members_cache()
            st.session_state["upload_outcome"] = ("success", tr("upload.demo_removed"))
            st.rerun()

# --- the outcome of the last action, and the import log -------------------------------------
outcome = st.session_state.pop("upload_outcome", None)
if outcome:
    (st.success if outcome[0] == "success" else st.error)(outcome[1])
    # The page keeps its scroll position across the rerun, down by the Import button:
    # a toast is seen wherever the page is scrolled.
    st.toast(
        outcome[1], icon=":material/task_alt:" if outcome[0] == "success" else ":material/error:"
    )
# The log's whole numbers that are counts (thousands separated); the id is a number to
# quote, shown as it is.
LOG_COUNTS = ("size_bytes", "rows", "inserted", "updated", "unchanged", "rejected")
with st.expander(tr("upload.log_heading"), icon=":material/history:"):
    log = store.list_uploads()
    if log.empty:
        st.caption(tr("upload.log_empty"))
    else:
        labels = {
            c: tr(f"upload.log_columns.{c}") if tr.has(f"upload.log_columns.{c}") else c
            for c in log.columns
        }
        widgets.table(
            log.rename(columns=labels),
            height=240,
            counts=[labels[c] for c in LOG_COUNTS if c in labels],
        )

# --- templates --------------------------------------------------------------------------------
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILES = [("en", "csv"), ("en", "xlsx"), ("ro", "csv"), ("ro", "xlsx")]
with st.expander(tr("upload.templates_heading"), icon=":material/description:"):
    st.caption(tr("upload.templates_help"))
    columns = st.columns(4)
    for position, (lang, kind) in enumerate(TEMPLATE_FILES):
        builder = template_csv if kind == "csv" else template_xlsx
        columns[position].download_button(
            tr(f"upload.template_{kind}_{lang}"),
            data=builder(lang),
            file_name=f"dih-dash-template-{lang}.{kind}",
            mime="text/csv" if kind == "csv" else XLSX_MIME,
            key=f"template-{lang}-{kind}",
            on_click="ignore",
        )
    st.caption(tr("upload.services_templates_help"))
    columns = st.columns(4)
    for position, (lang, kind) in enumerate(TEMPLATE_FILES):
        columns[position].download_button(
            tr(f"upload.template_{kind}_{lang}"),
            # Made on click: the survey templates above are what most visits want.
            data=lambda lang=lang, kind=kind: (
                services_template_csv(lang) if kind == "csv" else services_template_xlsx(lang)
            ),
            file_name=f"{SERVICES_TEMPLATE_BASENAME[lang]}.{kind}",
            mime="text/csv" if kind == "csv" else XLSX_MIME,
            key=f"services-template-{lang}-{kind}",
            on_click="ignore",
        )

# --- the file ---------------------------------------------------------------------------------
uploaded = st.file_uploader(
    tr("upload.file_any"),
    type=["csv", "txt", "xlsx"],
    key="survey_file",
    max_upload_size=config.max_upload_mb,
    help=tr("upload.file_any_help", mb=config.max_upload_mb),
)
if uploaded is None:
    st.info(tr("upload.choose_file"), icon=":material/upload_file:")
    st.stop()

content = uploaded.getvalue()
digest = hashlib.sha256(content).hexdigest()
max_bytes = config.max_upload_mb * 1024 * 1024
# Read once per file content: every widget change reruns the page, and reading (decoding,
# sniffing the separator, parsing XLSX) takes longer the larger the file.
read_key = (digest, uploaded.name, max_bytes, config.max_rows)
if st.session_state.get("upload_read_key") != read_key:
    try:
        read: object = read_table(
            content, uploaded.name, max_bytes=max_bytes, max_rows=config.max_rows
        )
    except FileRefused as refused:
        read = refused
    st.session_state["upload_read_key"] = read_key
    st.session_state["upload_read"] = read
table = st.session_state["upload_read"]
if isinstance(table, FileRefused):
    # The reason may repeat the file's own words (the closest header found): escaped.
    st.error(
        tr("upload.refused", reason=markdown_text(table.reason(tr.lang))),
        icon=":material/block:",
    )
    st.stop()

left, middle, right = st.columns(3)
layout_choice = left.selectbox(
    tr("upload.layout"),
    options=["auto", "hub", "dma-export", "pso-dma-export", *SERVICES_LAYOUTS, "mapped"],
    format_func=lambda v: tr(f"upload.layout_{v.replace('-', '_')}"),
    key=context.widget_key("upload_layout"),
    help=tr("upload.layout_help"),
)
wave = middle.text_input(tr("upload.wave"), key="upload_wave", help=tr("upload.wave_help")).strip()
skip_invalid = right.checkbox(
    tr("upload.skip_invalid"), key="upload_skip_invalid", help=tr("upload.skip_invalid_help")
)

# --- a saved or new column mapping for Forms / LimeSurvey exports -----------------------------
mapping: ColumnMapping | None = None
if layout_choice == "mapped":
    saved = {m.name: m for m in list_mappings(config.mapping_dir)}
    names = ["", *sorted(saved)]
    chosen_name = st.selectbox(
        tr("upload.saved_mapping"),
        options=names,
        format_func=lambda n: n or tr("upload.new_mapping"),
        key="upload_mapping_name",
    )
    if chosen_name:
        mapping = saved[chosen_name]
        st.caption(
            tr(
                "upload.mapping_in_use",
                name=markdown_text(mapping.name),
                columns=len(mapping.columns),
            )
        )
    else:
        st.markdown(tr("upload.mapping_builder_help"))
        suggestions = suggest_mapping(table.header)
        headers = ["", *table.header]
        picks: dict[str, str] = {}
        builder_columns = st.columns(2)
        for position, field in enumerate(ASSESSMENT_COLUMNS):
            ranked = suggestions.get(field, [])
            best = ranked[0][0] if ranked else ""
            picks[field] = builder_columns[position % 2].selectbox(
                tr(f"surveys.fields.{field}"),
                options=headers,
                index=headers.index(best) if best in headers else 0,
                format_func=lambda h: h or tr("upload.not_in_file"),
                key=f"map-{field}",
            )
        new_name = st.text_input(tr("upload.mapping_name"), key="upload_new_mapping_name")
        columns_map = {field: header for field, header in picks.items() if header}
        try:
            mapping = ColumnMapping(name=new_name.strip() or "unsaved", columns=columns_map)
        except MappingError as exc:
            st.error(markdown_text(exc.message(tr.lang)))
            st.stop()
        if st.button(tr("upload.save_mapping"), key="save_mapping", disabled=not new_name.strip()):
            try:
                path = save_mapping(config.mapping_dir, mapping)
            except (MappingError, OSError) as exc:
                message = exc.message(tr.lang) if isinstance(exc, MappingError) else str(exc)
                st.error(markdown_text(message))
            else:
                st.success(
                    tr(
                        "upload.mapping_saved",
                        name=markdown_text(mapping.name),
                        path=markdown_text(path),
                    )
                )


# --- check (a dry run: nothing stored) --------------------------------------------------------
def run_import(*, dry_run: bool, services_layout: str | None) -> ImportReport:
    """The survey import, or the services import with `services_layout` (`auto` or one of
    SERVICES_LAYOUTS): the same functions as `dih-dash import`."""
    if services_layout is not None:
        return import_services_file(
            store, content, uploaded.name, actor=actor, settings=config,
            layout=services_layout, dry_run=dry_run, skip_invalid=skip_invalid,
        )  # fmt: skip
    return import_file(
        store, content, uploaded.name, actor=actor, settings=config,
        layout="auto" if mapping is not None else layout_choice, mapping=mapping,
        wave=wave or None, dry_run=dry_run, skip_invalid=skip_invalid,
    )  # fmt: skip


options = (layout_choice, wave, skip_invalid, None if mapping is None else repr(mapping.to_dict()))
check_key = (digest, options)
if st.session_state.get("upload_check_key") != check_key:
    with st.spinner(tr("upload.checking", rows=len(table.frame))):
        chosen_services = layout_choice if layout_choice in SERVICES_LAYOUTS else None
        report = run_import(dry_run=True, services_layout=chosen_services)
        # A header of no survey layout may be a services file, as in `dih-dash import`.
        if (
            layout_choice == "auto"
            and report.refused is not None
            and report.refused.code == "no_layout"
            and detect_services_layout(table.header) is not None
        ):
            report = run_import(dry_run=True, services_layout="auto")
    st.session_state["upload_check_key"] = check_key
    st.session_state["upload_check"] = report
report = st.session_state["upload_check"]
is_services = isinstance(report, ServicesReport)

if report.refused is not None:
    st.error(
        tr("upload.refused", reason=markdown_text(report.refused.reason(tr.lang))),
        icon=":material/block:",
    )
    if report.refused.code in ("no_layout", "no_wave"):
        # The refusal names no menu: the page says which one reads another export.
        st.info(
            tr(
                "upload.mapping_hint",
                menu=tr("upload.layout"),
                option=tr("upload.layout_mapped"),
                wave=tr("upload.wave"),
            ),
            icon=":material/alt_route:",
        )
    st.stop()

st.subheader(tr("upload.detected_heading"))
separator = (
    tr(f"surveys.delimiters.{DELIMITER_NAMES[report.delimiter]}") if report.delimiter else "–"
)
layout_name = tr(f"upload.layout_{(report.layout or 'auto').replace('-', '_')}")
st.markdown(
    "  \n".join(
        [
            f"{tr('upload.detected_layout')}: **{layout_name}**",
            f"{tr('upload.detected_encoding')}: **{report.encoding or 'XLSX'}**",
            f"{tr('upload.detected_separator')}: **{separator}**",
            f"{tr('upload.detected_rows')}: **{tr.num(report.rows, 0)}**",
        ]
    )
)

st.subheader(tr("upload.preview_heading"))
preview = table.frame.head(20).copy()
preview.insert(0, tr("upload.row"), table.row_numbers[: len(preview)])
widgets.table(preview, height=260)

# This very file, with these options, was just imported: said above its report, which now
# compares it with what is stored ("0 new, 18 unchanged"), and its Import button is off.
imported = st.session_state.get("upload_imported")
already_imported = imported is not None and imported[0] == check_key
if already_imported:
    st.success(tr("upload.already_imported", stored=imported[1]), icon=":material/task_alt:")
st.subheader(tr("upload.report_heading"))
counts = st.columns(4)
# Short labels: a metric's label is cut at its column's width (four columns); the detail
# goes into its help.
counts[0].metric(
    tr("upload.would_insert_services" if is_services else "upload.would_insert"), report.inserted
)
counts[1].metric(
    tr("upload.would_update_services" if is_services else "upload.would_update"),
    report.updated,
    help=tr("upload.would_update_help"),
)
counts[2].metric(tr("upload.would_keep"), report.unchanged)
counts[3].metric(tr("upload.rejected"), report.rejected)
issues = pd.DataFrame(
    [
        {
            tr("upload.severity"): tr(f"upload.severity_{kind}"),
            tr("upload.row"): issue.row,
            tr("upload.column"): issue.column,
            tr("upload.value"): getattr(issue, "value", None),
            tr("upload.message"): issue.message(tr.lang),
        }
        for kind, group in (("error", report.errors), ("warning", report.warnings))
        for issue in group
    ]
)
if issues.empty:
    st.success(tr("upload.no_issues"), icon=":material/task_alt:")
else:
    widgets.table(issues, height=300)
    widgets.downloads(
        issues, f"{tr('upload.validation_file')}-{Path(uploaded.name).stem}", tr, key="issues"
    )

# A services file's customers that match no member (or several): named once each, with the
# way to the page that links them (spec/edih-services.md §3.3).
if is_services and report.unlinked:
    st.warning(
        tr("upload.services_unlinked", count=len(report.unlinked)), icon=":material/link_off:"
    )
    st.markdown("\n".join(f"- {markdown_text(name)}" for name in report.unlinked))
    st.page_link(
        "app_pages/service_links.py",
        label=tr("upload.services_link_page"),
        icon=":material/link:",
    )

# --- import -----------------------------------------------------------------------------------
can_import = (report.rejected == 0 or skip_invalid) and (report.rows - report.rejected) > 0
if report.rejected and not skip_invalid:
    st.warning(tr("upload.all_or_nothing", rejected=report.rejected), icon=":material/rule:")
if st.button(
    tr("upload.import_button"),
    type="primary",
    key="import_button",
    disabled=not can_import or already_imported,
    help=tr("upload.import_done_help") if already_imported else None,
):
    with st.status(tr("upload.importing", rows=report.rows), expanded=False) as status:
        result = run_import(dry_run=False, services_layout=report.layout if is_services else None)
        status.update(label=tr("upload.imported_status"), state="complete")
    st.session_state.pop("upload_check_key", None)
    if result.stored:
        saved = tr("upload.imported", inserted=result.inserted, updated=result.updated,
                   unchanged=result.unchanged, rejected=result.rejected)  # fmt: skip
        st.session_state["upload_imported"] = (check_key, saved)
    data.clear_members_cache()
    # Run the page again, so the report (now "unchanged") and the log show the new state.
    st.session_state["upload_outcome"] = (
        ("success", tr("upload.imported", inserted=result.inserted, updated=result.updated,
                       unchanged=result.unchanged, rejected=result.rejected))
        if result.stored
        else ("error", tr("upload.not_stored"))
    )  # fmt: skip
    st.rerun()
