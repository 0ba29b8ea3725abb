"""`dih-dash`: the command line beside the web app.

Each area registers its own sub-commands (`national`, `surveys`, `reports`, `app`), so
the commands live next to the code they drive and this module only assembles them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from dih_dash.cli import (
    app_commands,
    backup,
    member_report,
    national,
    reports,
    service,
    services,
    surveys,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dih-dash",
        description=(
            "Transilvania DIH digital-maturity dashboard: national data, member surveys, reports."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules = (app_commands, national, surveys, services, reports, service, backup, member_report)
    for module in modules:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `dih-dash indicators | head`: the reader has all it wants; stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover - `python -m dih_dash.cli`
    sys.exit(main())
