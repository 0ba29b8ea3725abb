"""The member's own report (spec/edih-services.md §6) on the demo cohort in a tmp SQLite
store: its own name and scores in the page's number format beside the cohort medians, its
band, its DII against Romania's and the EU's SMEs, services, the next assessment date; no
other member's name or id; one A4 page with embedded fonts and exact Romanian letters."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from support.deck_data import deck_settings, demo_identities, demo_store, small_store

from dih_dash.domain.cohort import Service, displayed_cohort, size_group
from dih_dash.domain.scoring import score_assessments
from dih_dash.domain.survey_schema import DMA_COLUMNS, DMA_DIMENSIONS, PSO_DIMENSIONS
from dih_dash.exports.member_report import (
    ReceivedService,
    add_months,
    build_member_report,
    file_name,
    member_ids,
    national_dii,
    received_services,
    render,
    report_for,
    report_html,
    report_pdf,
    reports_zip,
)
from dih_dash.i18n import Translator
from dih_dash.settings import Settings
from dih_dash.sources.national_store import load_national
from dih_dash.sources.services import load_services
from dih_dash.store import open_store

PREPARED = dt.date(2026, 6, 1)


def poppler(tool: str) -> str:
    """The poppler-utils tool's path; skip without it (fail under CI=true)."""
    found = shutil.which(tool)
    if found:
        return found
    message = f"{tool} (Debian poppler-utils) is not installed"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(message + ": under CI=true the PDF checks must run")
    pytest.skip(message)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        [poppler("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def pdf_pages(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    info = subprocess.run(
        [poppler("pdfinfo"), str(path)], capture_output=True, check=True, text=True
    ).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def ro(value: float) -> str:
    """One decimal with a decimal comma, worked out here rather than by the app."""
    return f"{value:.1f}".replace(".", ",")


def load_frame(settings: Settings) -> pd.DataFrame:
    store = open_store(settings)
    try:
        return score_assessments(store.load_assessments())
    finally:
        store.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, pd.DataFrame]:
    settings = deck_settings(tmp_path_factory.mktemp("demo"))
    demo_store(settings)
    return settings, load_frame(settings)


@pytest.fixture(scope="module")
def national(demo: tuple[Settings, pd.DataFrame]) -> pd.DataFrame:
    return load_national(demo[0]).tidy


def chosen_member(frame: pd.DataFrame) -> str:
    """A demo member of 10+ employees, assessed in two rounds with all twelve DII items
    answered in the latest, whose name has a Romanian letter (ș or ț)."""
    for member, rows in frame.groupby("member_id"):
        latest = rows.iloc[-1]
        if (
            len(rows) >= 2
            and pd.notna(latest["dii_score"])
            and size_group(rows.iloc[[-1]]).iloc[0] == "10plus"
            and re.search("[șțȘȚ]", str(latest["company_name"]))
        ):
            return str(member)
    raise AssertionError("the demo cohort has no member fit for this test")


def others(settings: Settings, frame: pd.DataFrame, member: str) -> set[str]:
    """Every other demo member's name and id (leaving out any that is part of this one's)."""
    own = frame[frame["member_id"] == member].iloc[-1]
    mine = f"{own['company_name']} {member}"
    return {v for v in demo_identities(settings) if v not in mine}


