"""Small national data sets on disk for refresh and CLI tests.

Everything is built under a test's tmp_path: a snapshot folder (Parquet files, manifest.json
and targets.parquet, in the layout `national_store.active_datasets` reads), a catalogue
whose Eurostat series match the recorded fixture, and an isolated data folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
from support.replay_server import fixture_bytes

from dih_dash.domain.catalogue import Catalogue, Indicator
from dih_dash.settings import Settings, load_settings
from dih_dash.sources.national_store import sha256_file
from dih_dash.sources.tidy import coerce_tidy

DII_FIXTURE = "jsonstat2_sdmx3_isoc_e_dii_E_DI4_HI_VHI_GE10.json"


def indicator(indicator_id: str, source: str, **filters: str) -> Indicator:
    return Indicator(
        id=indicator_id,
        label_en=indicator_id,
        label_ro=indicator_id,
        definition_en="",
        definition_ro="",
        unit="PC_ENT",
        higher_is_better=True,
        dimension="idt",
        source=source,
        filters=dict(filters),
    )


def dii_catalogue() -> Catalogue:
    """The two series the recorded isoc_e_dii response holds (DII v4, 10+ employed)."""
    return Catalogue(
        [
            indicator("dii4_hi_ge10", "eurostat:isoc_e_dii",
                      indic_is="E_DI4_HI", size_emp="GE10", unit="PC_ENT"),
            indicator("dii4_vhi_ge10", "eurostat:isoc_e_dii",
                      indic_is="E_DI4_VHI", size_emp="GE10", unit="PC_ENT"),
        ]
    )  # fmt: skip


def dii_and_ai_catalogue() -> Catalogue:
    return Catalogue(
        [
            *dii_catalogue(),
            indicator("desi_ai", "eurostat:isoc_eb_ai",
                      indic_is="E_AI_TANY", size_emp="GE10", unit="PC_ENT"),
        ]
    )  # fmt: skip


def ai_body() -> bytes:
    """A small isoc_eb_ai answer in JSON-stat 2.0 with a dense `value` list.

    Hand-built (no isoc_eb_ai response was recorded); the two values are the published
    2025 E_AI_TANY figures for RO and EU27_2020 (data/raw/PROVENANCE.upstream.md, A.4).
    """
    body = {
        "version": "2.0",
        "class": "dataset",
        "label": "Artificial intelligence by size class of enterprise",
        "source": "ESTAT",
        "updated": "2025-12-11T23:00:00+0100",
        "id": ["freq", "indic_is", "size_emp", "unit", "geo", "time"],
        "size": [1, 1, 1, 1, 2, 1],
        "value": [19.95, 5.21],
        "dimension": {
            "freq": {"category": {"index": {"A": 0}}},
            "indic_is": {"category": {"index": {"E_AI_TANY": 0}}},
            "size_emp": {"category": {"index": {"GE10": 0}}},
            "unit": {"category": {"index": {"PC_ENT": 0}}},
            "geo": {"category": {"index": ["EU27_2020", "RO"]}},
            "time": {"category": {"index": {"2025": 0}}},
        },
    }
    return json.dumps(body).encode()


def snapshot_frame() -> pd.DataFrame:
    """The 'old' active isoc_e_dii data: two rows the recorded response does not have."""
    return coerce_tidy(
        pd.DataFrame(
            {
                "indicator": ["dii4_hi_ge10", "dii4_hi_ge10"],
                "geo": ["RO", "EU27_2020"],
                "period": [2020, 2020],
                "value": [11.5, 22.23],
                "unit": ["PC_ENT", "PC_ENT"],
                "flag": ["", "b"],
                "source": ["eurostat:isoc_e_dii", "eurostat:isoc_e_dii"],
            }
        )
    )


def write_snapshot(snapshot_dir: Path) -> None:
    snapshot_dir.mkdir(parents=True, exist_ok=True)
    frame = snapshot_frame()
    frame.to_parquet(snapshot_dir / "isoc_e_dii.parquet", index=False)
    pd.DataFrame(
        {"indicator": ["desi_sme_di3_gelo"], "target": [90.0], "unit": ["PC_ENT"],
         "source": ["desi2026"]}
    ).to_parquet(snapshot_dir / "targets.parquet", index=False)  # fmt: skip
    manifest = {
        "built_at": "2026-11-26T00:00:00+00:00",
        "datasets": {
            "isoc_e_dii": {
                "file": "isoc_e_dii.parquet",
                "rows": len(frame),
                "sha256": sha256_file(snapshot_dir / "isoc_e_dii.parquet"),
                "updated": "2025-01-01T00:00:00+0100",
                "source_files": [],
            }
        },
    }
    (snapshot_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def national_env(tmp_path: Path, eurostat_url: str, **extra: str) -> dict[str, str]:
    """Environment variables that point every national path into tmp_path."""
    write_snapshot(tmp_path / "snapshot")
    env = {
        "DIH_DASH_DATA_DIR": str(tmp_path / "data"),
        "DIH_DASH_SNAPSHOT_DIR": str(tmp_path / "snapshot"),
        "DIH_DASH_EUROSTAT_URL": eurostat_url,
        "DIH_DASH_HTTP_TIMEOUT": "2",
        "DIH_DASH_HTTP_RETRIES": "2",
        "DIH_DASH_HTTP_BACKOFF": "0.01",
    }
    env.update(extra)
    return env


def national_settings(tmp_path: Path, eurostat_url: str, **extra: str) -> Settings:
    return load_settings(env=national_env(tmp_path, eurostat_url, **extra), secrets={})


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under `root` (hidden ones too) -> sha256 of its bytes."""
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def dii_body() -> bytes:
    return fixture_bytes(DII_FIXTURE)
