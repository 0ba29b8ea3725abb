"""Member pages in both roles: they run, show the headline numbers, and the public view
never shows a company name or id (checked on everything the page sends: text, tables,
charts)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import APP, chart_specs, texts

from dih_dash.services import import_file
from dih_dash.settings import load_settings
from dih_dash.store import Actor, open_store

MEMBER_PAGES = ["members_vs_national", "cohort_overview", "progress", "counties"]
ADMIN_PAGES = ["member_profile", "upload"]
HEADER = (
    "member_id,company_name,wave,cluster,size_class,employees,county,"
    "dma_strategy,dma_readiness,dma_human,dma_data,dma_automation,dma_green,"
    "dii_internet_staff,dii_fast_broadband,dii_ai,dii_cloud,dii_cloud_advanced,dii_erp,dii_crm,"
    "dii_social_media,dii_social_media_2plus,dii_data_analytics,dii_ecommerce_1pct,dii_web_sales_b2c"
)


def cohort_csv() -> bytes:
    """Eight IT members of 10+ employees in Cluj and two micro members in Bihor, T0 and T1.
    At T0 the 10+ members answer yes to 2 (members 1-4) or 5 (members 5-8) DII items: 50%
    at least basic; at T1 all eight answer 5 yes: 100%."""
    rows = [HEADER]
    for wave in ("T0", "T1"):
        for n in range(1, 11):
            micro = n > 8
            yes = 5 if (wave == "T1" or n > 4) else 2
            items = ",".join("yes" if i < yes else "no" for i in range(12))
            score = 30 + n + (10 if wave == "T1" else 0)
            rows.append(
                f"SECRET-{n:03d},SecretCo Nr{n} SRL,{wave},IT,{'micro' if micro else 'small'},"
                f"{5 if micro else 20},{'BH' if micro else 'CJ'},"
                + ",".join(str(score) for _ in range(6))
                + f",{items}"
            )
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture
def stored_cohort(isolated_data):
    settings = load_settings()
    store = open_store(settings)
    report = import_file(
        store, cohort_csv(), "cohort.csv", actor=Actor("tests", True), settings=settings
    )
    assert report.stored and report.inserted == 20, report.to_json_dict()
    return store


def run_page(page: str, lang: str, admin: bool) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    if admin:
        at.session_state["admin_name"] = "Ana Test"
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    return at


def everything_sent(at: AppTest) -> str:
    parts = [texts(at), json.dumps(chart_specs(at), ensure_ascii=False)]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    for box in at.selectbox:
        parts += [str(o) for o in box.options]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("page", MEMBER_PAGES)
def test_public_member_pages_never_show_names(stored_cohort, page, lang):
    at = run_page(page, lang, admin=False)
    assert not at.exception, [e.message for e in at.exception]
    sent = everything_sent(at)
    assert "SecretCo" not in sent and "SECRET-" not in sent


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_refuse_the_public(stored_cohort, page):
    at = run_page(page, "en", admin=False)
    assert not at.exception
    assert "This page is for hub staff" in texts(at)
    assert "SecretCo" not in everything_sent(at)
    assert not at.get("file_uploader")


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("page", MEMBER_PAGES + ADMIN_PAGES + ["sign_in"])
def test_admin_sees_every_page(stored_cohort, page, lang):
    at = run_page(page, lang, admin=True)
    assert not at.exception, [e.message for e in at.exception]


def test_headline_share_and_micro_counted_apart(stored_cohort):
    at = run_page("members_vs_national", "en", admin=False)
    values = {m.label: m.value for m in at.metric}
    assert values["Members (10+), T1"] == "100.0%"
    assert values["Romania, SMEs 2025"] == "44.3%" and values["EU average, SMEs 2025"] == "71.4%"
    table = at.dataframe[0].value
    shares = dict(
        zip(
            zip(table["Round"], table["Members"], strict=True),
            table["Share at least basic (%)"],
            strict=True,
        )
    )
    assert shares[("T0", "members with 10+ employees")] == 50.0
    assert shares[("T1", "members with 10+ employees")] == 100.0
    # Two micro members are a group below the public minimum (5): their share is hidden.
    micro = table[table["Members"].str.startswith("micro")]
    assert micro["Share at least basic (%)"].isna().all()


def test_progress_counts_paired_members(stored_cohort):
    at = run_page("progress", "en", admin=False)
    assert "**10 members** were assessed in both T0 and T1." in texts(at)
    moved = next(m for m in at.metric if m.label == "Moved up a DMA band")
    # 31-40 at T0 and 41-50 at T1 all lie in the "average" band (>25-50): nobody moved up,
    # although every member gained 10 points, as the median change says.
    assert moved.value == "0.0%"
    median = next(m for m in at.metric if m.label.startswith("Median change"))
    assert median.value == "+10.0 points"
    assert len(chart_specs(at)) == 1, "no per-member chart in the public view"
    admin = run_page("progress", "en", admin=True)
    assert len(chart_specs(admin)) == 2
    assert "SecretCo Nr1 SRL" in json.dumps(chart_specs(admin)[1], ensure_ascii=False)


def test_counties_suppress_small_groups(stored_cohort):
    at = run_page("counties", "en", admin=False)
    table = at.dataframe[0].value
    rows = dict(zip(table["County"], table["Members"], strict=True))
    assert rows["Cluj"] == "8"
    assert rows["Bihor"].startswith("Hidden: fewer than 5")


def test_profile_shows_items_and_services(stored_cohort):
    at = run_page("member_profile", "en", admin=True)
    assert not at.exception
    assert at.selectbox(key="profile_member").value.startswith("SECRET-")
    status = at.dataframe[0].value
    assert len(status) == 12
    assert "Weakest dimensions" in texts(at)


def test_filters_live_in_the_url(stored_cohort):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("app_pages/cohort_overview.py")
    at.query_params["county"] = "CJ"
    at.run()
    assert at.multiselect(key="filter_county-en").value == ["CJ"]
    # Cluj leaves out the two Bihor members: the public must not be able to difference them.
    assert "leaves out fewer than 5 members" in texts(at)
    assert not at.get("plotly_chart")
    at.multiselect(key="filter_county-en").set_value(["BH", "CJ"]).run()
    assert at.query_params["county"] in (["BH,CJ"], "BH,CJ")
    assert "10 members in the selection" in texts(at)


def test_admins_see_any_selection(stored_cohort):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = "en"
    at.session_state["admin_name"] = "Ana"
    at.run()
    at.switch_page("app_pages/cohort_overview.py")
    at.query_params["county"] = "CJ"
    at.run()
    assert "8 members in the selection" in texts(at)


def test_cached_analyses_follow_an_import_and_the_filters(stored_cohort):
    """The member pages cache their analyses under the store's data version and the filters:
    an import in between, or another selection, must show the new numbers in the same session."""
    at = run_page("members_vs_national", "en", admin=True)
    latest = "Members (10+), T1"
    assert {m.label: m.value for m in at.metric}[latest] == "100.0%"
    # Members 1-4 re-assessed at T1 with no DII item at all: 4 of 8 stay at least basic.
    lines = cohort_csv().decode().splitlines()
    updated = [lines[0]] + [
        line.rsplit(",", 12)[0] + ",no" * 12
        for line in lines[1:]
        if ",T1," in line and line.split(",")[0] in {f"SECRET-{n:03d}" for n in range(1, 5)}
    ]
    settings = load_settings()
    report = import_file(
        stored_cohort, ("\n".join(updated) + "\n").encode(), "update.csv",
        actor=Actor("tests", True), settings=settings,
    )  # fmt: skip
    assert report.stored and report.updated == 4, report.to_json_dict()
    at.run()
    assert {m.label: m.value for m in at.metric}[latest] == "50.0%"
    at.multiselect(key="filter_county-en").set_value(["BH"]).run()
    # Bihor holds only the two micro members: no 10+ figure for this selection.
    assert latest not in {m.label for m in at.metric}
