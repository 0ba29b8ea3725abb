"""What the services changed (spec edih-services.md §5): per instrument and service category,
the members served against those never served, between two assessment rounds — group
sizes, median changes, the difference of the medians with its bootstrap interval, and in
words that the groups are not randomised. The public sees only groups of at least the
minimum size (domain.disclosure) and never a member's name."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.kit import access, context, data, widgets
from app_pages.kit.access import disclosure_rule, is_admin
from dih_dash.charts.impact import category_label, impact_chart, instrument_label
from dih_dash.charts.members import members_text, survey_extras
from dih_dash.domain.cohort import assessment_years, sorted_waves
from dih_dash.domain.disclosure import DisclosureRule
from dih_dash.domain.impact import (
    DEFAULT_SEED,
    INSTRUMENTS,
    impact_table,
    paired_changes,
    public_impact,
)
from dih_dash.exports.deck import members_or_fewer
from dih_dash.i18n import Translator
from dih_dash.text_safety import markdown_text

RESAMPLES = 2000
LEVEL = 0.90
# What the page reads of the assessments: no names, so no copy of them is ever cached here.
COLUMNS = ["member_id", "org_type", "wave", "assessed_on", "dma_overall", "is_demo"]

tr = context.translator()
config = context.settings()
rule = disclosure_rule()

st.title(tr("impact.title"))
access.staff_view_banner()
st.caption(tr("impact.intro"))

store_key = (config.database_url, data.members_version())


def _cohort() -> pd.DataFrame:
    # Real or demo, decided once for the whole store, as on every page (domain.demo_rule).
    return data.shown_assessments(*store_key)[COLUMNS]


cohort = data.analysis("impact_cohort", store_key, _cohort)
if cohort.empty:
    st.info(tr("impact.no_data"), icon=":material/inbox:")
    if is_admin():
        st.page_link("app_pages/upload.py", label=tr("nav.upload"), icon=":material/upload:")
    st.stop()
demo = bool(cohort["is_demo"].any())
if demo:
    st.warning(tr("member_pages.demo_banner"), icon=":material/science:")
st.info(tr("impact.not_randomised"), icon=":material/info:")
if rule.is_public:
    st.caption(tr("members.privacy.public_rule", members=members_text(tr, rule.minimum)))


def _pairs() -> list[tuple[str, str, dict[str, int]]]:
    """Every (earlier, later) pair of rounds with a member assessed in both, and how many
    members of each instrument that is."""
    waves = sorted_waves(cohort["wave"].unique())
    found = []
    for i, earlier in enumerate(waves):
        for later in waves[i + 1 :]:
            paired = paired_changes(cohort, earlier=earlier, later=later)
            counts = paired["instrument"].value_counts()
            if len(paired):
                found.append((earlier, later, {k: int(counts.get(k, 0)) for k in INSTRUMENTS}))
    return found


pairs = data.analysis("impact_pairs", store_key, _pairs)
if not pairs:
    st.info(tr("impact.no_pairs"), icon=":material/event_repeat:")
    st.stop()

labels = [tr("impact.pair_label", earlier=e, later=later) for e, later, _ in pairs]
codes = [f"{e}-{later}" for e, later, _ in pairs]
default_pair = "T0-T1" if "T0-T1" in codes else codes[0]
chosen = context.query_value("pair", lambda v: v in codes, default_pair)
left, right = st.columns(2)
pair_index = left.selectbox(
    tr("impact.round_pair"),
    range(len(pairs)),
    index=codes.index(chosen),
    format_func=lambda i: labels[i],
    key="impact_pair",
)
earlier, later, counts = pairs[pair_index]
instrument_options = [k for k in INSTRUMENTS if counts[k]] or ["sme"]
chosen_instrument = context.query_value(
    "instrument", lambda v: v in instrument_options, instrument_options[0]
)
instrument = right.radio(
    tr("impact.instrument_choice"),
    instrument_options,
    index=instrument_options.index(chosen_instrument),
    # Publicly a count under the minimum is said as "fewer than N", as on the member pages.
    format_func=lambda k: tr(
        "impact.instrument_option",
        label=instrument_label(tr, k),
        members=members_or_fewer(tr, counts[k], rule),
    ),
    horizontal=True,
    key=context.widget_key("impact_instrument"),
)
context.set_query(pair=codes[pair_index], instrument=instrument)
if not counts[instrument]:
    st.info(
        tr("impact.no_instrument_pairs", earlier=markdown_text(earlier), later=markdown_text(later))
    )
    st.stop()

services = data.services()
# Demo services name demo members only: beside real assessments they serve no one here.
if not services["member_id"].isin(cohort["member_id"]).any():
    st.info(tr("impact.no_services"), icon=":material/handshake:")

state = (earlier, later, RESAMPLES, LEVEL, DEFAULT_SEED)
table = data.analysis(
    "impact_table",
    (*store_key, *state),
    lambda: impact_table(
        cohort,
        services,
        earlier=earlier,
        later=later,
        resamples=RESAMPLES,
        level=LEVEL,
        seed=DEFAULT_SEED,
    ),
)
shown = public_impact(table, rule)
rows = shown[shown["instrument"] == instrument].reset_index(drop=True)
years = assessment_years(cohort[cohort["wave"].isin([earlier, later])])
note = survey_extras(tr, years, demo)

widgets.chart(
    lambda: impact_chart(
        shown,
        tr,
        instrument=instrument,
        earlier=earlier,
        later=later,
        min_group=rule.minimum if rule.is_public else None,
        level=LEVEL,
    ),
    key="impact_chart",
    # The store's version and the audience: admin and public figures never share an entry.
    state=(store_key, rule, instrument, *state),
    note=note,
)


def display_table(rows: pd.DataFrame, tr: Translator, rule: DisclosureRule) -> pd.DataFrame:
    """The table as text in the interface language: a hidden group says so in its place."""
    hidden = tr("impact.hidden_cell", members=members_text(tr, rule.minimum))
    decimals = rule.decimals if rule.is_public else 2

    def count(value: object, is_hidden: bool) -> str:
        return hidden if is_hidden else tr.num(value, 0)  # type: ignore[arg-type]

    def change(value: object, is_hidden: bool) -> str:
        return hidden if is_hidden else tr.signed(value, decimals)  # type: ignore[arg-type]

    out = []
    for _, row in rows.iterrows():
        either = bool(row["served_hidden"] or row["not_served_hidden"])
        low, high = tr.signed(row["ci_low"], decimals), tr.signed(row["ci_high"], decimals)
        out.append(
            {
                tr("impact.columns.category"): category_label(tr, row["category"]),
                tr("impact.columns.served"): count(row["served"], row["served_hidden"]),
                tr("impact.columns.served_median"): change(
                    row["served_median"], row["served_hidden"]
                ),
                tr("impact.columns.not_served"): count(row["not_served"], row["not_served_hidden"]),
                tr("impact.columns.not_served_median"): change(
                    row["not_served_median"], row["not_served_hidden"]
                ),
                tr("impact.columns.difference"): change(row["difference"], either),
                tr("impact.columns.interval", level=tr.num(LEVEL * 100, 0)): (
                    "–"
                    if either or pd.isna(row["ci_low"])
                    else tr("impact.interval", low=low, high=high)
                ),
            }
        )
    return pd.DataFrame(out)


st.subheader(tr("impact.table_heading"))
widgets.table(display_table(rows, tr, rule))
st.caption(tr("impact.points_note"))
if bool(rows["served_hidden"].any() or rows["not_served_hidden"].any()):
    st.caption(tr("members.privacy.hidden_group", members=members_text(tr, rule.minimum)))


def download_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The figures as numbers (a spreadsheet computes with them) under the table's headers;
    a hidden group's cells are empty, as the rule left them."""
    level = tr.num(LEVEL * 100, 0)
    interval = tr("impact.columns.interval", level=level)
    out = rule.public_table(rows).drop(
        columns=["instrument", "served_hidden", "not_served_hidden"], errors="ignore"
    )
    out["category"] = [category_label(tr, c) for c in out["category"]]
    named = {c: tr(f"impact.columns.{c}") for c in (
        "category", "served", "served_median", "not_served", "not_served_median", "difference"
    )}  # fmt: skip
    named |= {"ci_low": f"{interval}: {tr('impact.columns.low')}",
              "ci_high": f"{interval}: {tr('impact.columns.high')}"}  # fmt: skip
    return out.rename(columns=named)


download = download_table(rows)
# Rounds are typed by people: only letters and digits reach the file name.
stem = "-".join(
    "".join(ch for ch in part if ch.isalnum()) for part in ("impact", instrument, earlier, later)
)
source = tr("impact.source", earlier=earlier, later=later) + note
widgets.downloads(
    download,
    f"{stem}-{tr.lang}",
    tr,
    notes={tr("common.source"): f"{source} · {tr('impact.not_randomised')}"},
    key="impact",
)

with st.expander(tr("impact.method_heading"), icon=":material/functions:"):
    st.markdown(
        tr(
            "impact.method",
            level=tr.num(LEVEL * 100, 0),
            resamples=tr.num(RESAMPLES, 0),
            seed=DEFAULT_SEED,
            members=members_text(tr, rule.min_group),
        )
    )