def test_the_html_has_the_members_figures_and_no_one_else(demo, national):
    settings, frame = demo
    member = chosen_member(frame)
    services = load_services(settings.services_file)
    report = report_for(
        frame,
        member,
        national=national_dii(national),
        services=services,
        prepared_on=PREPARED,
    )
    page = report_html(report, "ro")
    rows = frame[frame["member_id"] == member]
    latest = rows.iloc[-1]
    assert str(latest["company_name"]) in page
    assert "Tip: IMM" in page

    # Scores per round, each beside the median of the members of its kind (the demo cohort
    # holds public-sector organisations too) assessed in that round.
    smes = frame[frame["org_type"] == "sme"]
    for _, row in rows.iterrows():
        in_round = smes[smes["wave"] == row["wave"]]
        for column in DMA_COLUMNS:
            score = f"<td>{ro(float(row[column]))}</td>"
            median = f'<td class="median">{ro(float(in_round[column].median()))}</td>'
            assert score + median in page, (row["wave"], column)
    assert f"{row['wave']}: {in_round['member_id'].nunique()} membri" in page

    # Band of the latest overall score, with the default bounds.
    overall = float(latest["dma_overall"])
    band = next(
        name
        for top, name in ((25, "Bază"), (50, "Mediu"), (75, "Moderat avansat"), (100, "Avansat"))
        if overall <= top
    )
    assert f'<div class="value">{band}</div>' in page

    # Next assessment: twelve months after the latest assessment date.
    due = latest["assessed_on"].replace(year=latest["assessed_on"].year + 1)
    assert f"până la {due:%d.%m.%Y}" in page

    # DII against Romania's and the EU's SMEs (10–249), the latest year both have.
    dii = national[national["indicator"] == "desi_sme_di3_gelo"]
    year = int(dii[dii["geo"] == "RO"]["period"].max())
    for geo, label in (("RO", "România"), ("EU27_2020", "UE-27")):
        value = float(dii[(dii["geo"] == geo) & (dii["period"] == year)]["value"].iloc[0])
        assert f"<td>{label} ({year})</td><td>{ro(value)}%</td>" in page
    assert f"{int(latest['dii_score'])} din 12" in page
    assert f"Sursa: Eurostat, isoc_e_dii, {year}" in page

    # No services delivered are stored yet; suggestions for the two weakest dimensions.
    assert "Nu sunt încă înregistrate servicii." in page
    weakest = sorted(DMA_DIMENSIONS, key=lambda d: (float(latest[d]), DMA_DIMENSIONS.index(d)))
    for dimension in weakest[:2]:
        for offer in services.get(dimension, ()):
            assert offer.name_ro.replace("&", "&amp;") in page

    # It names no other member (names and ids of the demo file).
    leaked = sorted(name for name in others(settings, frame, member) if name in page)
    assert leaked == []


def test_the_english_page_uses_a_decimal_point(demo):
    _, frame = demo
    member = chosen_member(frame)
    latest = frame[frame["member_id"] == member].iloc[-1]
    page = report_html(report_for(frame, member, prepared_on=PREPARED), "en")
    assert f"<td>{float(latest['dma_overall']):.1f}</td>" in page
    assert "Kind: SME" in page
    assert "No services recorded yet." in page


