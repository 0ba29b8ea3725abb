"""The member pages' entry: `member_page()` does the preamble every member page shares —
the kind of member shown (SMEs or public-sector organisations, chosen on the page and kept
in the URL as `?kind=pso`), that kind's scored assessments (or a message when there are
none), the sidebar filters, the disclosure check of the selection, the survey note and the
minimum group — and returns a `MemberPage` whose `key` names the data, the kind, the
filters and the audience, computed here once. Its `chart`, `downloads` and `table` pass
what they show through the audience's disclosure rule (domain.disclosure), so a page
cannot forget the privacy gate.
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
from app_pages.kit.data import (
    analysis,
    county_names,
    frame_version,
    kind_assessments,
    members,
    members_by_kind,
)
from dih_dash.charts.members import members_text, survey_extras
from dih_dash.charts.theme import wrap
from dih_dash.domain.cohort import KINDS, CohortFilters, assessment_years, sorted_waves
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
            chosen[field] = ()
            if not options:
                # Nothing to choose (public-sector organisations have no size class).
                continue
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


KIND_PARAM = "kind"
DEFAULT_KIND = "sme"


def kind_label(tr: Translator, kind: str, count: int, rule: DisclosureRule) -> str:
    """`SMEs (20)`, `Public-sector organisations (8)`; for the public a kind with fewer
    members than the minimum shows "fewer than N" instead of its count, as a small group's
    count is blanked everywhere else."""
    shown = (
        tr("member_pages.kinds.fewer", members=members_text(tr, rule.minimum))
        if rule.is_public and rule.too_small(count)
        else tr.num(count, 0)
    )
    return tr("member_pages.kinds.option", kind=tr(f"member_pages.kinds.{kind}"), count=shown)


def choose_kind() -> str:
    """The kind of member the page shows: SMEs by default, public-sector organisations on
    request; kept in the URL (`?kind=pso`) and, across a page switch, in the session, like
    the filters. With one kind stored it is shown, with its count, without a choice."""
    tr = translator()
    counts = members_by_kind()
    rule = disclosure_rule()
    present = [k for k in KINDS if counts.get(k)]
    if not present:
        return DEFAULT_KIND
    fallback = DEFAULT_KIND if DEFAULT_KIND in present else present[0]
    if len(present) == 1:
        kind = present[0]
        st.caption(tr("member_pages.kinds.only", kind=kind_label(tr, kind, counts[kind], rule)))
    else:
        key = widget_key("member_kind")
        kept = st.session_state.get(key)
        # Assigned on every run, as the filters are: a widget of another page with the
        # same key starts from a value set through the session state, not from its own.
        st.session_state[key] = (
            kept if kept in present else query_value_of(KIND_PARAM, present, fallback)
        )
        kind = (
            st.segmented_control(
                tr("member_pages.kinds.label"),
                options=present,
                format_func=lambda k: kind_label(tr, k, counts[k], rule),
                key=key,
            )
            or fallback
        )
    set_query(**{KIND_PARAM: None if kind == DEFAULT_KIND else kind})
    return kind


def query_value_of(param: str, options: Collection[str], default: str) -> str:
    value = st.query_params.get(param)
    return value if value in options else default


def members_frame(kind: str | None = DEFAULT_KIND) -> pd.DataFrame | None:
    """One kind's scored assessments for a member page (both kinds with `kind=None`, for
    a page about one member whatever its kind), with the demo label and the privacy note
    shown; None (and a message) when the store holds none."""
    tr = translator()
    frame = members() if kind is None else kind_assessments(kind)
    if frame.empty:
        st.info(tr("member_pages.no_data"), icon=":material/inbox:")
        if is_admin():
            st.page_link("app_pages/upload.py", label=tr("nav.upload"), icon=":material/upload:")
        return None
    if is_admin():
        # Signed in, the page shows groups under the minimum and company names: said on
        # screen, so a rehearsal signed in is not projected to a room by mistake.
        st.warning(tr("member_pages.staff_view"), icon=":material/visibility:")
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
    kind: str  # "sme" or "pso": the one instrument whose scores the page shows
    everyone: pd.DataFrame  # every displayed assessment of the kind, before the filters
    cohort: PublicCohort  # the filtered selection, cleared for the audience
    # The frame's version (store, data version, band bounds, kind), the kind, the filters
    # and the rule of the audience: everything an analysis or figure of the page depends on
    # besides its own view state. Admin and public results never share a cache entry, nor
    # SME and PSO ones.
    key: tuple
    note: str  # what the member charts' source line adds (years, demo label)

    @property
    def is_pso(self) -> bool:
        return self.kind == "pso"

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
        words: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    ) -> go.Figure:
        """A member chart with the survey note, cached under the page's key, its data
        offered for download as the audience may see it (and, with `words`, in the
        reader's words: translated headers and names, applied after the rule, which
        knows the columns by their code names)."""

        def shown() -> pd.DataFrame:
            public = self.public(data)
            return public if words is None else words(public)

        note = self.note

        def build_with_note() -> go.Figure:
            return with_source_note(build(), note)

        # The note goes in here, not through widgets.chart, which appends it to the last
        # line unwrapped: that line then ran past the chart's edge ("…(firn").
        # The download's table is made when it is clicked, not on every run.
        return widgets.chart(
            build_with_note,
            key,
            state=(self.key, note, *state),
            data=None if data is None else shown,
        )

    def downloads(
        self,
        frame: pd.DataFrame,
        stem: str,
        *,
        key: str = "",
        words: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
        notes: dict[str, str] | None = None,
    ) -> None:
        """`frame` as CSV and XLSX, through the audience's rule and then `words`."""
        shown = self.public(frame)
        widgets.downloads(shown if words is None else words(shown), stem, self.tr, notes, key)

    def table(self, frame: pd.DataFrame, *, counts: Collection[object] = ()) -> None:
        shown = self.public(frame)
        decimals = self.rule.decimals if self.rule.is_public else 2
        widgets.table(shown, decimals=decimals, counts=counts)

    def withheld_note(self) -> None:
        """The caption that says some groups are too small to show."""
        st.caption(
            self.tr("members.privacy.hidden_group", members=members_text(self.tr, self.minimum))
        )


