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

from dih_dash.services.national import manual_refresh, refresh
from dih_dash.settings import SettingsError, load_settings
from dih_dash.sources.eurostat_client import BUDGET_TIMEOUTS, EurostatClient
from dih_dash.sources.reference import load_catalogue
from dih_dash.sources.refresh import KEPT, UnknownDatasetError
from dih_dash.sources.tidy import TIDY_COLUMNS
from dih_dash.store.national_data import load_national, national_engine

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
        help=(
            "seconds the whole refresh may take, every try of every dataset and the waits "
            f"between them (default: {BUDGET_TIMEOUTS} x the DIH_DASH_HTTP_TIMEOUT setting, "
            "which also bounds each read)"
        ),
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
    shown = [0, 0]  # the step and total of the last progress line

    def progress(step: int, total: int, message: str) -> None:
        shown[:] = [step, total]
        print(f"[{step}/{total}] {message}", file=sys.stderr, flush=True)

    def retrying(notice: str) -> None:
        # A retry repeats the current step, as refresh's own notices do.
        progress(shown[0], shown[1], notice)

    try:
        settings = load_settings()
        # --timeout bounds the whole refresh: the client's budget, which every try and
        # every wait between tries of every dataset draws from. Each read still waits at
        # most the read timeout of the settings.
        client = EurostatClient.from_settings(
            settings,
            timeout=None if args.timeout is None else min(args.timeout, settings.http_timeout),
            budget=args.timeout,
            on_retry=retrying,
        )
        chosen = _split(args.dataset) or None
        if settings.national_in_database:
            # On a server the attempt is recorded beside the worker's, so Data & sources
            # shows staff a refresh run by hand too.
            report = manual_refresh(
                settings,
                load_catalogue(),
                national_engine(settings),
                chosen,
                progress,
                client=client,
            )
        else:
            report = refresh(
                settings, load_catalogue(), datasets=chosen, progress=progress, client=client
            )
    except UnknownDatasetError as exc:
        print(f"dih-dash refresh: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SettingsError as exc:
        print(f"dih-dash refresh: {exc}. {KEPT}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # the last net: one line and exit 1, as spec §4 asks
        # refresh reports every failure it knows of; anything else is a bug, yet the
        # previous data is untouched (nothing is published before every check passed)
        # and the user gets the one line the contract promises, not a traceback.
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        print(f"dih-dash refresh: failed unexpectedly ({reason}). {KEPT}", file=sys.stderr)
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
    if settings.national_in_database and report.published is not None:
        # The path is this process's copy; what every replica serves is the stored version.
        print(
            f"Published version {report.published.name} to the database; every replica "
            f"serves it within {settings.national_poll_seconds:g} s."
        )
    else:
        print(f"Published to {report.published}")
    return EXIT_OK
