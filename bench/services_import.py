"""Benchmark: a 10,000-row services export into the store (spec/edih-services.md §3).

    .venv/bin/python bench/services_import.py [--rows 10000] [--members 500] [--pg URL]

Writes a real-shaped services-export XLSX (sheet "Reporting of EDIH services del", the
export's headers, `Dates` as "start / end", prices with decimal commas) and the same rows
as a cp1250 CSV with `;`, for `--members` SMEs stored first (hub CSV). One customer in ten
is not a member, so those rows are stored unlinked; the rest are linked by folded name
(legal forms and diacritics differ between the file and the store).

For each file and store (SQLite file; PostgreSQL when --pg or DIH_DASH_TEST_POSTGRES_URL
is given: a fresh schema), in-process through `import_services_file` (what the upload page
and the CLI call):
* first: into a store with the members and no services (every row inserted);
* again: the same file once more (every row unchanged);
and once as a user runs it: `dih-dash import FILE --layout services-export` (a new process,
its start-up included).

Target: ≤ 2 s for the 10,000-row import. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from openpyxl import Workbook

from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.services import import_file
from dih_dash.services.services_import import import_services_file
from dih_dash.settings import load_settings
from dih_dash.store import Actor, Store

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Actor("bench", is_admin=True)
HEADERS = [
    "Customer",
    "Customer type",
    "Service category delivered",
    "Dates",
    "Short description of the service",
    "Service price, €",
    "Status",
    "EDIH Name",
]


def member_names(members: int) -> list[str]:
    return [f"Firma Ştefăneşti {n:04d} S.R.L." for n in range(members)]


def members_csv(members: int) -> bytes:
    lines = ["member_id,company_name,wave,assessed_on,dma_overall"]
    for n, name in enumerate(member_names(members)):
        stored = name.replace("Ş", "Ș").replace("ş", "ș").replace(" S.R.L.", " SRL")
        lines.append(f"B{n:04d},{stored},T0,2024-03-01,{30 + n % 50}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def service_rows(rows: int, members: int) -> list[list[str]]:
    rng = random.Random(20261204)
    names = member_names(members)
    found: list[list[str]] = []
    for n in range(rows):
        customer = names[n % members] if n % 10 else f"Client nemembru {n:05d} SA"
        start = f"2025-{1 + n % 12:02d}-{1 + n % 27:02d}"
        found.append(
            [
                customer,
                "SME",
                CATEGORIES[rng.randrange(4)],
                f"{start} / {start}",
                f"Serviciul nr. {n} pentru digitalizare",
                f"{rng.randrange(100, 5000)},{rng.randrange(100):02d}",
                "Completed",
                "Transilvania DIH",
            ]
        )
    return found


def write_files(folder: Path, rows: int, members: int) -> dict[str, Path]:
    data = service_rows(rows, members)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Reporting of EDIH services del")
    sheet.append(HEADERS)
    for record in data:
        sheet.append(record)
    xlsx = folder / "services.xlsx"
    book.save(xlsx)
    text = io.StringIO()
    text.write(";".join(HEADERS) + "\r\n")
    for record in data:
        text.write(";".join(record) + "\r\n")
    csv = folder / "services.csv"
    csv.write_bytes(text.getvalue().encode("cp1250"))
    return {"xlsx": xlsx, "csv": csv}


def store_urls(folder: Path, pg: str | None) -> dict[str, str]:
    urls = {"sqlite": f"sqlite:///{folder / 'bench.sqlite'}"}
    if pg:
        urls["postgresql"] = pg
    return urls


def fresh(url: str, folder: Path, tag: str) -> str:
    """An empty store at `url` (a new file for SQLite, a new schema for PostgreSQL)."""
    if url.startswith("sqlite"):
        return f"sqlite:///{folder / f'{tag}.sqlite'}"
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--pg", default=os.environ.get("DIH_DASH_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = load_settings(env={"DIH_DASH_DATA_DIR": str(folder / "data")}, secrets={})
        files = write_files(folder, args.rows, args.members)
        print(
            f"{args.rows} service rows, {args.members} members; "
            f"XLSX {files['xlsx'].stat().st_size / 1e6:.2f} MB, "
            f"CSV {files['csv'].stat().st_size / 1e6:.2f} MB"
        )
        print(f"{'store':<11} {'file':<5} {'first s':>8} {'again s':>8} {'CLI s':>7}  result")
        for backend, base in store_urls(folder, args.pg).items():
            for kind, path in files.items():
                url = fresh(base, folder, f"{backend}-{kind}")
                data = path.read_bytes()
                with Store.open(url) as store:
                    import_file(store, members_csv(args.members), "m.csv", actor=ADMIN,
                                settings=settings)  # fmt: skip
                    started = time.perf_counter()
                    first = import_services_file(
                        store, data, path.name, actor=ADMIN, settings=settings
                    )
                    first_s = time.perf_counter() - started
                    started = time.perf_counter()
                    again = import_services_file(
                        store, data, path.name, actor=ADMIN, settings=settings
                    )
                    again_s = time.perf_counter() - started
                cli_url = fresh(base, folder,
                                f"{backend}-{kind}-cli")  # fmt: skip
                with Store.open(cli_url) as store:
                    import_file(store, members_csv(args.members), "m.csv", actor=ADMIN,
                                settings=settings)  # fmt: skip
                started = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-m", "dih_dash", "import", str(path), "--db", cli_url,
                     "--layout", "services-export"],
                    capture_output=True, cwd=ROOT,
                    env=os.environ | {"DIH_DASH_DATA_DIR": str(folder / "data")},
                )  # fmt: skip
                cli_s = time.perf_counter() - started
                print(
                    f"{backend:<11} {kind:<5} {first_s:>8.2f} {again_s:>8.2f} {cli_s:>7.2f}  "
                    f"inserted {first.inserted}, unlinked names {len(first.unlinked)}; "
                    f"again unchanged {again.unchanged}; CLI exit {done.returncode}"
                )


if __name__ == "__main__":
    main()
