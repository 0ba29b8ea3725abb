"""`dih-dash import`, `dih-dash stats` and `dih-dash demo load|remove` (spec/survey-format.md §7).

The import itself is `dih_dash.services.import_file`, shared with the upload page; this
module only turns arguments into a call and the report into text or JSON. Whoever runs
the command line already holds the database URL, so the OS user acts as an administrator
and is recorded as `imported_by`.

Exit status of `import`: 0 the whole file was accepted (stored, or would be with
--dry-run), 1 one or more rows were rejected, 2 the file was refused as a whole (also: it
is missing or cannot be opened, is not a regular file, is over the size limit, or the
--mapping file is unusable). 3 means the store itself failed (unreachable server, bad URL),
which says nothing about the file. The path is judged by `stat` before it is opened, and
never more than the size limit is read, so a device, a pipe or a huge file costs nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dih_dash.cli.common import cli_actor, db_option, with_store
from dih_dash.cli.errors import one_line
from dih_dash.domain.survey_mapping import MappingError
from dih_dash.services import ImportReport, import_file, load_demo
from dih_dash.services.importing import EXIT_ACCEPTED, EXIT_REFUSED
from dih_dash.services.services_import import LAYOUTS as SERVICES_LAYOUTS
from dih_dash.services.services_import import (
    import_services_file,
    is_services_file,
    service_counts,
)
from dih_dash.settings import Settings
from dih_dash.sources.mapping_files import load_mapping
from dih_dash.sources.survey_files import FileRefused, too_large
from dih_dash.store import DemoConflictError, Store

EXIT_OK = 0
EXIT_FAILED = 1

_IMPORT_EPILOG = """\
Exit status: 0 the whole file was accepted (stored, or would be with --dry-run);
1 one or more rows were rejected (nothing stored unless --skip-invalid);
2 the file was refused as a whole; 3 the store could not be opened or written.

