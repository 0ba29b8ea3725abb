"""`dih-dash backup` and `dih-dash restore`: the member store in one file, and back.

The work is `dih_dash.store.backup`; this module turns arguments into a call, progress
into stderr lines and the summary into text or JSON on stdout.

Exit status: 0 done; 2 the backup file is unusable (missing, not a backup, corrupt, from
a newer dih-dash) or the output cannot be written; 3 the store cannot be opened, read or
written (as for `import`); 4 restore only: the store (or its mappings folder) is not
empty and --replace was not given. Any refusal leaves the store as it was.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from dih_dash.cli.common import EXIT_STORE, STORE_ERRORS, db_option, fail
from dih_dash.cli.errors import one_line
from dih_dash.settings import load_settings
from dih_dash.store.backup import (
    BackupError,
    BackupFileError,
    StoreNotEmptyError,
    backup_store,
    restore_store,
)

EXIT_OK = 0
EXIT_FILE = 2
EXIT_NOT_EMPTY = 4

_EPILOG = """\
Exit status: 0 done; 2 the backup file is unusable (missing, not a backup, corrupt, from a
newer dih-dash) or cannot be written; 3 the store cannot be opened, read or written;
4 (restore) the store is not empty and --replace was not given. A refused or failed restore
leaves the store as it was.
"""

_STORE_ERRORS = (*STORE_ERRORS, ArgumentError)


def register(commands: argparse._SubParsersAction) -> None:
    backup = commands.add_parser(
        "backup",
        help="write the member store and saved mappings to one backup file",
        description=(
            "Copy every table of the member store (one consistent snapshot, also while the "
            "app is running) and the saved column mappings into one ZIP file."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    backup.add_argument(
        "--out", metavar="FILE", type=Path, required=True, help="the backup file to write"
    )
    db_option(backup)
    backup.add_argument("--json", action="store_true", help="print the summary as JSON")
    backup.set_defaults(handler=run_backup)

    restore = commands.add_parser(
        "restore",
        help="restore a backup file into an empty store (SQLite or PostgreSQL)",
        description=(
            "Restore a backup made by `dih-dash backup` into the member store, on SQLite or "
            "PostgreSQL whichever it was made from; an older backup is migrated to the "
            "current schema. All or nothing, in one transaction."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore.add_argument("file", metavar="FILE", type=Path, help="the backup file")
    db_option(restore)
    restore.add_argument(
        "--replace",
        action="store_true",
        help="delete what the store holds and restore over it (and overwrite saved mappings "
        "of the same name)",
    )
    restore.add_argument("--json", action="store_true", help="print the summary as JSON")
    restore.set_defaults(handler=run_restore)


def _progress(command: str) -> Any:
    def report(message: str) -> None:
        print(f"dih-dash {command}: {message}", file=sys.stderr, flush=True)

    return report


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _run(command: str, work: Any) -> int:
    """Run `work()`; each kind of failure gives its exit status and one line on stderr."""
    try:
        return int(work())
    except BackupFileError as exc:
        return fail(command, EXIT_FILE, str(exc))
    except StoreNotEmptyError as exc:
        return fail(command, EXIT_NOT_EMPTY, f"refused: {exc}")
    except BackupError as exc:
        return fail(command, EXIT_STORE, f"the store cannot be used: {exc}")
    except _STORE_ERRORS as exc:
        return fail(command, EXIT_STORE, f"the store failed: {one_line(exc)}")


def run_backup(args: argparse.Namespace) -> int:
    def work() -> int:
        settings = load_settings()
        url = args.db or settings.database_url
        _progress("backup")(f"reading {_shown(url)}")
        summary = backup_store(
            url, args.out, mapping_dir=settings.mapping_dir, progress=_progress("backup")
        )
        if args.json:
            print(json.dumps(summary.to_json_dict(), ensure_ascii=False))
            return EXIT_OK
        rows = sum(summary.tables.values())
        print(
            f"Backup written to {summary.path} ({summary.size_bytes:,} bytes): schema revision "
            f"{summary.schema_revision}, {len(summary.tables)} tables, {rows:,} rows, "
            f"{len(summary.files)} saved mappings."
        )
        for name, count in summary.tables.items():
            print(f"  {name}: {count:,}")
        return EXIT_OK

    return _run("backup", work)


def run_restore(args: argparse.Namespace) -> int:
    def work() -> int:
        settings = load_settings()
        url = args.db or settings.database_url
        _progress("restore")(f"restoring {args.file} into {_shown(url)}")
        summary = restore_store(
            args.file,
            url,
            replace=args.replace,
            mapping_dir=settings.mapping_dir,
            progress=_progress("restore"),
        )
        if args.json:
            print(json.dumps(summary.to_json_dict(), ensure_ascii=False))
            return EXIT_OK
        rows = sum(summary.tables.values())
        migrated = f", migrated from revision {summary.backup_revision}" if summary.migrated else ""
        replaced = f"; replaced {sum(summary.replaced.values()):,} rows" if summary.replaced else ""
        print(
            f"Restored {summary.path}: {len(summary.tables)} tables, {rows:,} rows, "
            f"{len(summary.files)} saved mappings; schema revision "
            f"{summary.schema_revision}{migrated}{replaced}."
        )
        for name, count in summary.tables.items():
            print(f"  {name}: {count:,}")
        return EXIT_OK

    return _run("restore", work)
