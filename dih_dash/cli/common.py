"""What the store commands share: the --db option, the store's errors and exit status 3,
and failures as one line on stderr."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from dih_dash.cli.errors import one_line
from dih_dash.settings import Settings, SettingsError, load_settings
from dih_dash.store import Actor, Store, open_store
from dih_dash.store.engine import StoreURLError
from dih_dash.store.migrate import SchemaTooNewError

EXIT_STORE = 3

# What opening or using the store may raise that is the store's (or its settings') fault,
# not the input's: exit 3 and one line, never a traceback.
STORE_ERRORS: tuple[type[BaseException], ...] = (
    SQLAlchemyError,
    StoreURLError,
    SchemaTooNewError,
    SettingsError,
    OSError,
)


def db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: the DIH_DASH_DATABASE_URL setting, else a SQLite file "
        "in the data folder)",
    )


def fail(command: str, code: int, message: str) -> int:
    """Print `dih-dash COMMAND: MESSAGE` on stderr; `code`."""
    print(f"dih-dash {command}: {message}", file=sys.stderr)
    return code


def cli_actor() -> Actor:
    """The OS user: whoever runs the command line holds the database URL, so an admin."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name (e.g. a container without /etc/passwd entry)
        name = "unknown"
    return Actor(name=name, is_admin=True)


def with_store(
    command: str, args: argparse.Namespace, work: Callable[[Store, Settings], int]
) -> int:
    """Open the store (settings, --db), run `work`, close; store failures give exit 3."""
    try:
        settings = load_settings()
        store = open_store(settings, args.db)
    except STORE_ERRORS as exc:
        return fail(command, EXIT_STORE, f"cannot open the store: {one_line(exc)}")
    try:
        return work(store, settings)
    except SQLAlchemyError as exc:
        return fail(command, EXIT_STORE, f"the store failed: {one_line(exc)}")
    finally:
        store.close()
