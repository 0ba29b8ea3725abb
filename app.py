"""dih-dash: the router. Language, navigation and the shared frame; pages do the rest."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from app_pages.kit import access, context

started = time.perf_counter()

# A local icon: a Material icon name would make the browser fetch it from Google, offline too.
st.set_page_config(
    page_title="dih-dash · Transilvania DIH",
    page_icon=str(Path(__file__).with_name("static") / "dih-dash-icon.png"),
    layout="wide",
)

# The collapsed menu is only moved off screen: hidden, its links leave the Tab order. The
# menu's list scrolls within half the screen, so the language switch below it stays in view
# at 1280×720 (the nineteen pages pushed it under the fold).
st.html(
    "<style>"
    '[data-testid="stSidebar"][data-collapsed="true"] { visibility: hidden; }'
    '[data-testid="stSidebarNavItems"] { max-height: 50vh; overflow-y: auto; }'
    "</style>"
)

config = context.settings()
lang = context.language(config.default_lang)
tr = context.translator()


def _switch_language() -> None:
    chosen = st.session_state.get("lang_switch")
    if chosen in ("ro", "en"):
        st.session_state[context.LANG_KEY] = chosen
        st.query_params[context.LANG_KEY] = chosen


def page(
    path: str, key: str, icon: str, url: str, *, default: bool = False, hidden: bool = False
) -> st.Page:
    return st.Page(
        path, title=tr(f"nav.{key}"), icon=icon, url_path=url, default=default,
        visibility="hidden" if hidden else "visible",
    )  # fmt: skip


pages = {
    tr("nav.section_national"): [
        page(
            "app_pages/romania_vs_eu.py",
            "romania_vs_eu",
            ":material/flag:",
            "romania-vs-eu",
            default=True,
        ),
        page(
            "app_pages/indicator_explorer.py",
            "indicator_explorer",
            ":material/query_stats:",
            "indicators",
        ),
        page(
            "app_pages/sme_digital_intensity.py",
            "sme_digital_intensity",
            ":material/factory:",
            "sme-digital-intensity",
        ),
        page(
            "app_pages/desi_2017_2022.py", "desi_2017_2022", ":material/timeline:", "desi-2017-2022"
        ),
    ],
    tr("nav.section_members"): [
        page(
            "app_pages/members_vs_national.py",
            "members_vs_national",
            ":material/groups:",
            "members",
        ),
        page("app_pages/cohort_overview.py", "cohort_overview", ":material/dashboard:", "cohort"),
        page("app_pages/progress.py", "progress", ":material/trending_up:", "progress"),
        page("app_pages/counties.py", "counties", ":material/map:", "counties"),
        page("app_pages/hub_services.py", "hub_services", ":material/handshake:", "services"),
        page("app_pages/impact.py", "impact", ":material/insights:", "impact"),
    ],
    tr("nav.section_workshop"): [
        page("app_pages/presentation.py", "presentation", ":material/slideshow:", "presentation"),
        page("app_pages/exports.py", "exports", ":material/ios_share:", "exports"),
    ],
    tr("nav.section_about"): [
        page("app_pages/data_sources.py", "data_sources", ":material/database:", "data-sources"),
    ],
}
# Hub staff only: the pages with names and the upload. Each page checks again itself, so a
# guessed URL shows nothing.
# Hidden (not listed) for the public, so an admin's bookmark leads to the sign-in hint.
admin = access.is_admin()
pages[tr("nav.section_admin")] = [
    page(
        "app_pages/member_profile.py",
        "member_profile",
        ":material/badge:",
        "member-profile",
        hidden=not admin,
    ),
    page("app_pages/upload.py", "upload", ":material/upload_file:", "upload", hidden=not admin),
    page(
        "app_pages/service_links.py",
        "service_links",
        ":material/link:",
        "service-links",
        hidden=not admin,
    ),
    page(
        "app_pages/reassessment.py",
        "reassessment",
        ":material/event_repeat:",
        "reassessment",
        hidden=not admin,
    ),
    page("app_pages/sign_in.py", "sign_out" if admin else "sign_in", ":material/login:", "sign-in"),
]

# expanded: every page listed, not "View 4 more" (the hub staff pages come last).
navigation = st.navigation(pages, expanded=True)

with st.sidebar:
    st.session_state["lang_switch"] = lang
    st.segmented_control(
        tr("common.language"),
        options=["ro", "en"],
        format_func=lambda code: {"ro": "Română", "en": "English"}[code],
        key="lang_switch",
        on_change=_switch_language,
    )
    st.caption(tr("common.attribution"))

navigation.run()
if config.log_run_times:
    context.log_run_time(navigation.url_path, time.perf_counter() - started)
