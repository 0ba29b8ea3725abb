"""The workshop deck: which slides, in which order (a settings file the hub edits), and
what each shows — the numbers, their source and year, and the text — independent of how
it is shown (the presentation page, PowerPoint, the HTML report).

A slide's chart is plain data (`SlideChart`: categories and series), so the PowerPoint
deck can draw it as a native, editable chart and the page and the HTML report draw the
same numbers with Plotly. Slides never carry a company name or id: they are built from
aggregates only; `public=True` additionally applies the public disclosure rule
(`domain.disclosure`): groups smaller than the minimum size are hidden.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import plotly.graph_objects as go

from dih_dash.charts.impact import category_label
from dih_dash.charts.members import dimension_label, members_text, survey_extras, survey_source
from dih_dash.charts.theme import (
    EU,
    MEMBERS,
    MEMBERS_MICRO,
    OTHER,
    ROMANIA,
    TARGET,
    reference_line,
    styled,
    wrap,
    wrap_label,
)
from dih_dash.domain.catalogue import Catalogue
from dih_dash.domain.cohort import (
    DII_TARGET,
    assessment_years,
    band_moves,
    cohort_medians,
    dii_share_by_wave,
    kind_rows,
    paired_assessments,
    progress_summary,
    services_for,
    sorted_waves,
)
from dih_dash.domain.disclosure import DisclosureRule
from dih_dash.domain.geo import EU_AGGREGATE, HOME, geo_name
from dih_dash.domain.impact import impact_table, public_impact
from dih_dash.domain.national import compare, gap_to_target, yearly_pace_needed
from dih_dash.domain.provenance import periods_text, source_line, source_name
from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.domain.services_summary import kpi_progress, kpi_state, services_by
from dih_dash.domain.survey_schema import DMA_DIMENSIONS
from dih_dash.i18n import Translator, plotly_separators
from dih_dash.settings import Settings
from dih_dash.sources.kpis import KpiFileError, load_kpi_targets
from dih_dash.sources.national_store import NationalData
from dih_dash.sources.services import ServicesFileError, load_services
from dih_dash.text_safety import plotly_laid_out, plotly_text

SLIDE_KINDS = (
    "national_kpis",
    "sme_digital_intensity",
    "members_vs_national",
    "progress",
    "weakest_dimensions",
    "impact",
    "services",
    "next_steps",
)
INSTRUMENTS = ("sme", "pso")
# How many of the hub's targets the services slide lists when the slides file names none.
DEFAULT_KPIS_SHOWN = 4
# The impact slide's bootstrap interval, as on the impact page.
IMPACT_LEVEL = 0.90
# The Digital Decade KPIs with a target for every member state, on a 0-100 scale.
HEADLINE_KPIS = (
    "desi_dsk_bab",
    "desi_sme_di3_gelo",
    "desi_ai_cloud_da",
    "desi_vhcn",
    "desi_5gcov",
    "desi_dps_cit",
    "desi_dps_biz",
)
Role = Literal["home", "eu", "members", "members_micro", "target", "other"]
ROLE_COLOURS: dict[str, str] = {
    "home": ROMANIA,
    "eu": EU,
    "members": MEMBERS,
    "members_micro": MEMBERS_MICRO,
    "target": TARGET,
    "other": OTHER,
}


class DeckConfigError(ValueError):
    """The slides file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class SlideSeries:
    name: str
    values: tuple[float | None, ...]
    role: Role = "other"
    # One role per category, when the bars of one series mean different things
    # (members vs Romania vs EU on one axis).
    point_roles: tuple[Role, ...] | None = None


@dataclass(frozen=True)
class SlideChart:
    categories: tuple[str, ...]
    series: tuple[SlideSeries, ...]
    orientation: Literal["column", "bar"] = "column"
    unit: Literal["percent", "points", "score", "count"] = "percent"
    target: float | None = None  # drawn as a line, named in the legend

    def to_frame(self) -> pd.DataFrame:
        """What the chart shows, one row per category and a column per series."""
        data: dict[str, object] = {"category": list(self.categories)}
        for series in self.series:
            data[series.name] = list(series.values)
        return pd.DataFrame(data)


@dataclass(frozen=True)
class Slide:
    number: int
    kind: str
    title: str
    subtitle: str
    source: str
    bullets: tuple[str, ...] = ()
    chart: SlideChart | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def data(self) -> pd.DataFrame:
        return self.chart.to_frame() if self.chart is not None else pd.DataFrame()


