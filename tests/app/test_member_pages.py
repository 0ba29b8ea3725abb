"""Member pages in both roles: they run, show the headline numbers, and the public view
never shows a company name or id (checked on everything the page sends: text, tables,
charts)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import APP, chart_specs, texts
from support.tables import shown_tables

from dih_dash.i18n import t
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
    for frame in shown_tables(at):
        parts.append(frame.to_csv())
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
    table = shown_tables(at)[0]
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
    table = shown_tables(at)[0]
    rows = dict(zip(table["County"], table["Members"], strict=True))
    assert rows["Cluj"] == "8"
    assert rows["Bihor"].startswith("Hidden: fewer than 5")


def test_profile_shows_items_and_services(stored_cohort):
    at = run_page("member_profile", "en", admin=True)
    assert not at.exception
    assert at.selectbox(key="profile_member").value.startswith("SECRET-")
    status = shown_tables(at)[0]
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


# --- public-sector organisations (spec edih-services.md §1) ------------------------------------

PSO_HEADER = (
    "member_id,company_name,wave,cluster,county,org_type,dma_overall,"
    "pso_strategy,pso_readiness,pso_human,pso_data,pso_interop,pso_green"
)
PSO_DIMENSION_NAMES = {
    "en": [
        "Digital strategy and investments", "Digital readiness", "Human-centric digitalisation",
        "Data management and security", "Interoperability", "Green digitalisation",
    ],
    "ro": [
        "Strategie digitală și investiții", "Pregătire digitală",
        "Digitalizare centrată pe factorul uman", "Gestionarea și securitatea datelor",
        "Interoperabilitate", "Digitalizare ecologică",
    ],
}  # fmt: skip
SME_ONLY_DIMENSION = {"en": "Automation & artificial intelligence", "ro": "Automatizare"}


def pso_csv(count: int, prefix: str = "PRIMARIA") -> bytes:
    """`count` town halls in Cluj, T0 and T1 (hub template, org_type pso). Member n scores
    80 + n on every dimension at T0 and 4 more at T1 (overall: the same), so each PSO
    median lies far above the SME cohort's 31-50 and a mixed median would show."""
    rows = [PSO_HEADER]
    for wave in ("T0", "T1"):
        for n in range(1, count + 1):
            score = 80 + n + (4 if wave == "T1" else 0)
            rows.append(
                f"{prefix}-{n:03d},Primaria Secreta {n},{wave},Administratie,CJ,pso,{score},"
                + ",".join(str(score) for _ in range(6))
            )
    return ("\n".join(rows) + "\n").encode()


def import_csv(store, data: bytes, name: str) -> None:
    settings = load_settings()
    report = import_file(store, data, name, actor=Actor("tests", True), settings=settings)
    assert report.stored and not report.errors, report.to_json_dict()


@pytest.fixture
def smes_and_psos(stored_cohort):
    """The ten SMEs of `stored_cohort` and six public-sector organisations."""
    import_csv(stored_cohort, pso_csv(6), "psos.csv")
    return stored_cohort


@pytest.fixture
def smes_and_three_psos(stored_cohort):
    import_csv(stored_cohort, pso_csv(3), "psos.csv")
    return stored_cohort


def run_kind(page: str, lang: str, *, admin: bool = False, **query: str) -> AppTest:
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


def kind_chooser(at: AppTest):
    (chooser,) = [c for c in at.segmented_control if c.key.startswith("member_kind-")]
    return chooser


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("page", MEMBER_PAGES)
def test_pso_member_pages_run_without_names(smes_and_psos, page, lang):
    at = run_kind(page, lang, kind="pso")
    assert kind_chooser(at).value == "pso"
    sent = everything_sent(at)
    assert "Primaria Secreta" not in sent and "PRIMARIA-" not in sent
    assert "SecretCo" not in sent and "SECRET-" not in sent
    admin = run_kind(page, lang, admin=True, kind="pso")
    assert kind_chooser(admin).value == "pso"


@pytest.mark.parametrize(
    ("lang", "options"),
    [
        ("ro", ["IMM-uri (10)", "Organizații din sectorul public (6)"]),
        ("en", ["SMEs (10)", "Public-sector organisations (6)"]),
    ],
)
def test_the_kind_chooser_counts_each_kind_and_defaults_to_smes(smes_and_psos, lang, options):
    at = run_kind("cohort_overview", lang)
    chooser = kind_chooser(at)
    assert chooser.options == options
    assert chooser.value == "sme"
    assert "kind" not in at.query_params
    # The SME page: the SME dimensions, no PSO one.
    radar = next(s for s in chart_specs(at) if s["data"][0]["type"] == "scatterpolar")
    axes = " ".join(radar["data"][0]["theta"])
    assert SME_ONLY_DIMENSION[lang] in axes.replace("<br>", " ")
    chooser.set_value("pso").run()
    assert at.query_params["kind"] in (["pso"], "pso")
    selection = {"ro": "6 membri în selecție", "en": "6 members in the selection"}[lang]
    assert selection in texts(at) and "Primaria" not in everything_sent(at)


