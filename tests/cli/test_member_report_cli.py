"""`dih-dash member-report`: one member to a file, every member to a folder with progress
on stderr, and one-line errors with the documented exit codes (never a traceback)."""

from __future__ import annotations

import csv
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.deck_data import deck_settings, demo_store

from dih_dash.cli import main
from dih_dash.exports.member_report import file_name


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated data folder and default store; --db points at the store under test."""
    monkeypatch.setenv("DIH_DASH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIH_DASH_DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'default.sqlite'}")
    monkeypatch.delenv("DIH_DASH_REASSESS_MONTHS", raising=False)
    monkeypatch.delenv("DIH_DASH_DEFAULT_LANG", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def demo_db(env: Path) -> str:
    return demo_store(deck_settings(env / "demo"))


def demo_members(env: Path) -> dict[str, tuple[str, str]]:
    """member id -> (its latest company name, its latest assessment date), from the file."""
    found: dict[str, tuple[str, str]] = {}
    path = deck_settings(env / "demo").demo_dir / "demo_cohort.csv"
    with path.open(encoding="utf-8") as fh:
        for record in csv.DictReader(fh):
            found[record["member_id"]] = (record["company_name"], record["assessed_on"])
    return found


def test_one_member_to_a_pdf(env, demo_db, capsys):
    out = env / "raport.pdf"
    code = main(
        ["member-report", "--member", "demo-004", "--format", "pdf", "--lang", "ro",
         "--out", str(out), "--db", demo_db]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.strip() == str(out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(out), "-"], capture_output=True, check=True
        ).stdout.decode()
        name = demo_members(env)["DEMO-004"][0]
        assert name in text
        others = {n for m, (n, _) in demo_members(env).items() if m != "DEMO-004"} - {name}
        assert [n for n in others if n in text] == []
    assert [p.name for p in env.iterdir() if p.name.startswith(".raport.pdf")] == []


def test_one_member_to_html_in_english_with_the_months_setting(env, demo_db, capsys, monkeypatch):
    monkeypatch.setenv("DIH_DASH_REASSESS_MONTHS", "6")
    out = env / "report.html"
    code = main(
        ["member-report", "--member", "DEMO-004", "--format", "html", "--lang", "en",
         "--out", str(out), "--db", demo_db]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page
    assert "6 months after the last assessment" in page
    assessed = max(
        record["assessed_on"]
        for record in csv.DictReader(
            (deck_settings(env / "demo").demo_dir / "demo_cohort.csv").open(encoding="utf-8")
        )
        if record["member_id"] == "DEMO-004"
    )
    year, month, day = (int(p) for p in assessed.split("-"))
    month += 6
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    assert f"due by {year:04d}-{month:02d}-{day:02d}" in page


def test_all_members_one_file_each_with_progress(env, demo_db, capsys):
    folder = env / "reports"
    code = main(
        ["member-report", "--all", "--format", "html", "--lang", "ro", "--out", str(folder),
         "--db", demo_db]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    members = demo_members(env)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        file_name(m, "ro", "html") for m in members
    )
    progress = captured.err.splitlines()
    assert len(progress) == len(members)
    assert progress[-1].startswith(f"[{len(members)}/{len(members)}] ")
    assert f"{folder}: {len(members)} html reports" in captured.out
    # Each file names its own member only.
    for member, (name, _) in members.items():
        page = (folder / file_name(member, "ro", "html")).read_text(encoding="utf-8")
        assert f"<h1>{name}</h1>" in page
        assert len(re.findall(r"<h1>", page)) == 1


def test_all_members_as_pdf(env, demo_db, capsys):
    folder = env / "pdf"
    code = main(
        ["member-report", "--all", "--format", "pdf", "--out", str(folder), "--db", demo_db]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    files = sorted(folder.iterdir())
    assert len(files) == len(demo_members(env))
    assert all(p.read_bytes().startswith(b"%PDF-") for p in files)
    assert all(p.name.endswith("-ro.pdf") for p in files)  # the default language


def test_an_unknown_member_is_a_usage_error(env, demo_db, capsys):
    out = env / "x.pdf"
    code = main(
        ["member-report", "--member", "NOBODY", "--format", "pdf", "--out", str(out),
         "--db", demo_db]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.strip() == (
        "dih-dash member-report: no member with id 'NOBODY' in the store"
    )
    assert not out.exists()


def test_usage_errors(env, demo_db, capsys):
    with pytest.raises(SystemExit) as both:
        main(["member-report", "--member", "A", "--all", "--format", "pdf", "--out", "x"])
    assert both.value.code == 2
    with pytest.raises(SystemExit) as neither:
        main(["member-report", "--format", "pdf", "--out", "x"])
    assert neither.value.code == 2
    (env / "file").write_text("x")
    code = main(
        ["member-report", "--all", "--format", "pdf", "--out", str(env / "file"), "--db", demo_db]
    )  # fmt: skip
    assert code == 2
    assert "not a folder" in capsys.readouterr().err


def test_a_store_that_cannot_be_opened(env, capsys, monkeypatch):
    code = main(
        ["member-report", "--member", "A", "--format", "pdf", "--out", "x.pdf",
         "--db", "postgresql+psycopg://nobody:x@127.0.0.1:1/none"]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 3
    assert captured.err.startswith("dih-dash member-report: cannot open the store: ")
    assert "Traceback" not in captured.err
    monkeypatch.setenv("DIH_DASH_REASSESS_MONTHS", "zwölf")
    assert main(["member-report", "--all", "--format", "html", "--out", "d"]) == 3
    assert "DIH_DASH_REASSESS_MONTHS: expected a whole number" in capsys.readouterr().err


def test_the_installed_command_prints_no_traceback(env, demo_db):
    done = subprocess.run(
        [sys.executable, "-m", "dih_dash", "member-report", "--member", "nobody",
         "--format", "html", "--out", str(env / "n.html"), "--db", demo_db],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "no member with id 'nobody'" in done.stderr


def demo_services(env: Path, member: str) -> list[str]:
    """The descriptions of `member`'s services in the demo services file."""
    path = deck_settings(env / "demo").demo_dir / "demo_services.csv"
    with path.open(encoding="utf-8") as fh:
        return [r["description"] for r in csv.DictReader(fh) if r["member_id"] == member]


