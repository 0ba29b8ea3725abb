"""The services and impact slides of the workshop deck (issue 12): the numbers they show,
worked out here from the demo files rather than by the app; the public rule (a group below
the minimum is hidden, with a note); no company name in the PowerPoint or the HTML report;
both languages; and a deck without services that says so instead of failing."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io
import re
import statistics
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from support.deck_data import deck_settings, demo_identities, demo_store

from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.exports.deck import (
    DeckConfigError,
    DeckInputs,
    Slide,
    SlideSpec,
    build_deck,
    load_slide_specs,
)
from dih_dash.exports.html_report import deck_html
from dih_dash.exports.pptx_deck import deck_pptx
from dih_dash.i18n import Translator
from dih_dash.services.deck import displayed_services, load_deck_inputs

CATEGORY_RO = {
    "Test before invest": "Testare înainte de investiție",
    "Training and skills development": "Instruire și competențe",
    "Support to find investment": "Sprijin pentru finanțare",
    "Innovation ecosystem and networking": "Ecosistem și networking",
}
# Targets over a period that holds every demo service, so what counts is plain to see.
KPIS = """
[programme]
start = 2000-01-01
end = 2099-12-31

[[target]]
id = "all_services"
metric = "services"
target = 900
label_en = "Every service"
label_ro = "Toate serviciile"