def test_one_kind_is_shown_without_a_choice(stored_cohort):
    at = run_kind("cohort_overview", "en")
    assert not [c for c in at.segmented_control if c.key.startswith("member_kind")]
    assert "Members shown: SMEs (10)" in texts(at)


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_pso_cohort_has_its_own_radar_and_medians(smes_and_psos, lang):
    at = run_kind("cohort_overview", lang, kind="pso")
    specs = chart_specs(at)
    radar = next(s for s in specs if s["data"][0]["type"] == "scatterpolar")
    axes = [t.replace("<br>", " ") for t in radar["data"][0]["theta"]]
    assert axes[:6] == PSO_DIMENSION_NAMES[lang]
    assert not any(SME_ONLY_DIMENSION[lang] in a for a in axes)
    # Medians of the six PSOs (81-86 at T0, 85-90 at T1): 83.5 and 87.5, untouched by SMEs.
    assert [trace["r"][0] for trace in radar["data"]] == [83.5, 87.5]
    bars = next(
        s for s in specs if s["data"][0]["type"] == "bar" and s["data"][0].get("orientation") == "h"
    )
    assert [round(x, 1) for x in bars["data"][0]["x"]] == [83.5] * 7


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_no_eurostat_comparison_for_psos(smes_and_psos, lang):
    at = run_kind("members_vs_national", lang, kind="pso")
    shown = texts(at)
    sent = everything_sent(at)
    assert "Eurostat" in shown  # the sentence that says why there is no comparison
    for spec in chart_specs(at):
        assert "isoc_e_dii" not in json.dumps(spec), "no Eurostat series on a PSO chart"
        names = {str(trace.get("name")) for trace in spec["data"]}
        assert not any(n == "RO" or "EU" in n or "UE" in n for n in names)
    assert "44.3" not in sent and "44,3" not in sent and "71.4" not in sent and "71,4" not in sent
    assert "DII ≥ 4" not in sent
    table = shown_tables(at)[0]
    assert list(table.iloc[:, 1]) == [6, 6]  # organisations per round
    assert [float(v) for v in table.iloc[:, 2]] == [83.5, 87.5]


def test_public_sees_no_pso_mean(smes_and_psos):
    for lang in ("ro", "en"):
        public = shown_tables(run_kind("members_vs_national", lang, kind="pso"))[0]
        assert len(public.columns) == 3, list(public.columns)
    admin = shown_tables(run_kind("members_vs_national", "ro", admin=True, kind="pso"))[0]
    assert len(admin.columns) == 4


def test_pso_progress_uses_the_pso_dimensions(smes_and_psos):
    at = run_kind("progress", "en", kind="pso")
    assert "**6 members** were assessed in both T0 and T1." in texts(at)
    median = next(m for m in at.metric if m.label.startswith("Median change"))
    assert median.value == "+4.0 points"
    (spec,) = chart_specs(at)
    axis = [x.replace("<br>", " ") for x in spec["data"][0]["x"]]
    assert axis[:6] == PSO_DIMENSION_NAMES["en"]


def test_pso_counties_map(smes_and_psos):
    at = run_kind("counties", "en", kind="pso")
    rows = dict(zip(shown_tables(at)[0]["County"], shown_tables(at)[0]["Members"], strict=True))
    assert rows == {"Cluj": "6"}, "the six town halls, not the SMEs of Cluj and Bihor"


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("page", MEMBER_PAGES)
def test_a_small_pso_group_is_hidden_from_the_public(smes_and_three_psos, page, lang):
    at = run_kind(page, lang, kind="pso")
    chooser = kind_chooser(at)
    labels = chooser.options
    fewer = {"en": "fewer than 5 members", "ro": "mai puțin de 5 membri"}[lang]
    assert labels[1].endswith(f"({fewer})"), labels
    assert (
        not at.get("plotly_chart") and not shown_tables(at) and not at.dataframe and not at.metric
    )
    assert fewer in texts(at)
    sent = everything_sent(at)
    assert "Primaria" not in sent and "(3)" not in sent and "81" not in sent
    admin = run_kind(page, lang, admin=True, kind="pso")
    assert kind_chooser(admin).options[1].endswith("(3)")


def test_profile_of_a_pso(smes_and_psos):
    at = run_kind("member_profile", "en", admin=True, member="PRIMARIA-002")
    assert at.selectbox(key="profile_member").value == "PRIMARIA-002"
    (radar,) = chart_specs(at)
    axes = [t.replace("<br>", " ") for t in radar["data"][0]["theta"]]
    assert axes[:6] == PSO_DIMENSION_NAMES["en"]
    labels = [trace["name"] for trace in radar["data"]]
    assert labels[-2:] == [
        "Median of public-sector organisations, T1",
        "Median of public-sector organisations in cluster Administratie, T1",
    ]
    # The PSOs' T1 median (85-90: 87.5), not a median with the SMEs in it.
    assert radar["data"][-2]["r"][0] == 87.5
    assert "not applicable" in texts(at) and "No DII for a public-sector organisation" in texts(at)
    assert not shown_tables(at) and not at.dataframe, "no table of DII items"
    assert at.get("download_button")