def test_the_report_lists_the_services_the_member_received(env, demo_db, capsys):
    mine, theirs = demo_services(env, "DEMO-019"), demo_services(env, "DEMO-029")
    assert mine and theirs
    out = env / "report.html"
    code = main(
        ["member-report", "--member", "DEMO-019", "--format", "html", "--lang", "en",
         "--out", str(out), "--db", demo_db]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert "Services received from the hub" in page
    assert "No services recorded yet." not in page
    for description in set(mine):
        assert html.escape(description) in page
    assert not [d for d in set(theirs) - set(mine) if html.escape(d) in page]


def test_real_services_replace_the_demo_ones(env, demo_db, capsys):
    """As on the pages: once something real is stored, the demo data are not shown. A real
    member's report lists its real service; a demo member's lists none of the demo ones."""
    from support.store_data import hub_csv, row

    from dih_dash.services import import_file
    from dih_dash.services.services_import import import_services_file
    from dih_dash.settings import load_settings
    from dih_dash.store import Actor, open_store

    settings = load_settings(env={"DIH_DASH_DATA_DIR": str(env / "data")}, secrets={})
    admin = Actor("test", is_admin=True)
    store = open_store(settings, demo_db)
    try:
        member = hub_csv([row("RO19", company_name="Atelier Real SRL")])
        assert import_file(store, member, "m.csv", actor=admin, settings=settings).stored
        report = import_services_file(
            store,
            b"member_id,service_category,start_date,end_date,description,price_eur,status\r\n"
            b"RO19,Test before invest,2026-01-05,2026-01-20,Real pilot run,100,Completed\r\n",
            "real.csv",
            actor=admin,
            settings=settings,
        )
        assert report.stored and report.inserted == 1
    finally:
        store.close()
    out = env / "report.html"
    code = main(
        ["member-report", "--member", "RO19", "--format", "html", "--lang", "ro",
         "--out", str(out), "--db", demo_db]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert "Real pilot run" in page and "05.01.2026, Testare înainte de investiție" in page
    demo = env / "demo.html"
    code = main(
        ["member-report", "--member", "DEMO-019", "--format", "html", "--lang", "ro",
         "--out", str(demo), "--db", demo_db]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    shown = demo.read_text(encoding="utf-8")
    assert not [d for d in set(demo_services(env, "DEMO-019")) if html.escape(d) in shown]
