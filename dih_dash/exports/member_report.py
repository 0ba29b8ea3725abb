"""The member's own report (spec/edih-services.md §6): one A4 page for the member itself.

Its name and kind; its overall and dimension scores per round beside the median of the
members of its kind; its band; for an SME of 10+ persons employed with all twelve DII
items answered, its DII count against Romania's and the EU's SMEs; the services it
received; the hub's offers for its weakest dimensions; when its next assessment is due.

Built in two pure steps, so the page, the command line and the tests share them:
`build_member_report` gathers the figures (nothing here reads the store or the settings),
`report_html` writes one self-contained HTML page and `report_pdf` prints it with
WeasyPrint.

Privacy: the report goes to the member, outside the hub, so the cohort is shown only as
medians, each over at least the minimum group (`DisclosureRule`'s rule 1), and no other
member's name or id enters the page: it never receives them (`build_member_report` reads
only the member's own rows for names, the cohort for scores). Every value from a file is
HTML-escaped.

Fonts: DejaVu Sans (Debian `fonts-dejavu-core`). The HTML inlines it as `data:` URLs,
subset once per process to the Latin letters the hub writes (ș ț ă î â and their capitals
included), so the file opens offline with the same letters everywhere; the PDF loads the
font files themselves and WeasyPrint embeds the subset the page uses.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from dih_dash.domain.cohort import (
    Service,
    cohort_medians,
    kind_columns,
    kind_rows,
    member_history,
    services_for,
    size_group,
    weakest_dimensions,
)
from dih_dash.domain.disclosure import DisclosureRule
from dih_dash.domain.geo import EU_AGGREGATE, HOME
from dih_dash.domain.reassessment import add_months as add_months
from dih_dash.domain.reassessment import next_due
from dih_dash.domain.scoring import DEFAULT_DII_BOUNDS, DEFAULT_DMA_BOUNDS, dii_band
from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.domain.survey_schema import DMA_OVERALL
from dih_dash.i18n import Translator
from dih_dash.values import is_missing

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

MemberKind = Literal["sme", "pso"]
MEMBER_KINDS: tuple[str, ...] = ("sme", "pso")
DEFAULT_REASSESS_MONTHS = 12

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"normal": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
# Basic Latin, Latin-1, Latin Extended-A (Hungarian ő ű, ă â î), ș ț with comma below (and
# the cedilla forms ş ţ old files still carry), dashes, quotes, bullet, ellipsis, €, −, ≤ ≥.
FONT_CHARS: tuple[range, ...] = (
    range(0x20, 0x7F),
    range(0xA0, 0x180),
    range(0x218, 0x21C),
    range(0x2010, 0x2028),
    range(0x2030, 0x203B),
    range(0x20AC, 0x20AD),
    range(0x2190, 0x2194),
    range(0x2212, 0x2213),
    range(0x2264, 0x2266),
)

# Eurostat's national DII series for SMEs (10–249 persons employed), as on the national
# pages: the share at least basic, and the share in each band. Eurostat's bands are fixed
# (0–3, 4–6, 7–9, 10–12), so the member is placed with Eurostat's bounds for this
# comparison, whatever bounds the hub set for its own pages.
NATIONAL_AT_LEAST_BASIC = "desi_sme_di3_gelo"
NATIONAL_BANDS: dict[str, str] = {
    "very_low": "dii3_vlo",
    "low": "dii3_lo",
    "high": "dii3_hi",
    "very_high": "dii3_vhi",
}
DII_BAND_LABELS: dict[str, str] = {
    "very_low": "vlo",
    "low": "lo",
    "high": "hi",
    "very_high": "vhi",
}
NATIONAL_GEOS: tuple[str, ...] = (HOME, EU_AGGREGATE)

SCORES_HEADINGS: dict[str, str] = {
    "sme": "member_report.scores_heading",
    "pso": "member_report.scores_heading_pso",
}

# What fits on one page beside everything else; the rest is counted, not listed.
MAX_RECEIVED = 8
# Base font sizes (pt) tried in turn until the page fits on one A4 sheet.
FONT_SIZES: tuple[float, ...] = (9.0, 8.0, 7.2, 6.5)


# --- the figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedService:
    """A service the hub delivered to the member: what it was, its category (in the report's
    language) and the date it started."""

    name: str
    category: str | None = None
    delivered_on: dt.date | None = None


def category_key(category: str) -> str:
    """The locale key of one of `services_schema.CATEGORIES` (`member_report.categories.*`)."""
    return "member_report.categories." + "_".join(category.lower().split())


def received_services(
    services: pd.DataFrame, member_id: str, lang: str
) -> tuple[ReceivedService, ...]:
    """The member's services from a `services_store.load_services` frame, newest first
    (the report lists the first `MAX_RECEIVED`): named by their description, or by their
    category when the file gave none. Only rows linked to `member_id` (compared without
    letter case, as on import) are read, so no other customer's name can reach the page."""
    if services.empty:
        return ()
    wanted = str(member_id).strip().casefold()
    ids = services["member_id"].map(lambda v: None if is_missing(v) else str(v).strip().casefold())
    mine = services[ids == wanted]
    tr = Translator(lang)
    found: list[ReceivedService] = []
    for category, description, start in zip(
        mine["category"], mine["description"], mine["start_date"], strict=True
    ):
        label = tr(category_key(str(category))) if category in CATEGORIES else None
        text = "" if is_missing(description) else " ".join(str(description).split())
        found.append(
            ReceivedService(
                name=text or label or "–",
                category=label if text else None,
                delivered_on=_date(start),
            )
        )
    # Newest first; undated ones last, in the order stored.
    order = sorted(
        range(len(found)),
        key=lambda i: (
            found[i].delivered_on is None,
            -(found[i].delivered_on or dt.date.min).toordinal(),
        ),
    )
    return tuple(found[i] for i in order)


