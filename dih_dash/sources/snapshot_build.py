"""Build the bundled national snapshot (`data/snapshot/`) from the published raw files.

No number is typed here: every value comes from a raw file, and the build cross-checks
the sources where they overlap (DESI 2026 vs Eurostat, DESI 2022 dimension scores vs the
Commission's database) and refuses to write a snapshot when they disagree.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dih_dash.domain.catalogue import Catalogue
from dih_dash.domain.geo import normalise_geo
from dih_dash.settings import PROJECT_ROOT
from dih_dash.sources.national_store import (
    DESI2022_YEARS_FILE,
    MANIFEST,
    TARGETS_FILE,
    sha256_file,
    write_json_atomic,
    write_parquet,
)
from dih_dash.sources.raw_files import read_desi2022, read_desi2026_facts, read_sdmx_csv
from dih_dash.sources.reference import load_catalogue
from dih_dash.sources.tidy import series_from_observations

DEFAULT_RAW_DIR = PROJECT_ROOT / "data" / "raw"

RAW = {
    "isoc_e_dii": "eurostat_isoc_e_dii_sdmxcsv2_labels_2021-2025.csv",
    "isoc_eb_ai": "eurostat_isoc_eb_ai_sdmxcsv2_labels_2025.csv",
    "desi2026": "digital_decade_desi2026_country_profile_facts.json",
    "desi2022_indicators": "derived_desi2022_edition_indicators_2017-2022.csv",
    "desi2022_scores": "derived_desi2022_edition_scores_2017-2022.csv",
    "desi2022_check": "desi2022_dimension_scores_facts.json",
}

PROVENANCE = {
    "isoc_e_dii": (
        "Eurostat isoc_e_dii (Digital Intensity by size class of enterprise), Data Browser "
        "export in SDMX-CSV 2.0 with labels, survey years 2021-2025. The export carries no "
        "update stamp."
    ),
    "isoc_eb_ai": (
        "Eurostat isoc_eb_ai (Artificial intelligence by size class of enterprise), Data "
        "Browser export in SDMX-CSV 2.0 with labels, survey year 2025."
    ),
    "desi2026": (
        "European Commission, Digital Decade DESI visualisation tool: DESI 2026 edition "
        "country-profile facts (reference years 2022-2025) and the 2030 targets of "
        "Decision (EU) 2022/2481."
    ),
    "desi2022": (
        "European Commission (DG CONNECT), DESI 2022 calculation workbook: editions "
        "2017-2022 as recalculated in the 2022 edition."
    ),
}


class SnapshotCheckError(ValueError):
    """Two published sources disagree where they should not; the snapshot is not written."""


@dataclass(frozen=True)
class BuiltSnapshot:
    frames: dict[str, pd.DataFrame]
    targets: pd.DataFrame
    desi2022_years: pd.DataFrame
    checks: list[str]


def _compare(
    label: str, left: pd.DataFrame, right: pd.DataFrame, tolerance: float, checks: list[str]
) -> None:
    merged = left.merge(right, on=["geo", "period"], suffixes=("_a", "_b"))
    if merged.empty:
        raise SnapshotCheckError(f"{label}: the two sources share no observation")
    worst = float((merged["value_a"] - merged["value_b"]).abs().max())
    if worst > tolerance:
        raise SnapshotCheckError(f"{label}: sources differ by up to {worst:.6f} (> {tolerance})")
    checks.append(
        f"{label}: {len(merged)} observations agree within {tolerance} (max diff {worst:.6f})"
    )


def build(raw_dir: Path, catalogue: Catalogue | None = None) -> BuiltSnapshot:
    catalogue = catalogue or load_catalogue()
    checks: list[str] = []
    frames: dict[str, pd.DataFrame] = {}
    for dataset in ("isoc_e_dii", "isoc_eb_ai"):
        observations = read_sdmx_csv(raw_dir / RAW[dataset])
        frames[dataset] = series_from_observations(observations, catalogue, dataset)

    desi2026_all, targets = read_desi2026_facts(raw_dir / RAW["desi2026"], catalogue)
    unknown = sorted(set(desi2026_all["indicator"]) - set(catalogue.ids()))
    if unknown:
        raise SnapshotCheckError(f"DESI 2026 indicators missing from the catalogue: {unknown}")
    from_eurostat = desi2026_all["indicator"].map(lambda i: catalogue[i].source != "desi2026")
    for indicator in sorted(set(desi2026_all.loc[from_eurostat, "indicator"])):
        entry = catalogue[indicator]
        ours = frames[entry.dataset][frames[entry.dataset]["indicator"] == indicator]  # type: ignore[index]
        theirs = desi2026_all[desi2026_all["indicator"] == indicator]
        _compare(f"{indicator}: DESI 2026 vs {entry.source}", ours, theirs, 0.005, checks)
    frames["desi2026"] = desi2026_all.loc[~from_eurostat].reset_index(drop=True)

    desi2022, years = read_desi2022(
        raw_dir / RAW["desi2022_indicators"], raw_dir / RAW["desi2022_scores"], catalogue
    )
    frames["desi2022"] = desi2022
    _check_desi2022_dimensions(raw_dir / RAW["desi2022_check"], desi2022, checks)
    _check_revised_sme_series(frames["isoc_e_dii"], desi2022, checks)

    for name, frame in frames.items():
        duplicated = frame.duplicated(subset=["indicator", "geo", "period"])
        if duplicated.any():
            raise SnapshotCheckError(f"{name}: duplicate observations\n{frame[duplicated].head()}")
    missing_targets = sorted(
        {e.target_of for e in catalogue if e.target_of} - set(targets["indicator"])
    )
    if missing_targets:
        raise SnapshotCheckError(f"catalogue names targets the raw data lacks: {missing_targets}")
    return BuiltSnapshot(frames=frames, targets=targets, desi2022_years=years, checks=checks)


def _check_revised_sme_series(dii: pd.DataFrame, desi2022: pd.DataFrame, checks: list[str]) -> None:
    """DESI 2022's 3a1 is Eurostat's 2021 E_DI3_GELO as published in 2022. Eurostat has
    revised a few countries since (PT, EL), so only Romania must match exactly and at
    most a handful of countries may differ; the revised ones are listed in the manifest."""
    eurostat = dii.query("indicator == 'desi_sme_di3_gelo' and period == 2021")
    desi = desi2022.query("indicator == 'desi2022_3a1' and period == 2022")
    merged = eurostat.merge(desi, on="geo", suffixes=("_eurostat", "_desi"))
    merged["diff"] = merged["value_eurostat"] - merged["value_desi"]
    revised = merged[merged["diff"].abs() > 0.1]
    home = merged[merged["geo"] == "RO"]
    if home.empty or abs(float(home.iloc[0]["diff"])) > 0.01 or len(revised) > 3:
        raise SnapshotCheckError(
            f"DESI 2022 3a1 vs Eurostat 2021 SMEs' DII: too far apart:\n{merged}"
        )
    listed = ", ".join(
        f"{g} ({d:+.2f})" for g, d in zip(revised["geo"], revised["diff"], strict=True)
    )
    checks.append(
        f"desi2022_3a1 vs Eurostat desi_sme_di3_gelo 2021: {len(merged)} geos, RO equal; "
        f"revised by Eurostat since DESI 2022: {listed or 'none'}"
    )


def _check_desi2022_dimensions(path: Path, desi2022: pd.DataFrame, checks: list[str]) -> None:
    with path.open(encoding="utf-8") as fh:
        facts = json.load(fh)
    ids = {
        "desi_hc": "desi2022_hc",
        "desi_conn": "desi2022_conn",
        "desi_idt": "desi2022_idt",
        "desi_dps": "desi2022_dps",
    }
    database = pd.DataFrame(
        [
            {
                "indicator": ids[f["fields"]["breakdown"][0]],
                "geo": normalise_geo(f["fields"]["country"][0]),
                "period": int(str(f["fields"]["period"][0]).removeprefix("desi_")),
                "value": float(f["fields"]["value"]),
            }
            for f in facts
            if f["fields"]["breakdown"][0] in ids
        ]
    )
    for indicator, group in database.groupby("indicator"):
        ours = desi2022[desi2022["indicator"] == indicator]
        _compare(f"{indicator}: workbook vs DESI database", ours, group, 0.001, checks)


def write(snapshot: BuiltSnapshot, out_dir: Path, raw_dir: Path) -> dict:
    """Write the snapshot to `out_dir` whole: built in a temporary folder, then swapped in."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".snapshot-", dir=out_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the snapshot is for every user
    try:
        manifest = _write_files(snapshot, staging, raw_dir)
        if out_dir.exists():
            backup = out_dir.with_name(f".{out_dir.name}-old")
            shutil.rmtree(backup, ignore_errors=True)
            out_dir.rename(backup)
            staging.rename(out_dir)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _source_file(raw_dir: Path, name: str) -> dict:
    path = raw_dir / name
    return {"path": f"raw/{name}", "sha256": sha256_file(path), "bytes": path.stat().st_size}