def test_the_pdf_is_one_page_with_embedded_fonts_and_exact_romanian(demo, national, tmp_path):
    settings, frame = demo
    member = chosen_member(frame)
    report = report_for(
        frame,
        member,
        national=national_dii(national),
        services=load_services(settings.services_file),
        prepared_on=PREPARED,
    )
    data = report_pdf(report, "ro")
    assert data.startswith(b"%PDF-")
    assert pdf_pages(data, tmp_path) == 1

    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(
        [poppler("pdffonts"), str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    assert fonts, "the PDF lists no font"
    for line in fonts:
        # name, type, encoding, then emb sub uni and the object id (two fields).
        assert line.split()[-5] == "yes", line
        assert "DejaVu" in line

    text = pdf_text(data, tmp_path)
    latest = frame[frame["member_id"] == member].iloc[-1]
    name = str(latest["company_name"])
    assert name in " ".join(text.split())
    assert re.search("[șț]", name.lower())
    for word in ("și", "față", "Digitalizare ecologică", "România", "Întocmit", "încă"):
        assert word in text, word
    # Cedilla forms or decomposed letters would be a different text to a reader's search.
    assert not re.search("[şţŞŢ\u0326\u0327]", text)
    assert ro(float(latest["dma_overall"])) in text
    assert ro(float(latest["dma_strategy"])) in text
    flat = " ".join(text.split())
    leaked = sorted(n for n in others(settings, frame, member) if n in flat)
    assert leaked == []


def test_many_offers_still_fit_one_page(demo, tmp_path):
    _, frame = demo
    member = chosen_member(frame)
    long = "Un text lung despre ce oferă hubul, în câteva propoziții întregi. " * 4
    offers = {
        d: [Service(d, "course", f"Offer {d} {i}", f"Ofertă {d} {i}", long, long) for i in range(6)]
        for d in DMA_DIMENSIONS
    }
    received = [
        ReceivedService(f"Serviciul {i}", "course", dt.date(2025, 5, i + 1)) for i in range(20)
    ]
    report = report_for(frame, member, services=offers, received=received)
    assert pdf_pages(report_pdf(report, "ro"), tmp_path) == 1
    page = report_html(report, "ro")
    assert "Serviciul 7" in page and "Serviciul 8" not in page
    assert "și încă 12" in page


def test_values_from_files_are_escaped(tmp_path):
    settings = deck_settings(tmp_path)
    small_store(settings, count=6)
    frame = load_frame(settings)
    frame.loc[frame["member_id"] == "RO0", "company_name"] = '<b>Evil</b> & "Co" SRL'
    received = [ReceivedService("<i>Curs</i>", "<script>x</script>")]
    page = report_html(report_for(frame, "RO0", received=received, min_group=5), "ro")
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; &quot;Co&quot; SRL" in page
    assert "<b>Evil</b>" not in page and "<script>x" not in page and "<i>Curs" not in page


def test_a_median_over_too_few_members_is_not_shown(tmp_path):
    settings = deck_settings(tmp_path)
    small_store(settings, count=3)
    frame = load_frame(settings)
    report = report_for(frame, "RO1", min_group=5)
    assert all(v is None for v in report.latest.medians.values())
    page = report_html(report, "ro")
    assert '<td class="median">–</td>' in page
    assert "Firma Secretă 0 SRL" not in page and "Firma Secretă 2 SRL" not in page
    # With a minimum group of three the median shows again.
    shown = report_for(frame, "RO1", min_group=3)
    assert shown.latest.medians["dma_overall"] == pytest.approx(
        float(frame["dma_overall"].median())
    )


def test_dii_without_a_comparison_for_micro_incomplete_or_public_sector(demo, national):
    _, frame = demo
    figures = national_dii(national)
    groups = size_group(frame)
    micro = frame[(groups == "micro") & frame["dii_score"].notna()]["member_id"].iloc[0]
    page = report_html(report_for(frame, micro, national=figures), "ro")
    assert "doar întreprinderile cu cel puțin 10 angajați" in page
    assert "IMM-uri cel puțin la nivel de bază" not in page

    # An SME's: a public-sector organisation's report has no DII section at all.
    sme = member_ids(frame[frame["org_type"] == "sme"])[0]
    incomplete = frame.copy()
    incomplete.loc[incomplete["member_id"] == sme, "dii_ai"] = pd.NA
    incomplete = score_assessments(incomplete.drop(columns=["dii_score"]))
    report = report_for(incomplete, sme, national=figures)
    assert report.dii_score is None
    assert "Nu toate cele 12 întrebări DII" in report_html(report, "ro")

    psos = frame[frame["org_type"] == "pso"]
    pso = build_member_report(
        psos, member_ids(psos)[0], kind="pso", national=figures, prepared_on=PREPARED
    )
    page = report_html(pso, "ro")
    assert "Tip: Organizație din sectorul public" in page
    assert "Intensitate digitală" not in page
    # A member is reported with its own kind's instrument only.
    with pytest.raises(ValueError, match="not of the kind"):
        build_member_report(frame, sme, kind="pso", prepared_on=PREPARED)


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_a_public_sector_members_report_has_its_own_dimensions_and_median(demo, lang, tmp_path):
    settings, frame = demo
    psos = frame[frame["org_type"] == "pso"]
    twice = psos.groupby("member_id")["wave"].nunique()
    member = str(twice[twice >= 2].index[0])
    report = report_for(
        frame, member, services=load_services(settings.services_file), prepared_on=PREPARED
    )
    assert report.kind == "pso"
    page = report_html(report, lang)
    tr = Translator(lang)
    decimal = ro if lang == "ro" else (lambda v: f"{v:.1f}")
    rows = psos[psos["member_id"] == member]
    for _, row in rows.iterrows():
        in_round = psos[psos["wave"] == row["wave"]]
        assert in_round["member_id"].nunique() >= 5, "the demo PSOs' median is shown"
        for column in (*PSO_DIMENSIONS, "dma_overall"):
            name = tr(f"members.dimensions.{column}")
            score = f"<td>{decimal(float(row[column]))}</td>"
            median = f'<td class="median">{decimal(float(in_round[column].median()))}</td>'
            assert f"<td>{name}</td>" in page, column
            assert score + median in page, (row["wave"], column)
    # The SME dimensions the PSO instrument has no namesake for (some names are shared).
    pso_names = " | ".join(tr(f"members.dimensions.{d}") for d in PSO_DIMENSIONS)
    sme_only = [
        tr(f"members.dimensions.{d}")
        for d in DMA_DIMENSIONS
        if tr(f"members.dimensions.{d}") not in pso_names
    ]
    assert len(sme_only) >= 2
    for name in sme_only:
        assert name.replace("&", "&amp;") not in page, name
    heading = {
        "ro": "față de mediana organizațiilor din sectorul public",
        "en": "beside the median of public-sector organisations",
    }[lang]
    assert heading in page
    assert "IMM" not in page and "SMEs" not in page
    # No offer is mapped to a PSO dimension: said plainly, no SME offer shown instead.
    none = {"ro": "Hubul nu are încă oferte asociate", "en": "no offers mapped"}[lang]
    assert none in page
    for offers in load_services(settings.services_file).values():
        for offer in offers:
            assert offer.name(lang).replace("&", "&amp;") not in page
    weakest = sorted(
        PSO_DIMENSIONS, key=lambda d: (float(rows.iloc[-1][d]), PSO_DIMENSIONS.index(d))
    )
    assert f"{tr(f'members.dimensions.{weakest[0]}')}: " in page

    text = " ".join(pdf_text(report_pdf(report, lang), tmp_path).split())
    for column in PSO_DIMENSIONS:
        assert tr(f"members.dimensions.{column}") in text, column
    for name in sme_only:
        assert name not in text, name


def test_national_dii_takes_the_latest_year_both_areas_have():
    tidy = pd.DataFrame(
        {
            "indicator": ["desi_sme_di3_gelo"] * 3 + ["dii3_hi", "dii3_hi"],
            "geo": ["RO", "EU27_2020", "RO", "RO", "EU27_2020"],
            "period": [2023, 2023, 2025, 2023, 2023],
            "value": [27.0, 58.0, 30.0, 9.5, 20.5],
            "source": ["eurostat:isoc_e_dii"] * 5,
        }
    )
    ro_figures, eu_figures = national_dii(tidy)
    assert (ro_figures.geo, ro_figures.year, ro_figures.at_least_basic) == ("RO", 2023, 27.0)
    assert ro_figures.in_band == {"high": 9.5}
    assert (eu_figures.geo, eu_figures.at_least_basic) == ("EU27_2020", 58.0)
    assert national_dii(tidy[tidy["geo"] == "RO"]) == ()


def test_next_assessment_dates():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 12, 20), 12) == dt.date(2026, 12, 20)
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