[[target]]
id = "customers"
metric = "customers_served"
target = 5
label_en = "Customers"
label_ro = "Clienți"
"""
SERVICES = SlideSpec("services", {"kpis": ["all_services", "customers"]})
IMPACT_SME = SlideSpec("impact", {})
IMPACT_PSO = SlideSpec("impact", {"instrument": "pso"})


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> DeckInputs:
    folder = tmp_path_factory.mktemp("services-deck")
    settings = deck_settings(folder)
    demo_store(settings)
    kpis = folder / "kpis.toml"
    kpis.write_text(KPIS, encoding="utf-8")
    loaded = load_deck_inputs(dataclasses.replace(settings, kpis_file=kpis))
    return dataclasses.replace(loaded, today=dt.date(2026, 12, 4))


@pytest.fixture(scope="module")
def demo_files(inputs: DeckInputs) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    demo = inputs.settings.demo_dir
    return read_csv(demo / "demo_cohort.csv"), read_csv(demo / "demo_services.csv")


def build(inputs: DeckInputs, spec: SlideSpec, lang: str = "en", public: bool = True) -> Slide:
    return build_deck(inputs, [spec], lang, public=public)[0]


def sme_changes(
    cohort: list[dict[str, str]], services: list[dict[str, str]]
) -> tuple[dict[str, list[float]], list[float]]:
    """Per category the T0 → T1 changes of the SMEs served in it (from their T0 on), and
    the changes of the SMEs served nothing: spec edih-services.md §5, worked out here."""
    rounds: dict[str, dict[str, dict[str, str]]] = {}
    for row in cohort:
        if row["org_type"] == "sme":
            rounds.setdefault(row["member_id"], {})[row["wave"]] = row
    twice = {m: r for m, r in rounds.items() if {"T0", "T1"} <= set(r)}
    change = {
        m: float(r["T1"]["dma_overall"]) - float(r["T0"]["dma_overall"]) for m, r in twice.items()
    }
    anything = {s["member_id"] for s in services}
    served = {
        category: [
            change[m]
            for m in sorted(twice)
            if any(
                s["member_id"] == m
                and s["service_category"] == category
                and s["start_date"] >= twice[m]["T0"]["assessed_on"]
                for s in services
            )
        ]
        for category in CATEGORIES
    }
    return served, [change[m] for m in sorted(twice) if m not in anything]


# --- the services slide ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_services_slide_counts_services_and_distinct_customers_per_category(
    inputs, demo_files, lang
):
    _, services = demo_files
    slide = build(inputs, SERVICES, lang)
    assert slide.chart is not None and slide.chart.unit == "count"
    names = list(CATEGORIES) if lang == "en" else [CATEGORY_RO[c] for c in CATEGORIES]
    assert list(slide.chart.categories) == names
    counted, customers = slide.chart.series
    for index, category in enumerate(CATEGORIES):
        rows = [s for s in services if s["service_category"] == category]
        assert counted.values[index] == len(rows)
        assert customers.values[index] == len({s["member_id"] for s in rows})
    tr = Translator(lang)
    assert slide.title == tr("deck.services_title")
    assert tr("members.source.demo") in slide.source


def test_services_slide_lists_the_targets_with_what_is_reached(inputs, demo_files):
    _, services = demo_files
    en = build(inputs, SERVICES, "en")
    ro = build(inputs, SERVICES, "ro")
    total, served = len(services), len({s["member_id"] for s in services})
    # 900 services by 2099-12-31, counted on 2026-12-04: 876 whole months left.
    pace = f"{(900 - total) / 876:.1f}"
    assert en.bullets[0] == (
        f"Every service: {total} of 900 ({round(100 * total / 900)}%); "
        f"{pace} a month needed to reach it by 2099-12-31."
    )
    assert en.bullets[1] == f"Customers: {served} of 5, target reached."
    assert ro.bullets[0].startswith(f"Toate serviciile: {total} din 900 (")
    assert "31.12.2099" in ro.bullets[0] and pace.replace(".", ",") in ro.bullets[0]
    assert ro.bullets[1] == f"Clienți: {served} din 5, țintă atinsă."


def test_the_slides_file_picks_the_targets_and_unknown_ids_are_left_out(inputs):
    only = build(inputs, SlideSpec("services", {"kpis": ["customers", "no_such_target"]}))
    assert next(b.split(":")[0] for b in only.bullets if ": " in b) == "Customers"
    assert not any(b.startswith("Every service") for b in only.bullets)
    missing = dataclasses.replace(
        inputs, settings=dataclasses.replace(inputs.settings, kpis_file=Path("/nowhere.toml"))
    )
    slide = build(missing, SERVICES)
    assert Translator("en")("deck.no_kpis") in slide.bullets
    assert slide.chart is not None, "the counts do not need the targets"


# --- the impact slide -------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_impact_slide_shows_the_medians_of_groups_large_enough(inputs, demo_files, lang):
    cohort, services = demo_files
    served, not_served = sme_changes(cohort, services)
    minimum = inputs.settings.min_group_size
    assert len(not_served) >= minimum and any(len(v) >= minimum for v in served.values())

    slide = build(inputs, IMPACT_SME, lang)
    assert slide.chart is not None and slide.chart.unit == "points"
    served_series, other_series = slide.chart.series
    for index, category in enumerate(CATEGORIES):
        changes = served[category]
        if len(changes) >= minimum:
            assert served_series.values[index] == pytest.approx(
                round(statistics.median(changes), 1)
            )
        else:
            assert served_series.values[index] is None
        assert other_series.values[index] == pytest.approx(round(statistics.median(not_served), 1))
    tr = Translator(lang)
    assert tr("impact.not_randomised") in slide.bullets
    assert slide.title == tr("deck.impact_title_sme", wave_from="T0", wave_to="T1")
    # One bullet per category shown, with both groups' sizes.
    shown = [c for c in CATEGORIES if len(served[c]) >= minimum]
    label = (lambda c: c) if lang == "en" else CATEGORY_RO.get
    for category in shown:
        bullet = next(b for b in slide.bullets if b.startswith(f"{label(category)}: "))
        assert str(len(served[category])) in bullet and str(len(not_served)) in bullet


def test_public_impact_hides_groups_below_the_minimum_and_says_so(inputs, demo_files):
    """The demo PSOs are fewer than the minimum in every group: nothing of theirs is drawn,
    the slide names what it hides; the staff deck shows them."""
    cohort, services = demo_files
    psos = {r["member_id"] for r in cohort if r["org_type"] == "pso" and r["wave"] == "T1"}
    not_served = psos - {s["member_id"] for s in services}
    assert 0 < len(not_served) < inputs.settings.min_group_size

    public = build(inputs, IMPACT_PSO, "en")
    assert public.chart is None
    note = next(b for b in public.bullets if b.startswith("Not shown, fewer than 5 members"))
    assert "the members not served" in note
    staff = build(inputs, IMPACT_PSO, "en", public=False)
    assert staff.chart is not None
    assert any(v is not None for s in staff.chart.series for v in s.values)
    assert not any(b.startswith("Not shown") for b in staff.bullets)


def test_one_small_group_is_blanked_and_the_others_stay(inputs):
    """Services of one category for only two SMEs: that category's served median is hidden
    (and named in the note), the categories with enough members still show theirs."""
    services = inputs.services
    assert services is not None
    training = "Training and skills development"
    kept = services[services["category"] != training]
    two = services[
        (services["category"] == training)
        & services["member_id"].isin(_served_smes(inputs, training)[:2])
    ]
    small = dataclasses.replace(inputs, services=pd.concat([kept, two], ignore_index=True))
    slide = build(small, IMPACT_SME, "en")
    assert slide.chart is not None
    index = list(CATEGORIES).index(training)
    assert slide.chart.series[0].values[index] is None
    assert slide.chart.series[0].values[0] is not None
    note = next(b for b in slide.bullets if b.startswith("Not shown"))
    assert f"{training} (served)" in note
    assert not any(b.startswith(f"{training}: ") for b in slide.bullets)


def _served_smes(inputs: DeckInputs, category: str) -> list[str]:
    """SMEs assessed in T0 and T1 with a service of `category` after their T0."""
    frame = inputs.every_kind()
    smes = frame[frame["org_type"] == "sme"]
    first = smes[smes["wave"] == "T0"].set_index("member_id")["assessed_on"]
    twice = set(smes[smes["wave"] == "T1"]["member_id"])
    services = inputs.services
    assert services is not None
    found = [
        m
        for m, c, start in zip(
            services["member_id"], services["category"], services["start_date"], strict=True
        )
        if c == category and m in twice and start >= first[m]
    ]
    return sorted(set(found))


# --- without services, and the slides file ---------------------------------------------------


@pytest.mark.parametrize("services", [None, "empty"])
@pytest.mark.parametrize("lang", ["en", "ro"])
def test_a_deck_without_services_says_so(inputs, services, lang):
    frame = None if services is None else inputs.services.iloc[0:0]  # type: ignore[union-attr]
    bare = dataclasses.replace(inputs, services=frame)
    specs = load_slide_specs(inputs.settings.slides_file)
    slides = build_deck(bare, specs, lang)
    tr = Translator(lang)
    for kind in ("services", "impact"):
        slide = next(s for s in slides if s.kind == kind)
        assert slide.chart is None
        assert tr("deck.no_services") in slide.bullets
    impact = next(s for s in slides if s.kind == "impact")
    assert tr("impact.not_randomised") in impact.bullets
    # The files are made all the same.
    assert len(Presentation(io.BytesIO(deck_pptx(slides, lang))).slides) == len(specs) + 1
    assert html.escape(tr("deck.no_services")) in deck_html(slides, lang)


def test_a_deck_without_any_member_or_service(inputs):
    empty = inputs.assessments.iloc[0:0]
    bare = dataclasses.replace(inputs, assessments=empty, all_assessments=empty, services=None)
    slides = build_deck(bare, [IMPACT_SME, SERVICES], "en")
    assert [s.chart for s in slides] == [None, None]


def test_the_slides_file_refuses_an_unknown_instrument(tmp_path):
    path = tmp_path / "slides.toml"
    path.write_text('[[slide]]\nkind = "impact"\ninstrument = "both"\n', encoding="utf-8")
    with pytest.raises(DeckConfigError, match="instrument 'both'"):
        load_slide_specs(path)
    path.write_text('[[slide]]\nkind = "services"\nkpis = "services"\n', encoding="utf-8")
    with pytest.raises(DeckConfigError, match="kpis"):
        load_slide_specs(path)


# --- no names, in either file ----------------------------------------------------------------


@pytest.mark.parametrize("public", [True, False])
def test_no_company_name_in_the_pptx_or_the_html(inputs, public):
    """Every demo company and public body (cohort file) and every member id, searched in
    every part of the PowerPoint (embedded workbooks included) and in the HTML report."""
    identities = demo_identities(inputs.settings)
    assert any(name.startswith("Demo Primăria") for name in identities), "PSOs searched too"
    specs = [*load_slide_specs(inputs.settings.slides_file), IMPACT_PSO, SERVICES]
    for lang in ("en", "ro"):
        slides = build_deck(inputs, specs, lang, public=public)
        assert {"impact", "services"} <= {s.kind for s in slides}
        texts = [("report.html", deck_html(slides, lang))]
        texts += list(_zip_texts(deck_pptx(slides, lang)))
        for name, text in texts:
            assert "DEMO-" not in text, name
            found = [i for i in identities if i in text]
            assert found == [], f"{lang} {name} holds {found[:3]}"


def _zip_texts(data: bytes, prefix: str = "") -> list[tuple[str, str]]:
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            content = archive.read(name)
            if content[:2] == b"PK":
                out += _zip_texts(content, f"{prefix}{name}!")
            else:
                out.append((f"{prefix}{name}", content.decode("utf-8", errors="replace")))
    return out


def test_the_pptx_and_html_carry_both_slides_in_both_languages(inputs):
    specs = load_slide_specs(inputs.settings.slides_file)
    for lang in ("en", "ro"):
        tr = Translator(lang)
        slides = build_deck(inputs, specs, lang)
        services = next(s for s in slides if s.kind == "services")
        impact = next(s for s in slides if s.kind == "impact")
        prs = Presentation(io.BytesIO(deck_pptx(slides, lang)))
        titles = [page.shapes.title.text_frame.text for page in list(prs.slides)[1:]]
        assert services.title in titles and impact.title in titles
        page = prs.slides[services.number]
        chart = next(s.chart for s in page.shapes if getattr(s, "has_chart", False))
        assert chart.plots[0].data_labels.number_format == "0"
        assert [s.name for s in chart.plots[0].series] == [
            tr("deck.services_count"),
            tr("deck.customers_count"),
        ]
        report = deck_html(slides, lang)
        assert html.escape(services.title) in report and html.escape(impact.title) in report
        assert html.escape(tr("impact.not_randomised")) in report


def test_the_deck_shows_real_services_once_there_are_any(inputs):
    services = inputs.services
    assert services is not None and services["is_demo"].all()
    pd.testing.assert_frame_equal(displayed_services(services), services)
    real = services.head(3).assign(is_demo=False)
    mixed = pd.concat([services, real], ignore_index=True)
    shown = displayed_services(mixed)
    assert len(shown) == 3 and not shown["is_demo"].any()


def test_the_public_impact_source_says_fewer_than_the_minimum_not_the_count(inputs, demo_files):
    cohort, _ = demo_files
    waves: dict[str, set[str]] = {}
    for r in cohort:
        if r["org_type"] == "pso" and r["dma_overall"]:
            waves.setdefault(r["member_id"], set()).add(r["wave"])
    paired = sum(1 for w in waves.values() if {"T0", "T1"} <= w)
    # A hub whose minimum group is above the demo's paired PSOs.
    minimum = paired + 2
    inputs = dataclasses.replace(
        inputs, settings=dataclasses.replace(inputs.settings, min_group_size=minimum)
    )
    assert 0 < paired < minimum
    for lang, exact, fewer in (
        ("en", f"{paired} members", f"fewer than {minimum} members"),
        ("ro", f"{paired} membri", f"mai puțin de {minimum} membri"),
    ):
        public = build(inputs, IMPACT_PSO, lang)
        assert fewer in public.source
        assert not re.search(rf"(?<![\d.,]){re.escape(exact)}", public.source), public.source
        staff = build(inputs, IMPACT_PSO, lang, public=False)
        assert re.search(rf"(?<![\d.,]){re.escape(exact)}", staff.source), staff.source
    # The SMEs paired are not fewer than the minimum: their count is said as it is.
    sme = build(inputs, IMPACT_SME, "en").source
    assert "fewer than" not in sme and re.search(r"\d+ members", sme)


# The same targets over a programme that ended, and one ending this month.
ENDED_KPIS = (
    KPIS.replace("end = 2099-12-31", "end = 2026-06-30")
    + """
