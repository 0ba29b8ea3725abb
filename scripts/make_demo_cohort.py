"""Write the demo data: a fictional hub cohort in the hub template (data/demo/demo_cohort.csv)
and the services the hub delivered to it in the hub's services template
(data/demo/demo_services.csv).

    .venv/bin/python scripts/make_demo_cohort.py [--out PATH] [--services-out PATH]

Forty made-up companies of the hub's two clusters (IT and furniture, "Mobilier"), mostly
in the Nord-Vest and Centru counties, assessed at T0 in early 2025 and (32 of them) again
at T1 nine to twelve months later; and twelve made-up public-sector organisations (town
halls, county councils, a hospital, a school inspectorate), assessed with the PSO
instrument (ten of them again at T1). Every id starts with DEMO- and every name with
"Demo", so no one can mistake a row for a real member. The output depends only on the
seed: run it twice and the files are byte for byte the same, so they can be committed
and reviewed.

Scores are drawn to look like a real cohort rather than noise: IT firms start ahead on
readiness and data, furniture makers on nothing much but green; larger firms start a
little higher; T1 improves most dimensions by a few points, a few not at all or slightly
down. DII answers follow the firm's DMA level; a few rows leave some DII items empty.

Services: most members assessed twice got one or more services between their two
assessments, some in one category only; about a third got none at all (the "not served"
group of the impact page); a few services started before the member's T0 (they do not
count as "served" there). Members who gained more by T1 were a little likelier to have
been served, as engaged firms are in real hubs: the demo impact figures therefore show
the selection that the impact page's "not a randomised comparison" sentence warns about,
not an effect of the services.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

from dih_dash.domain.services_schema import CATEGORIES, HUB_COLUMNS
from dih_dash.domain.survey_schema import (
    ASSESSMENT_COLUMNS,
    DII_ITEMS,
    DMA_DIMENSIONS,
    PSO_DIMENSIONS,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = PROJECT_ROOT / "data" / "demo" / "demo_cohort.csv"
DEFAULT_SERVICES_OUT = PROJECT_ROOT / "data" / "demo" / "demo_services.csv"
SEED = 20250314
COMPANIES = 40
WITH_T1 = 32
PSOS = 12
PSOS_WITH_T1 = 10
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
        "org_type": "sme",
    }
    row.update(dict(zip(DMA_DIMENSIONS, scores, strict=True)))
    row["dma_overall"] = round(sum(scores) / len(scores), 1)
    row.update(dict(zip(DII_ITEMS, dii, strict=True)))
    return row


def _smes(rng: random.Random, gains: dict[str, float]) -> list[dict[str, object]]:
    """The forty SMEs, T0 rows then T1 rows; `gains` gets each followed firm's T1 − T0."""
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
        gains[member_id] = float(t1_rows[-1]["dma_overall"]) - float(t0_rows[-1]["dma_overall"])
    return t0_rows + t1_rows


# Public-sector organisations: (kind of body, its county, employees). Names follow the
# county's town word, as the firms' do.
PSO_BODIES = (
    ("Primăria", "CJ", 420), ("Primăria", "BH", 260), ("Primăria", "MS", 180),
    ("Primăria", "SB", 150), ("Primăria", "BN", 95), ("Primăria", "HR", 70),
    ("Consiliul Județean", "CJ", 310), ("Consiliul Județean", "MM", 220),
    ("Consiliul Județean", "BV", 240), ("Spitalul Județean", "SM", 1150),
    ("Inspectoratul Școlar", "AB", 85), ("Agenția de Dezvoltare", "SJ", 40),
)  # fmt: skip
# Where PSOs start per PSO dimension (strategy, readiness, human, data, interoperability,
# green): public bodies score low on interoperability and green, higher on readiness.
PSO_BASE = (38, 44, 35, 33, 24, 22)


def _pso_row(
    member_id: str, name: str, wave: str, when: dt.date, county: str, employees: int,
    scores: list[float],
) -> dict[str, object]:  # fmt: skip
    row: dict[str, object] = {
        "member_id": member_id,
        "company_name": name,
        "wave": wave,
        "assessed_on": when.isoformat(),
        "sector": "Public administration",
        "employees": employees,
        "county": county,
        "org_type": "pso",
    }
    # The PSO instrument's dimensions; the SME ones and the DII stay empty (never mixed).
    row.update(dict(zip(PSO_DIMENSIONS, scores, strict=True)))
    row["dma_overall"] = round(sum(scores) / len(scores), 1)
    return row


def _psos(rng: random.Random, gains: dict[str, float]) -> list[dict[str, object]]:
    """The twelve PSOs, T0 rows then T1 rows; `gains` gets each followed body's change."""
    followed = set(rng.sample(range(PSOS), PSOS_WITH_T1))
    t0_rows: list[dict[str, object]] = []
    t1_rows: list[dict[str, object]] = []
    for i, (body, county, employees) in enumerate(PSO_BODIES):
        member_id = f"DEMO-P{i + 1:02d}"
        name = f"Demo {body} {TOWN_WORDS[county]}"
        drive = rng.gauss(0, 7)
        t0 = [_clamp(base + drive + rng.gauss(0, 6)) for base in PSO_BASE]
        t0_day = dt.date(2025, 2, 3) + dt.timedelta(days=rng.randint(0, 120))
        t0_rows.append(_pso_row(member_id, name, "T0", t0_day, county, employees, t0))
        if i not in followed:
            continue
        effort = max(0.0, rng.gauss(4, 3))
        t1 = [_clamp(score + effort * rng.uniform(0.3, 1.7) + rng.gauss(0, 2)) for score in t0]
        t1_day = min(t0_day + dt.timedelta(days=rng.randint(300, 380)), LATEST_DATE)
        t1_rows.append(_pso_row(member_id, name, "T1", t1_day, county, employees, t1))
        gains[member_id] = float(t1_rows[-1]["dma_overall"]) - float(t0_rows[-1]["dma_overall"])
    return t0_rows + t1_rows


