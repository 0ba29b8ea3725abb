"""Member profile (hub staff only): one member's radar over its rounds against the cohort
median and its cluster, its DII items met and missing, and hub services for its weakest
dimensions; deleting the member.

A member of either kind: a public-sector organisation is drawn on its own instrument's six
dimensions against the median of the organisations of its kind, and has no DII (an index of
enterprises)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.kit import access, context, data, member, widgets
from dih_dash.charts.members import RadarTrace, dimension_label, dimension_radar
from dih_dash.domain.cohort import (
    cohort_medians,
    dii_item_status,
    kind_dimensions,
    kind_rows,
    member_history,
    member_kinds,
    services_for,
    weakest_dimensions,
)
from dih_dash.domain.survey_schema import DII_ITEMS
from dih_dash.exports.member_report import (
    NATIONAL_DII_INDICATORS,
    file_name,
    national_dii,
    received_services,
    report_for,
    report_pdf,
    reports_zip,
)
from dih_dash.i18n import LANGS
from dih_dash.sources.services import ServicesFileError, load_services
from dih_dash.text_safety import markdown_text

tr = context.translator()
config = context.settings()

st.title(tr("member_pages.profile.title"))
if not access.require_admin():
    st.stop()
st.caption(tr("member_pages.profile.intro"))
# Both kinds: a member is found whatever its kind; its figures then keep to its kind.
frame = member.members_frame(None)
if frame is None:
    st.stop()

latest_rows = frame.drop_duplicates("member_id", keep="last").set_index("member_id")
latest_names = latest_rows["company_name"]
latest_kinds = member_kinds(latest_rows)
member_ids = sorted(latest_names.index, key=lambda m: str(latest_names[m]).casefold())
chosen = context.query_value("member", lambda v: v in member_ids, member_ids[0])
if st.session_state.get("profile_member") not in member_ids:
    st.session_state["profile_member"] = chosen
member_id = st.selectbox(
    tr("member_pages.profile.choose"),
    options=member_ids,
    format_func=lambda m: (
        f"{latest_names[m]} ({m}) · {tr(f'member_report.kinds.{latest_kinds[m]}')}"
    ),
    key="profile_member",
)
context.set_query(member=member_id)

history = member_history(frame, member_id)
latest = history.iloc[-1]
name = str(latest["company_name"])
cluster = latest["cluster"] if pd.notna(latest["cluster"]) else None
kind = str(member_kinds(history).iloc[-1])
is_pso = kind == "pso"
# The medians it is drawn against: members of its kind only, never the other instrument's.
same_kind = kind_rows(frame, kind)
suffix = "_pso" if is_pso else ""
st.caption(f"{tr('member_pages.profile.kind')}: {tr(f'member_report.kinds.{kind}')}")

traces = [
    RadarTrace(tr("member_pages.profile.radar_member", name=name, wave=row["wave"]), row, "member")
    for _, row in history.iterrows()
]
traces.append(
    RadarTrace(tr(f"member_pages.profile.radar_cohort{suffix}", wave=latest["wave"]),
               cohort_medians(same_kind, latest["wave"], kind=kind), "cohort")
)  # fmt: skip
if cluster:
    traces.append(
        RadarTrace(tr(f"member_pages.profile.radar_cluster{suffix}", cluster=cluster,
                      wave=latest["wave"]),
                   cohort_medians(same_kind, latest["wave"], cluster, kind=kind), "group")
    )  # fmt: skip
profile_note = member.survey_note(history)
widgets.chart(
    # The note wrapped with the source line (appended unwrapped it ran past the edge).
    lambda: member.with_source_note(
        dimension_radar(
            traces,
            tr,
            waves=list(history["wave"]),
            members=int(same_kind["member_id"].nunique()),
            kind=kind,
        ),
        profile_note,
    ),
    key="profile_radar",
    data=pd.DataFrame({t.label: pd.Series(t.values) for t in traces}).loc[
        list(kind_dimensions(kind))
    ],
    # Hub staff only (require_admin above): no public figure shares this key.
    state=(data.frame_version(frame), member_id, profile_note),
)

# Ids and rounds come from the survey files: escaped wherever markdown shows them.
wave_shown = markdown_text(latest["wave"])
id_shown = markdown_text(member_id)
st.subheader(tr("member_pages.profile.latest_heading", wave=wave_shown))
numbers = st.columns(3)
numbers[0].metric(tr("member_pages.profile.dma_overall"), tr.num(latest["dma_overall"]))
if is_pso:
    dii_shown = tr("member_pages.profile.not_applicable")
elif pd.isna(latest["dii_score"]):
    dii_shown = tr("member_pages.profile.dii_incomplete")
else:
    dii_shown = f"{int(latest['dii_score'])}/12"
numbers[1].metric(tr("member_pages.profile.dii_score"), dii_shown)
numbers[2].metric(
    tr("surveys.fields.size_class"),
    member.filter_label("size_class", str(latest["size_class"]))
    if pd.notna(latest["size_class"])
    else "–",
)

st.subheader(tr("member_pages.profile.dii_heading", wave=wave_shown))
if is_pso:
    st.caption(tr("member_pages.profile.pso_no_dii"))
else:
    status = dii_item_status(latest)
    widgets.table(
        pd.DataFrame(
            {
                tr("member_pages.profile.item"): [tr(f"members.dii_items.{i}") for i in DII_ITEMS],
                tr("member_pages.profile.status"): [
                    tr(f"members.dii_status.{status[i]}") for i in DII_ITEMS
                ],
            }
        ),
    )

st.subheader(tr("member_pages.profile.weakest_heading"))
try:
    services = load_services(config.services_file)
except (ServicesFileError, OSError) as exc:
    st.error(tr("member_pages.profile.services_error", error=markdown_text(exc)))
    services = {}
for dimension in weakest_dimensions(latest, kind=kind):
    with st.container(border=True):
        st.markdown(f"**{dimension_label(tr, dimension)}**: {tr.num(latest[dimension])}")
        offers = services_for([dimension], services)
        if not offers:
            st.caption(tr("member_pages.profile.services_missing", path=str(config.services_file)))
        for service in offers:
            st.markdown(
                f"- **{service.name(tr.lang)}** ({tr(f'members.service_kinds.{service.kind}')}): "
                f"{service.description(tr.lang)}"
                + (f" [{service.url}]({service.url})" if service.url else "")
            )

# The member's own one-page report (spec/edih-services.md §6), built only on a click, from
# the frame of both kinds: `report_for` picks the member's kind and compares it with its own.
# What depends on the member (e.g. the services it received) goes into `_member_pdf`.
report_inputs = {
    "services": services,
    "reassess_months": config.reassess_months,
    "min_group": config.min_group_size,
    "dma_bounds": config.dma_band_bounds,
}


# Read at script level (cached): a download's click callback cannot run Streamlit caches.
delivered = data.services()


def _member_pdf(member: str, lang: str) -> bytes:
    # Worked out on a click, not on every rerun of the page.
    national = national_dii(data.national().rows_of(*NATIONAL_DII_INDICATORS))
    received = received_services(delivered, member, lang)
    return report_pdf(
        report_for(frame, member, national=national, received=received, **report_inputs), lang
    )


st.subheader(tr("member_report.page.heading"))
st.caption(tr("member_report.page.help"))
report_columns = st.columns(3)
for report_column, report_lang in zip(report_columns[:2], LANGS, strict=True):
    report_column.download_button(
        tr(f"member_report.page.pdf_{report_lang}"),
        data=lambda lang=report_lang: _member_pdf(member_id, lang),
        file_name=file_name(member_id, report_lang, "pdf"),
        mime="application/pdf",
        key=f"member_report_{report_lang}",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )
report_columns[2].download_button(
    tr("member_report.page.zip"),
    data=lambda: reports_zip(
        (file_name(m, tr.lang, "pdf"), _member_pdf(m, tr.lang)) for m in member_ids
    ),
    file_name=f"member-reports-{tr.lang}.zip",
    mime="application/zip",
    key="member_report_zip",
    on_click="ignore",
    icon=":material/folder_zip:",
)

with st.expander(tr("member_pages.profile.delete_heading"), icon=":material/delete:"):
    st.caption(tr("member_pages.profile.delete_help"))
    confirmed = st.checkbox(
        tr("member_pages.profile.delete_confirm", member_id=id_shown), key="delete_confirm"
    )
    if st.button(
        tr("member_pages.profile.delete_button"), disabled=not confirmed, key="delete_member"
    ):
        data.store().delete_member(member_id, access.actor())
        data.clear_members_cache()
        st.session_state.pop("profile_member", None)
        st.success(tr("member_pages.profile.deleted", member_id=id_shown))
        st.rerun()
