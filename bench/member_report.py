"""The member's own report: the time of one PDF and of 200 (spec/edih-services.md §6).

A temporary SQLite store gets 200 fictional members (the demo cohort's rows, five times
over under new ids and names, so each has one or two rounds), then:

- one report in-process, cold (the first in a process: WeasyPrint loads, the fonts are
  subset) and warm (the median of ten more);
- `dih-dash member-report --member … --format pdf` as a user runs it (a new process);
- `dih-dash member-report --all --format pdf` for the 200 members (a new process).

    python bench/member_report.py [--members 200]

Targets: one report ≤ 1 s; 200 reports ≤ 60 s. The script prints figures and asserts
nothing.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dih_dash.domain.scoring import score_assessments
from dih_dash.exports.member_report import member_ids, national_dii, report_for, report_pdf
from dih_dash.services import import_file
from dih_dash.settings import load_settings
from dih_dash.sources.services import load_services
from dih_dash.store import Actor, open_store
from dih_dash.store.national_data import load_national

ROOT = Path(__file__).resolve().parent.parent


def cohort_csv(demo_file: Path, members: int) -> bytes:
    """`members` fictional members from the demo file's rows, renumbered."""
    with demo_file.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        records = list(reader)
    by_member: dict[str, list[dict[str, str]]] = {}
    for record in records:
        by_member.setdefault(record["member_id"], []).append(record)
    sources = list(by_member.values())
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for n in range(members):
        for record in sources[n % len(sources)]:
            writer.writerow(
                record | {"member_id": f"BENCH-{n:04d}", "company_name": f"Firma Bănci {n:04d} SRL"}
            )
    return out.getvalue().encode("utf-8")


def run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-member-report-") as tmp:
        folder = Path(tmp)
        env = os.environ | {
            "DIH_DASH_DATA_DIR": str(folder / "data"),
            "DIH_DASH_DATABASE_URL": f"sqlite:///{folder / 'data' / 'bench.sqlite'}",
            "DIH_DASH_AUTO_LOAD_DEMO": "0",
        }
        os.environ.update(env)
        settings = load_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = open_store(settings)
        data = cohort_csv(settings.demo_dir / "demo_cohort.csv", args.members)
        report = import_file(
            store, data, "bench.csv", actor=Actor("bench", True), settings=settings
        )
        assert report.stored, report.to_json_dict()
        frame = score_assessments(store.load_assessments())
        store.close()
        ids = member_ids(frame)
        print(f"{len(ids)} members, {len(frame)} assessments")

        national = national_dii(load_national(settings).tidy)
        services = load_services(settings.services_file)

        def one(member: str) -> float:
            started = time.perf_counter()
            built = report_for(frame, member, national=national, services=services)
            report_pdf(built, "ro")
            return time.perf_counter() - started

        print(f"one report, in-process, cold: {one(ids[0]):.2f} s")
        warm = [one(m) for m in ids[1:11]]
        print(f"one report, in-process, warm: median {statistics.median(warm):.3f} s, "
              f"max {max(warm):.3f} s")  # fmt: skip

        command = [sys.executable, "-m", "dih_dash", "member-report", "--format", "pdf"]
        single = run([*command, "--member", ids[0], "--out", str(folder / "one.pdf")], env)
        print(f"one report, `dih-dash member-report --member` (new process): {single:.2f} s")
        every = run([*command, "--all", "--out", str(folder / "all")], env)
        written = len(list((folder / "all").iterdir()))
        print(f"{written} reports, `dih-dash member-report --all` (new process): {every:.1f} s "
              f"({every / max(written, 1):.3f} s each)")  # fmt: skip


if __name__ == "__main__":
    main()