def _write_files(snapshot: BuiltSnapshot, out_dir: Path, raw_dir: Path) -> dict:
    sources = {
        "isoc_e_dii": [RAW["isoc_e_dii"]],
        "isoc_eb_ai": [RAW["isoc_eb_ai"]],
        "desi2026": [RAW["desi2026"]],
        "desi2022": [RAW["desi2022_indicators"], RAW["desi2022_scores"], RAW["desi2022_check"]],
    }
    datasets = {}
    for name, frame in snapshot.frames.items():
        file_name = f"{name}.parquet"
        write_parquet(frame, out_dir / file_name)
        datasets[name] = {
            "file": file_name,
            "rows": len(frame),
            "sha256": sha256_file(out_dir / file_name),
            "periods": [int(frame["period"].min()), int(frame["period"].max())],
            "indicators": int(frame["indicator"].nunique()),
            "updated": None,
            "provenance": PROVENANCE[name],
            "source_files": [_source_file(raw_dir, f) for f in sources[name]],
        }
    write_parquet(snapshot.targets, out_dir / TARGETS_FILE)
    write_parquet(snapshot.desi2022_years, out_dir / DESI2022_YEARS_FILE)
    manifest = {
        "built_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "builder": "scripts/build_snapshot.py",
        "datasets": datasets,
        "targets": {
            "file": TARGETS_FILE,
            "rows": len(snapshot.targets),
            "sha256": sha256_file(out_dir / TARGETS_FILE),
            "source_files": [_source_file(raw_dir, RAW["desi2026"])],
        },
        "desi2022_data_years": {
            "file": DESI2022_YEARS_FILE,
            "rows": len(snapshot.desi2022_years),
            "sha256": sha256_file(out_dir / DESI2022_YEARS_FILE),
        },
        "checks": snapshot.checks,
    }
    write_json_atomic(out_dir / MANIFEST, manifest)
    return manifest
