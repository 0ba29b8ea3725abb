"""The disclosure rule (domain.disclosure): minimum group, differencing, public statistics
and rounding — and that no public path decides any of it on its own.

The property tests build cohorts whose groups have 1..8 members (minimum 5), each group's
scores distinctive, and check every public builder: the deck with `public=True`, its HTML
report and PowerPoint file, and CSV/XLSX of a public table. A group under the minimum
never shows a statistic; a group at or above it does (so the check can see one). The
member pages get the same test in tests/app/test_privacy.py.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from plotly.offline import get_plotlyjs
from support.deck_data import deck_settings
from support.store_data import frame, row

from dih_dash.domain.cohort import dimension_stats
from dih_dash.domain.disclosure import (
    SUPPRESSED,
    DisclosureRule,
    PublicCohort,
    Withheld,
    disclose,
    suppress_complement,
)
from dih_dash.domain.scoring import score_assessments
from dih_dash.domain.survey_schema import DII_ITEMS, DMA_COLUMNS, DMA_DIMENSIONS
from dih_dash.exports.deck import DeckInputs, Slide, build_deck, load_slide_specs
from dih_dash.exports.html_report import deck_html
from dih_dash.exports.pptx_deck import deck_pptx
from dih_dash.exports.tables import to_csv_bytes, to_xlsx_bytes
from dih_dash.services.deck import load_deck_inputs

ROOT = Path(__file__).resolve().parents[2]
MINIMUM = 5
SIZES = range(1, 9)

# --- the rule ---------------------------------------------------------------------------------


def test_the_rule_needs_a_minimum_of_at_least_one():
    with pytest.raises(ValueError, match="at least 1"):
        DisclosureRule(0)
    with pytest.raises(ValueError, match="audience"):
        DisclosureRule(5, audience="everyone")  # type: ignore[arg-type]


def test_the_public_sees_groups_of_the_minimum_an_admin_groups_of_one():
    public = DisclosureRule.for_audience(MINIMUM, admin=False)
    admin = DisclosureRule.for_audience(MINIMUM, admin=True)
    assert (public.minimum, admin.minimum) == (5, 1)
    assert [n for n in range(7) if not public.too_small(n)] == [5, 6]
    assert [n for n in range(3) if not admin.too_small(n)] == [1, 2]
    assert public.too_small(None) and public.too_small(float("nan"))
    assert public.statistics == ("median",) and "mean" in admin.statistics
    # Part of every cache key: the two audiences must never share an entry.
    assert public != admin and hash(public) != hash(admin)


@pytest.mark.parametrize(
    ("selected", "everyone", "reason"),
    [
        (4, 20, "selection_too_small"),
        (5, 20, None),
        (20, 20, None),  # nobody left out
        (17, 20, "rest_too_small"),  # all but three: the three could be differenced out
        (15, 20, None),
        (0, 20, "selection_too_small"),
    ],
)
def test_the_differencing_rule(selected, everyone, reason):
    assert DisclosureRule(MINIMUM).refusal(selected, everyone) == reason
    assert DisclosureRule(MINIMUM, audience="admin").refusal(selected, everyone) is None


def cohort_of(sizes: dict[str, int], wave: str = "T0") -> pd.DataFrame:
    rows = [
        row(f"{cluster}-{n}", wave, cluster=cluster)
        for cluster, size in sizes.items()
        for n in range(size)
    ]
    return score_assessments(frame(rows).assign(is_demo=False))


def test_disclose_clears_a_selection_or_says_why_not():
    everyone = cohort_of({"IT": 12, "Mobilier": 3})
    rule = DisclosureRule(MINIMUM)
    it = everyone[everyone["cluster"] == "IT"]
    assert disclose(it, everyone, rule) == Withheld("rest_too_small", MINIMUM)
    furniture = everyone[everyone["cluster"] == "Mobilier"]
    assert disclose(furniture, everyone, rule) == Withheld("selection_too_small", MINIMUM)
    cleared = disclose(everyone, everyone, rule)
    assert isinstance(cleared, PublicCohort)
    assert (cleared.members, cleared.rule) == (15, rule)
    admin = disclose(furniture, everyone, DisclosureRule(MINIMUM, audience="admin"))
    assert isinstance(admin, PublicCohort) and admin.members == 3


def test_a_public_cohort_is_made_by_disclose_only():
    everyone = cohort_of({"IT": 6})
    with pytest.raises(TypeError, match="disclose"):
        PublicCohort(everyone, DisclosureRule(MINIMUM), 6, object())


def test_the_public_table_has_no_means_no_flags_and_one_decimal():
    rule = DisclosureRule(MINIMUM)
    stats = rule.groups(dimension_stats(cohort_of({"IT": 6, "Mobilier": 2}), by="cluster"))
    shown = rule.public_table(stats)
    assert "mean" not in shown.columns and SUPPRESSED not in shown.columns
    assert list(shown.columns) == ["wave", "group", "dimension", "members", "median"]
    values = shown["median"].dropna()
    assert not values.empty and (values.round(1) == values).all()
    assert shown.loc[shown["group"] == "Mobilier", ["members", "median"]].isna().all().all()
    admin = DisclosureRule(MINIMUM, audience="admin")
    full = admin.public_table(admin.groups(dimension_stats(cohort_of({"Mobilier": 2}))))
    assert "mean" in full.columns and SUPPRESSED not in full.columns
    assert full["members"].eq(2).all()


def test_count_cells_below_the_minimum_are_blanked():
    table = pd.DataFrame({"cluster": ["IT", "Mobilier"], "T0": [6, 3], "T1": [0, 7]})
    out = DisclosureRule(MINIMUM).counts(table, ["T0", "T1"])
    assert out["T0"].tolist() == [6, pd.NA] and out["T1"].tolist() == [pd.NA, 7]
    assert DisclosureRule(MINIMUM, audience="admin").counts(table, ["T0"])["T0"].tolist() == [6, 3]


# --- nothing decides the rule outside the module ----------------------------------------------

RULE_NAMES = {"min_group", "minimum", "min_group_size", "MIN_GROUP", "MINIMUM"}


def _names(node: ast.AST) -> set[str]:
    """The variables and attributes a comparison reads (not functions it calls, such as
    numpy's `np.minimum`)."""
    called = {id(part.func) for part in ast.walk(node) if isinstance(part, ast.Call)}
    found = set()
    for part in ast.walk(node):
        if id(part) in called:
            continue
        if isinstance(part, ast.Name):
            found.add(part.id)
        elif isinstance(part, ast.Attribute):
            found.add(part.attr)
    return found


def test_no_public_path_compares_with_the_minimum_itself():
    """A comparison with the minimum group outside domain/disclosure.py is a privacy rule
    decided on its own: it must go through the rule (`too_small`, `groups`, `disclose`)."""
    offenders = []
    sources = [*(ROOT / "dih_dash").rglob("*.py"), *(ROOT / "app_pages").rglob("*.py")]
    sources.append(ROOT / "app.py")
    for path in sources:
        if path == ROOT / "dih_dash" / "domain" / "disclosure.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            # `min_group is None`: whether a caller gave a rule, not a comparison with it.
            if all(isinstance(op, ast.Is | ast.IsNot) for op in node.ops):
                continue
            if _names(node) & RULE_NAMES:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_scan_finds_a_hand_rolled_comparison():
    tree = ast.parse("if row.members < minimum:\n    pass\n")
    compares = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)]
    assert compares and _names(compares[0]) & RULE_NAMES