# Characters per line of a member chart's source line (12 px): at 1280×720 a page-wide
# chart has room for about 125; the narrower figure leaves a margin for wider glyphs.
SOURCE_LINE_CHARS = 105


def with_source_note(fig: go.Figure, note: str) -> go.Figure:
    """`fig` with `note` appended to its source line, the whole line wrapped to fit a
    chart at 1280×720, and the top margin and height grown by the lines it gained (as
    `styled` sized them per line)."""
    before = fig.layout.title.subtitle.text or ""
    after = wrap(f"{before.replace('<br>', ' ')}{note}", SOURCE_LINE_CHARS)
    added = after.count("<br>") - before.count("<br>")
    fig.update_layout(title_subtitle_text=after)
    if added > 0:
        fig.update_layout(
            margin_t=(fig.layout.margin.t or 0) + 24 * added,
            height=(fig.layout.height or 480) + 22 * added,
        )
    return fig


def member_page() -> MemberPage:
    """The shared preamble of a member page; stops the page (with a message) when the store
    is empty or the selection may not be shown to the person looking."""
    tr = translator()
    kind = choose_kind()
    everyone = members_frame(kind)
    if everyone is None:
        st.stop()
    filters = cohort_filters(everyone)
    rule = disclosure_rule()
    cleared = disclose(filters.apply(everyone), everyone, rule)
    if isinstance(cleared, Withheld):
        # With no filter the whole kind is the selection: say so, not "widen the filters".
        reason = "kind_too_small" if filters.is_empty else cleared.reason
        st.info(
            tr(
                f"member_pages.{reason}",
                members=members_text(tr, cleared.minimum),
                kind=tr(f"member_pages.kinds.{kind}"),
            ),
            icon=":material/lock:",
        )
        st.stop()
    key = (frame_version(everyone), kind, filters, rule)
    return MemberPage(tr, kind, everyone, cleared, key, survey_note(cleared.rows))
