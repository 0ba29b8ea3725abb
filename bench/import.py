"""Benchmark: a member survey file end to end into the store, beside pandas.read_csv.

    .venv/bin/python bench/import.py [--sizes 10000,100000] [--pg URL] [--no-sqlite]

For each size, a hub-template CSV (T0 and T1 rows, Romanian-style dates and decimal
commas, a few empty cells) is written to a temporary folder. Each measurement runs in a
fresh child process, so its peak memory (max RSS) is its own:

* import: bytes → read_table → validate → store, through `dih_dash.services.import_file`,
  into an empty store (SQLite file; PostgreSQL: a fresh schema on --pg or
  DIH_DASH_TEST_POSTGRES_URL);
  split into read / validate / store;
* again: the same file once more into that store (every row "unchanged");
* read_csv: `pandas.read_csv` of the same file, the floor for time and memory.

Columns: import s (wall) and cpu s of the whole pipeline, its read / validate / store
phases (wall), peak MB (max RSS of the child), pre-st. (max RSS before the store phase
began, i.e. what reading and validation took), again s / store (the second import).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

DII = (
    "dii_internet_staff", "dii_fast_broadband", "dii_ai", "dii_cloud", "dii_cloud_advanced",
    "dii_erp", "dii_crm", "dii_social_media", "dii_social_media_2plus", "dii_data_analytics",
    "dii_ecommerce_1pct", "dii_web_sales_b2c",
)  # fmt: skip
DIMENSIONS = ("dma_strategy", "dma_readiness", "dma_human", "dma_data", "dma_automation",
              "dma_green")  # fmt: skip
COUNTIES = ("CJ", "BH", "BN", "MM", "SM", "SJ", "AB", "BV", "CV", "HR", "MS", "SB", "B", "IS")


def make_csv(path: Path, rows: int, seed: int = 7) -> None:
    """`rows` hub-template rows: members with a T0 and a T1 assessment each."""
    rng = np.random.default_rng(seed)
    members = (rows + 1) // 2
    index = np.arange(rows)
    member = index // 2
    frame = pd.DataFrame(
        {
            "member_id": [f"RO{30_000_000 + m}" for m in member],
            "company_name": [f"Firma Bench {m} SRL" for m in member],
            "wave": np.where(index % 2 == 0, "T0", "T1"),
            "assessed_on": [
                f"{d:02d}.{mth:02d}.{y}"
                for d, mth, y in zip(
                    rng.integers(1, 29, rows),
                    rng.integers(1, 13, rows),
                    np.where(index % 2 == 0, 2024, 2025),
                    strict=True,
                )
            ],
            "cluster": rng.choice(["IT", "Mobilier"], rows),
            "sector": rng.choice(["J62", "C31", "Manufacturing"], rows),
            "size_class": "",
            "employees": rng.integers(1, 400, rows),
            "county": rng.choice(COUNTIES, rows),
        }
    )
    scores = rng.uniform(5, 95, (rows, 6)).round(1)
    for i, name in enumerate(DIMENSIONS):
        frame[name] = [f"{v:.1f}".replace(".", ",") for v in scores[:, i]]
    frame["dma_overall"] = [f"{v:.1f}".replace(".", ",") for v in scores.mean(axis=1)]
    answers = rng.choice(["da", "nu", ""], (rows, len(DII)), p=[0.45, 0.5, 0.05])
    for i, name in enumerate(DII):
        frame[name] = answers[:, i]
    frame.to_csv(path, sep=";", index=False, encoding="utf-8")
    assert members > 0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- child processes ----------------------------------------------------------------------


def child_import(path: Path, url: str, again: bool) -> dict[str, object]:
    from dih_dash.services import importing
    from dih_dash.settings import load_settings
    from dih_dash.store import Actor, Store

    phases = {"read": 0.0, "validate": 0.0, "store": 0.0}

    def timed(name: str, func):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                phases[name] += time.perf_counter() - start

        return wrapper

    importing.read_table = timed("read", importing.read_table)
    importing.validate = timed("validate", importing.validate)
    store_phase = timed("store", Store.import_assessments)
    peak_before_store: list[float] = []

    def store_and_note_peak(*args, **kwargs):  # type: ignore[no-untyped-def]
        # The peak so far belongs to reading and validation; the rest is the store's.
        peak_before_store.append(_peak_mb())
        return store_phase(*args, **kwargs)

    Store.import_assessments = store_and_note_peak
    settings = load_settings(env={"DIH_DASH_MAX_UPLOAD_MB": "500"}, secrets={})
    actor = Actor("bench", is_admin=True)
    store = Store.open(url)
    baseline = _peak_mb()
    runs = []
    for _ in range(2 if again else 1):
        for key in phases:
            phases[key] = 0.0
        start, cpu = time.perf_counter(), time.process_time()
        report = importing.import_file(
            store, path.read_bytes(), path.name, actor=actor, settings=settings
        )
        runs.append(
            {
                "seconds": time.perf_counter() - start,
                # CPU seconds too: on a shared machine the wall clock also counts the
                # time other processes had the CPU.
                "cpu": time.process_time() - cpu,
                "phases": dict(phases),
                "inserted": report.inserted,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
                "refused": None if report.refused is None else report.refused.reason(),
            }
        )
    store.close()
    return {
        "runs": runs,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
        "peak_before_store_mb": peak_before_store[0],
    }


def child_read_csv(path: Path) -> dict[str, object]:
    baseline = _peak_mb()
    start = time.perf_counter()
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(frame), "peak_mb": _peak_mb(), "baseline_mb": baseline}


def run_child(*argv: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {argv} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- PostgreSQL schema per run -------------------------------------------------------------


def pg_schema_url(base: str) -> tuple[str, str]:
    from sqlalchemy import create_engine

    from dih_dash.store.engine import normalise_url

    name = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(normalise_url(base))
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    engine.dispose()
    url = normalise_url(base).update_query_dict({"options": f"-csearch_path={name}"})
    return url.render_as_string(hide_password=False), name


def pg_drop(base: str, name: str) -> None:
    from sqlalchemy import create_engine

    from dih_dash.store.engine import normalise_url

    engine = create_engine(normalise_url(base))
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    engine.dispose()


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="row counts, comma-separated")
    parser.add_argument("--pg", default=os.environ.get("DIH_DASH_TEST_POSTGRES_URL"),
                        help="PostgreSQL URL (default: DIH_DASH_TEST_POSTGRES_URL)")  # fmt: skip
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--no-again", action="store_true", help="skip the second import")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each measurement N times, each on a fresh store, and keep the fastest "
        "(on a shared machine the minimum is the least disturbed run)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, path = args.child[0], Path(args.child[1])
        if kind == "import":
            result = child_import(path, args.child[2], again=args.child[3] == "again")
        else:
            result = child_read_csv(path)
        print(json.dumps(result))
        return

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    backends = ([] if args.no_sqlite else ["sqlite"]) + (["postgresql"] if args.pg else [])
    again = "once" if args.no_again else "again"
    print(
        f"python {sys.version.split()[0]}, pandas {pd.__version__}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}, best of {args.repeat}"
    )
    header = (
        f"{'rows':>9} {'backend':<10} {'import s':>8} {'cpu s':>6} {'read':>6} {'valid.':>6}"
        f" {'store':>6}"
        f" {'peak MB':>8} {'pre-st.':>8} {'again s':>8} {'store':>6}"
        f" | {'read_csv s':>10} {'peak MB':>8}"
    )
    print(header)
    with tempfile.TemporaryDirectory(prefix="dih-bench-") as tmp:
        for size in sizes:
            path = Path(tmp) / f"members_{size}.csv"
            make_csv(path, size)
            floor = min(
                (run_child("read_csv", str(path)) for _ in range(args.repeat)),
                key=lambda r: r["seconds"],  # type: ignore[arg-type,return-value]
            )
            for backend in backends:
                results = []
                for attempt in range(args.repeat):
                    schema = None
                    if backend == "sqlite":
                        url = f"sqlite:///{Path(tmp) / f'store_{size}_{attempt}.sqlite'}"
                    else:
                        url, schema = pg_schema_url(args.pg)
                    try:
                        results.append(run_child("import", str(path), url, again))
                    finally:
                        if schema is not None:
                            pg_drop(args.pg, schema)
                result = min(results, key=lambda r: r["runs"][0]["seconds"])  # type: ignore[index]
                first = result["runs"][0]  # type: ignore[index]
                if first["refused"] or first["rejected"] or first["inserted"] != size:
                    raise RuntimeError(f"unexpected import outcome: {first}")
                second = result["runs"][1] if len(result["runs"]) > 1 else None  # type: ignore[arg-type]
                p = first["phases"]
                again_s = f"{second['seconds']:8.2f}" if second else f"{'-':>8}"
                again_store = f"{second['phases']['store']:6.2f}" if second else f"{'-':>6}"
                print(
                    f"{size:>9,} {backend:<10} {first['seconds']:8.2f} {first['cpu']:6.2f}"
                    f" {p['read']:6.2f}"
                    f" {p['validate']:6.2f} {p['store']:6.2f} {result['peak_mb']:8.0f}"
                    f" {result['peak_before_store_mb']:8.0f}"
                    f" {again_s} {again_store} | {floor['seconds']:10.2f} {floor['peak_mb']:8.0f}",
                    flush=True,
                )
            path.unlink()
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
