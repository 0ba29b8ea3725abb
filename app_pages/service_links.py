"""Link each customer name the services files left unlinked to its member, once (hub staff
only; spec/edih-services.md §3.3). The link is remembered in the store and applies to every
stored and future service of that name; the links made are listed below."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages.kit import access, context, data, widgets
from dih_dash.domain.customer_links import link_candidates, member_kinds
from dih_dash.store.services_store import link_customer, service_links_frame
from dih_dash.text_safety import markdown_text

tr = context.translator()

st.title(tr("nav.service_links"))
if not access.require_admin():
    st.stop()

store = data.store()
OUTCOME = "service_links_outcome"

outcome = st.session_state.pop(OUTCOME, None)
if outcome:
    (st.success if outcome[0] == "success" else st.error)(outcome[1])

st.caption(tr("staff_pages.links.intro"))

unlinked = data.unlinked()
if unlinked.empty:
    st.success(tr("staff_pages.links.none"), icon=":material/link:")
else:
    # Real members only (member_kinds leaves demo rows out): a real customer is never
    # linked to a fictional demo company.
    members = data.analysis(
        "link_members",
        (context.settings().database_url, data.members_version()),
        lambda: member_kinds(store.load_assessments(include_demo=False)),
    )
    st.subheader(tr("staff_pages.links.unlinked_heading", count=len(unlinked)))
    for customer in unlinked.itertuples(index=False):
        name = str(customer.customer_name)
        kind_given = customer.customer_type
        candidates = link_candidates(members, kind_given)
        with st.container(border=True):
            st.markdown(f"**{markdown_text(name)}**")
            if customer.first_start is not None:
                last = customer.last_end or customer.first_start
                dates = tr(
                    "staff_pages.links.dates",
                    first=tr.date(customer.first_start),
                    last=tr.date(last),
                )
            else:
                dates = tr("staff_pages.links.undated")
            kind_text = (
                markdown_text(kind_given) if kind_given else tr("staff_pages.links.type_unknown")
            )
            st.caption(
                " · ".join(
                    [
                        f"{tr('staff_pages.links.customer_type')}: {kind_text}",
                        tr("staff_pages.links.services", count=int(customer.services)),
                        dates,
                    ]
                )
            )
            if candidates.empty:
                st.warning(tr("staff_pages.links.no_candidates", kind=kind_text))
                continue
            labels = dict(
                zip(
                    candidates["member_id"],
                    candidates["member_id"] + " — " + candidates["company_name"],
                    strict=True,
                )
            )
            chooser, button = st.columns([4, 1], vertical_alignment="bottom")
            # Keyed by the folded name (once each in the list): a choice stays with its name
            # when another name above it is linked and leaves the list.
            chosen = chooser.selectbox(
                tr("staff_pages.links.member"),
                options=list(labels),
                index=None,
                format_func=labels.__getitem__,
                placeholder=tr("staff_pages.links.choose_member"),
                key=f"link-member-{customer.customer_key}",
            )
            if button.button(
                tr("staff_pages.links.link_button"),
                key=f"link-{customer.customer_key}",
                disabled=chosen is None,
                type="primary",
                icon=":material/link:",
            ):
                count = link_customer(store, name, str(chosen), access.actor())
                data.clear_members_cache()
                st.session_state[OUTCOME] = (
                    ("success", tr("staff_pages.links.linked", name=markdown_text(name),
                                   member_id=markdown_text(chosen), count=count))
                    if count is not None
                    else ("error", tr("staff_pages.links.not_linked",
                                      member_id=markdown_text(chosen)))
                )  # fmt: skip
                st.rerun()

st.subheader(tr("staff_pages.links.made_heading"))
made = service_links_frame(store)
if made.empty:
    st.caption(tr("staff_pages.links.made_none"))
else:
    # In UTC without a zone, as the import log shows its times (PostgreSQL gives them zoned).
    made["linked_at"] = pd.Series(
        [v.astimezone(dt.UTC).replace(tzinfo=None) if v.tzinfo else v for v in made["linked_at"]],
        dtype=object,
    )
    widgets.table(
        made.rename(columns=lambda c: tr(f"staff_pages.links.columns.{c}")),
        height=min(400, 38 + 35 * len(made)),
    )
