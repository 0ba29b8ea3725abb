"""The bundled snapshot: its manifest, the tidy-frame contract, the published figures,
and a rebuild from the raw files in data/raw/ that must equal it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from dih_dash.domain.geo import EU27, EU_AGGREGATE
from dih_dash.settings import PROJECT_ROOT, load_settings
from dih_dash.sources import snapshot_build
from dih_dash.sources.national_store import MANIFEST, load_national, sha256_file
from dih_dash.sources.raw_files import read_sdmx_csv
from dih_dash.sources.reference import load_catalogue
from dih_dash.sources.tidy import TIDY_COLUMNS, series_from_observations

SNAPSHOT = PROJECT_ROOT / "data" / "snapshot"
RAW = Path(os.environ.get("DIH_DASH_RAW_DIR", snapshot_build.DEFAULT_RAW_DIR))
FIXTURE = (
    Path(__file__).parent.parent / "fixtures" / "sdmx" / "sdmxcsv2_labels_isoc_e_dii_excerpt.csv"
)


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    return load_national(
        load_settings(env={"DIH_DASH_DATA_DIR": str(tmp_path_factory.mktemp("d"))})
    )


def test_manifest_matches_files():
    manifest = json.loads((SNAPSHOT / MANIFEST).read_text())
    assert set(manifest["datasets"]) == {"isoc_e_dii", "isoc_eb_ai", "desi2026", "desi2022"}
    for entry in [
        *manifest["datasets"].values(),
        manifest["targets"],
        manifest["desi2022_data_years"],
    ]:
        path = SNAPSHOT / entry["file"]
        assert sha256_file(path) == entry["sha256"], entry["file"]
        assert len(pd.read_parquet(path)) == entry["rows"]
    for entry in manifest["datasets"].values():
        assert entry["source_files"], "every dataset names the raw files it came from"
        assert all(len(f["sha256"]) == 64 for f in entry["source_files"])


def test_tidy_contract(national):
    tidy = national.tidy
    assert list(tidy.columns) == TIDY_COLUMNS
    assert tidy["value"].notna().all()
    assert set(tidy["geo"]) <= {*EU27, EU_AGGREGATE}
    assert not tidy.duplicated(["indicator", "geo", "period"]).any()
    catalogue = load_catalogue()
    assert set(tidy["indicator"]) <= set(catalogue.ids())
    percentages = tidy[tidy["unit"].str.startswith("PC_")]
    assert percentages["value"].between(0, 100).all(), "percentages are 0-100, never fractions"
    assert percentages["value"].max() > 1


@pytest.mark.parametrize(
    ("indicator", "geo", "period", "value"),
    [
        # research/data-sources.md §2.1, Eurostat isoc_e_dii
        ("desi_sme_di3_gelo", "RO", 2021, 22.23),
        ("desi_sme_di3_gelo", "EU27_2020", 2021, 54.82),
        ("desi_sme_di4_gelo", "RO", 2022, 52.49),
        ("desi_sme_di3_gelo", "RO", 2023, 26.78),
        ("desi_sme_di4_gelo", "EU27_2020", 2024, 72.91),
        ("desi_sme_di3_gelo", "RO", 2025, 44.34),
        ("desi_sme_di3_gelo", "EU27_2020", 2025, 71.39),
        ("dii3_gelo_ge10", "RO", 2025, 45.53),
        # §2.5, DESI 2026 profile
        ("desi_dsk_bab", "RO", 2025, 31.84),
        ("desi_ai", "RO", 2025, 5.21),
        ("desi_vhcn", "EU27_2020", 2025, 85.614607),
        # §2.2 / §2.3, DESI 2022 edition (fractions converted)
        ("desi2022_overall", "RO", 2022, 30.5849),
        ("desi2022_1a1", "RO", 2022, 27.8218),
        ("desi2022_3a1", "EU27_2020", 2022, 54.8602),
        ("desi2022_4a3", "RO", 2022, 44.241837),
    ],
)
def test_published_values(national, indicator, geo, period, value):
    tidy = national.tidy
    row = tidy[(tidy["indicator"] == indicator) & (tidy["geo"] == geo) & (tidy["period"] == period)]
    assert len(row) == 1
    assert row.iloc[0]["value"] == pytest.approx(value, abs=1e-6)


def test_flags_and_absent_confidential_values(national):
    tidy = national.tidy
    ee = tidy[
        (tidy["indicator"] == "desi_sme_di3_gelo")
        & (tidy["geo"] == "EE")
        & (tidy["period"] == 2025)
    ]
    assert ee.iloc[0]["flag"] == "d"
    fr = tidy[
        (tidy["indicator"] == "desi_sme_di3_gelo")
        & (tidy["geo"] == "FR")
        & (tidy["period"] == 2023)
    ]
    assert fr.iloc[0]["flag"] == "b"


def test_targets_table(national):
    targets = national.targets.set_index("indicator")["target"]
    assert targets["desi_sme_di3_gelo"] == 90
    assert targets["desi_dsk_bab"] == 80
    assert targets["desi_ai_cloud_da"] == 75


def test_sdmx_csv_reader_on_recorded_excerpt():
    observations = read_sdmx_csv(FIXTURE)
    assert {"indic_is", "size_emp", "geo", "time", "value", "flag"} <= set(observations.columns)
    assert "ME" not in set(observations["geo"]), "the confidential row is absent, not zero"
    tidy = series_from_observations(observations, load_catalogue(), "isoc_e_dii")
    ro = tidy[(tidy["geo"] == "RO")].set_index(["indicator", "period"])["value"]
    assert ro[("desi_sme_di3_gelo", 2021)] == 22.23
    assert ro[("desi_sme_di4_gelo", 2024)] == 69.10
    assert tidy.loc[tidy["geo"] == "EE", "flag"].tolist() == ["d"]


def test_rebuild_from_raw_equals_committed_snapshot(tmp_path):
    built = snapshot_build.build(RAW)
    manifest = snapshot_build.write(built, tmp_path / "snapshot", RAW)
    committed = json.loads((SNAPSHOT / MANIFEST).read_text())
    for name in committed["datasets"]:
        fresh = pd.read_parquet(tmp_path / "snapshot" / f"{name}.parquet")
        kept = pd.read_parquet(SNAPSHOT / f"{name}.parquet")
        pd.testing.assert_frame_equal(fresh, kept, check_exact=True)
        assert (
            manifest["datasets"][name]["source_files"]
            == committed["datasets"][name]["source_files"]
        )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "snapshot" / "targets.parquet"),
        pd.read_parquet(SNAPSHOT / "targets.parquet"),
    )
    assert manifest["checks"] == committed["checks"]


def test_build_refuses_disagreeing_sources(tmp_path):
    """If the DESI 2026 profile and Eurostat disagreed, no snapshot would be written."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in snapshot_build.RAW.values():
        (raw / name).symlink_to(RAW / name)
    facts = json.loads((RAW / snapshot_build.RAW["desi2026"]).read_text())
    for fact in facts:
        f = fact["fields"]
        if (
            f["indicator"] == ["desi_sme_di3_gelo"]
            and f["country"] == ["RO"]
            and f["period"] == ["desi_2026"]
        ):
            f["value"] = 50.0
    (raw / snapshot_build.RAW["desi2026"]).unlink()
    (raw / snapshot_build.RAW["desi2026"]).write_text(json.dumps(facts))
    with pytest.raises(snapshot_build.SnapshotCheckError, match="desi_sme_di3_gelo"):
        snapshot_build.build(raw)
