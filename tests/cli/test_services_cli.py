"""`dih-dash import` of services files, `dih-dash services link` and the services counts of
`dih-dash stats` (spec/edih-services.md §3–§4), end to end on SQLite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.store_data import hub_csv, row

from dih_dash.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures" / "services"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DIH_DASH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIH_DASH_DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'm.sqlite'}")
    monkeypatch.chdir(tmp_path)
    members = tmp_path / "membri.csv"
    members.write_bytes(hub_csv([row("RO100", company_name="Alfa Mobilier SRL")]))
    assert main(["import", str(members)]) == 0
    return tmp_path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1
    return code, json.loads(out)


def test_import_detects_the_export_and_stats_count_services(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = str(FIXTURES / "services_export.xlsx")
    code, body = run_json(capsys, "import", export)
    assert code == 0
    assert body["layout"] == "services-export"
    assert (body["inserted"], body["stored"], body["encoding"]) == (5, True, None)
    assert "Alfa Mobilier S.R.L." not in body["unlinked"]
    assert len(body["unlinked"]) == 4
    code, again = run_json(capsys, "import", export, "--layout", "services-export")
    assert (code, again["inserted"], again["unchanged"]) == (0, 0, 5)
    code, counts = run_json(capsys, "stats")
    assert code == 0
    assert (counts["services"], counts["services_unlinked"]) == (5, 4)
    assert counts["uploads"] == 3


def test_a_csv_in_cp1250_with_semicolons(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, body = run_json(capsys, "import", str(FIXTURES / "services_export_cp1250.csv"))
    assert code == 0
    assert (body["encoding"], body["delimiter"], body["rows"]) == ("cp1250", ";", 3)
    assert body["unlinked"] == ["Ștefănescu Soft S.R.L.", "Țesătoria Nouă PFA"]


def test_the_wrong_layout_is_refused(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "services_export.xlsx")
    code, body = run_json(capsys, "import", path, "--layout", "services-hub")
    assert code == 2
    assert body["stored"] is False and "member_id" in body["refused"]


def test_link_exit_codes(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(FIXTURES / "services_export_cp1250.csv")]) == 0
    assert main(["services", "link", "Stefanescu Soft", "ro100"]) == 0
    assert "1 stored services" in capsys.readouterr().out
    code, counts = run_json(capsys, "stats")
    assert (code, counts["services_unlinked"]) == (0, 1)
    assert main(["services", "link", "Stefanescu Soft", "RO999"]) == 2
    assert "RO999" in capsys.readouterr().err
    assert main(["services", "link", " ", "RO100"]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["services", "link", "only a name"])
    assert usage.value.code == 2
    bad = env / "not-a-dir" / "x.sqlite"
    (env / "not-a-dir").write_text("a file where a folder should be")
    assert main(["services", "link", "A", "RO100", "--db", f"sqlite:///{bad}"]) == 3


def test_a_file_of_no_layout_is_still_refused_as_before(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = env / "other.csv"
    other.write_text("Name,Amount\r\nAlfa,3\r\n", encoding="utf-8")
    code, body = run_json(capsys, "import", str(other))
    assert code == 2 and body["stored"] is False
    assert "hub template" in body["refused"]


def test_the_human_report_lists_the_unlinked_customers(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["import", str(FIXTURES / "services_export_cp1250.csv"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "layout services-export, encoding cp1250, separator semicolon (;)" in out
    assert "3 rows: 3 new, 0 updated, 0 unchanged, 0 rejected" in out
    assert "customer “Țesătoria Nouă PFA” matches no stored member" in out
    assert "Dry run: nothing stored" in out
