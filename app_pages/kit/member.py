"""The member pages' entry: `member_page()` does the preamble every member page shares —
the scored assessments (or a message when there are none), the sidebar filters, the
disclosure check of the selection, the survey note and the minimum group — and returns a
`MemberPage` whose `key` names the data, the filters and the audience, computed here
once. Its `chart`, `downloads` and `table` pass what they show through the audience's
disclosure rule (domain.disclosure), so a page cannot forget the privacy gate.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.kit import widgets
from app_pages.kit.access import disclosure_rule, is_admin
from app_pages.kit.context import query_list, set_query, translator, widget_key
from app_pages.kit.data import analysis, assessments, county_names, frame_version
from dih_dash.charts.members import members_text, survey_extras
from dih_dash.domain.cohort import CohortFilters, assessment_years, sorted_waves
from dih_dash.domain.disclosure import DisclosureRule, PublicCohort, Withheld, disclose
from dih_dash.i18n import Translator

T = TypeVar("T")


FILTER_FIELDS = (
    # (URL parameter, assessment column, CohortFilters field)
    ("cluster", "cluster", "clusters"),
    ("sector", "sector", "sectors"),
    ("size", "size_class", "size_classes"),
    ("county", "county", "counties"),
    ("wave", "wave", "waves"),
)


def cohort_filters(frame: pd.DataFrame) -> CohortFilters:
    """The sidebar filters shared by the member pages, kept in the URL and the session.

    The session keeps them when a page switch clears the URL; the URL makes a copied link
    reproduce the same cohort.
    """
    tr = translator()
    chosen: dict[str, tuple[str, ...]] = {}
    with st.sidebar.expander(
        tr("member_pages.filters.heading"), expanded=True, icon=":material/filter_alt:"
    ):
        for param, column, field in FILTER_FIELDS:
            values = frame[column].dropna().astype(str)
            options = sorted_waves(values.unique()) if column == "wave" else sorted(values.unique())
            key = widget_key(f"filter_{param}")
            if key not in st.session_state:
                st.session_state[key] = query_list(param, lambda v, o=options: v in o, [])
            st.session_state[key] = [v for v in st.session_state[key] if v in options]
            selected = st.multiselect(
                tr(f"member_pages.filters.{param}"),
                options=options,
                key=key,
                placeholder=tr("member_pages.filters.all"),
                format_func=lambda v, c=column: filter_label(c, v),
            )
            chosen[field] = tuple(selected)
    for param, _, field in FILTER_FIELDS:
        set_query(**{param: list(chosen[field])})
    return CohortFilters(**chosen)


def filter_label(column: str, value: str) -> str:
    tr = translator()
    if column == "size_class" and tr.has(f"members.size_classes.{value}"):
        return tr(f"members.size_classes.{value}")
    if column == "county":
        return county_names().get(value, value)
    return value


def survey_note(cohort: pd.DataFrame) -> str:
    """What a member chart's source line adds: when the assessments were made, and a
    demo-data label for the fictional cohort."""
    demo = bool(cohort["is_demo"].any()) if "is_demo" in cohort else False
    return survey_extras(translator(), assessment_years(cohort), demo)


def members_frame() -> pd.DataFrame | None:
    """The scored assessments for a member page, with the demo label and the privacy note
    shown; None (and a message) when the store is empty."""
    tr = translator()
    frame = assessments()
    if frame.empty:
        st.info(tr("member_pages.no_data"), icon=":material/inbox:")
        if is_admin():
            st.page_link("app_pages/upload.py", label=tr("nav.upload"), icon=":material/upload:")
        return None
    if bool(frame["is_demo"].any()):
        st.warning(tr("member_pages.demo_banner"), icon=":material/science:")
    rule = disclosure_rule()
    if rule.is_public:
        st.caption(tr("members.privacy.public_rule", members=members_text(tr, rule.minimum)))
    return frame


@dataclass(frozen=True)
class MemberPage:
    """What a member page works with once the preamble has passed."""

    tr: Translator
    everyone: pd.DataFrame  # every displayed assessment, before the filters
    cohort: PublicCohort  # the filtered selection, cleared for the audience
    # The frame's version (store, data version, band bounds), the filters and the rule of
    # the audience: everything an analysis or figure of the page depends on besides its
    # own view state. Admin and public results never share a cache entry.
    key: tuple
    note: str  # what the member charts' source line adds (years, demo label)

    @property
    def rows(self) -> pd.DataFrame:
        """The selected assessments, to aggregate (never to show to the public)."""
        return self.cohort.rows

    @property
    def rule(self) -> DisclosureRule:
        return self.cohort.rule

    @property
    def minimum(self) -> int:
        return self.rule.minimum

    @property
    def is_admin(self) -> bool:
        return not self.rule.is_public

    def analysis(self, name: str, compute: Callable[[], T], *state: object) -> T:
        """`compute()` cached under the page's key and `state` (the page's own view state
        the computation reads)."""
        return analysis(name, (self.key, *state), compute)

    def groups(
        self,
        table: pd.DataFrame,
        count_column: str = "members",
        value_columns: list[str] | None = None,
    ) -> pd.DataFrame:
        """An aggregate table with the groups below the minimum blanked (disclosure rule)."""
        return self.rule.groups(table, count_column, value_columns)

    def public(self, frame: pd.DataFrame) -> pd.DataFrame:
        """What a table or file may carry for this audience (no means, rounded)."""
        return self.rule.public_table(frame)

    def chart(
        self,
        build: Callable[[], go.Figure],
        key: str,
        *,
        state: tuple = (),
        data: pd.DataFrame | None = None,
    ) -> go.Figure:
        """A member chart with the survey note, cached under the page's key, its data
        offered for download as the audience may see it."""
        shown = None if data is None else self.public(data)
        return widgets.chart(build, key, state=(self.key, *state), data=shown, note=self.note)

    def downloads(self, frame: pd.DataFrame, stem: str, *, key: str = "") -> None:
        widgets.downloads(self.public(frame), stem, self.tr, key=key)

    def table(self, frame: pd.DataFrame, *, counts: Collection[object] = ()) -> None:
        shown = self.public(frame)
        decimals = self.rule.decimals if self.rule.is_public else 2
        widgets.table(shown, decimals=decimals, counts=counts)

    def withheld_note(self) -> None:
        """The caption that says some groups are too small to show."""
        st.caption(
            self.tr("members.privacy.hidden_group", members=members_text(self.tr, self.minimum))
        )


def member_page() -> MemberPage:
    """The shared preamble of a member page; stops the page (with a message) when the store
    is empty or the selection may not be shown to the person looking."""
    tr = translator()
    everyone = members_frame()
    if everyone is None:
        st.stop()
    filters = cohort_filters(everyone)
    rule = disclosure_rule()
    cleared = disclose(filters.apply(everyone), everyone, rule)
    if isinstance(cleared, Withheld):
        st.info(
            tr(f"member_pages.{cleared.reason}", members=members_text(tr, cleared.minimum)),
            icon=":material/lock:",
        )
        st.stop()
    key = (frame_version(everyone), filters, rule)
    return MemberPage(tr, everyone, cleared, key, survey_note(cleared.rows))