def test_the_due_date_follows_the_months_between_rounds(demo):
    _, frame = demo
    member = chosen_member(frame)
    assessed = frame[frame["member_id"] == member].iloc[-1]["assessed_on"]
    report = report_for(frame, member, reassess_months=6, prepared_on=assessed)
    assert report.next_due == add_months(assessed, 6)
    page = report_html(report, "en")
    assert f"due by {add_months(assessed, 6):%Y-%m-%d}" in page
    assert "6 months after the last assessment" in page
    late = report_for(frame, member, reassess_months=6, prepared_on=add_months(assessed, 7))
    assert "(overdue)" in report_html(late, "en")


def test_demo_and_real_members_are_not_compared_with_each_other(demo, tmp_path):
    _, frame = demo
    real = frame[frame["member_id"] == member_ids(frame)[0]].copy()
    real["member_id"], real["is_demo"] = "REAL-1", False
    real["dma_overall"] = 99.0
    both = pd.concat([frame, real], ignore_index=True)
    demo_report = report_for(both, chosen_member(frame), min_group=1)
    assert demo_report.latest.medians["dma_overall"] == pytest.approx(
        float(frame[frame["wave"] == demo_report.latest.wave]["dma_overall"].median())
    )
    assert report_for(both, "real-1", min_group=1).latest.cohort_members == 1
    assert member_ids(displayed_cohort(both)) == ["REAL-1"]


