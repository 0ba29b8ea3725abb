"""Write the demo cohort: a fictional hub cohort in the hub template (data/demo/demo_cohort.csv).

    .venv/bin/python scripts/make_demo_cohort.py [--out PATH]

Forty made-up companies of the hub's two clusters (IT and furniture, "Mobilier"), mostly
in the Nord-Vest and Centru counties, assessed at T0 in early 2025 and (32 of them) again
at T1 nine to twelve months later. Every id starts with DEMO- and every name with "Demo",
so no one can mistake a row for a real member. The output depends only on the seed: run
it twice and the file is byte for byte the same, so it can be committed and reviewed.

Scores are drawn to look like a real cohort rather than noise: IT firms start ahead on
readiness and data, furniture makers on nothing much but green; larger firms start a
little higher; T1 improves most dimensions by a few points, a few not at all or slightly
down. DII answers follow the firm's DMA level; a few rows leave some DII items empty.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

from dih_dash.domain.survey_schema import ASSESSMENT_COLUMNS, DII_ITEMS, DMA_DIMENSIONS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = PROJECT_ROOT / "data" / "demo" / "demo_cohort.csv"
SEED = 20250314
COMPANIES = 40
WITH_T1 = 32
LATEST_DATE = dt.date(2026, 11, 26)  # no assessment after the cohort was made

# County codes and how often a demo firm sits there: the hub's own regions first.
COUNTIES: dict[str, int] = {
    "CJ": 8, "BH": 4, "BN": 2, "MM": 3, "SM": 2, "SJ": 2,  # Nord-Vest
    "AB": 2, "BV": 4, "CV": 1, "HR": 2, "MS": 3, "SB": 3,  # Centru
    "B": 2, "IS": 1, "TM": 1,  # a few from elsewhere
}  # fmt: skip
TOWN_WORDS = {
    "CJ": "Someș", "BH": "Crișana", "BN": "Năsăud", "MM": "Maramureș", "SM": "Sătmar",
    "SJ": "Meseș", "AB": "Apuseni", "BV": "Bârsa", "CV": "Covasna", "HR": "Harghita",
    "MS": "Mureș", "SB": "Cibin", "B": "Dâmbovița", "IS": "Copou", "TM": "Bega",
}  # fmt: skip
IT_WORDS = ("Soft", "Cod", "Cloud", "Data", "Digital", "Web", "Byte", "Logic", "Net", "Pixel")
FURNITURE_WORDS = ("Mobila", "Lemn", "Mobilier", "Stejar", "Fag", "Tâmplărie", "Design", "Brad")
SECTORS = {
    "IT": ("Telecommunications, Information and Communication", "J62"),
    "Mobilier": ("Manufacturing", "Consumer goods/products", "C31"),
}
# (size class, employees range, how many firms)
SIZES = (
    ("micro", (2, 9), 12),
    ("small", (10, 49), 16),
    ("medium", (50, 249), 9),
    ("large", (250, 620), 3),
)
# Where each cluster starts per DMA dimension (strategy, readiness, human, data,
# automation, green): IT ahead on readiness and data, furniture on green.
BASE = {
    "IT": (48, 58, 45, 52, 30, 28),
    "Mobilier": (34, 36, 30, 27, 22, 38),
}
SIZE_BONUS = {"micro": -6, "small": 0, "medium": 5, "large": 9}


def _clamp(value: float) -> float:
    # Real DMA scores of a going concern are rarely at the very ends of the scale.
    return round(min(96.0, max(4.0, value)), 1)


def _company(rng: random.Random, number: int, cluster: str, county: str, used: set[str]) -> str:
    words = IT_WORDS if cluster == "IT" else FURNITURE_WORDS
    while True:
        name = f"Demo {rng.choice(words)} {TOWN_WORDS[county]} SRL"
        if name not in used:
            used.add(name)
            return name
        # Two firms drew the same words: the second gets a number, like real registers do.
        name = f"Demo {rng.choice(words)} {TOWN_WORDS[county]} {number} SRL"
        if name not in used:
            used.add(name)
            return name


def _dii(rng: random.Random, level: float, cluster: str) -> list[str]:
    """Twelve yes/no answers, likelier "yes" the more mature the firm (level 0–100).

    Tuned so that at T0 a bit under half of the demo firms with 10+ employees reach "at
    least basic" (4+ items), near Romania's 44% of SMEs in 2025 (Eurostat), rather than a
    flattering picture the real cohort would not show."""
    answers = []
    for item in DII_ITEMS:
        p = level / 320
        if item in ("dii_internet_staff", "dii_social_media", "dii_fast_broadband"):
            p += 0.42
        if item in ("dii_ai", "dii_web_sales_b2c", "dii_cloud_advanced"):
            p -= 0.12
        if cluster == "IT" and item in ("dii_cloud", "dii_internet_staff", "dii_crm"):
            p += 0.2
        if cluster == "Mobilier" and item in ("dii_ecommerce_1pct", "dii_web_sales_b2c"):
            p += 0.1
        answers.append("yes" if rng.random() < min(0.97, max(0.03, p)) else "no")
    return answers


def _partly_answered(rng: random.Random, answers: list[str]) -> list[str]:
    blanks = set(rng.sample(range(len(answers)), rng.randint(2, 5)))
    return ["" if i in blanks else a for i, a in enumerate(answers)]


def _row(
    member_id: str,
    name: str,
    wave: str,
    when: dt.date,
    firm: dict[str, object],
    scores: list[float],
    dii: list[str],
) -> dict[str, object]:
    row: dict[str, object] = {
        "member_id": member_id,
        "company_name": name,
        "wave": wave,
        "assessed_on": when.isoformat(),
        "cluster": firm["cluster"],
        "sector": firm["sector"],
        "size_class": firm["size_class"],
        "employees": firm["employees"],
        "county": firm["county"],
    }
    row.update(dict(zip(DMA_DIMENSIONS, scores, strict=True)))
    row["dma_overall"] = round(sum(scores) / len(scores), 1)
    row.update(dict(zip(DII_ITEMS, dii, strict=True)))
    return row


def make_rows(seed: int = SEED) -> list[dict[str, object]]:
    rng = random.Random(seed)
    sizes = [size for size, _range, count in SIZES for _ in range(count)]
    rng.shuffle(sizes)
    counties = [code for code, weight in COUNTIES.items() for _ in range(weight)]
    rng.shuffle(counties)
    clusters = ["IT"] * 18 + ["Mobilier"] * 22
    rng.shuffle(clusters)
    followed = set(rng.sample(range(COMPANIES), WITH_T1))
    partly = set(rng.sample(range(COMPANIES * 2), 7))  # rows with some DII left empty
    used: set[str] = set()

    t0_rows: list[dict[str, object]] = []
    t1_rows: list[dict[str, object]] = []
    for i in range(COMPANIES):
        cluster, county, size = clusters[i], counties[i], sizes[i]
        low, high = next(r for s, r, _n in SIZES if s == size)
        firm = {
            "cluster": cluster,
            "county": county,
            "size_class": size,
            "employees": rng.randint(low, high),
            "sector": rng.choice(SECTORS[cluster]),
        }
        member_id = f"DEMO-{i + 1:03d}"
        name = _company(rng, i + 1, cluster, county, used)
        drive = rng.gauss(0, 8)  # how digital this firm is beyond its cluster and size
        t0 = [_clamp(base + SIZE_BONUS[size] + drive + rng.gauss(0, 7)) for base in BASE[cluster]]
        t0_day = dt.date(2025, 1, 13) + dt.timedelta(days=rng.randint(0, 130))
        complete0 = _dii(rng, sum(t0) / 6, cluster)
        dii0 = _partly_answered(rng, complete0) if i in partly else complete0
        t0_rows.append(_row(member_id, name, "T0", t0_day, firm, t0, dii0))
        if i not in followed:
            continue
        # Most firms gain a few points, unevenly across dimensions; some barely move.
        effort = max(0.0, rng.gauss(6, 4))
        t1 = [_clamp(score + effort * rng.uniform(0.2, 1.8) + rng.gauss(0, 2.5)) for score in t0]
        t1_day = min(t0_day + dt.timedelta(days=rng.randint(274, 365)), LATEST_DATE)
        # The same firm a year on: what it had it keeps; some gaps are closed with the
        # hub's help (more of them the more effort), and answers left empty are now given.
        dii1 = ["yes" if a == "yes" or rng.random() < effort / 70 else "no" for a in complete0]
        if COMPANIES + i in partly:
            dii1 = _partly_answered(rng, dii1)
        t1_rows.append(_row(member_id, name, "T1", t1_day, firm, t1, dii1))
    return t0_rows + t1_rows


def write_cohort(path: Path, seed: int = SEED) -> int:
    rows = make_rows(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(ASSESSMENT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (default: %(default)s)")
    args = parser.parse_args()
    count = write_cohort(args.out, args.seed)
    print(f"wrote {count} rows to {args.out}")


if __name__ == "__main__":
    main()