# Per category: how likely a served member gets it, a price range in euro (0: free), and
# what the hub did, in the hub's own words.
SERVICE_OFFERS: dict[str, tuple[float, tuple[int, int], tuple[str, ...]]] = {
    "Test before invest": (0.45, (1800, 14000), (
        "Proof of concept: production planning software on a pilot line",
        "Test of a machine-vision quality check",
        "Cloud migration pilot with the hub's partner lab",
    )),
    "Training and skills development": (0.6, (0, 900), (
        "Course: data-driven decisions for managers",
        "Workshop: cybersecurity basics for staff",
        "Course: introduction to industrial automation",
    )),
    "Support to find investment": (0.35, (400, 3200), (
        "Advice on a PNRR digitalisation call",
        "Help writing a regional programme application",
    )),
    "Innovation ecosystem and networking": (0.4, (0, 0), (
        "Matchmaking with a technology supplier",
        "Study visit to an Industry 4.0 demonstrator",
    )),
}  # fmt: skip


def _service(
    rng: random.Random, member_id: str, category: str, start: dt.date, ongoing: bool
) -> dict[str, object]:
    _share, (low, high), descriptions = SERVICE_OFFERS[category]
    days = rng.randint(1, 5) if category != "Test before invest" else rng.randint(30, 120)
    end = start + dt.timedelta(days=days)
    price = rng.randint(low // 50, high // 50) * 50 if high else 0
    return {
        "member_id": member_id,
        "service_category": category,
        "start_date": start.isoformat(),
        "end_date": "" if ongoing else end.isoformat(),
        "description": rng.choice(descriptions),
        "price_eur": price,
        "status": "Ongoing" if ongoing else "Completed",
    }


def _services(
    rng: random.Random, rows: list[dict[str, object]], gains: dict[str, float]
) -> list[dict[str, object]]:
    """The services delivered to the demo members, sorted by start date then member."""
    first: dict[str, dt.date] = {}
    second: dict[str, dt.date] = {}
    for row in rows:
        day = dt.date.fromisoformat(str(row["assessed_on"]))
        (first if row["wave"] == "T0" else second)[str(row["member_id"])] = day
    out: list[dict[str, object]] = []
    for member_id, t0_day in first.items():
        gain = gains.get(member_id)
        # Served: likelier the more the member gained (selection, see the docstring).
        chance = 0.65 if gain is None else min(0.9, max(0.35, 0.45 + gain / 40))
        if rng.random() >= chance:
            continue
        until = second.get(member_id, LATEST_DATE) - dt.timedelta(days=10)
        categories = [c for c in CATEGORIES if rng.random() < SERVICE_OFFERS[c][0]]
        if not categories:
            categories = [rng.choice(CATEGORIES)]
        for category in categories:
            for _ in range(1 if rng.random() < 0.75 else 2):
                span = max(1, (until - t0_day).days - 130)
                start = t0_day + dt.timedelta(days=rng.randint(7, 7 + span))
                ongoing = member_id not in second and rng.random() < 0.3
                out.append(_service(rng, member_id, category, start, ongoing))
    # A few services before the member's first assessment (a course taken earlier): stored
    # and listed, but not "served" on the impact page, which counts from T0 on.
    for member_id in rng.sample(sorted(first), 3):
        start = first[member_id] - dt.timedelta(days=rng.randint(40, 120))
        out.append(_service(rng, member_id, "Training and skills development", start, False))
    out.sort(key=lambda s: (str(s["start_date"]), str(s["member_id"])))
    return out


def make_demo(seed: int = SEED) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The demo cohort's rows (SMEs, then PSOs) and the services delivered to it."""
    rng = random.Random(seed)
    gains: dict[str, float] = {}
    rows = _smes(rng, gains) + _psos(rng, gains)
    return rows, _services(rng, rows, gains)


def make_rows(seed: int = SEED) -> list[dict[str, object]]:
    return make_demo(seed)[0]


def _write(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_demo(cohort: Path, services: Path, seed: int = SEED) -> tuple[int, int]:
    """Write both files; the numbers of assessment rows and of services."""
    rows, delivered = make_demo(seed)
    _write(cohort, list(ASSESSMENT_COLUMNS), rows)
    _write(services, list(HUB_COLUMNS), delivered)
    return len(rows), len(delivered)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    parser.add_argument(
        "--services-out",
        type=Path,
        default=DEFAULT_SERVICES_OUT,
        help=f"default {DEFAULT_SERVICES_OUT}",
    )
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (default: %(default)s)")
    args = parser.parse_args()
    assessments, services = write_demo(args.out, args.services_out, args.seed)
    print(f"wrote {assessments} rows to {args.out} and {services} services to {args.services_out}")


if __name__ == "__main__":
    main()