@dataclass(frozen=True)
class NationalDii:
    """Eurostat's figures for one area's SMEs in one year: the share at least basic and the
    share in each DII band (0–100), and the dataset they come from."""

    geo: str
    year: int
    at_least_basic: float | None
    in_band: Mapping[str, float]
    dataset: str


@dataclass(frozen=True)
class RoundScores:
    """The member's scores in one round beside the cohort's medians (NaN: not shown)."""

    wave: str
    assessed_on: dt.date | None
    scores: Mapping[str, float | None]
    medians: Mapping[str, float | None]
    cohort_members: int


@dataclass(frozen=True)
class Suggestion:
    dimension: str
    score: float
    offers: tuple[Service, ...]


@dataclass(frozen=True)
class MemberReport:
    member_id: str
    name: str
    kind: str
    rounds: tuple[RoundScores, ...]
    band: str | None
    band_bounds: tuple[float, float, float]
    dii_score: int | None
    dii_band: str | None  # Eurostat's band of the count, for the national comparison
    size_group: str
    national: tuple[NationalDii, ...]
    received: tuple[ReceivedService, ...]
    suggestions: tuple[Suggestion, ...]
    next_due: dt.date | None
    reassess_months: int
    min_group: int
    prepared_on: dt.date

    @property
    def latest(self) -> RoundScores:
        return self.rounds[-1]

    @property
    def dii_comparable(self) -> bool:
        """An SME of 10+ persons employed with all twelve items answered: Eurostat's DII
        covers those only, and a partial count would understate the index."""
        return self.kind == "sme" and self.dii_score is not None and self.size_group == "10plus"


NATIONAL_DII_INDICATORS: tuple[str, ...] = (NATIONAL_AT_LEAST_BASIC, *NATIONAL_BANDS.values())