--json prints one object: file, layout, encoding, delimiter, rows, inserted, updated,
unchanged, rejected, stored, errors [{row, column, value, message}], warnings [...];
for a refused file only {"file", "stored": false, "refused": "reason"}.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    imp = subparsers.add_parser(
        "import",
        help="check a member survey file and store its assessments",
        description=(
            "Read a member survey file (CSV/TXT or XLSX), check every row and store the "
            "assessments by (member_id, wave): all rows or none, in one transaction."
        ),
        epilog=_IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("file", metavar="FILE", type=Path, help="the survey file")
    db_option(imp)
    imp.add_argument(
        "--layout",
        choices=("auto", "hub", "dma-export", "pso-dma-export", *SERVICES_LAYOUTS),
        default="auto",
        action=_LayoutOption,
        help="the file's layout (default: auto, detected from the header); "
        "not with --mapping, which is a layout of its own",
    )
    imp.add_argument(
        "--mapping",
        metavar="FILE.toml",
        action=_MappingOption,
        help="a saved column mapping (path, or name in the mappings folder): mapped layout",
    )
    imp.add_argument(
        "--wave", metavar="T0", help="the wave of every row, for layouts that carry none"
    )
    imp.add_argument("--dry-run", action="store_true", help="check and report; store nothing")
    imp.add_argument(
        "--skip-invalid",
        action="store_true",
        help="store the valid rows even when some rows are rejected",
    )
    imp.add_argument("--json", action="store_true", help="print the report as one JSON object")
    imp.set_defaults(handler=run_import)

    stats = subparsers.add_parser(
        "stats",
        help="count the members, assessments and uploads in the store",
        description="Count the members, assessments and logged uploads in the member store.",
    )
    db_option(stats)
    stats.add_argument(
        "--json", action="store_true", help='print {"members": n, "assessments": n, "uploads": n}'
    )
    stats.set_defaults(handler=run_stats)

    demo = subparsers.add_parser(
        "demo",
        help="load or remove the fictional demo cohort",
        description="Load the fictional demo cohort into the member store, or remove it.",
    )
    actions = demo.add_subparsers(dest="demo_action", metavar="ACTION", required=True)
    load = actions.add_parser("load", help="import the demo cohort (no-op if it is there)")
    db_option(load)
    load.set_defaults(handler=run_demo_load)
    remove = actions.add_parser("remove", help="delete every demo member, assessment and upload")
    db_option(remove)
    remove.set_defaults(handler=run_demo_remove)


# A mapping is a layout of its own, so `--mapping` goes with `--layout auto` (or none) only.
# argparse's mutually exclusive groups cannot say "except this one value", so each option
# checks the other as it is parsed, whichever comes first, and fails as argparse does.
_LAYOUT_WITH_MAPPING = "auto"


def _not_with_mapping(parser: argparse.ArgumentParser, layout: str) -> None:
    parser.error(
        f"argument --layout: {layout} not allowed with argument --mapping (a mapping sets "
        f"the layout; leave --layout out or use --layout {_LAYOUT_WITH_MAPPING})"
    )


class _LayoutOption(argparse.Action):
    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if values != _LAYOUT_WITH_MAPPING and getattr(namespace, "mapping", None):
            _not_with_mapping(parser, str(values))
        setattr(namespace, self.dest, values)


class _MappingOption(argparse.Action):
    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        layout = getattr(namespace, "layout", _LAYOUT_WITH_MAPPING)
        if layout != _LAYOUT_WITH_MAPPING:
            _not_with_mapping(parser, str(layout))
        setattr(namespace, self.dest, values)


# --- import ----------------------------------------------------------------------------------


def run_import(args: argparse.Namespace) -> int:
    path: Path = args.file
    problem = _not_a_file(path)
    if problem is not None:
        return _print_refused(args, path.name, problem)

    def work(store: Store, settings: Settings) -> int:
        try:
            data = _read_at_most(path, settings.max_upload_mb * 1_048_576)
        except FileRefused as refused:
            return _print_refused(args, path.name, refused.reason("en"))
        except OSError as exc:
            return _print_refused(args, path.name, _cannot_read(exc))
        mapping = None
        if args.mapping:
            try:
                mapping = load_mapping(args.mapping, settings.mapping_dir)
            except MappingError as exc:
                return _print_refused(args, path.name, f"--mapping: {exc.message('en')}")
        report: ImportReport
        if args.layout in SERVICES_LAYOUTS:
            report = _import_services(store, data, path.name, settings, args, args.layout)
        else:
            report = import_file(
                store,
                data,
                path.name,
                actor=cli_actor(),
                settings=settings,
                layout=args.layout,
                mapping=mapping,
                wave=args.wave,
                dry_run=args.dry_run,
                skip_invalid=args.skip_invalid,
            )
            # A header of no survey layout may be a services file (edih-services.md §3):
            # asked only then, so a survey file is read once.
            if (
                args.layout == "auto"
                and mapping is None
                and report.refused is not None
                and report.refused.code == "no_layout"
                and is_services_file(data, path.name, settings)
            ):
                report = _import_services(store, data, path.name, settings, args, "auto")
        if args.json:
            _print_json(report.to_json_dict("en"))
        else:
            _print_human(report)
        return report.exit_code

    return with_store("import", args, work)


def _import_services(
    store: Store, data: bytes, name: str, settings: Settings, args: argparse.Namespace, layout: str
) -> ImportReport:
    return import_services_file(
        store,
        data,
        name,
        actor=cli_actor(),
        settings=settings,
        layout=layout,
        dry_run=args.dry_run,
        skip_invalid=args.skip_invalid,
    )


# What `stat` says a path is, for the refusal of anything but a regular file.
_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_a_file(path: Path) -> str | None:
    """Why `path` cannot be imported, judged by `stat` alone (None: a regular file).

    Nothing is opened: opening a named pipe would wait for a writer, and reading a device
    such as /dev/zero would never end."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"no such file: {path}"
    except OSError as exc:
        return _cannot_read(exc)
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "an unknown kind")
    return f"not a regular file ({kind}): {path}"


def _read_at_most(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; `FileRefused` (too_large) when it is over `max_bytes`, found by its
    size before reading, or (a file that grew since) after reading one byte more at most."""
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size > max_bytes:
            raise too_large(size, max_bytes)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large(max(size, len(data)), max_bytes)
    return data


def _cannot_read(exc: OSError) -> str:
    return f"cannot read the file: {exc.strerror or exc}"


def _print_refused(args: argparse.Namespace, name: str, reason: str) -> int:
    if args.json:
        _print_json({"file": name, "stored": False, "refused": reason})
    else:
        print(f"dih-dash import: {name} refused: {reason}", file=sys.stderr)
    return EXIT_REFUSED


def _print_json(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def _print_human(report: ImportReport) -> None:
    if report.refused is not None:
        print(f"{report.file}: refused: {report.refused.reason('en')}", file=sys.stderr)
        return
    found = [f"layout {report.layout}"]
    if report.encoding:
        found.append(f"encoding {report.encoding}")
    if report.delimiter:
        found.append(f"separator {_delimiter_name(report.delimiter)}")
    print(f"{report.file}: {', '.join(found)}")
    counts = (
        f"{report.rows} rows: {report.inserted} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected"
    )
    print(counts)
    if report.errors:
        print(f"\nErrors ({len(report.errors)}):")
        for issue in report.errors:
            print(f"  {issue.message('en')}")
    if report.warnings:
        print(f"\nWarnings ({len(report.warnings)}):")
        for issue in report.warnings:
            print(f"  {issue.message('en')}")
    print()
    if report.stored:
        skipped = " (the rejected rows were skipped)" if report.rejected else ""
        print(f"Stored{skipped}.")
    elif report.dry_run:
        verdict = "would be stored" if report.exit_code == EXIT_ACCEPTED else "has rejected rows"
        print(f"Dry run: nothing stored; the file {verdict}.")
    else:
        print(
            "Nothing stored: fix the rejected rows and import again, or use --skip-invalid "
            "to store the valid rows only."
        )


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tab", ",": "comma (,)", ";": "semicolon (;)", "|": "vertical bar (|)"}.get(
        delimiter, repr(delimiter)
    )


# --- stats and demo --------------------------------------------------------------------------


def run_stats(args: argparse.Namespace) -> int:
    def work(store: Store, _settings: Settings) -> int:
        counts: dict[str, Any] = dict(store.stats())
        counts["organisations"] = store.organisation_counts()
        counts.update(service_counts(store))
        if args.json:
            _print_json(counts)
        else:
            for key, value in counts.items():
                print(f"{key}: {value}")
        return EXIT_OK

    return with_store("stats", args, work)


def run_demo_load(args: argparse.Namespace) -> int:
    def work(store: Store, settings: Settings) -> int:
        try:
            report = load_demo(store, settings, cli_actor())
        except (FileNotFoundError, DemoConflictError) as exc:
            print(f"dih-dash demo load: {one_line(exc)}", file=sys.stderr)
            return EXIT_FAILED
        if report is None:
            print("The demo cohort is already loaded; nothing done.")
            return EXIT_OK
        if report.refused is not None or not report.stored:
            reason = report.refused.reason("en") if report.refused else "rows were rejected"
            print(f"dih-dash demo load: the demo file was not stored: {reason}", file=sys.stderr)
            return EXIT_FAILED
        services = report.services
        served = (
            f", {services.inserted} services ({services.file})"
            if services is not None and services.stored
            else ""
        )
        print(
            f"Demo cohort loaded: {report.inserted} assessments "
            f"({report.rows} rows of {report.file}){served}."
        )
        return EXIT_OK

    return with_store("demo load", args, work)


def run_demo_remove(args: argparse.Namespace) -> int:
    def work(store: Store, _settings: Settings) -> int:
        removed = store.remove_demo(cli_actor())
        print(
            f"Demo data removed: {removed['members']} members, "
            f"{removed['assessments']} assessments, {removed['services']} services, "
            f"{removed['uploads']} uploads."
        )
        return EXIT_OK

    return with_store("demo remove", args, work)