@dataclass(frozen=True)
class SlideSpec:
    kind: str
    options: Mapping[str, object]

    def text(self, key: str, lang: str) -> str | None:
        value = self.options.get(f"{key}_{lang}")
        return str(value) if value else None


def load_slide_specs(path: Path) -> list[SlideSpec]:
    with path.open("rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise DeckConfigError(f"{path}: not valid TOML: {exc}") from exc
    specs = []
    for number, entry in enumerate(data.get("slide", []), start=1):
        kind = entry.get("kind")
        if kind not in SLIDE_KINDS:
            raise DeckConfigError(
                f"{path}: slide {number} has kind {kind!r}; "
                f"expected one of {', '.join(SLIDE_KINDS)}"
            )
        instrument = entry.get("instrument", "sme")
        if kind == "impact" and instrument not in INSTRUMENTS:
            raise DeckConfigError(
                f"{path}: slide {number} has instrument {instrument!r}; expected sme or pso"
            )
        kpis = entry.get("kpis", [])
        if kind == "services" and (
            not isinstance(kpis, list) or not all(isinstance(k, str) for k in kpis)
        ):
            raise DeckConfigError(
                f'{path}: slide {number}: kpis is a list of target ids, such as ["services"]'
            )
        specs.append(SlideSpec(kind=kind, options=dict(entry)))
    if not specs:
        raise DeckConfigError(f"{path}: no [[slide]] tables")
    return specs


# --- building -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeckInputs:
    """Everything the slides are made of, already loaded."""

    national: NationalData
    catalogue: Catalogue
    assessments: pd.DataFrame  # scored (domain.scoring.score_assessments), may be empty
    settings: Settings
    # The services delivered as `services_store.load_services` gives them, as the pages
    # show them (real ones once there are any, else the demo ones); None: none stored.
    services: pd.DataFrame | None = None
    # Every kind's assessments (SMEs and PSOs, unscored) for the impact and services
    # slides, which count both kinds apart; None: `assessments` (SMEs only) stands in.
    all_assessments: pd.DataFrame | None = None
    # The day the targets' months left are counted from; None: today.
    today: dt.date | None = None

    def every_kind(self) -> pd.DataFrame:
        return self.assessments if self.all_assessments is None else self.all_assessments

    def services_frame(self) -> pd.DataFrame | None:
        """The services, or None when there are none to show."""
        if self.services is None or self.services.empty:
            return None
        return self.services


def build_deck(
    inputs: DeckInputs, specs: Sequence[SlideSpec], lang: str, *, public: bool = True
) -> list[Slide]:
    tr = Translator(lang)
    # One rule for every slide: the public deck hides groups below the minimum size.
    rule = DisclosureRule.for_audience(inputs.settings.min_group_size, admin=not public)
    builders = {
        "national_kpis": _national_kpis,
        "sme_digital_intensity": _sme_digital_intensity,
        "members_vs_national": _members_vs_national,
        "progress": _progress,
        "weakest_dimensions": _weakest_dimensions,
        "impact": _impact,
        "services": _services,
        "next_steps": _next_steps,
    }
    slides = []
    for number, spec in enumerate(specs, start=1):
        slide = builders[spec.kind](inputs, spec, tr, rule)
        title = spec.text("title", lang) or slide.title
        slides.append(
            Slide(
                number=number, kind=spec.kind, title=title, subtitle=slide.subtitle,
                source=slide.source, bullets=slide.bullets, chart=slide.chart, notes=slide.notes,
            )
        )  # fmt: skip
    return slides


def format_value(tr: Translator, value: float | None, unit: str = "percent") -> str:
    """A slide number as shown on every output: `44,3%`, `+5,9` (DMA points), `66,8`."""
    if value is None or pd.isna(value):
        return "–"
    if unit == "percent":
        return tr.pct(value)
    if unit == "count":
        return tr.num(value, 0)
    if unit == "points":
        # DMA scores are points on a 0-100 scale: a change is "+5.9", not percentage points.
        return tr.signed(value)
    return tr.num(value)


def members_or_fewer(tr: Translator, count: int, rule: DisclosureRule) -> str:
    """`12 members`, or for the public, under the minimum, `fewer than 5 members`: the
    member pages' wording (`member_pages.kinds.fewer`), as a small group's count is blanked
    everywhere else."""
    if rule.is_public and rule.too_small(count):
        return tr("member_pages.kinds.fewer", members=members_text(tr, rule.minimum))
    return members_text(tr, count)


def _survey_source(
    tr: Translator,
    frame: pd.DataFrame,
    waves: Sequence[str],
    members: int | None = None,
    kind: str = "sme",
    rule: DisclosureRule | None = None,
) -> str:
    """The member charts' source line, with the assessment years and the demo label; with
    a public `rule`, a count under its minimum is said as "fewer than N"."""
    rows = frame[frame["wave"].isin(list(waves))] if not frame.empty else frame
    if members is None:
        members = int(rows["member_id"].nunique()) if not rows.empty else 0
    demo = bool(rows["is_demo"].any()) if "is_demo" in rows and not rows.empty else False
    years = assessment_years(rows) if not rows.empty else None
    if rule is None or not (rule.is_public and rule.too_small(members)):
        return survey_source(tr, waves, members, years=years, demo=demo, kind=kind)
    ordered = sorted_waves(waves)
    wave_key = "members.source.wave_one" if len(ordered) == 1 else "members.source.wave_many"
    text = tr(
        "members.source.survey_pso" if kind == "pso" else "members.source.survey",
        waves=tr(wave_key, waves=", ".join(ordered)),
        members=members_or_fewer(tr, members, rule),
    )
    return text + survey_extras(tr, years, demo)


def _national_kpis(
    inputs: DeckInputs, spec: SlideSpec, tr: Translator, rule: DisclosureRule
) -> Slide:
    tidy, targets, catalogue = inputs.national.tidy, inputs.national.targets, inputs.catalogue
    rows = []
    for indicator in HEADLINE_KPIS:
        if indicator not in catalogue:
            continue
        entry = catalogue[indicator]
        c = compare(tidy, targets, entry)
        if c.period is None:
            continue
        rows.append((entry, c))
    # The axis names (the SME KPI's full label runs to three lines, cut off on the slide).
    categories = tuple(entry.short_label(tr.lang) for entry, _ in rows)
    chart = SlideChart(
        categories=categories,
        series=(
            SlideSeries(geo_name(HOME, tr.lang), tuple(c.home_value for _, c in rows), "home"),
            SlideSeries(geo_name(EU_AGGREGATE, tr.lang), tuple(c.eu_value for _, c in rows), "eu"),
            SlideSeries(tr("charts.target_2030"), tuple(c.target for _, c in rows), "target"),
        ),
        orientation="bar",
        unit="score",
    )
    # The three largest gaps, in words, for the speaker and the handout.
    ordered = sorted(rows, key=lambda r: r[1].gap if r[1].gap is not None else 0)
    bullets = tuple(
        tr(
            "deck.kpi_bullet",
            indicator=entry.short_label(tr.lang),
            home=format_value(tr, c.home_value, "percent" if entry.is_percentage else "score"),
            eu=format_value(tr, c.eu_value, "percent" if entry.is_percentage else "score"),
            rank=c.rank or "–",
            ranked=c.ranked,
            year=c.period,
        )
        for entry, c in ordered[:3]
    )
    source = source_line(
        tr,
        [c.source for _, c in rows],
        [c.period for _, c in rows if c.period],
        [f for _, c in rows for f in (c.home_flag, c.eu_flag) if f],
    )
    return Slide(
        0,
        spec.kind,
        tr("deck.national_title"),
        tr("deck.national_subtitle"),
        source,
        bullets,
        chart,
    )


def _sme_digital_intensity(
    inputs: DeckInputs, spec: SlideSpec, tr: Translator, rule: DisclosureRule
) -> Slide:
    tidy = inputs.national.tidy
    v3 = tidy[(tidy["indicator"] == "desi_sme_di3_gelo") & tidy["geo"].isin([HOME, EU_AGGREGATE])]
    years = sorted(int(p) for p in v3["period"].unique())

    def values(geo: str) -> tuple[float | None, ...]:
        by_year = v3[v3["geo"] == geo].set_index("period")["value"]
        return tuple(float(by_year[y]) if y in by_year.index else None for y in years)

    target = DII_TARGET
    chart = SlideChart(
        categories=tuple(str(y) for y in years),
        series=(
            SlideSeries(geo_name(HOME, tr.lang), values(HOME), "home"),
            SlideSeries(geo_name(EU_AGGREGATE, tr.lang), values(EU_AGGREGATE), "eu"),
        ),
        target=target,
    )
    bullets: list[str] = []
    for geo in (HOME, EU_AGGREGATE):
        series = values(geo)
        if years and series[-1] is not None:
            latest = series[-1]
            pace = yearly_pace_needed(latest, years[-1], target)
            bullets.append(
                tr(
                    "deck.sme_bullet",
                    geo=geo_name(geo, tr.lang),
                    value=tr.pct(latest),
                    year=years[-1],
                    gap=tr.pp(gap_to_target(latest, target)).lstrip("+"),
                    pace=tr.pp(pace) if pace is not None else "–",
                )
            )
    bullets.append(tr("deck.sme_versions"))
    source = source_line(tr, v3["source"].unique(), v3["period"], v3["flag"])
    return Slide(
        0, spec.kind, tr("deck.sme_title"), tr("deck.sme_subtitle"), source, tuple(bullets), chart
    )


def _members_vs_national(
    inputs: DeckInputs, spec: SlideSpec, tr: Translator, rule: DisclosureRule
) -> Slide:
    frame = inputs.assessments
    tidy = inputs.national.tidy
    national = tidy[
        (tidy["indicator"] == "desi_sme_di3_gelo") & tidy["geo"].isin([HOME, EU_AGGREGATE])
    ]
    latest = national.sort_values("period").groupby("geo").tail(1).set_index("geo")
    categories: list[str] = []
    values: list[float | None] = []
    roles: list[Role] = []
    hidden: list[str] = []
    shares = dii_share_by_wave(frame) if not frame.empty else pd.DataFrame()
    for row in shares.itertuples():
        if row.size_group not in ("10plus", "micro"):
            continue
        label = tr(f"deck.members_{row.size_group}", wave=row.wave)
        if rule.too_small(row.members):
            hidden.append(label)
            continue
        categories.append(label)
        values.append(float(row.share))
        roles.append("members" if row.size_group == "10plus" else "members_micro")
    for geo, role in ((HOME, "home"), (EU_AGGREGATE, "eu")):
        if geo in latest.index:
            categories.append(
                tr(
                    "deck.national_bar",
                    geo=geo_name(geo, tr.lang),
                    year=int(latest.loc[geo, "period"]),
                )
            )
            values.append(float(latest.loc[geo, "value"]))
            roles.append(role)  # type: ignore[arg-type]
    chart = SlideChart(
        categories=tuple(categories),
        series=(SlideSeries(tr("deck.at_least_basic"), tuple(values), "members", tuple(roles)),),
        orientation="bar",
        target=DII_TARGET,
    )
    bullets = [tr("deck.members_instruments")]
    if hidden:
        bullets.append(
            tr(
                "deck.hidden_groups",
                groups=", ".join(hidden),
                members=members_text(tr, rule.minimum),
            )
        )
    if frame.empty:
        bullets.insert(0, tr("deck.no_members"))
    waves = sorted_waves(frame["wave"].unique()) if not frame.empty else []
    source = _survey_source(tr, frame, waves)
    # One "Source:" for both instruments: the survey, then Eurostat with its data year.
    national_years = periods_text(latest["period"]) if not latest.empty else "–"
    source += f"; {source_name(tr, 'eurostat:isoc_e_dii')} {national_years}"
    if not frame.empty and bool(frame["is_demo"].any()):
        bullets.append(tr("deck.demo_data"))
    return Slide(
        0,
        spec.kind,
        tr("deck.members_title"),
        tr("deck.members_subtitle"),
        source,
        tuple(bullets),
        chart,
    )


def _progress(inputs: DeckInputs, spec: SlideSpec, tr: Translator, rule: DisclosureRule) -> Slide:
    frame = inputs.assessments
    wave_from = str(spec.options.get("wave_from", "T0"))
    wave_to = str(spec.options.get("wave_to", "T1"))
    title = tr("deck.progress_title", wave_from=wave_from, wave_to=wave_to)
    paired = paired_assessments(frame, wave_from, wave_to) if not frame.empty else pd.DataFrame()
    count = len(paired)
    source = _survey_source(tr, frame, [wave_from, wave_to], members=count)
    if rule.too_small(count):
        bullet = (
            tr("deck.progress_hidden", members=members_text(tr, rule.minimum))
            if count
            else tr("deck.no_pairs")
        )
        return Slide(0, spec.kind, title, tr("deck.progress_subtitle"), source, (bullet,), None)
    summary = progress_summary(paired)
    moves = band_moves(paired, inputs.settings.dma_band_bounds)
    chart = SlideChart(
        categories=tuple(dimension_label(tr, d) for d in summary["dimension"]),
        series=(
            SlideSeries(
                tr("deck.median_change"),
                tuple(float(v) for v in summary["median_change"]),
                "members",
            ),
        ),
        orientation="bar",
        unit="points",
    )
    bullets = (
        tr(
            "deck.progress_paired",
            members=members_text(tr, count),
            wave_from=wave_from,
            wave_to=wave_to,
        ),
        tr("deck.progress_band", share=tr.pct(moves.share_up), up=moves.up, members=moves.members),
    )
    return Slide(0, spec.kind, title, tr("deck.progress_subtitle"), source, bullets, chart)


def _weakest_dimensions(
    inputs: DeckInputs, spec: SlideSpec, tr: Translator, rule: DisclosureRule
) -> Slide:
    frame = inputs.assessments
    title = tr("deck.weakest_title")
    if frame.empty:
        return Slide(
            0,
            spec.kind,
            title,
            "",
            _survey_source(tr, frame, []),
            (tr("deck.no_members"),),
        )
    wave = sorted_waves(frame["wave"].unique())[-1]
    in_wave = frame[frame["wave"] == wave]
    source = _survey_source(tr, frame, [wave])
    if rule.too_small(in_wave["member_id"].nunique()):
        return Slide(
            0,
            spec.kind,
            title,
            "",
            source,
            (tr("deck.hidden_groups", groups=wave, members=members_text(tr, rule.minimum)),),
        )
    medians = cohort_medians(frame, wave)[list(DMA_DIMENSIONS)].astype(float).sort_values()
    chart = SlideChart(
        categories=tuple(dimension_label(tr, d) for d in medians.index),
        series=(
            SlideSeries(
                tr("deck.median_score", wave=wave), tuple(float(v) for v in medians), "members"
            ),
        ),
        orientation="bar",
        unit="score",
    )
    weakest = list(medians.index[:2])
    try:
        services = load_services(inputs.settings.services_file)
    except (ServicesFileError, OSError):
        services = {}
    bullets = [
        tr("deck.weakest_bullet", dimensions=" · ".join(dimension_label(tr, d) for d in weakest))
    ]
    bullets += [
        f"{s.name(tr.lang)} — {s.description(tr.lang)}" for s in services_for(weakest, services)[:4]
    ]
    return Slide(
        0, spec.kind, title, tr("deck.weakest_subtitle", wave=wave), source, tuple(bullets), chart
    )


def _services_source(tr: Translator, services: pd.DataFrame | None) -> str:
    """`the hub's record of services delivered, 67 services, 2024–2026` (no demo label: the
    caller adds it once per line)."""
    if services is None:
        return tr("deck.services_source_none")
    years = sorted({d.year for d in services["start_date"] if isinstance(d, dt.date)})
    return tr(
        "deck.services_source",
        services=tr.num(len(services), 0),
        years=periods_text(years) if years else "–",
    )


def _is_demo(frame: pd.DataFrame | None) -> bool:
    return frame is not None and "is_demo" in frame.columns and bool(frame["is_demo"].any())


def _impact(inputs: DeckInputs, spec: SlideSpec, tr: Translator, rule: DisclosureRule) -> Slide:
    """Per service category, the median change of the members served in it against that of
    the members not served at all (spec edih-services.md §5), for one instrument."""
    earlier = str(spec.options.get("wave_from", "T0"))
    later = str(spec.options.get("wave_to", "T1"))
    instrument = str(spec.options.get("instrument", "sme"))
    title = tr(f"deck.impact_title_{instrument}", wave_from=earlier, wave_to=later)
    subtitle = tr("deck.impact_subtitle", wave_from=earlier, wave_to=later)
    every = inputs.every_kind()
    frame = kind_rows(every, instrument) if not every.empty else every
    services = inputs.services_frame()
    table = (
        impact_table(frame, services, earlier=earlier, later=later, level=IMPACT_LEVEL)
        if services is not None and not frame.empty
        else pd.DataFrame()
    )
    rows = table[table["instrument"] == instrument] if not table.empty else table
    paired = (
        paired_assessments(frame, earlier, later, kind=instrument)
        if not frame.empty
        else pd.DataFrame()
    )
    source = (
        _survey_source(tr, frame, [earlier, later], members=len(paired), kind=instrument, rule=rule)
        + "; "
        + _services_source(tr, services)
    )
    caveat = tr("impact.not_randomised")
    if services is None:
        return Slide(0, spec.kind, title, subtitle, source, (tr("deck.no_services"), caveat))
    if rows.empty:
        return Slide(0, spec.kind, title, subtitle, source, (tr("deck.no_pairs"),))
    shown = public_impact(rows, rule).set_index("category")
    categories = [c for c in CATEGORIES if c in shown.index]
    labels = [category_label(tr, c) for c in categories]

    def values(column: str) -> tuple[float | None, ...]:
        return tuple(
            None if pd.isna(shown.at[c, column]) else float(shown.at[c, column]) for c in categories
        )

    served, not_served = values("served_median"), values("not_served_median")
    bullets: list[str] = []
    for category, label in zip(categories, labels, strict=True):
        row = shown.loc[category]
        if pd.isna(row["difference"]):
            continue
        interval = (
            tr(
                "deck.impact_interval",
                level=tr.num(IMPACT_LEVEL * 100, 0),
                low=format_value(tr, row["ci_low"], "points"),
                high=format_value(tr, row["ci_high"], "points"),
            )
            if not pd.isna(row["ci_low"])
            else ""
        )
        bullets.append(
            tr(
                "deck.impact_bullet",
                category=label,
                difference=format_value(tr, row["difference"], "points"),
                interval=interval,
                served=members_text(tr, int(row["served"])),
                not_served=members_text(tr, int(row["not_served"])),
            )
        )
    hidden = [
        tr("deck.impact_served_group", category=label)
        for category, label in zip(categories, labels, strict=True)
        if bool(shown.at[category, "served_hidden"])
    ]
    if bool(shown["not_served_hidden"].any()):
        hidden.append(tr("deck.impact_not_served_group"))
    if hidden:
        bullets.append(
            tr(
                "deck.hidden_groups",
                groups=", ".join(hidden),
                members=members_text(tr, rule.minimum),
            )
        )
    bullets.append(caveat)
    if _is_demo(frame) or _is_demo(services):
        bullets.append(tr("deck.demo_data"))
    chart = None
    if any(v is not None for v in (*served, *not_served)):
        chart = SlideChart(
            categories=tuple(labels),
            series=(
                SlideSeries(tr("impact.groups.served"), served, "members"),
                SlideSeries(tr("impact.groups.not_served"), not_served, "other"),
            ),
            orientation="bar",
            unit="points",
        )
    return Slide(0, spec.kind, title, subtitle, source, tuple(bullets), chart)


def _services(inputs: DeckInputs, spec: SlideSpec, tr: Translator, rule: DisclosureRule) -> Slide:
    """Services delivered and distinct customers per category, and the progress towards the
    hub's own targets (config/kpis.toml). Counts of services, not members' scores: nothing
    here is hidden, and nothing names a customer."""
    title = tr("deck.services_title")
    services = inputs.services_frame()
    assessments = inputs.every_kind()
    source = f"{tr('common.source')}: {_services_source(tr, services)}" + survey_extras(
        tr, None, _is_demo(services)
    )
    bullets: list[str] = []
    chart = None
    if services is None:
        bullets.append(tr("deck.no_services"))
    else:
        counts = services_by(services, assessments, "category")

        def column(name: str) -> tuple[float | None, ...]:
            return tuple(float(v) for v in counts[name])

        chart = SlideChart(
            categories=tuple(category_label(tr, c) for c in counts["category"]),
            series=(
                SlideSeries(tr("deck.services_count"), column("services"), "members"),
                SlideSeries(tr("deck.customers_count"), column("customers"), "other"),
            ),
            orientation="bar",
            unit="count",
        )
    try:
        targets = load_kpi_targets(inputs.settings.kpis_file)
    except (KpiFileError, OSError):
        targets = []
    wanted = [str(k) for k in spec.options.get("kpis", [])]
    if wanted:
        targets = [t for k in wanted for t in targets if t.kpi == k]
    else:
        targets = targets[:DEFAULT_KPIS_SHOWN]
    if targets:
        empty = services if services is not None else _no_services()
        today = inputs.today or dt.date.today()
        progress = kpi_progress(targets, empty, assessments, today)
        for row in progress.itertuples():
            label = row.label_ro if tr.lang == "ro" else row.label_en
            numbers = {
                "label": label,
                "achieved": tr.num(row.achieved, 0),
                "target": tr.num(row.target, 0),
                "share": tr.pct(row.share, 0),
                "end": tr.date(row.end_date),
            }
            state = kpi_state(row.reached, row.end_date, row.monthly_pace, today)
            if state == "reached":
                bullets.append(tr("deck.kpi_reached", **numbers))
            elif state == "ended":
                remaining = tr.num(row.target - row.achieved, 0)
                bullets.append(tr("deck.kpi_ended", remaining=remaining, **numbers))
            elif state == "last_month":
                bullets.append(tr("deck.kpi_last_month", **numbers))
            else:
                bullets.append(tr("deck.kpi_pace", pace=tr.num(row.monthly_pace, 1), **numbers))
        source += f"; {tr('deck.kpi_source')}"
    else:
        bullets.append(tr("deck.no_kpis"))
    if _is_demo(services):
        bullets.append(tr("deck.demo_data"))
    return Slide(0, spec.kind, title, tr("deck.services_subtitle"), source, tuple(bullets), chart)


def _no_services() -> pd.DataFrame:
    """A services frame without rows, for the targets when nothing is stored yet."""
    columns = ("member_id", "customer_key", "org_type", "customer_type", "category",
               "start_date", "is_demo")  # fmt: skip
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _next_steps(inputs: DeckInputs, spec: SlideSpec, tr: Translator, rule: DisclosureRule) -> Slide:
    bullets = spec.options.get(f"bullets_{tr.lang}") or spec.options.get("bullets_en") or []
    return Slide(
        0,
        spec.kind,
        tr("deck.next_steps_title"),
        "",
        tr("deck.hub_source"),
        tuple(str(b) for b in bullets),
    )


# --- the same chart with Plotly -------------------------------------------------------------------


def slide_figure(
    slide: Slide,
    tr: Translator,
    *,
    height: int | None = 560,
    headed: bool = True,
    font: int = 16,
) -> go.Figure | None:
    """The slide's chart as a Plotly figure; None for text slides.

    A slide's words come partly from files the hub edits (the slides and services files,
    round names from the surveys): every one reaches Plotly, which reads HTML in labels,
    escaped by `plotly_text`, and data only ever through `customdata`, never spliced into a
    hovertemplate, where `%{…}` would be read as a placeholder.

    `headed`: the slide's title and its source line inside the figure (PNG, HTML report).
    Without, for the presentation page, which shows both and the legend (`slide_legend`)
    as text around the chart: with `height=None` the figure takes the height of the box
    the page gives it (sized from the screen), so a projector at 1280×720 shows title,
    chart, source and controls together. Type is `font` px throughout (the page asks for
    20 px and more, read from the back of a room), the source line of a headed figure
    14 px. A headed figure's source line also says which groups were hidden (too few
    members).
    """
    chart = slide.chart
    if chart is None:
        return None
    horizontal = chart.orientation == "bar"
    # Two lines per category at most: a third ran into the neighbouring category once
    # the bars were as thin as a slide needs; the lines are as long as the longest name
    # needs (up to LABEL_CHARS_MOST), so no name is cut; the hover has the whole name.
    width = label_width(chart.categories)
    categories = [plotly_laid_out(c, lambda t: wrap_label(t, width)) for c in chart.categories]
    targets = [s for s in chart.series if s.role == "target"]
    bars = [s for s in chart.series if s.role != "target"]
    fig = go.Figure()
    for series in bars:
        colours = (
            [ROLE_COLOURS[r] for r in series.point_roles]
            if series.point_roles
            else ROLE_COLOURS[series.role]
        )
        values = list(series.values)
        fig.add_trace(
            go.Bar(
                x=values if horizontal else categories,
                y=categories if horizontal else values,
                orientation="h" if horizontal else "v",
                name=plotly_text(series.name),
                marker_color=colours,
                text=[format_value(tr, v, chart.unit) for v in values],
                # Beside per-category target marks the numbers go inside the bars' ends,
                # where no mark can cross them.
                textposition="auto" if targets else "outside",
                insidetextanchor="end",
                # Never shrunk to the bar's thickness: that made 9-13 px numbers.
                constraintext="none",
                textfont={"size": font},
                cliponaxis=False,
                customdata=_hover_data(chart.categories, series.name),
                hovertemplate=HOVER,
                showlegend=headed and (len(bars) > 1 or bool(targets)),
            )
        )
    for series in targets:
        # A target per category (slide 1): a thick mark across that category's bars with
        # its value beside it, rather than a third bar per category.
        values = list(series.values)
        # A target is a round number: "80", not "80,0".
        text = [
            tr.num(v, 0)
            if v is not None and float(v).is_integer()
            else format_value(tr, v, chart.unit)
            for v in values
        ]
        fig.add_trace(
            go.Scatter(
                x=values if horizontal else categories,
                y=categories if horizontal else values,
                mode="markers+text",
                name=plotly_text(series.name),
                marker={
                    "symbol": "line-ns" if horizontal else "line-ew",
                    "size": 2 * font + 2,
                    "line": {"color": ROLE_COLOURS["target"], "width": 4},
                },
                text=text,
                textposition="middle right" if horizontal else "top center",
                textfont={"size": font, "color": ROLE_COLOURS["target"]},
                cliponaxis=False,
                customdata=_hover_data(chart.categories, series.name),
                hovertemplate=HOVER,
                showlegend=headed,
            )
        )
    if chart.target is not None:
        reference_line(
            fig,
            chart.target,
            target_label(tr, chart.target),
            vertical=horizontal,
            legend=headed,
        )
    value_axis = fig.update_xaxes if horizontal else fig.update_yaxes
    category_axis = fig.update_yaxes if horizontal else fig.update_xaxes
    numbers = [v for s in chart.series for v in s.values if v is not None and not pd.isna(v)]
    if chart.unit in ("percent", "score"):
        # Room past 100 for the numbers beside the longest bars and the target marks.
        value_axis(range=[0, 120 if targets else 112])
    elif numbers:
        low, high = min(0.0, *numbers), max(0.0, *numbers)
        room = (high - low) * 0.18 or 1.0
        value_axis(range=[low - (room if low < 0 else 0), high + room])
    if slide.kind == "national_kpis":
        # Percentages and 0-100 scores side by side: the axis says it holds both.
        value_axis(title_text=tr("deck.kpi_axis"))
    value_axis(tickfont={"size": font}, title_font={"size": font})
    category_axis(tickfont={"size": font})
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        barmode="group",
        bargap=0.25,
        font={"size": font},
        legend={"font": {"size": font}},
        hoverlabel={"font": {"size": font}},
    )
    if headed:
        # The bullet saying which groups are hidden (too few members), recognised by the
        # fixed words of `deck.hidden_groups` around its placeholders, in either language,
        # goes with the source line: an image or report must say what it leaves out.
        parts = re.split(r"\{\w+\}", tr("deck.hidden_groups"))
        hidden = re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL)
        note = next((b for b in slide.bullets if hidden.fullmatch(b)), None)
        source = f"{slide.source} · {note}" if note else slide.source
        fig = styled(
            fig, tr.lang, plotly_text(slide.title), plotly_text(source), height=height or 560,
            width_chars=70,
        )  # fmt: skip
        fig.update_layout(title_subtitle_font_size=14)
        return fig
    # The page shows title, bullets (the hidden-groups note among them), source and the
    # legend (`slide_legend`) as text: a legend of Plotly's wraps to the plot's width, one
    # entry a row beside long category names, and took the bars' height.
    fig.update_layout(
        template="dih",
        separators=plotly_separators(tr.lang),
        height=height,
        autosize=height is None,
        title={"text": ""},
        showlegend=False,
        # On the right, room for the targets' values written beside their marks.
        margin={"t": 12, "b": 10, "l": 10, "r": round(font * 3) if targets else 20},
    )
    return fig