def test_files_and_the_zip(demo):
    _, frame = demo
    assert file_name("DEMO-001", "ro", "pdf") == "member-report-DEMO-001-ro.pdf"
    assert file_name("../a b", "en", "html") == "member-report-_a_b-en.html"
    ids = member_ids(frame)[:2]
    archive = reports_zip((file_name(m, "en", "html"), render(report_for(frame, m), "en", "html"))
                          for m in ids)  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.namelist() == [file_name(m, "en", "html") for m in ids]
        assert opened.read(opened.namelist()[0]).startswith(b"<!DOCTYPE html>")
    with pytest.raises(KeyError):
        report_for(frame, "NOBODY")
    with pytest.raises(ValueError):
        render(report_for(frame, ids[0]), "en", "docx")


def test_an_undated_assessment_has_no_due_date(demo):
    _, frame = demo
    member = chosen_member(frame)
    undated = frame.copy()
    undated.loc[undated["member_id"] == member, "assessed_on"] = None
    report = report_for(undated, member)
    assert report.next_due is None
    page = report_html(report, "ro")
    assert "nu se poate calcula: lipsește data evaluării" in page
    assert f"Ultima evaluare: {report.latest.wave} (fără dată)" in page


def delivered(rows: list[tuple]) -> pd.DataFrame:
    """Services as `services_store.load_services` returns them (the columns the report reads)."""
    return pd.DataFrame(
        rows, columns=["member_id", "customer_name", "category", "description", "start_date"]
    )


def test_received_services_are_the_members_own_newest_first():
    frame = delivered(
        [
            (
                "RO1",
                "Firma Unu SRL",
                "Test before invest",
                "Pilot  de\nautomatizare",
                dt.date(2025, 2, 1),
            ),
            ("ro1", "Firma Unu SRL", "Training and skills development", None, dt.date(2025, 9, 3)),
            ("RO1", "Firma Unu SRL", "Support to find investment", "Dosar PNRR", None),
            ("RO2", "Alta Firma SRL", "Test before invest", "Secret", dt.date(2025, 10, 1)),
            (None, "Nelegat SRL", "Test before invest", "Nelegat", dt.date(2025, 11, 1)),
        ]
    )
    found = received_services(frame, " RO1 ", "ro")
    assert found == (
        # No description: named by its category, in the report's language.
        ReceivedService("Instruire și competențe", None, dt.date(2025, 9, 3)),
        ReceivedService(
            "Pilot de automatizare", "Testare înainte de investiție", dt.date(2025, 2, 1)
        ),
        ReceivedService("Dosar PNRR", "Sprijin pentru finanțare", None),
    )
    english = received_services(frame, "RO1", "en")
    assert english[0].name == "Training and skills development"
    assert received_services(frame, "RO9", "en") == ()
    assert received_services(frame.iloc[:0], "RO1", "en") == ()


def test_the_report_lists_the_services_received(demo):
    _, frame = demo
    member = chosen_member(frame)
    services = delivered(
        [
            (
                member,
                "x",
                "Test before invest",
                "Pilot de mentenanță predictivă",
                dt.date(2025, 4, 1),
            ),
            ("DEMO-999", "y", "Test before invest", "Serviciul altcuiva", dt.date(2025, 4, 2)),
        ]
    )
    report = report_for(
        frame, member, received=received_services(services, member, "ro"), prepared_on=PREPARED
    )
    page = report_html(report, "ro")
    assert "Pilot de mentenanță predictivă" in page
    assert "01.04.2025, Testare înainte de investiție" in page
    assert "Serviciul altcuiva" not in page
    assert "Nu există încă servicii" not in page
