"""Benchmark: reading and validating hub-template survey files of 10k, 100k and 1M rows.

    .venv/bin/python bench/survey_parse.py [--sizes 10000 100000 1000000]
                                           [--variants cp1250 utf8] [--dir DIR]

Two variants of the hub template, as members really send them:

* `cp1250`: Romanian headers, `;` separator, decimal commas, `14.03.2025` dates, cedilla
  ş ţ (Excel on a Romanian Windows, "CSV (separated by semicolons)");
* `utf8`: English headers, `,` separator, decimal points, ISO dates, comma-below ș ț.

Both carry every hub column, an ignored notes column whose cells sometimes hold the
separator or a line break, blank lines, partly answered DII blocks, exact repeats, and about
3% of rows with an error. Files are made once (deterministic) and kept in `--dir`.

Each (size, variant) is read and validated in a child process of its own, so its peak RSS
(VmHWM) is that run's alone; the interpreter with pandas loaded is reported as the base.
Each step's CPU time (user + system) is given beside its wall time: on a shared machine the
wall time also counts the waits for a core.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2025, 12, 1)
MAX_ROWS = 1_000_000

HEADERS = {
    "utf8": [
        "member_id", "company_name", "wave", "assessed_on", "cluster", "sector", "size_class",
        "employees", "county",
    ],
    "cp1250": [
        "cod_membru", "denumire", "etapa", "data_evaluarii", "cluster", "sector",
        "clasa_marime", "nr_angajati", "judet",
    ],
}  # fmt: skip
DMA = ["dma_strategy", "dma_readiness", "dma_human", "dma_data", "dma_automation", "dma_green"]
DII = [
    "dii_internet_staff", "dii_fast_broadband", "dii_ai", "dii_cloud", "dii_cloud_advanced",
    "dii_erp", "dii_crm", "dii_social_media", "dii_social_media_2plus", "dii_data_analytics",
    "dii_ecommerce_1pct", "dii_web_sales_b2c",
]  # fmt: skip
NOTES = {"utf8": "Observații", "cp1250": "Observaţii"}

FIRST = ["Țesătoria", "Șoimul", "Mobilă", "Îmbinări", "Prelucrarea Lemnului", "Soft", "Agro",
         "Brutăria", "Tâmplăria", "Construcții", "Fierăria", "Croitoria", "Mecanica", "Grădina",
         "Tipografia", "Lactate", "Ștanțe", "Vinăria", "Atelierul", "Cărămida"]  # fmt: skip
LAST = ["Popescu", "Ștefănescu", "Mureșan", "Bălan", "Țurcanu", "Ionescu", "Dumitrescu",
        "Pașcu", "Sârbu", "Crișan", "Oprea", "Neagu", "Tănase", "Rădulescu", "Lăzărescu",
        "Moldovan", "Bîrsan", "Gheorghiu", "Vlăduț", "Iordache"]  # fmt: skip
SUFFIX = ["SRL", "S.R.L.", "SA", "SRL-D", "și Fiii SRL", "Cooperativa"]
CLUSTERS = ["IT", "Mobilier", "Textile", "Agro-alimentar", "Auto", "Energie", "Construcții"]
SECTORS = ["C31", "J62", "C13", "A01", "C29", "D35", "F41", "Manufacturing", "ICT"]
COUNTIES = ["Cluj", "CJ", "Bistrița-Năsăud", "BN", "Bihor", "BH", "Mureș", "Timiș", "Iași",
            "Sălaj", "SJ", "Maramureș", "Satu Mare", "Alba", "Brașov", "București", "B",
            "Județul Harghita", "Covasna"]  # fmt: skip
SIZES = {"utf8": ["micro", "small", "medium", "large"],
         "cp1250": ["micro", "mică", "mijlocie", "mare"]}  # fmt: skip
YES_NO = {"utf8": ("yes", "no"), "cp1250": ("da", "nu")}


def _cedilla(text: str) -> str:
    return text.translate(str.maketrans("șțȘȚ", "şţŞŢ"))


def _number(value: float, variant: str) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if variant == "cp1250" else text


def _date(day: dt.date, variant: str, rng: random.Random) -> str:
    if variant == "utf8":
        return day.isoformat()
    text = day.strftime("%d.%m.%Y")
    return text + " 10:22" if rng.random() < 0.1 else text


def _row(member: int, wave: int, variant: str, rng: random.Random) -> list[str]:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(SUFFIX)}"
    employees = int(rng.lognormvariate(2.5, 1.2))
    sizes = SIZES[variant]
    size = "" if rng.random() < 0.3 else sizes[0 if employees < 10 else 1 if employees < 50
                                               else 2 if employees < 250 else 3]  # fmt: skip
    employees_text = str(employees)
    if variant == "cp1250" and employees >= 1000:
        employees_text = f"{employees // 1000}.{employees % 1000:03d}"
    dims = [round(rng.uniform(0, 100), 1) for _ in DMA]
    mean = sum(dims) / 6
    roll = rng.random()
    overall = "" if roll < 0.2 else _number(mean + (5 if roll > 0.98 else 0), variant)
    yes, no = YES_NO[variant]
    dii = [yes if rng.random() < 0.45 else no for _ in DII]
    roll = rng.random()
    if roll < 0.1:
        dii = [""] * len(DII)
    elif roll < 0.15:
        dii[rng.randrange(len(DII))] = ""
    notes = ""
    roll = rng.random()
    if roll < 0.02:
        notes = "vizită; telefon\nrevenim în ianuarie" if variant == "cp1250" else "call, email"
    elif roll < 0.1:
        notes = "de revăzut"
    day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1000))
    row = [
        f"RO{10_000_000 + member * 7}", name, f"T{wave}", _date(day, variant, rng),
        rng.choice(CLUSTERS), rng.choice(SECTORS), size, employees_text, rng.choice(COUNTIES),
        *(_number(d, variant) for d in dims), overall, *dii, notes,
    ]  # fmt: skip
    if rng.random() < 0.03:  # an error a member might really make
        column, value = rng.choice([
            (9, "130"), (10, "n/a"), (8, "Narnia"), (3, "31.02.2025"), (3, "01.01.2031"),
            (2, "Runda 1"), (16 + 3, "poate"), (0, ""), (6, "uriașă"), (7, "-3"),
        ])  # fmt: skip
        row[column] = value
    if variant == "cp1250":
        row = [_cedilla(cell) for cell in row]
    return row


def make_file(rows: int, variant: str) -> bytes:
    """A hub-template CSV of `rows` data rows (plus a few blank lines), deterministic."""
    rng = random.Random(rows * 31 + len(variant))
    members = max(1, rows // 2)
    sep = ";" if variant == "cp1250" else ","
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    header = [*HEADERS[variant], *DMA, "dma_overall", *DII, NOTES[variant]]
    writer.writerow([_cedilla(h) for h in header] if variant == "cp1250" else header)
    previous: list[str] | None = None
    for r in range(rows):
        if previous is not None and rng.random() < 0.005:
            writer.writerow(previous)  # an exact repeat: a warning, the copy is skipped
            continue
        row = _row(r % members, r // members, variant, rng)
        writer.writerow(row)
        previous = row
        if rng.random() < 0.001:
            out.write("\r\n")  # a blank line: counted in the row numbers, not a row
    text = out.getvalue()
    return text.encode("cp1250") if variant == "cp1250" else text.encode("utf-8")


# --- the measured child ------------------------------------------------------------------


def _status(field: str) -> int:
    """A `/proc/self/status` value in kB (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from dih_dash.domain.survey_validation import validate
    from dih_dash.gc_pause import gc_paused
    from dih_dash.sources.reference import load_counties
    from dih_dash.sources.survey_files import read_table

    counties = load_counties()
    base = _status("VmRSS")
    data = path.read_bytes()
    start, cpu = time.perf_counter(), _cpu()
    table = read_table(data, path.name, max_bytes=1 << 40, max_rows=MAX_ROWS)
    read_s, read_cpu = time.perf_counter() - start, _cpu() - cpu
    after_read = _status("VmHWM")
    start, cpu = time.perf_counter(), _cpu()
    # As the import does (dih_dash.services.importing): the collector paused around it.
    with gc_paused():
        result = validate(table, counties=counties, today=TODAY)
    validate_s, validate_cpu = time.perf_counter() - start, _cpu() - cpu
    print(json.dumps({
        "mb": len(data) / 1_048_576, "rows": result.rows, "read_s": read_s,
        "validate_s": validate_s, "read_cpu": read_cpu, "validate_cpu": validate_cpu,
        "errors": len(result.errors),
        "warnings": len(result.warnings), "stored": len(result.assessments),
        "encoding": table.encoding, "delimiter": table.delimiter,
        "base_mb": base / 1024, "peak_read_mb": after_read / 1024,
        "peak_mb": _status("VmHWM") / 1024,
    }))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--variants", nargs="+", default=["cp1250", "utf8"])
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "dih-bench")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    print(
        "     rows variant     MB  read s (cpu)  valid. s (cpu)  total s   peak MB (read) (base)"
        "  errors  warn.   stored"
    )
    for size in args.sizes:
        for variant in args.variants:
            path = args.dir / f"hub-{variant}-{size}.csv"
            if not path.exists():
                path.write_bytes(make_file(size, variant))
            run = subprocess.run(
                [sys.executable, __file__, "--child", str(path)],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if run.returncode != 0:
                print(f"{size:>9} {variant:>7} failed:\n{run.stderr}")
                continue
            r = json.loads(run.stdout)
            print(f"{size:>9} {variant:>7} {r['mb']:6.1f} {r['read_s']:7.2f} "
                  f"{r['read_cpu']:5.2f} {r['validate_s']:9.2f} {r['validate_cpu']:5.2f} "
                  f"{r['read_s'] + r['validate_s']:8.2f} {r['peak_mb']:9.0f} "
                  f"{r['peak_read_mb']:6.0f} {r['base_mb']:6.0f} {r['errors']:7d} "
                  f"{r['warnings']:6d} {r['stored']:8d}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
