"""The member profile offers the member's own report to hub staff: a PDF in Romanian and
in English for the chosen member, and every member's as a ZIP; the public never gets it.

The buttons generate their file only when clicked (deferred `st.download_button` data),
and AppTest cannot click through to a deferred file, so the test records what each button
registers with Streamlit's media file manager and calls it as the click would."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from dih_dash.exports.member_report import file_name
from dih_dash.services import load_demo
from dih_dash.settings import load_settings
from dih_dash.store import Actor, open_store

LABELS = {"PDF report (RO)", "PDF report (EN)", "All members (ZIP)"}


@pytest.fixture
def demo_names(isolated_data) -> dict[str, str]:
    """The demo cohort in the isolated store; member id -> company name."""
    settings = load_settings()
    store = open_store(settings)
    try:
        load_demo(store, settings, Actor("tests", is_admin=True))
    finally:
        store.close()
    with (settings.demo_dir / "demo_cohort.csv").open(encoding="utf-8") as fh:
        return {r["member_id"]: r["company_name"] for r in csv.DictReader(fh)}


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str | None, Callable]]:
    """file name -> (mime type, the callable) of every deferred download a page registers."""
    found: dict[str, tuple[str | None, Callable]] = {}
    original = MediaFileManager.add_deferred

    def recording(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        found[str(file_name)] = (mimetype, data_callable)
        return original(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return found


def test_staff_get_the_members_report(demo_names, deferred, open_page):
    at = open_page("member_profile", "en", admin=True, member="DEMO-004")
    assert not at.exception
    labels = {b.label for b in at.get("download_button")}
    assert labels >= LABELS

    mime, build = deferred[file_name("DEMO-004", "ro", "pdf")]
    assert mime == "application/pdf"
    pdf = build()
    assert pdf.startswith(b"%PDF-")
    assert file_name("DEMO-004", "en", "pdf") in deferred

    mime, build = deferred["member-reports-en.zip"]
    assert mime == "application/zip"
    with zipfile.ZipFile(io.BytesIO(build())) as archive:
        assert sorted(archive.namelist()) == sorted(file_name(m, "en", "pdf") for m in demo_names)
        assert archive.read(file_name("DEMO-004", "en", "pdf")).startswith(b"%PDF-")


def test_the_public_is_not_offered_the_report(demo_names, deferred, open_page):
    at = open_page("member_profile", "en", admin=False, member="DEMO-004")
    assert not at.exception
    assert not LABELS & {b.label for b in at.get("download_button")}
    assert [name for name in deferred if name.startswith("member-report")] == []


def test_the_staff_report_lists_the_services_the_member_received(demo_names, deferred, open_page):
    """The profile's PDF carries the member's own services (from the store), as the CLI's."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    settings = load_settings()
    with (settings.demo_dir / "demo_services.csv").open(encoding="utf-8") as fh:
        delivered = list(csv.DictReader(fh))
    member = delivered[0]["member_id"]
    own = {r["description"] for r in delivered if r["member_id"] == member}
    others = {r["description"] for r in delivered if r["member_id"] != member} - own
    at = open_page("member_profile", "en", admin=True, member=member)
    assert not at.exception
    _, build = deferred[file_name(member, "en", "pdf")]
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=build(), capture_output=True, check=True
    ).stdout.decode("utf-8")
    flat = " ".join(text.split())
    assert any(d in flat for d in own), "its own services are listed"
    assert not [d for d in others if d in flat], "no other member's service"
