"""The public view with a cluster below the minimum group size: its scores never reach the
page, a filtered selection below the minimum shows nothing, and the public gets medians."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import APP, chart_specs, texts
from support.tables import shown_tables

from dih_dash.services import import_file
from dih_dash.settings import load_settings
from dih_dash.store import Actor, open_store

HEADER = (
    "member_id,company_name,wave,cluster,size_class,county,"
    "dma_strategy,dma_readiness,dma_human,dma_data,dma_automation,dma_green"
)


@pytest.fixture
def two_clusters(isolated_data):
    """Six IT members in Cluj (scores 40) and three furniture makers in Bihor (77.7)."""
    rows = [HEADER]
    for wave in ("T0", "T1"):
        for n in range(6):
            rows.append(f"IT-{n},Soft{n} SRL,{wave},IT,small,CJ," + ",".join(["40"] * 6))
        for n in range(3):
            rows.append(f"MOB-{n},Mobila{n} SRL,{wave},Mobilier,small,BH," + ",".join(["77.7"] * 6))
    settings = load_settings()
    report = import_file(
        open_store(settings), ("\n".join(rows) + "\n").encode(), "c.csv",
        actor=Actor("t", True), settings=settings,
    )  # fmt: skip
    assert report.stored


def run(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def shown(at: AppTest) -> str:
    parts = [texts(at), json.dumps(chart_specs(at))]
    for raw, as_shown in zip(shown_tables(at), shown_tables(at, as_shown=True), strict=True):
        parts += [raw.to_csv(), as_shown.to_csv()]
    return "\n".join(parts)


@pytest.mark.parametrize("page", ["cohort_overview", "members_vs_national", "progress", "counties"])
def test_the_small_clusters_scores_never_appear(two_clusters, page):
    sent = shown(run(page, by="cluster"))
    assert "77.7" not in sent and "77,7" not in sent, "the furniture makers' score"
    assert "Mobila" not in sent and "MOB-" not in sent


def test_counts_of_a_small_cluster_are_blanked(two_clusters):
    at = run("cohort_overview")
    counts = shown_tables(at)[0].set_index("Cluster")
    assert counts.loc["IT", "Members"] == 6
    assert counts.loc["Mobilier"].isna().all()
    assert "Assessments" not in counts.columns, "no total beside blanked counts"


def test_a_selection_below_the_minimum_shows_nothing(two_clusters):
    at = run("cohort_overview", county="BH")
    assert "fewer than 5 members" in texts(at)
    assert not at.get("plotly_chart") and not shown_tables(at) and not at.dataframe


def test_the_public_gets_medians_only(two_clusters):
    at = run("cohort_overview", stat="mean")
    assert not [c for c in at.segmented_control if c.key.startswith("cohort_stat")]
    admin = AppTest.from_file(str(APP), default_timeout=60)
    admin.session_state["admin_name"] = "Ana"
    admin.run()
    admin.switch_page("app_pages/cohort_overview.py").run()
    assert admin.segmented_control(key="cohort_stat-ro")


def test_tables_use_the_languages_number_format(two_clusters):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = "ro"
    at.run()
    at.switch_page("app_pages/indicator_explorer.py").run()
    display = shown_tables(at, as_shown=True)[0]
    assert "94,04" in set(display["Valoarea"]), "decimal comma in Romanian"
    assert "2025" in set(display["Anul"]), "years are not written 2.025"


# --- every member page, groups of 1..5 members ------------------------------------------------

# Cluster (and county) of k members, all scoring 60.7 + k in every dimension, beside 25 IT
# members scoring 40: the medians of the whole cohort stay 40, so a 6x.7 on a page can only
# come from the group itself.
GROUPS = {
    1: ("Unu", "BH"),
    2: ("Doi", "AB"),
    3: ("Trei", "AR"),
    4: ("Patru", "AG"),
    5: ("Cinci", "BC"),
}


def group_score(k: int) -> str:
    return f"{60.7 + k:.1f}"


@pytest.fixture
def groups_of_one_to_five(isolated_data):
    rows = [HEADER]
    for wave in ("T0", "T1"):
        for n in range(25):
            rows.append(f"IT-{n},Soft{n} SRL,{wave},IT,small,CJ," + ",".join(["40"] * 6))
        for k, (cluster, county) in GROUPS.items():
            for n in range(k):
                rows.append(
                    f"{cluster}-{n},{cluster}{n} SRL,{wave},{cluster},small,{county},"
                    + ",".join([group_score(k)] * 6)
                )
    settings = load_settings()
    report = import_file(
        open_store(settings), ("\n".join(rows) + "\n").encode(), "g.csv",
        actor=Actor("t", True), settings=settings,
    )  # fmt: skip
    assert report.stored


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("cohort_overview", {"by": "cluster"}),
        ("cohort_overview", {"by": "cluster", "stat": "mean"}),
        ("members_vs_national", {}),
        ("progress", {}),
        ("counties", {}),
    ],
)
def test_no_member_page_shows_a_group_below_the_minimum(groups_of_one_to_five, page, query):
    sent = shown(run(page, **query))
    for k in (1, 2, 3, 4):
        score = group_score(k)
        assert score not in sent and score.replace(".", ",") not in sent, f"group of {k}"
    assert "SRL" not in sent, "no company name in the public view"
    if page in ("cohort_overview", "counties"):
        # A group of exactly the minimum is shown: the check above can see a score.
        assert group_score(5) in sent or group_score(5).replace(".", ",") in sent


# --- public-sector organisations: the same rule, within their own kind --------------------------

PSO_HEADER = (
    "member_id,company_name,wave,cluster,county,org_type,dma_overall,"
    "pso_strategy,pso_readiness,pso_human,pso_data,pso_interop,pso_green"
)


@pytest.fixture
def psos_in_groups_of_one_to_five(groups_of_one_to_five):
    """Beside the SMEs of `groups_of_one_to_five`: 25 public-sector organisations of the
    cluster Admin in Cluj scoring 40, and PSO clusters (and counties) of 1..5 scoring
    70.7 + k, so a 7x.7 can only come from a PSO group of k."""
    rows = [PSO_HEADER]
    for wave in ("T0", "T1"):
        for n in range(25):
            rows.append(f"ADM-{n},Primaria {n},{wave},Admin,CJ,pso,40," + ",".join(["40"] * 6))
        for k, (cluster, county) in GROUPS.items():
            score = pso_score(k)
            for n in range(k):
                rows.append(
                    f"P{cluster}-{n},Primaria {cluster}{n},{wave},P{cluster},{county},pso,"
                    f"{score}," + ",".join([score] * 6)
                )
    settings = load_settings()
    report = import_file(
        open_store(settings), ("\n".join(rows) + "\n").encode(), "p.csv",
        actor=Actor("t", True), settings=settings,
    )  # fmt: skip
    assert report.stored and not report.errors


def pso_score(k: int) -> str:
    return f"{70.7 + k:.1f}"


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("cohort_overview", {"by": "cluster"}),
        ("cohort_overview", {"by": "cluster", "stat": "mean"}),
        ("members_vs_national", {}),
        ("progress", {}),
        ("counties", {}),
    ],
)
def test_no_pso_group_below_the_minimum_is_shown(psos_in_groups_of_one_to_five, page, query):
    sent = shown(run(page, kind="pso", **query))
    for k in (1, 2, 3, 4):
        score = pso_score(k)
        assert score not in sent and score.replace(".", ",") not in sent, f"PSO group of {k}"
    assert "Primaria" not in sent and "ADM-" not in sent
    if page in ("cohort_overview", "counties"):
        assert pso_score(5) in sent or pso_score(5).replace(".", ",") in sent
    # The SME view of the same store shows no PSO score at all, not even a large group's.
    smes = shown(run(page, **query))
    assert "Primaria" not in smes
    for k in GROUPS:
        assert pso_score(k) not in smes and pso_score(k).replace(".", ",") not in smes


def test_a_pso_selection_below_the_minimum_shows_nothing(psos_in_groups_of_one_to_five):
    at = run("cohort_overview", kind="pso", county="AG")
    assert "fewer than 5 members" in texts(at)
    assert not at.get("plotly_chart") and not shown_tables(at) and not at.dataframe