# --- every public builder, groups of 1..8 members ---------------------------------------------

PAIRED_CHANGE = 13.25  # each paired member's change in every dimension (exact in binary)
LATEST_SCORE = 61.625  # each member's score in the latest round


def _with_dma(values: dict, score: float) -> dict:
    return values | dict.fromkeys(DMA_COLUMNS, score)


def deck_cohort(k: int) -> pd.DataFrame:
    """`k` micro members assessed in T0 and T1 (the only pairs: their change is
    PAIRED_CHANGE; all at least basic), ten 10+ members in T1 only, and `k` of those again
    in T2, the latest round, scoring LATEST_SCORE."""
    everything_met = dict.fromkeys(DII_ITEMS, True)
    rows = []
    for n in range(k):
        micro = {"size_class": "micro", "employees": 4, **everything_met}
        rows.append(row(f"MIC-{n}", "T0", **_with_dma(micro, 80.0)))
        rows.append(row(f"MIC-{n}", "T1", **_with_dma(micro, 80.0 + PAIRED_CHANGE)))
    rows += [row(f"TEN-{n}", "T1") for n in range(10)]
    rows += [row(f"TEN-{n}", "T2", **_with_dma({}, LATEST_SCORE)) for n in range(k)]
    # As the store returns them: real members, not the demo cohort.
    return score_assessments(frame(rows).assign(is_demo=False))