def national_dii(tidy: pd.DataFrame) -> tuple[NationalDii, ...]:
    """Romania's and the EU's SME figures of the latest year both have, from tidy national
    rows (`indicator`, `geo`, `period`, `value`, `source`); empty when the data lack them."""
    rows = tidy[tidy["indicator"].isin(NATIONAL_DII_INDICATORS) & tidy["geo"].isin(NATIONAL_GEOS)]
    basic = rows[rows["indicator"] == NATIONAL_AT_LEAST_BASIC]
    years = [
        int(year)
        for year, part in basic.groupby("period", observed=True)
        if set(part["geo"]) >= set(NATIONAL_GEOS)
    ]
    if not years:
        return ()
    year = max(years)
    found: list[NationalDii] = []
    for geo in NATIONAL_GEOS:
        here = rows[(rows["geo"] == geo) & (rows["period"].astype(int) == year)]
        values = {str(i): float(v) for i, v in zip(here["indicator"], here["value"], strict=True)}
        source = here.loc[here["indicator"] == NATIONAL_AT_LEAST_BASIC, "source"]
        found.append(
            NationalDii(
                geo=geo,
                year=year,
                at_least_basic=values.get(NATIONAL_AT_LEAST_BASIC),
                in_band={b: values[i] for b, i in NATIONAL_BANDS.items() if i in values},
                dataset=str(source.iloc[0]) if len(source) else "eurostat:isoc_e_dii",
            )
        )
    return tuple(found)


def _number(value: object) -> float | None:
    return None if is_missing(value) else float(value)  # type: ignore[arg-type]


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def build_member_report(
    cohort: pd.DataFrame,
    member_id: str,
    *,
    kind: str = "sme",
    national: Sequence[NationalDii] = (),
    received: Sequence[ReceivedService] = (),
    services: Mapping[str, Sequence[Service]] | None = None,
    reassess_months: int = DEFAULT_REASSESS_MONTHS,
    min_group: int = 5,
    dma_bounds: Sequence[float] = DEFAULT_DMA_BOUNDS,
    prepared_on: dt.date | None = None,
) -> MemberReport:
    """The figures of `member_id`'s report.

    `cohort` is a scored assessment frame (`score_assessments`), the member included; its
    members of the member's `kind` are the comparison (their medians per round), and the
    scores are those of that kind's instrument. Raises KeyError when the member has no
    assessment in it, ValueError when the member is of another kind.
    """
    if kind not in MEMBER_KINDS:
        raise ValueError(f"unknown member kind {kind!r}; choose one of {', '.join(MEMBER_KINDS)}")
    if reassess_months <= 0:
        raise ValueError(f"the months between rounds must be more than 0, got {reassess_months}")
    history = member_history(cohort, member_id)
    if history.empty:
        raise KeyError(member_id)
    if member_kind(history) != kind:
        raise ValueError(f"member {member_id!r} is not of the kind {kind!r}")
    # A PSO's scores are never set beside an SME median, nor an SME's beside a PSO's.
    cohort = kind_rows(cohort, kind)
    columns = kind_columns(kind)
    # The report leaves the hub: cohort medians follow the public rule.
    rule = DisclosureRule(min_group)
    rounds: list[RoundScores] = []
    for _, row in history.iterrows():
        wave = str(row["wave"])
        in_round = int(cohort.loc[cohort["wave"] == wave, "member_id"].nunique())
        medians = cohort_medians(cohort, wave, kind=kind)
        shown = not rule.too_small(in_round)
        rounds.append(
            RoundScores(
                wave=wave,
                assessed_on=_date(row["assessed_on"]),
                scores={c: _number(row[c]) for c in columns},
                medians={c: _number(medians[c]) if shown else None for c in columns},
                cohort_members=in_round,
            )
        )
    latest = history.iloc[-1]
    count = None if is_missing(latest.get("dii_score")) else int(latest["dii_score"])
    last_date = rounds[-1].assessed_on
    suggestions = tuple(
        Suggestion(d, float(latest[d]), tuple(services_for([d], services or {})))
        for d in weakest_dimensions(latest, kind=kind)
    )
    band = latest.get("dma_band")
    return MemberReport(
        member_id=str(latest["member_id"]),
        name=str(latest["company_name"]),
        kind=kind,
        rounds=tuple(rounds),
        band=None if is_missing(band) else str(band),
        band_bounds=tuple(float(b) for b in dma_bounds),  # type: ignore[arg-type]
        dii_score=count,
        dii_band=dii_band(count, DEFAULT_DII_BOUNDS) if count is not None else None,
        size_group=str(size_group(history.iloc[[-1]]).iloc[0]),
        national=tuple(national),
        received=tuple(received),
        suggestions=suggestions,
        next_due=next_due(last_date, reassess_months),
        reassess_months=reassess_months,
        min_group=min_group,
        prepared_on=prepared_on or dt.date.today(),
    )


