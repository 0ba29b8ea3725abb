"""`dih-dash serve`: start the web app on the bundled data (a `streamlit run` wrapper);
`dih-dash admin hash-password`: the hash for the admin password setting."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from dih_dash.auth import PasswordHashError, check_password_hash_setting, hash_password
from dih_dash.settings import PROJECT_ROOT, SettingsError, load_settings

# Exit status when the input or the configuration is refused (nothing printed/started).
REFUSED = 2


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


class PasswordInputError(ValueError):
    """The password given cannot be hashed; the message says why, on one line."""


def password_from_stdin(data: bytes) -> str:
    """The one line a script pipes in, without its line ending. A file saved on Windows
    ends in CRLF and may start with a UTF-8 byte-order mark: both are taken off, or the
    hash would be of a password nobody types. More than one line is refused rather than
    silently cut, since the hash of the first line only is not what the script meant."""
    if not data:
        raise PasswordInputError("standard input is empty: pipe the password in, one line")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PasswordInputError(f"standard input is not UTF-8 text ({exc.reason})") from exc
    for ending in ("\r\n", "\n", "\r"):
        if text.endswith(ending):
            text = text[: -len(ending)]
            break
    if "\n" in text or "\r" in text:
        raise PasswordInputError(
            "standard input holds more than one line; give the password alone, on one line"
        )
    if not text:
        raise PasswordInputError("the password is empty")
    return text


def _typed_password() -> str:
    try:
        password = getpass.getpass("Admin password: ")
        if not password:
            raise PasswordInputError("the password is empty")
        again = getpass.getpass("Again: ")
    except EOFError as exc:
        raise PasswordInputError(
            "no password was typed (standard input ended); in a script, use --stdin"
        ) from exc
    if again != password:
        raise PasswordInputError("the two passwords differ")
    return password


def _hash_password(args: argparse.Namespace) -> int:
    try:
        if args.stdin:
            stream = getattr(sys.stdin, "buffer", None)
            # Everything a pipe holds, to see a second line; from a terminal, the line typed
            # (reading on would wait for Ctrl-D).
            if stream is None:
                data = sys.stdin.read().encode()
            else:
                data = stream.readline() if sys.stdin.isatty() else stream.read()
            password = password_from_stdin(data)
        else:
            password = _typed_password()
    except PasswordInputError as exc:
        print(f"dih-dash admin hash-password: {exc}; nothing printed.", file=sys.stderr)
        return REFUSED
    print(hash_password(password))
    print(
        "Put this in DIH_DASH_ADMIN_PASSWORD_HASH or, in .streamlit/secrets.toml:\n"
        '[dih_dash]\nadmin_password_hash = "<the line above>"',
        file=sys.stderr,
    )
    return 0


def startup_problem() -> str | None:
    """Why the app cannot start as configured (a setting that cannot be used, the admin
    password hash among them), or None. Said before Streamlit starts, not on a page later."""
    try:
        settings = load_settings()
        check_password_hash_setting(settings.admin_password_hash)
    except (SettingsError, PasswordHashError) as exc:
        return str(exc)
    return None


def _serve(args: argparse.Namespace) -> int:
    problem = startup_problem()
    if problem is not None:
        print(f"dih-dash serve: not started: {problem}", file=sys.stderr)
        return REFUSED
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
    # The app reads its settings (.streamlit/) relative to the project folder. Streamlit
    # replaces this process rather than running under it: a waiting parent cost ~170 MB
    # per replica, and a container's stop signal must reach the server itself.
    os.chdir(PROJECT_ROOT)
    os.execv(sys.executable, command)
    return 0  # not reached: execv returns only by raising