@pytest.fixture(scope="module")
def national_inputs(tmp_path_factory: pytest.TempPathFactory) -> DeckInputs:
    settings = deck_settings(tmp_path_factory.mktemp("disclosure"))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    inputs = load_deck_inputs(settings)
    assert inputs.settings.min_group_size == MINIMUM
    return inputs


def slides_content(slides: list[Slide]) -> tuple[str, list[str], list[float]]:
    """The slides' text, their charts' categories and their charts' numbers."""
    texts, categories, values = [], [], []
    for slide in slides:
        texts += [slide.title, slide.subtitle, slide.source, *slide.bullets]
        if slide.chart is not None:
            categories += list(slide.chart.categories)
            for series in slide.chart.series:
                values += [v for v in series.values if v is not None]
    return "\n".join(texts), categories, values


def pptx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".xml")
        )


@pytest.mark.parametrize("k", SIZES)
@pytest.mark.parametrize("public", [True, False])
def test_the_deck_and_its_files_never_show_a_group_below_the_minimum(national_inputs, k, public):
    inputs = dataclasses.replace(national_inputs, assessments=deck_cohort(k))
    specs = load_slide_specs(inputs.settings.slides_file)
    kinds = {spec.kind for spec in specs}
    assert {"members_vs_national", "progress", "weakest_dimensions"} <= kinds
    slides = build_deck(inputs, specs, "en", public=public)
    text, categories, values = slides_content(slides)
    # Without the inlined plotly.js, whose code holds numbers of its own.
    html_text = deck_html(slides, "en").replace(get_plotlyjs(), "")
    pptx = pptx_text(deck_pptx(slides, "en"))
    shown = (not public) or k >= MINIMUM
    micro_label = "Micro members (<10), T1"
    checks = {
        "the micro members' share": micro_label in categories,
        "the pairs' change": PAIRED_CHANGE in values,
        "the latest round's scores": LATEST_SCORE in values,
    }
    assert checks == dict.fromkeys(checks, shown)
    for number in (str(PAIRED_CHANGE), str(LATEST_SCORE)):
        assert (number in html_text) == shown, f"{number} in the HTML report"
        assert (number in pptx) == shown, f"{number} in the PowerPoint file"
    if not shown:
        assert "fewer than 5" in text.lower()