# Where the store will keep a member's kind once public-sector members exist; until then
# every member is an SME.
KIND_COLUMN = "org_type"


def member_kind(history: pd.DataFrame) -> str:
    """`sme` or `pso`: the kind of the member whose rows `history` holds (its latest)."""
    if KIND_COLUMN in history.columns and len(history):
        value = history[KIND_COLUMN].iloc[-1]
        if not is_missing(value) and str(value).strip().lower() in MEMBER_KINDS:
            return str(value).strip().lower()
    return "sme"


def same_kind_cohort(frame: pd.DataFrame, member_id: str) -> pd.DataFrame:
    """The rows the member is compared with: members of its kind, and the demo cohort for a
    demo member, the real members otherwise, so fictional and real companies never mix in
    one median."""
    mine = member_history(frame, member_id)
    if mine.empty:
        return frame
    keep = pd.Series(True, index=frame.index)
    if "is_demo" in frame.columns:
        demo = frame["is_demo"].fillna(False).astype(bool)
        keep &= demo if bool(mine["is_demo"].fillna(False).astype(bool).any()) else ~demo
    if KIND_COLUMN in frame.columns:
        kinds = frame[KIND_COLUMN].map(lambda v: "sme" if is_missing(v) else str(v).strip().lower())
        keep &= kinds == member_kind(mine)
    return frame[keep]


def report_for(
    frame: pd.DataFrame,
    member_id: str,
    *,
    national: Sequence[NationalDii] = (),
    received: Sequence[ReceivedService] = (),
    services: Mapping[str, Sequence[Service]] | None = None,
    reassess_months: int = DEFAULT_REASSESS_MONTHS,
    min_group: int = 5,
    dma_bounds: Sequence[float] = DEFAULT_DMA_BOUNDS,
    prepared_on: dt.date | None = None,
) -> MemberReport:
    """`build_member_report` for a member of a whole scored store frame: its kind and its
    cohort picked out of `frame`. Raises KeyError for an unknown member."""
    history = member_history(frame, member_id)
    if history.empty:
        raise KeyError(member_id)
    return build_member_report(
        same_kind_cohort(frame, member_id),
        member_id,
        kind=member_kind(history),
        national=national,
        received=received,
        services=services,
        reassess_months=reassess_months,
        min_group=min_group,
        dma_bounds=dma_bounds,
        prepared_on=prepared_on,
    )


def member_ids(frame: pd.DataFrame) -> list[str]:
    """Each member once, in the order of its latest company name (then id)."""
    latest = frame.drop_duplicates("member_id", keep="last")
    pairs = sorted(
        zip(latest["company_name"].astype(str), latest["member_id"].astype(str), strict=True),
        key=lambda p: (p[0].casefold(), p[1]),
    )
    return [member for _, member in pairs]


# --- the page -----------------------------------------------------------------------------


def _font_path(file: str) -> Path:
    path = FONT_DIR / file
    if not path.is_file():
        raise FileNotFoundError(
            f"font {path} not found: install the Debian package fonts-dejavu-core"
        )
    return path


def _font_face(weight: str, src: str) -> str:
    return (
        "@font-face{font-family:'DejaVu Sans Report';font-style:normal;"
        f"font-weight:{weight};src:{src} format('truetype')}}"
    )