[[target]]
id = "soon"
metric = "services"
target = 900
end = 2026-12-20
label_en = "Soon"
label_ro = "Curând"
"""
)


def test_a_target_past_its_end_says_it_ended_short_and_a_reached_one_stays_reached(
    inputs, demo_files, tmp_path
):
    _, services = demo_files
    kpis = tmp_path / "kpis.toml"
    kpis.write_text(ENDED_KPIS, encoding="utf-8")
    ended = dataclasses.replace(
        inputs, settings=dataclasses.replace(inputs.settings, kpis_file=kpis)
    )
    spec = SlideSpec("services", {"kpis": ["all_services", "customers", "soon"]})
    en = build(ended, spec, "en")
    ro = build(ended, spec, "ro")
    # Every demo service started by 2026-06-30 (the demo runs to 2026): 900 less those.
    counted = sum(1 for s in services if not s["start_date"] or s["start_date"] <= "2026-06-30")
    short = 900 - counted
    assert en.bullets[0].endswith(f"ended on 2026-06-30: {short} short of the target.")
    assert "less than a month" not in en.bullets[0]
    assert en.bullets[1].endswith("target reached.")
    assert en.bullets[2].endswith("less than a month left (until 2026-12-20).")
    assert ro.bullets[0].endswith(f"încheiată la 30.06.2026: au lipsit {short} până la țintă.")


def test_the_deck_shows_no_demo_services_beside_real_members(tmp_path) -> None:
    """One decision for the store: real assessments and no real services yet → the services
    slide has no (demo) services, and no demo SME is drawn."""
    from support.store_data import ADMIN, hub_csv, row

    from dih_dash.services import import_file, load_demo
    from dih_dash.settings import load_settings
    from dih_dash.store import open_store

    settings = load_settings(
        env={
            "DIH_DASH_DATA_DIR": str(tmp_path),
            "DIH_DASH_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
        },
        secrets={},
    )
    store = open_store(settings)
    try:
        load_demo(store, settings, ADMIN)
        report = import_file(store, hub_csv([row("RO1")]), "m.csv", actor=ADMIN, settings=settings)
        assert report.stored
    finally:
        store.close()
    inputs = load_deck_inputs(settings)
    assert inputs.services is not None and inputs.services.empty
    assert set(inputs.assessments["member_id"]) == {"RO1"}
    assert set(inputs.all_assessments["member_id"]) == {"RO1"}