def target_label(tr: Translator, target: float) -> str:
    """`2030 target: 90%`, the name of a chart's target line."""
    return f"{tr('charts.target_2030')}: {format_value(tr, target)}"


LegendKind = Literal["bar", "mark", "line"]


def slide_legend(slide: Slide, tr: Translator) -> list[tuple[str, str, LegendKind]]:
    """What the slide's figure would list in its legend, as (name, colour, kind): the bar
    series (when there are several or a target beside them), the per-category target
    marks and the target line; for the presentation page, which writes it as text."""
    chart = slide.chart
    if chart is None:
        return []
    targets = [s for s in chart.series if s.role == "target"]
    bars = [s for s in chart.series if s.role != "target"]
    entries: list[tuple[str, str, LegendKind]] = []
    if len(bars) > 1 or targets:
        entries += [(s.name, ROLE_COLOURS[s.role], "bar") for s in bars]
    entries += [(s.name, ROLE_COLOURS["target"], "mark") for s in targets]
    if chart.target is not None:
        entries.append((target_label(tr, chart.target), ROLE_COLOURS["target"], "line"))
    return entries


LABEL_CHARS = 30
LABEL_CHARS_MOST = 40


def label_width(categories: Sequence[str]) -> int:
    """Characters per line of the category labels: 30, or more (up to 40) when a longer
    name would otherwise need a third line, which `wrap_label` cuts with "…"."""
    for width in range(LABEL_CHARS, LABEL_CHARS_MOST + 1):
        if all(wrap(str(c), width).count("<br>") < 2 for c in categories):
            return width
    return LABEL_CHARS_MOST


# A bar's or mark's hover: its whole category name (the axis may cut it) and series name.
HOVER = "%{customdata[0]}<br>%{customdata[1]}: %{text}<extra></extra>"


def _hover_data(categories: Sequence[str], series: str) -> list[list[str]]:
    return [[plotly_text(category), plotly_text(series)] for category in categories]
