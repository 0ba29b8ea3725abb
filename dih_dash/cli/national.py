"""`dih-dash indicators` and `dih-dash refresh` (spec/indicators.md §3–4).

Output meant for programs (the frame, the refresh summary) goes to stdout; progress and
complaints go to stderr, so `dih-dash indicators > ro.csv` and scripts stay clean.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import sys
from collections.abc import Iterable, Sequence
from typing import TextIO

import pandas as pd

from dih_dash.domain.catalogue import load_catalogue
from dih_dash.settings import SettingsError, load_settings
from dih_dash.sources.national_store import load_national
from dih_dash.sources.refresh import KEPT, UnknownDatasetError, refresh
from dih_dash.sources.tidy import TIDY_COLUMNS

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

_INDICATORS_EPILOG = """\
Formats:
  csv   header row, then one row per observation; columns
        indicator,geo,period,value,unit,flag,source; '.' as decimal point; values are
        printed as stored (shortest exact form, e.g. 22.23), flag is empty when none.
  json  one JSON array of objects, one object per row, with the same seven keys:
        period is an integer, value a number, flag a string ("" when none).

Ids are matched exactly (geo case-insensitively) against the active data; an unknown id
is an error (exit 2) with the closest known ids suggested.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    indicators = subparsers.add_parser(
        "indicators",
        help="print the national indicators (tidy frame) from the active data",
        description=(
            "Print the tidy national frame from the active data: the newest good refresh "
            "if there is one, else the bundled snapshot."
        ),
        epilog=_INDICATORS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    indicators.add_argument(
        "--indicator",
        metavar="ID[,ID…]",
        action="append",
        help="only these indicator ids (comma-separated; repeatable)",
    )
    indicators.add_argument(
        "--geo",
        metavar="CODE[,CODE…]",
        action="append",
        help="only these Eurostat geo codes, e.g. RO,EU27_2020 (comma-separated; repeatable)",
    )
    indicators.add_argument(
        "--format",
        choices=("csv", "json"),
        default="csv",
        help="csv (default) or json: a list of records with the seven columns as keys",
    )
    indicators.set_defaults(handler=run_indicators)

    refresh_cmd = subparsers.add_parser(
        "refresh",
        help="fetch the catalogue's Eurostat datasets and make them the active data",
        description=(
            "Fetch the Eurostat datasets of the catalogue (JSON-stat from the dissemination "
            "API at DIH_DASH_EUROSTAT_URL) and publish them under DIH_DASH_DATA_DIR. All "
            "requested datasets are replaced together or not at all: on any failure the "
            "previous data is kept and the exit status is 1."
        ),
    )
    refresh_cmd.add_argument(
        "--dataset",
        metavar="CODE",
        action="append",
        help="only this Eurostat dataset, e.g. isoc_e_dii (repeatable; default: all)",
    )
    refresh_cmd.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_seconds,
        help="seconds to wait for each answer (default: the DIH_DASH_HTTP_TIMEOUT setting)",
    )
    refresh_cmd.set_defaults(handler=run_refresh)


def _positive_seconds(raw: str) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {raw!r}") from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds: {raw!r}")
    return seconds


def _split(values: Iterable[str] | None) -> list[str]:
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


# --- indicators ------------------------------------------------------------------------------


def run_indicators(args: argparse.Namespace) -> int:
    try:
        tidy = load_national(load_settings()).tidy
    except (FileNotFoundError, SettingsError) as exc:
        print(f"dih-dash indicators: {exc}", file=sys.stderr)
        return EXIT_FAILED

    wanted_ids = _split(args.indicator)
    wanted_geos = [code.upper() for code in _split(args.geo)]
    problems = _unknown("indicator", wanted_ids, tidy["indicator"].unique())
    problems += _unknown("geo", wanted_geos, tidy["geo"].unique())
    if problems:
        for line in problems:
            print(f"dih-dash indicators: {line}", file=sys.stderr)
        return EXIT_USAGE

    selected = tidy
    if wanted_ids:
        selected = selected[selected["indicator"].isin(wanted_ids)]
    if wanted_geos:
        selected = selected[selected["geo"].isin(wanted_geos)]
    if args.format == "json":
        write_json(selected, sys.stdout)
    else:
        write_csv(selected, sys.stdout)
    return EXIT_OK


def _unknown(kind: str, wanted: Sequence[str], known: Iterable[str]) -> list[str]:
    known_list = sorted(str(k) for k in known)
    lines = []
    for value in dict.fromkeys(wanted):
        if value in known_list:
            continue
        close = difflib.get_close_matches(value, known_list, n=5, cutoff=0.5)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        lines.append(f"unknown {kind} {value!r}{hint}")
    return lines


def _value_text(value: float) -> str:
    # repr is the shortest text that reads back as the same float, so 22.23 prints as
    # 22.23 (not 22.230000000000001) and nothing is rounded away.
    return repr(float(value))


def write_csv(frame: pd.DataFrame, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TIDY_COLUMNS)
    for row in frame.loc[:, TIDY_COLUMNS].itertuples(index=False):
        writer.writerow(
            [
                row.indicator,
                row.geo,
                int(row.period),
                _value_text(row.value),
                row.unit,
                row.flag,
                row.source,
            ]
        )


def write_json(frame: pd.DataFrame, out: TextIO) -> None:
    records = [
        {
            "indicator": str(row.indicator),
            "geo": str(row.geo),
            "period": int(row.period),
            "value": float(row.value),
            "unit": str(row.unit),
            "flag": str(row.flag),
            "source": str(row.source),
        }
        for row in frame.loc[:, TIDY_COLUMNS].itertuples(index=False)
    ]
    # json writes floats with repr too, so values keep their published digits.
    json.dump(records, out, ensure_ascii=False, indent=2)
    out.write("\n")


# --- refresh ---------------------------------------------------------------------------------


def run_refresh(args: argparse.Namespace) -> int:
    def progress(step: int, total: int, message: str) -> None:
        print(f"[{step}/{total}] {message}", file=sys.stderr, flush=True)

    try:
        settings = load_settings()
        report = refresh(
            settings,
            load_catalogue(),
            datasets=_split(args.dataset) or None,
            timeout=args.timeout,
            progress=progress,
        )
    except UnknownDatasetError as exc:
        print(f"dih-dash refresh: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SettingsError as exc:
        print(f"dih-dash refresh: {exc}. {KEPT}", file=sys.stderr)
        return EXIT_FAILED

    if not report.ok:
        for outcome in report.failures:
            print(f"FAILED {outcome.message}", file=sys.stderr)
        for error in report.errors:
            print(f"FAILED {error}", file=sys.stderr)
        print(f"Refresh failed; nothing was published. {KEPT}", file=sys.stderr)
        return EXIT_FAILED

    for outcome in report.outcomes:
        line = f"{outcome.dataset}\t{outcome.rows} rows\tEurostat updated {outcome.updated or '?'}"
        if outcome.missing_indicators:
            line += f"\tno rows for: {', '.join(outcome.missing_indicators)}"
        print(line)
    print(f"Published to {report.published}")
    return EXIT_OK