@pytest.mark.parametrize("k", SIZES)
def test_public_tables_and_their_files_never_show_a_group_below_the_minimum(k):
    """A group of `k` members scoring LATEST_SCORE beside twenty scoring 40: the public
    table, CSV and XLSX carry its median only when it has at least the minimum."""
    members = cohort_of({"IT": 20, "Mobilier": k})
    members.loc[members["cluster"] == "Mobilier", list(DMA_COLUMNS)] = LATEST_SCORE
    rule = DisclosureRule(MINIMUM)
    table = rule.public_table(rule.groups(dimension_stats(members, by="cluster")))
    csv = to_csv_bytes(table).decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(to_xlsx_bytes(table))) as archive:
        xlsx = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    shown_score = str(round(LATEST_SCORE, rule.decimals))  # 61.6: public numbers are rounded
    visible = k >= MINIMUM
    assert (shown_score in csv) == visible and (shown_score in xlsx) == visible
    assert str(LATEST_SCORE) not in csv + xlsx, "never more decimals than shown"
    assert "mean" not in csv
    furniture = table[table["group"] == "Mobilier"]
    assert furniture["median"].notna().all() == visible
    assert set(table.loc[table["group"] == "IT", "dimension"]) == set(DMA_COLUMNS)
    assert set(DMA_DIMENSIONS) < set(furniture["dimension"])


def places(customers: list[int]) -> pd.DataFrame:
    """Disjoint places (each customer in one), with a service count of its own per place."""
    return pd.DataFrame(
        {
            "county": [f"C{i}" for i in range(len(customers))],
            "services": [3 * c + 1 for c in customers],
            "customers": customers,
        }
    )


def derivable(table: pd.DataFrame, shown: pd.DataFrame, column: str) -> int | None:
    """What the published total minus the rows shown gives away: the blanked rows' sum."""
    if not shown[column].isna().any():
        return None
    return int(table[column].sum() - shown[column].sum(skipna=True))


@pytest.mark.parametrize(
    ("customers", "hidden"),
    [
        ([12, 9, 2, 7], {"C2", "C3"}),  # one blanked: the next-smallest shown goes too
        ([12, 9, 7], set()),  # nothing blanked, nothing more
        ([12, 1, 2, 6, 8], {"C1", "C2", "C3"}),  # two blanked add up to 3 < 5
        ([12, 3, 4, 9], {"C1", "C2"}),  # two blanked add up to 7: enough
        ([12, 2, 5, 5], {"C1", "C2"}),  # tie: the first of the smallest
        ([3], {"C0"}),  # nothing left to blank beside it
    ],
)
def test_complementary_suppression_leaves_no_blanked_count_to_derive(customers, hidden):
    rule = DisclosureRule(5)
    table = places(customers)
    shown = suppress_complement(table, "customers", rule, ["services"])
    assert set(shown.loc[shown[SUPPRESSED], "county"]) == hidden
    assert shown.loc[shown[SUPPRESSED], ["services", "customers"]].isna().all().all()
    kept = ~shown[SUPPRESSED]
    assert (
        shown.loc[kept, "customers"].astype(int).tolist() == table.loc[kept, "customers"].tolist()
    )
    for column in ("customers", "services"):
        given = derivable(table, shown, column)
        if given is not None and len(hidden) > 1:
            # Only a sum of two or more places, of at least the minimum customers.
            blanked = table.loc[shown[SUPPRESSED].to_numpy(), column]
            assert given == int(blanked.sum())
    if len(hidden) > 1:
        assert int(table.loc[shown[SUPPRESSED].to_numpy(), "customers"].sum()) >= rule.minimum
    # One primary suppression alone would have given the blanked place back.
    primary = DisclosureRule(5).groups(table, "customers", ["services"])
    if int(primary[SUPPRESSED].sum()) == 1 and len(customers) > 1:
        small = table.loc[primary[SUPPRESSED].to_numpy(), "customers"].iloc[0]
        assert derivable(table, primary, "customers") == small


def test_an_admin_table_is_not_suppressed_further():
    table = places([12, 9, 2, 7])
    admin = DisclosureRule(5, audience="admin")
    shown = suppress_complement(table, "customers", admin, ["services"])
    assert not shown[SUPPRESSED].any()
    assert shown["customers"].tolist() == [12, 9, 2, 7]