def test_the_report_of_a_pso_and_of_an_sme_downloads_from_the_profile(
    smes_and_psos, recorded_downloads
):
    """The profile's report buttons build a PDF for either kind (deferred downloads: the
    callable each button registers is called as a click would)."""
    from dih_dash.exports.member_report import file_name

    for member in ("PRIMARIA-001", "SECRET-001"):
        run_kind("member_profile", "ro", admin=True, member=member)
        assert recorded_downloads[file_name(member, "ro", "pdf")]().startswith(b"%PDF-")


def test_the_kind_follows_the_viewer_to_the_next_member_page(smes_and_psos):
    """A page switch clears the URL (as in the browser); the chosen kind stays, like the
    filters, and is written back into the new page's URL."""
    at = run_kind("cohort_overview", "en")
    kind_chooser(at).set_value("pso").run()
    at.switch_page("app_pages/progress.py").run()
    assert not at.exception
    assert kind_chooser(at).value == "pso"
    assert at.query_params["kind"] in (["pso"], "pso")
    assert "**6 members** were assessed in both T0 and T1." in texts(at)


# --- issue 13: who is looking, what a hidden group leaves, titles = menu names -----------------

NAV_OF = {
    "members_vs_national": "members_vs_national",
    "cohort_overview": "cohort_overview",
    "progress": "progress",
    "counties": "counties",
    "member_profile": "member_profile",
    "upload": "upload",
}


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("page", [*MEMBER_PAGES, "member_profile"])
def test_signed_in_member_pages_say_it_is_the_staff_view(stored_cohort, page, lang):
    """Signed in, small groups and names show: every member page says so at its top, and
    the public view does not carry the banner."""
    banner = t("member_pages.staff_view", lang)
    admin = run_page(page, lang, admin=True)
    assert not admin.exception
    assert banner in [w.value for w in admin.warning]
    if page in MEMBER_PAGES:
        public = run_page(page, lang, admin=False)
        assert banner not in texts(public)


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("page", list(NAV_OF))
def test_a_page_title_is_its_menu_name(stored_cohort, page, lang):
    at = run_page(page, lang, admin=True)
    assert at.title[0].value == t(f"nav.{NAV_OF[page]}", lang)


def small_t1_csv() -> bytes:
    """Six members of 10+ employees at T0, three of them again at T1 (fewer than 5)."""
    rows = [HEADER]
    for wave, count in (("T0", 6), ("T1", 3)):
        for n in range(1, count + 1):
            items = ",".join("yes" if i < 5 else "no" for i in range(12))
            rows.append(
                f"SECRET-{n:03d},SecretCo Nr{n} SRL,{wave},IT,small,20,CJ,"
                + ",".join("40" for _ in range(6))
                + f",{items}"
            )
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "< 5 members – hidden"), ("ro", "< 5 membri – ascuns")]
)
def test_a_hidden_latest_round_is_said_not_swapped_for_t0(isolated_data, lang, words):
    settings = load_settings()
    store = open_store(settings)
    import_file(store, small_t1_csv(), "t1.csv", actor=Actor("tests", True), settings=settings)
    at = run_page("members_vs_national", lang, admin=False)
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    latest = t("member_pages.headline.latest", lang, wave="T1")
    assert values[latest] == t("member_pages.headline.hidden_value", lang)
    assert t("member_pages.headline.latest", lang, wave="T0") not in values
    assert words in texts(at)
    headline = chart_specs(at)[0]
    assert words in [a.get("text") for a in headline["layout"].get("annotations", [])]


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_the_staff_counties_page_never_says_fewer_than_one_member(stored_cohort, lang):
    at = run_page("counties", lang, admin=True)
    sent = everything_sent(at)
    assert "mai puțin de 1 membru" not in sent and "fewer than 1 member" not in sent
    assert (
        "for the administrative boundaries" in sent
        if lang == "en"
        else ("pentru limitele administrative" in sent and "for the administrative" not in sent)
    )


def test_the_survey_note_is_wrapped_into_the_source_line():
    """The note (years, demo label) was appended to the last line unwrapped, which then ran
    past the chart's edge at 1280×720 ("…(firn"); it is wrapped with the line now, and the
    chart grows by the lines it gains."""
    import plotly.graph_objects as go

    from app_pages.kit.member import SOURCE_LINE_CHARS, with_source_note
    from dih_dash.charts.theme import styled

    source = "Sursa: chestionarul hubului (DMA/DII), rundele de evaluare T0, T1, 32 de membri"
    fig = styled(go.Figure(), "ro", "Titlu", source + " · doar membrii evaluați în ambele runde")
    before = (fig.layout.height, fig.layout.margin.t)
    note = " · evaluări din 2025–2026 · DATE DEMONSTRATIVE (firme fictive)"
    out = with_source_note(fig, note)
    lines = out.layout.title.subtitle.text.split("<br>")
    assert all(len(line) <= SOURCE_LINE_CHARS for line in lines), lines
    assert " ".join(lines).endswith("DATE DEMONSTRATIVE (firme fictive)")
    assert len(lines) == 2
    assert out.layout.height == before[0] + 22 and out.layout.margin.t == before[1] + 24