@cache
def _font_face_css() -> str:
    """`@font-face` rules with the subset DejaVu Sans inlined (computed once per process)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.hinting = False  # print and screen both render unhinted outlines well enough
    options.layout_features = ["*"]
    options.drop_tables += ["FFTM"]  # FontForge's timestamp: fontTools cannot subset it
    unicodes = [c for block in FONT_CHARS for c in block]
    rules: list[str] = []
    for weight, file in FONT_FILES.items():
        font = TTFont(_font_path(file))
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        data = base64.b64encode(out.getvalue()).decode("ascii")
        rules.append(_font_face(weight, f"url(data:font/ttf;base64,{data})"))
    return "\n".join(rules)


_CSS = """
@page { size: A4; margin: 14mm 15mm 14mm 15mm; }
* { box-sizing: border-box; }
html { font-family: 'DejaVu Sans Report', 'DejaVu Sans', sans-serif; font-size: @SIZE@pt;
       color: #1b2a3a; line-height: 1.3; }
body { margin: 0; }
header { border-bottom: 2px solid #1f4e79; padding-bottom: 2mm; margin-bottom: 3mm; }
.hub { font-size: 0.9em; color: #1f4e79; font-weight: bold; }
.prepared { float: right; font-size: 0.85em; color: #555; }
h1 { font-size: 1.9em; margin: 1mm 0 0.5mm 0; }
h2 { font-size: 1.15em; margin: 3.5mm 0 1.2mm 0; color: #1f4e79;
     border-bottom: 0.5pt solid #b9c7d6; padding-bottom: 0.6mm; }
.meta { color: #444; margin: 0; }
.boxes { display: flex; gap: 3mm; margin-top: 2.5mm; }
.box { flex: 1; border: 0.6pt solid #b9c7d6; border-radius: 1.5mm; padding: 1.6mm 2.2mm;
       background: #f3f7fb; }
.box .label { font-size: 0.85em; color: #444; }
.box .value { font-size: 1.35em; font-weight: bold; }
.box .note { font-size: 0.8em; color: #555; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 0.7mm 1.4mm; border-bottom: 0.4pt solid #d5dee8; text-align: right;
         vertical-align: middle; }
th { font-size: 0.85em; color: #333; background: #e8eef5; font-weight: bold; }
th:first-child, td:first-child { text-align: left; }
tr.overall td { font-weight: bold; border-top: 0.8pt solid #1f4e79; }
td.median { color: #555; }
td.bar { width: 34mm; }
td.bar svg { display: block; }
.small { font-size: 0.8em; color: #555; margin: 1mm 0 0 0; }
ul { margin: 0.5mm 0 0 0; padding-left: 4.5mm; }
li { margin-bottom: 0.6mm; }
.kind { color: #555; font-size: 0.85em; }
.weak { margin: 1.2mm 0 0.3mm 0; font-weight: bold; }
footer { margin-top: 4mm; border-top: 0.5pt solid #b9c7d6; padding-top: 1.2mm;
         font-size: 0.78em; color: #555; }
"""

# A4 page in a browser too: the same sheet on screen, and printing gives the PDF's layout.
_SCREEN_CSS = """
@media screen { html { background: #ccd4dd; }
  body { width: 210mm; min-height: 297mm; margin: 8mm auto; padding: 14mm 15mm;
         background: white; box-shadow: 0 0 3mm rgba(0,0,0,.25); } }
"""

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'"
)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _bar(score: float | None, median: float | None) -> str:
    """A 0–100 bar for the member with a tick at the median; no text inside, so the page's
    extracted text holds each number once (the table carries them)."""
    width, height = 120.0, 9.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="32mm" height="2.6mm" '
        f'viewBox="0 0 {width:g} {height:g}" aria-hidden="true">',
        f'<rect x="0" y="1.5" width="{width:g}" height="6" fill="#e6ebf1"/>',
    ]
    if score is not None:
        parts.append(
            f'<rect x="0" y="1.5" width="{width * max(0.0, min(score, 100.0)) / 100:.1f}" '
            'height="6" fill="#2f6fa8"/>'
        )
    if median is not None:
        x = width * max(0.0, min(median, 100.0)) / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height:g}" '
            'stroke="#d9822b" stroke-width="2"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _band_text(report: MemberReport, tr: Translator) -> tuple[str, str]:
    if report.band is None:
        return "–", ""
    bounds = (0.0, *report.band_bounds, 100.0)
    index = ("basic", "average", "moderately_advanced", "advanced").index(report.band)
    low, high = bounds[index], bounds[index + 1]
    return tr(f"members.dma_bands.{report.band}"), tr(
        "member_report.band_range", low=tr.num(low, 0), high=tr.num(high, 0)
    )


def _scores_table(report: MemberReport, tr: Translator) -> str:
    rounds = report.rounds
    head = [f"<th>{_e(tr('member_report.dimension'))}</th>"]
    for r in rounds:
        head.append(f"<th>{_e(tr('member_report.member_column', wave=r.wave))}</th>")
        head.append(f"<th>{_e(tr('member_report.median_column', wave=r.wave))}</th>")
    head.append(f"<th>{_e(tr('member_report.bar_column', wave=report.latest.wave))}</th>")
    body: list[str] = []
    for column in kind_columns(report.kind):
        cells = [f"<td>{_e(tr(f'members.dimensions.{column}'))}</td>"]
        for r in rounds:
            cells.append(f"<td>{_e(tr.num(r.scores[column]))}</td>")
            cells.append(f'<td class="median">{_e(tr.num(r.medians[column]))}</td>')
        latest = report.latest
        cells.append(f'<td class="bar">{_bar(latest.scores[column], latest.medians[column])}</td>')
        css = ' class="overall"' if column == DMA_OVERALL else ""
        body.append(f"<tr{css}>{''.join(cells)}</tr>")
    counts = "; ".join(
        tr("member_report.cohort_count", wave=r.wave, members=r.cohort_members) for r in rounds
    )
    return (
        f"<table><thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f'<p class="small">{_e(tr("member_report.scale_note"))} '
        f"{_e(tr('member_report.cohort_note', counts=counts, min_group=report.min_group))}</p>"
    )


def _dii_section(report: MemberReport, tr: Translator) -> str:
    wave = report.latest.wave
    heading = f"<h2>{_e(tr('member_report.dii_heading'))}</h2>"
    if report.dii_score is None:
        return heading + f"<p>{_e(tr('member_report.dii_incomplete', wave=wave))}</p>"
    band = report.dii_band or "very_low"
    band_label = tr(f"dii_bands.{DII_BAND_LABELS[band]}")
    text = tr("member_report.dii_member", count=report.dii_score, wave=wave, band=band_label)
    parts = [heading, f"<p>{_e(text)}</p>"]
    if report.size_group != "10plus":
        parts.append(f'<p class="small">{_e(tr("member_report.dii_micro"))}</p>')
        return "".join(parts)
    if not report.national:
        parts.append(f'<p class="small">{_e(tr("member_report.dii_no_national"))}</p>')
        return "".join(parts)
    names = {HOME: tr("member_report.romania"), EU_AGGREGATE: tr("member_report.eu")}
    rows = [
        f"<tr><th>{_e(tr('member_report.dii_compare_header'))}</th>"
        f"<th>{_e(tr('member_report.dii_at_least_basic'))}</th>"
        f"<th>{_e(tr('member_report.dii_in_band', band=band_label))}</th></tr>"
    ]
    for figures in report.national:
        rows.append(
            f"<tr><td>{_e(names.get(figures.geo, figures.geo))} ({figures.year})</td>"
            f"<td>{_e(tr.pct(figures.at_least_basic))}</td>"
            f"<td>{_e(tr.pct(figures.in_band.get(band)))}</td></tr>"
        )
    first = report.national[0]
    dataset = first.dataset.split(":", 1)[-1]
    parts.append(f"<table>{''.join(rows)}</table>")
    parts.append(
        f'<p class="small">{_e(tr("member_report.dii_source", dataset=dataset, year=first.year))}'
        "</p>"
    )
    return "".join(parts)


def _received_section(report: MemberReport, tr: Translator) -> str:
    heading = f"<h2>{_e(tr('member_report.received_heading'))}</h2>"
    if not report.received:
        return heading + f"<p>{_e(tr('member_report.received_none'))}</p>"
    items: list[str] = []
    for service in report.received[:MAX_RECEIVED]:
        detail = [tr.date(service.delivered_on)] if service.delivered_on else []
        if service.category:
            detail.append(service.category)
        extra = f' <span class="kind">({_e(", ".join(detail))})</span>' if detail else ""
        items.append(f"<li>{_e(service.name)}{extra}</li>")
    more = len(report.received) - MAX_RECEIVED
    if more > 0:
        items.append(f"<li>{_e(tr('member_report.received_more', count=more))}</li>")
    return heading + f"<ul>{''.join(items)}</ul>"


def _suggested_section(report: MemberReport, tr: Translator, *, descriptions: bool) -> str:
    if not report.suggestions:
        return ""
    parts = [f"<h2>{_e(tr('member_report.suggested_heading'))}</h2>"]
    # The hub's offers (config/services.toml) are keyed by the SMEs' dimensions only: a
    # PSO's weakest dimension is named and the page says plainly none is mapped to it.
    none = (
        "member_report.suggested_none_pso"
        if report.kind == "pso"
        else "member_report.suggested_none"
    )
    for suggestion in report.suggestions:
        title = tr(
            "member_report.suggested_score",
            dimension=tr(f"members.dimensions.{suggestion.dimension}"),
            score=tr.num(suggestion.score),
        )
        parts.append(f'<p class="weak">{_e(title)}</p>')
        if not suggestion.offers:
            parts.append(f'<p class="small">{_e(tr(none))}</p>')
            continue
        items: list[str] = []
        for offer in suggestion.offers:
            kind = tr(f"members.service_kinds.{offer.kind}")
            text = f"<b>{_e(offer.name(tr.lang))}</b> <span class='kind'>({_e(kind)})</span>"
            if descriptions:
                text += f": {_e(offer.description(tr.lang))}"
            if offer.url:
                text += f' <span class="kind">{_e(offer.url)}</span>'
            items.append(f"<li>{text}</li>")
        parts.append(f"<ul>{''.join(items)}</ul>")
    return "".join(parts)


def report_html(
    report: MemberReport,
    lang: str,
    *,
    font_size: float = FONT_SIZES[0],
    descriptions: bool = True,
    inline_fonts: bool = True,
) -> str:
    """The report as one self-contained HTML page (A4, fonts inlined, no network).

    `inline_fonts=False` leaves the `@font-face` rules out, for `report_pdf`, which hands
    WeasyPrint the same fonts once per process instead of once per page."""
    tr = Translator(lang)
    latest = report.latest
    band, band_range = _band_text(report, tr)
    if latest.assessed_on:
        assessed = tr(
            "member_report.last_assessed", wave=latest.wave, date=tr.date(latest.assessed_on)
        )
    else:
        assessed = tr("member_report.last_assessed_undated", wave=latest.wave)
    if report.next_due:
        due = tr("member_report.next_due_value", date=tr.date(report.next_due))
        if report.next_due < report.prepared_on:
            due += " " + tr("member_report.overdue")
        due_note = tr("member_report.next_due_note", months=report.reassess_months)
    else:
        due, due_note = "–", tr("member_report.next_due_unknown")
    dii_value = (
        tr("member_report.dii_value", count=report.dii_score)
        if report.dii_score is not None
        else tr("member_report.dii_not_complete")
    )
    boxes = [
        (tr("member_report.overall", wave=latest.wave), tr.num(latest.scores[DMA_OVERALL]), ""),
        (tr("member_report.band"), band, band_range),
        (tr("member_report.next_due"), due, due_note),
    ]
    if report.kind == "sme":
        boxes.insert(2, (tr("member_report.dii"), dii_value, ""))
    box_html = "".join(
        f'<div class="box"><div class="label">{_e(label)}</div>'
        f'<div class="value">{_e(value)}</div>'
        + (f'<div class="note">{_e(note)}</div>' if note else "")
        + "</div>"
        for label, value, note in boxes
    )
    title = f"{tr('member_report.title')} — {report.name}"
    prepared = tr("member_report.generated", date=tr.date(report.prepared_on))
    sections = [
        "<header>",
        f'<span class="prepared">{_e(prepared)}</span>',
        f'<div class="hub">{_e(tr("member_report.hub"))}</div>',
        f'<div class="kind">{_e(tr("member_report.title"))}</div>',
        f"<h1>{_e(report.name)}</h1>",
        f'<p class="meta">{_e(tr("member_report.kind_label"))}: '
        f"{_e(tr(f'member_report.kinds.{report.kind}'))} · "
        f"{_e(tr('member_report.member_id'))}: {_e(report.member_id)} · {_e(assessed)}</p>",
        f'<div class="boxes">{box_html}</div>',
        "</header>",
        f"<h2>{_e(tr(SCORES_HEADINGS[report.kind]))}</h2>",
        _scores_table(report, tr),
    ]
    if report.kind == "sme":
        sections.append(_dii_section(report, tr))
    sections.append(_received_section(report, tr))
    sections.append(_suggested_section(report, tr, descriptions=descriptions))
    sections.append(f"<footer>{_e(tr('member_report.footer'))}</footer>")
    css = _CSS.replace("@SIZE@", f"{font_size:g}")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{_e(lang)}">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            f"<title>{_e(title)}</title>",
            f"<style>{_font_face_css() if inline_fonts else ''}\n{css}{_SCREEN_CSS}</style>",
            "</head>",
            "<body>",
            *sections,
            "</body>",
            "</html>",
        ]
    )


@cache
def _pdf_fonts() -> tuple[FontConfiguration, CSS]:
    """WeasyPrint's font configuration with the report's fonts loaded once per process:
    loading them with every page took half of each page's rendering time."""
    # Imported here: WeasyPrint (Pango) loads only when a PDF is wanted, not with the pages.
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    # The whole font files: WeasyPrint subsets what the page uses as it embeds them, so
    # the PDF needs none of the HTML's subsetting (half a second at a process's start).
    rules = "\n".join(
        _font_face(w, f"url({_font_path(f).as_uri()})") for w, f in FONT_FILES.items()
    )
    fonts = FontConfiguration()
    return fonts, CSS(string=rules, font_config=fonts)


def report_pdf(report: MemberReport, lang: str) -> bytes:
    """The report as a one-page A4 PDF with the fonts embedded.

    The page is laid out at the largest base font size that fits one sheet; a member with
    very many offers gets them without descriptions, and as a last resort only the first
    sheet is kept (the HTML keeps everything).
    """
    import weasyprint

    fonts, font_css = _pdf_fonts()
    document = None
    for descriptions in (True, False):
        for size in FONT_SIZES:
            page = report_html(
                report, lang, font_size=size, descriptions=descriptions, inline_fonts=False
            )
            document = weasyprint.HTML(string=page).render(
                stylesheets=[font_css], font_config=fonts
            )
            if len(document.pages) == 1:
                return document.write_pdf()
    assert document is not None
    return document.copy(document.pages[:1]).write_pdf()


def render(report: MemberReport, lang: str, fmt: str) -> bytes:
    """The file's bytes in `fmt` (`pdf` or `html`, UTF-8)."""
    if fmt == "pdf":
        return report_pdf(report, lang)
    if fmt == "html":
        return report_html(report, lang).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}; choose pdf or html")


def file_name(member_id: str, lang: str, fmt: str) -> str:
    """`member-report-DEMO-001-ro.pdf`: a file name from the member id, with anything a
    file system or a ZIP reader could trip on replaced."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in member_id).strip(".") or "_"
    return f"member-report-{safe}-{lang}.{fmt}"


def reports_zip(files: Iterable[tuple[str, bytes]]) -> bytes:
    """One ZIP of `(file name, bytes)` pairs (PDFs are compressed already: stored as is)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return out.getvalue()
