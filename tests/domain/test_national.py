"""Gap, rank, target and pace arithmetic on small frames with known answers, then the
published Romania/EU figures on the bundled snapshot."""

from __future__ import annotations

import pandas as pd
import pytest

from dih_dash.domain.catalogue import Indicator
from dih_dash.domain.geo import EU27
from dih_dash.domain.national import (
    compare,
    gap_to_target,
    kpi_table,
    observed_pace,
    ranking,
    yearly_pace_needed,
)
from dih_dash.settings import load_settings
from dih_dash.sources.national_store import load_national
from dih_dash.sources.reference import load_catalogue


def entry(
    higher_is_better: bool = True, target_of: str | None = "x", target_level: str = "country"
) -> Indicator:
    return Indicator(
        id="x",
        label_en="X",
        label_ro="X",
        definition_en="d",
        definition_ro="d",
        unit="PC_ENT",
        higher_is_better=higher_is_better,
        dimension="idt",
        source="desi2026",
        target_of=target_of,
        target_level=target_level,
    )


def frame(values: dict[str, float], period: int = 2025, indicator: str = "x") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": indicator,
            "geo": list(values),
            "period": period,
            "value": list(values.values()),
            "unit": "PC_ENT",
            "flag": "",
            "source": "desi2026",
        }
    )


def test_ranking_orders_by_direction_and_shares_ties():
    values = {"RO": 10.0, "BG": 30.0, "HU": 30.0, "PL": 20.0, "EU27_2020": 25.0}
    up = ranking(frame(values), entry(True), 2025)
    assert up["geo"].tolist()[:2] == ["BG", "HU"]
    assert dict(zip(up["geo"], up["rank"], strict=True)) == {"BG": 1, "HU": 1, "PL": 3, "RO": 4}
    assert "EU27_2020" not in set(up["geo"])  # the aggregate holds no rank
    down = ranking(frame(values), entry(False), 2025)
    assert dict(zip(down["geo"], down["rank"], strict=True))["RO"] == 1


def test_gap_to_target_is_never_negative():
    assert gap_to_target(44.34, 90) == pytest.approx(45.66)
    assert gap_to_target(95, 90) == 0
    assert gap_to_target(12, 10, higher_is_better=False) == pytest.approx(2)


def test_yearly_pace_needed_and_observed():
    assert yearly_pace_needed(44.34, 2025, 90) == pytest.approx(45.66 / 5)
    assert yearly_pace_needed(50, 2030, 90) is None
    points = pd.DataFrame({"period": [2025, 2021, 2023], "value": [44.34, 22.23, 26.78]})
    assert observed_pace(points) == pytest.approx((44.34 - 22.23) / 4)
    assert observed_pace(points.head(1)) is None


def test_compare_gap_rank_target():
    values = {g: 50.0 + i for i, g in enumerate(EU27)}
    values["RO"] = 20.0
    values["EU27_2020"] = 60.0
    targets = pd.DataFrame(
        {"indicator": ["x"], "target": [90.0], "unit": ["PC_ENT"], "source": ["t"]}
    )
    c = compare(frame(values), targets, entry())
    assert c.period == 2025
    assert c.home_value == 20.0 and c.eu_value == 60.0
    assert c.gap == pytest.approx(-40.0)
    assert c.rank == 27 and c.ranked == 27
    assert c.target == 90.0 and c.distance_to_target == pytest.approx(70.0)
    assert c.better_than_eu is False


def test_eu_level_target_measures_the_eu_not_romania():
    targets = pd.DataFrame({"indicator": ["x"], "target": [500.0], "unit": ["NB"], "source": ["t"]})
    c = compare(frame({"RO": 0.0, "EU27_2020": 324.0}), targets, entry(target_level="eu"))
    assert c.distance_to_target == pytest.approx(176.0)


def test_compare_names_the_states_tied_with_romania():
    values = {"RO": 0.0, "HU": 0.0, "SK": 0.0, "DE": 30.0, "FR": 40.0, "EU27_2020": 70.0}
    c = compare(frame(values), frame({})[[]].assign(indicator=[], target=[]), entry(target_of=None))
    assert c.rank == 3 and c.ranked == 5
    assert sorted(c.tied_with) == ["HU", "SK"]
    alone = compare(frame({"RO": 5.0, "HU": 0.0}), frame({})[[]].assign(indicator=[], target=[]),
                    entry(target_of=None))  # fmt: skip
    assert alone.tied_with == ()


def test_the_catalogue_says_the_ict_specialists_target_in_millions():
    ict = load_catalogue()["desi_ict_spec"]
    assert ict.unit == "TH_IND" and ict.target_unit == "MIO_IND"
    assert "20 million" in ict.note_en and "20 de milioane" in ict.note_ro


def test_compare_without_romanian_data():
    targets = pd.DataFrame(columns=["indicator", "target", "unit", "source"])
    c = compare(frame({"BG": 1.0}), targets, entry(target_of=None))
    assert c.period is None and c.home_value is None and c.rank is None


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    # An empty data folder: the bundled snapshot, never a refresh lying on this machine.
    return load_national(
        load_settings(env={"DIH_DASH_DATA_DIR": str(tmp_path_factory.mktemp("data"))})
    )


def test_published_sme_figures(national):
    """research/data-sources.md §2.1: RO vs EU, SMEs with at least basic DII, and RO's rank."""
    catalogue = load_catalogue()
    table = kpi_table(national.tidy, national.targets, catalogue).set_index("indicator")
    row = table.loc["desi_sme_di3_gelo"]
    assert row["period"] == 2025
    assert row["home_value"] == pytest.approx(44.34)
    assert row["eu_value"] == pytest.approx(71.39)
    assert row["gap"] == pytest.approx(44.34 - 71.39)
    assert row["rank"] == 26
    assert row["target"] == 90
    assert row["distance_to_target"] == pytest.approx(90 - 44.34)
    skills = table.loc["desi_dsk_bab"]
    assert (skills["home_value"], skills["eu_value"], skills["target"]) == pytest.approx(
        (31.84, 60.39, 80)
    )
    v4 = catalogue["desi_sme_di4_gelo"]
    ranks = {
        p: int(ranking(national.tidy, v4, p).set_index("geo").loc["RO", "rank"])
        for p in (2022, 2024)
    }
    assert ranks == {2022: 23, 2024: 17}


def test_desi2022_ranks_match_the_research_table(national):
    """research/data-sources.md §2.3: Romania 27th overall in every edition."""
    catalogue = load_catalogue()
    for period in range(2017, 2023):
        ranks = ranking(national.tidy, catalogue["desi2022_overall"], period).set_index("geo")
        assert ranks.loc["RO", "rank"] == 27
    conn = ranking(national.tidy, catalogue["desi2022_conn"], 2022).set_index("geo")
    assert conn.loc["RO", "rank"] == 15
