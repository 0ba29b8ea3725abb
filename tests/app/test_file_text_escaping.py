"""Text from survey files reaches the pages' markdown and charts as text: a company name,
member id, cluster or header reading `<a href>` or `**bold**` shows those characters."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import APP, chart_specs, texts
from support.tables import shown_tables

from dih_dash.services import import_file
from dih_dash.settings import load_settings
from dih_dash.store import Actor, open_store
from dih_dash.text_safety import markdown_text, plotly_text

EVIL_NAME = '<a href="x">Evil</a> <b>SRL</b>'
EVIL_ID = "<B>RO1</B>*X*"  # ids are stored upper-case
EVIL_CLUSTER = "<span style='color:red'>IT</span>"
HEADER = (
    "member_id,company_name,wave,cluster,size_class,employees,county,"
    "dma_strategy,dma_readiness,dma_human,dma_data,dma_automation,dma_green"
)


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def evil_csv() -> bytes:
    """Six members in T0 and T1 (enough for every public group), one of them with a hostile
    name and id, all in a hostile cluster."""
    rows = [HEADER]
    for wave in ("T0", "T1"):
        for n in range(1, 7):
            member, name = (EVIL_ID, EVIL_NAME) if n == 1 else (f"RO{n}", f"Firma {n} SRL")
            score = 30 + n + (10 if wave == "T1" else 0)
            rows.append(
                f"{csv_cell(member)},{csv_cell(name)},{wave},{csv_cell(EVIL_CLUSTER)},small,20,CJ,"
                + ",".join(str(score) for _ in range(6))
            )
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture
def evil_store(isolated_data):
    settings = load_settings()
    store = open_store(settings)
    report = import_file(store, evil_csv(), "evil.csv", actor=Actor("tests", True),
                         settings=settings)  # fmt: skip
    assert report.stored and report.inserted == 12, report.to_json_dict()
    return store


def run_page(page: str, lang: str = "en", *, admin: bool = True, **query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    if admin:
        at.session_state["admin_name"] = "Ana Test"
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def chart_strings(at: AppTest) -> list[str]:
    """Every string of the page's figures as Plotly.js receives it, but the map's GeoJSON
    (shapes, never shown as text)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key != "geojson":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(chart_specs(at))
    return found


def chart_text(at: AppTest) -> str:
    return "\n".join(chart_strings(at))


def markup_in_charts(at: AppTest) -> set[str]:
    """HTML tags in any text of the page's figures, besides the charts' own."""
    tags = {t.lower() for s in chart_strings(at) for t in re.findall(r"<\s*/?\s*([A-Za-z]+)", s)}
    return tags - {"br", "extra"}


def test_profile_escapes_the_member_id_and_name(evil_store):
    at = run_page("member_profile", member=EVIL_ID)
    assert at.selectbox(key="profile_member").value == EVIL_ID
    label = at.checkbox(key="delete_confirm").label
    assert label == f"I understand: delete {markdown_text(EVIL_ID)}"
    assert EVIL_ID not in texts(at), "the raw id never reaches markdown"
    charts = chart_text(at)
    assert plotly_text(EVIL_NAME) in charts and plotly_text(EVIL_CLUSTER) in charts
    assert markup_in_charts(at) == set()


@pytest.mark.parametrize("admin", [True, False])
def test_cohort_charts_escape_clusters_and_names(evil_store, admin):
    at = run_page("cohort_overview", by="cluster", admin=admin)
    charts = chart_text(at)
    assert plotly_text(EVIL_CLUSTER) in charts
    if admin:
        assert f"{plotly_text(EVIL_NAME)} ({plotly_text(EVIL_ID)})" in charts
    assert markup_in_charts(at) == set()


def test_progress_dumbbell_escapes_names(evil_store):
    at = run_page("progress")
    charts = chart_text(at)
    assert f"{plotly_text(EVIL_NAME)} ({plotly_text(EVIL_ID)})" in charts
    assert markup_in_charts(at) == set()


# --- the upload page -----------------------------------------------------------------------


def upload(lang: str, name: str, data: bytes) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.session_state["admin_name"] = "Ana Test"
    at.run()
    at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="survey_file").set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_the_refusal_repeats_the_closest_header_escaped(isolated_data, lang):
    header = "<b>company_nam</b>"
    at = upload(lang, "close.csv", f"member_id,wave,{header}\nRO1,T0,X\n".encode())
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert markdown_text(header) in errors[0]
    assert header not in errors[0], "the file's header is not markup on the page"


def test_a_refused_file_is_escaped_before_the_check_too(isolated_data):
    # Refused while reading (an unclosed quote): the message has no file text, but goes
    # through the same escaping; the page must still say why.
    at = upload("en", "quote.csv", b'member_id,wave\n"RO1,T0\n')
    assert any("never closed" in e.value for e in at.error), [e.value for e in at.error]


# --- the import log: counts formatted alike in every column and language ----------------------


def members_csv(count: int, bump: int) -> bytes:
    rows = [HEADER]
    for n in range(count):
        score = 30 + (n % 50) + (5 if n < bump else 0)
        rows.append(f"RO{n:05d},Firma {n} SRL,T0,IT,small,20,CJ," + ",".join([str(score)] * 6))
    return ("\n".join(rows) + "\n").encode()


def display_values(at: AppTest, index: int) -> pd.DataFrame:
    return shown_tables(at, as_shown=True)[index]


@pytest.mark.parametrize(
    ("lang", "sep", "columns"),
    [
        ("en", ",", ("No.", "Bytes", "Rows", "New", "Changed", "Unchanged", "Rejected")),
        ("ro", ".", ("Nr.", "Octeți", "Rânduri", "Noi", "Modificate", "Neschimbate", "Respinse")),
    ],
)
def test_import_log_formats_every_count_alike(isolated_data, lang, sep, columns):
    settings = load_settings()
    store = open_store(settings)
    first = import_file(store, members_csv(1200, 0), "a.csv", actor=Actor("t", True),
                        settings=settings)  # fmt: skip
    second_file = members_csv(1200, 1100)
    second = import_file(store, second_file, "b.csv", actor=Actor("t", True), settings=settings)
    assert (first.inserted, second.updated, second.unchanged) == (1200, 1100, 100)
    store.close()

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.session_state["admin_name"] = "Ana Test"
    at.run()
    at.switch_page("app_pages/upload.py").run()
    assert not at.exception
    log = shown_tables(at)[0]
    shown = display_values(at, 0)
    ident, size, rows, new, changed, unchanged, rejected = columns
    positions = {c: list(log.columns).index(c) for c in columns}

    def cell(row: int, column: str) -> str:
        return str(shown.iloc[row, positions[column]])

    newest = 0  # the log lists the newest import first
    assert cell(newest, rows) == f"1{sep}200"
    assert cell(newest, changed) == f"1{sep}100"
    assert cell(newest, unchanged) == "100"
    assert cell(newest, new) == "0"
    assert cell(newest, rejected) == "0"
    assert cell(newest + 1, new) == f"1{sep}200"
    size_bytes = len(second_file)
    assert size_bytes > 1000
    assert cell(newest, size) == f"{size_bytes:,}".replace(",", sep)
    # The id is a number to quote, not a count.
    assert cell(newest, ident) == str(int(log.iloc[newest][ident]))
