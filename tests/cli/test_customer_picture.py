"""The EDIH's whole customer picture end to end, as the hub's staff would bring it in
(spec/edih-services.md): an SME DMA export, then the PSO DMA export and the services
reporting export laid over it, through `dih-dash import`; `dih-dash stats --json` (§4); a
second import that changes nothing; one member's own PDF (§6); and the impact figures of
the one category whose groups are big enough for the public (§5).

The files are made here in the exports' real shapes (XLSX sheet names, headers, Romanian
names with cedilla and comma-below letters, legal forms that differ between the export and
the store), with fictional organisations.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from dih_dash.cli import main
from dih_dash.domain.disclosure import DisclosureRule
from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.store import Store
from dih_dash.store.services_store import load_services

TEST_BEFORE_INVEST, TRAINING = CATEGORIES[0], CATEGORIES[1]
SME_HEADER = [
    "SME name", "SME ID", "DMA Timing", "DMA Score", "Digital Business Strategy",
    "Digital Readiness", "Human-Centric Digitalisation", "Data Governance",
    "Automation & Artificial Intelligence", "Green Digitalisation",
]  # fmt: skip
PSO_HEADER = [
    "PSO name", "PSO ID", "DMA Timing", "DMA Score", "Digital Strategy and Investments",
    "Digital Readiness", "Human-Centric Digitalisation", "Data Management and Security",
    "Interoperability", "Green Digitalisation", "EDIH Name",
]  # fmt: skip
SERVICES_HEADER = [
    "Customer", "Customer type", "Service category delivered", "Dates",
    "Short description of the service", "Service price, €", "Status",
]  # fmt: skip

# Twelve SMEs: the first six served (test before invest), the last six not served at all.
SMES = [(f"SME-{n:03d}", f"Mobila Ţesătorul {n:02d} S.R.L.") for n in range(1, 13)]
# T0 and T1 overall scores; the change is T1 − T0.
SME_SCORES = {
    member_id: (30.0 + n, 30.0 + n + (12.0 + n if n <= 6 else 2.0 + n % 3))
    for n, (member_id, _) in enumerate(SMES, start=1)
}
PSOS = [(f"PSO-{n:03d}", f"Primăria Comunei Ştefăneşti {n}") for n in range(1, 4)]


def write_xlsx(path: Path, sheet: str, header: list[str], rows: list[list[Any]]) -> Path:
    book = Workbook()
    first = book.active
    first.title = "Info"  # the data is not on the first sheet: found by its name
    first.append(["Exported from the EDIH network's tool"])
    data = book.create_sheet(sheet)
    data.append(header)
    for row in rows:
        data.append(row)
    book.save(path)
    return path


def sme_export(folder: Path) -> Path:
    rows = []
    for member_id, name in SMES:
        for wave, score in zip(("T0", "T1"), SME_SCORES[member_id], strict=True):
            rows.append([name, member_id, wave, score, *([score] * 6)])
    return write_xlsx(folder / "My SMEs DMA Results.xlsx", "My SMEs DMA Results", SME_HEADER, rows)


def pso_export(folder: Path) -> Path:
    rows = []
    for n, (member_id, name) in enumerate(PSOS, start=1):
        for wave, score in (("T0", 40.0 + n), ("T1", 50.0 + n)):
            rows.append([name, member_id, wave, score, *([score] * 6), "EDIH Transilvania"])
    return write_xlsx(folder / "My PSOs DMA Results.xlsx", "My PSOs DMA Results", PSO_HEADER, rows)


def services_export(folder: Path) -> Path:
    rows: list[list[Any]] = []
    for member_id, name in SMES[:6]:
        # The export spells the name its own way: comma-below letters, "SRL" without dots.
        spelled = name.replace("Ţ", "Ț").replace("ţ", "ț").replace("S.R.L.", "SRL").upper()
        what = f"Testare roboți de ambalare ({member_id})"
        rows.append([spelled, "SME", TEST_BEFORE_INVEST, "2025-05-01 / 2025-06-30", what,
                     "1.250,50", "Completed"])  # fmt: skip
    rows.append([PSOS[0][1], "PSO", TRAINING, "2025-03-01 / 2025-03-02",
                 "Curs de securitate cibernetică", "", "Completed"])  # fmt: skip
    rows.append(["Firma Necunoscută SA", "SME", TRAINING, "2025-04-01",
                 "Curs ERP", "300", "Completed"])  # fmt: skip
    rows.append(["Consiliul Județean Exemplu", "PSO", TEST_BEFORE_INVEST, "2025-04-01",
                 "Testare platformă", "0", "Ongoing"])  # fmt: skip
    sheet = "Reporting of EDIH services del"
    return write_xlsx(folder / "services.xlsx", sheet, SERVICES_HEADER, rows)


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DIH_DASH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIH_DASH_DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'hub.sqlite'}")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_the_customer_picture_end_to_end(hub: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [sme_export(hub), pso_export(hub), services_export(hub)]
    layouts = []
    for path in files:
        code, report = run_json(capsys, "import", str(path))
        assert code == 0, report
        layouts.append(report["layout"])
    assert layouts == ["dma-export", "pso-dma-export", "services-export"]
    assert report["unlinked"] == ["Firma Necunoscută SA", "Consiliul Județean Exemplu"]

    code, stats = run_json(capsys, "stats")
    assert code == 0
    assert stats["organisations"] == {"sme": 12, "pso": 3}
    assert (stats["members"], stats["assessments"]) == (15, 30)
    assert (stats["services"], stats["services_unlinked"]) == (9, 2)

    for path in files:  # the same files again: nothing changes
        code, again = run_json(capsys, "import", str(path))
        assert (code, again["inserted"], again["updated"]) == (0, 0, 0)
    code, after = run_json(capsys, "stats")
    assert {k: after[k] for k in ("members", "assessments", "services")} == {
        "members": 15,
        "assessments": 30,
        "services": 9,
    }

    with Store.open(f"sqlite:///{hub / 'data' / 'hub.sqlite'}") as store:
        services = load_services(store)
        assessments = store.load_assessments()
    linked = services.dropna(subset=["member_id"])
    assert sorted(linked["member_id"]) == sorted([m for m, _ in SMES[:6]] + [PSOS[0][0]])

    # The impact figures (spec §5): SMEs, test before invest, 6 served vs 6 not served.
    from dih_dash.domain.impact import impact_table, public_impact

    table = impact_table(assessments, services)
    row = table[(table["instrument"] == "sme") & (table["category"] == TEST_BEFORE_INVEST)]
    row = row.iloc[0]
    served = sorted(t1 - t0 for m, (t0, t1) in SME_SCORES.items() if int(m[-3:]) <= 6)
    rest = sorted(t1 - t0 for m, (t0, t1) in SME_SCORES.items() if int(m[-3:]) > 6)
    assert (row["served"], row["not_served"]) == (6, 6)
    assert row["served_median"] == pytest.approx((served[2] + served[3]) / 2)
    assert row["not_served_median"] == pytest.approx((rest[2] + rest[3]) / 2)
    assert row["ci_low"] <= row["difference"] <= row["ci_high"]
    public = public_impact(table, DisclosureRule(5))
    shown = public[~public["served_hidden"] & ~public["not_served_hidden"]]
    assert list(zip(shown["instrument"], shown["category"], strict=True)) == [
        ("sme", TEST_BEFORE_INVEST)
    ], "only the one category with big enough groups is shown to the public"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_one_members_pdf_names_it_alone(hub: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in (sme_export(hub), pso_export(hub), services_export(hub)):
        assert main(["import", str(path)]) == 0
    out = hub / "SME-003.pdf"
    assert main(["member-report", "--member", "sme-003", "--format", "pdf", "--lang", "ro",
                 "--out", str(out)]) == 0  # fmt: skip
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    assert [
        line.split()[-1] for line in pages.stdout.splitlines() if line.startswith("Pages:")
    ] == ["1"]
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    # Stored (and printed) with the comma-below Ț that Romanian writes, whatever the export used.
    name = "Mobila Țesătorul 03 S.R.L."
    assert name in " ".join(text.split())
    t1 = SME_SCORES["SME-003"][1]
    assert f"{t1:.1f}".replace(".", ",") in text  # 48,0: the T1 score in Romanian format
    folded = " ".join(text.split()).replace("Ț", "Ţ").replace("ț", "ţ").replace("Ș", "Ş")
    folded = folded.replace("ș", "ş")
    others = [other for mid, other in SMES + PSOS if mid != "SME-003"]
    assert not [other for other in others if other in folded]
    assert "Firma Necunoscută" not in folded and "Consiliul Județean" not in folded
