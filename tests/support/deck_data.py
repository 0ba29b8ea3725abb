"""Deck inputs for the export tests: the bundled national snapshot and a member store in
a tmp folder (the demo cohort, or a few hand-made members), through the same loader the
CLI uses."""

from __future__ import annotations

import csv
from pathlib import Path

from support.store_data import ADMIN, frame, row, upload

from dih_dash.services import load_demo
from dih_dash.settings import Settings, load_settings
from dih_dash.store import Actor, open_store


def deck_settings(folder: Path) -> Settings:
    """Settings with their own data folder and SQLite store; secrets.toml is not read."""
    return load_settings(
        env={
            "DIH_DASH_DATA_DIR": str(folder / "data"),
            "DIH_DASH_DATABASE_URL": f"sqlite:///{folder / 'data' / 'store.sqlite'}",
        },
        secrets={},
    )


def demo_store(settings: Settings) -> str:
    """Load the demo cohort into the settings' store; returns the store URL."""
    (settings.data_dir).mkdir(parents=True, exist_ok=True)
    store = open_store(settings)
    try:
        load_demo(store, settings, Actor("test", is_admin=True))
    finally:
        store.close()
    return settings.database_url


def small_store(settings: Settings, count: int = 3) -> str:
    """`count` members of 10+ persons employed, assessed in T0 only: a group below the
    default minimum size of 5."""
    (settings.data_dir).mkdir(parents=True, exist_ok=True)
    store = open_store(settings)
    try:
        rows = [row(f"RO{i}", "T0", company_name=f"Firma Secretă {i} SRL") for i in range(count)]
        store.import_assessments(frame(rows), upload("small.csv"), actor=ADMIN)
    finally:
        store.close()
    return settings.database_url


def demo_identities(settings: Settings) -> set[str]:
    """Every company name and member id of the demo cohort file."""
    found: set[str] = set()
    with (settings.demo_dir / "demo_cohort.csv").open(encoding="utf-8") as fh:
        for record in csv.DictReader(fh):
            found.add(record["company_name"])
            found.add(record["member_id"])
    return found
