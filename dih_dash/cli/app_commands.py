"""`dih-dash serve`: start the web app on the bundled data (a `streamlit run` wrapper)."""

from __future__ import annotations

import argparse
import getpass
import os
import subprocess
import sys

from dih_dash.auth import hash_password
from dih_dash.settings import PROJECT_ROOT


def register(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve", help="start the dashboard (Streamlit) on http://localhost:PORT"
    )
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--address", default="localhost", help="0.0.0.0 to serve the local network")
    serve.set_defaults(handler=_serve)

    admin = commands.add_parser("admin", help="administration helpers")
    admin_commands = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    hashing = admin_commands.add_parser(
        "hash-password",
        help="print an argon2id hash of a password, for DIH_DASH_ADMIN_PASSWORD_HASH",
    )
    hashing.add_argument(
        "--stdin", action="store_true", help="read the password from standard input (scripts)"
    )
    hashing.set_defaults(handler=_hash_password)


def _hash_password(args: argparse.Namespace) -> int:
    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Admin password: ")
        if getpass.getpass("Again: ") != password:
            print("The two passwords differ; nothing printed.", file=sys.stderr)
            return 1
    try:
        print(hash_password(password))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(
        "Put this in DIH_DASH_ADMIN_PASSWORD_HASH or, in .streamlit/secrets.toml:\n"
        '[dih_dash]\nadmin_password_hash = "<the line above>"',
        file=sys.stderr,
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_ROOT / "app.py"),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
    ]
    # The app reads its settings (.streamlit/) relative to the project folder.
    return subprocess.call(command, cwd=PROJECT_ROOT, env=os.environ.copy())
