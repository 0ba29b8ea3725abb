from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dih_dash.auth import (
    LoginThrottle,
    PasswordHashError,
    check_password_hash_setting,
    hash_password,
    looks_like_plain_text,
    password_hash_problem,
    scrypt_hash,
    verify_password,
)
from dih_dash.cli import main


def test_argon2_round_trip():
    stored = hash_password("corect-cal-baterie")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "corect-cal-baterie")
    assert not verify_password(stored, "greșit")


def test_scrypt_round_trip():
    stored = scrypt_hash("parolă", salt=b"0123456789abcdef", n=2**10)
    assert verify_password(stored, "parolă")
    assert not verify_password(stored, "parola")


def test_plain_text_is_refused_not_compared():
    assert looks_like_plain_text("secret123")
    with pytest.raises(PasswordHashError, match="hash-password"):
        verify_password("secret123", "secret123")
    with pytest.raises(ValueError):
        hash_password("")


def test_throttle_doubles_and_resets():
    now = [100.0]
    throttle = LoginThrottle(base=1.0, ceiling=8.0, clock=lambda: now[0])
    assert throttle.wait_seconds("a") == 0
    assert [throttle.failed("a") for _ in range(5)] == [1, 2, 4, 8, 8]
    assert throttle.wait_seconds("a") == 8
    now[0] += 8
    assert throttle.wait_seconds("a") == 0
    throttle.failed("a")
    throttle.succeeded("a")
    assert throttle.wait_seconds("a") == 0


def test_throttle_slows_everyone_a_little_but_locks_out_no_one_else():
    now = [0.0]
    throttle = LoginThrottle(
        base=4.0, slowdown_step=0.5, slowdown_ceiling=2.0, clock=lambda: now[0]
    )
    assert throttle.global_slowdown() == 0
    for client in ("s1", "s2", "s3"):
        throttle.failed(client)
    assert throttle.wait_seconds("the-real-admin") == 0, "no global lock-out"
    assert throttle.global_slowdown() == 1.5
    for client in ("s4", "s5", "s6"):
        throttle.failed(client)
    assert throttle.global_slowdown() == 2.0, "bounded"
    now[0] += LoginThrottle.WINDOW + 1
    assert throttle.global_slowdown() == 0, "old failures are forgotten"


def test_cli_hash_password(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("parola-hubului\n"))
    assert main(["admin", "hash-password", "--stdin"]) == 0
    printed = capsys.readouterr().out.strip()
    assert verify_password(printed, "parola-hubului")


# --- the admin password hash setting, checked before anyone signs in ---------------------------

GOOD_ARGON2 = hash_password("parola-hubului")
GOOD_SCRYPT = scrypt_hash("parola-hubului", salt=b"0123456789abcdef", n=2**10)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, None),
        ("", None),
        (GOOD_ARGON2, None),
        (f"  {GOOD_ARGON2}\n", None),
        (GOOD_SCRYPT, None),
        ("parola-hubului", "plain_text"),
        ("$2b$12$notargon", "plain_text"),
        (GOOD_ARGON2[:-6], "malformed"),  # cut short when pasted
        ("$argon2id$garbage", "malformed"),
        (GOOD_ARGON2.replace("$argon2id$", "$argon2xx$"), "malformed"),
        (GOOD_SCRYPT.rsplit("$", 1)[0] + "$", "malformed"),  # no digest: any password
        ("scrypt$1000$8$1$0011$" + "00" * 32, "malformed"),  # n not a power of two
        ("scrypt$1024$8$1$zz$" + "00" * 32, "malformed"),
    ],
)
def test_the_hash_setting_is_classified(value, problem):
    assert password_hash_problem(value) == problem
    if problem is None:
        check_password_hash_setting(value)
    else:
        with pytest.raises(PasswordHashError) as raised:
            check_password_hash_setting(value)
        message = str(raised.value)
        assert "DIH_DASH_ADMIN_PASSWORD_HASH" in message
        assert "dih-dash admin hash-password" in message
        # A plain-text value is a password: never printed back.
        assert value.strip() not in message


def test_a_malformed_argon2_hash_is_an_error_not_a_wrong_password():
    with pytest.raises(PasswordHashError, match="malformed"):
        verify_password(GOOD_ARGON2[:-6], "parola-hubului")
    assert verify_password(GOOD_ARGON2, "alta") is False


# --- dih-dash admin hash-password ------------------------------------------------------------


def run_cli(*args: str, stdin: bytes | None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dih_dash", *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )


@pytest.mark.parametrize(
    "piped",
    [
        b"parola-hubului",
        b"parola-hubului\n",
        b"parola-hubului\r\n",
        b"\xef\xbb\xbfparola-hubului\r\n",
    ],
    ids=["no-newline", "lf", "crlf-windows", "bom-crlf-notepad"],
)
def test_stdin_takes_one_line_without_its_ending(piped):
    done = run_cli("admin", "hash-password", "--stdin", stdin=piped)
    assert done.returncode == 0, done.stderr
    printed = done.stdout.decode().strip()
    assert verify_password(printed, "parola-hubului")
    assert not verify_password(printed, "parola-hubului\r")


@pytest.mark.parametrize(
    ("piped", "says"),
    [
        (b"", "standard input is empty"),
        (b"\n", "the password is empty"),
        (b"\r\n", "the password is empty"),
        (b"parola\nalta\n", "more than one line"),
        (b"parola\r\n\r\n", "more than one line"),
        (b"parol\xe3\n", "not UTF-8"),
    ],
)
def test_stdin_refuses_what_is_not_one_password(piped, says):
    done = run_cli("admin", "hash-password", "--stdin", stdin=piped)
    assert done.returncode == 2, done.stderr.decode()[-2000:]
    assert done.stdout == b"", "nothing printed"
    error = done.stderr.decode()
    assert says in error
    assert "Traceback" not in error
    assert len(error.strip().splitlines()) == 1


def test_interactive_without_a_terminal_ends_cleanly():
    # `dih-dash admin hash-password </dev/null`: getpass reads stdin and meets its end.
    done = run_cli("admin", "hash-password", stdin=None)
    assert done.returncode == 2, done.stderr.decode()[-2000:]
    assert done.stdout == b""
    error = done.stderr.decode()
    assert "Traceback" not in error and "EOFError" not in error
    assert "no password was typed" in error and "--stdin" in error


def test_interactive_asks_twice(monkeypatch, capsys):
    answers = iter(["parola-hubului", "parola-hubului"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["admin", "hash-password"]) == 0
    assert verify_password(capsys.readouterr().out.strip(), "parola-hubului")

    answers = iter(["parola-hubului", "parola-hubulu"])
    assert main(["admin", "hash-password"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "the two passwords differ" in captured.err

    answers = iter([""])
    assert main(["admin", "hash-password"]) == 2
    assert "the password is empty" in capsys.readouterr().err


def test_main_with_piped_crlf(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"parola-hubului\r\n")))
    assert main(["admin", "hash-password", "--stdin"]) == 0
    assert verify_password(capsys.readouterr().out.strip(), "parola-hubului")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"")))
    assert main(["admin", "hash-password", "--stdin"]) == 2
    assert "standard input is empty" in capsys.readouterr().err


# --- dih-dash serve refuses a hash setting that cannot work ------------------------------------


@pytest.mark.parametrize(
    ("value", "says"),
    [("parola-hubului", "plain-text password"), (GOOD_ARGON2[:-6], "malformed password hash")],
)
def test_serve_refuses_to_start_with_an_unusable_hash(monkeypatch, tmp_path, capsys, value, says):
    monkeypatch.setenv("DIH_DASH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DIH_DASH_ADMIN_PASSWORD_HASH", value)
    started: list[object] = []
    # Were the check missing, Streamlit would start: record it instead of serving.
    monkeypatch.setattr("os.execv", lambda *a: started.append(a))
    assert main(["serve", "--port", "8599"]) == 2
    assert started == []
    error = capsys.readouterr().err
    assert "not started" in error and says in error
    assert "DIH_DASH_ADMIN_PASSWORD_HASH" in error and "dih-dash admin hash-password" in error
    assert "parola-hubului" not in error


def test_serve_refusal_in_a_real_process(tmp_path):
    env = {**os.environ, "DIH_DASH_DATA_DIR": str(tmp_path)}
    env["DIH_DASH_ADMIN_PASSWORD_HASH"] = "$argon2id$garbage"
    # Its own process group: were the check missing, `serve` would start Streamlit as a
    # child, which must not outlive the test.
    process = subprocess.Popen(
        [sys.executable, "-m", "dih_dash", "serve", "--port", "0", "--address", "127.0.0.1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, start_new_session=True,
    )  # fmt: skip
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("dih-dash serve started instead of refusing the malformed hash")
    error = stderr.decode()
    assert process.returncode == 2, error[-2000:]
    assert "malformed" in error and "Traceback" not in error


def test_serve_starts_with_a_good_hash(monkeypatch, tmp_path):
    monkeypatch.setenv("DIH_DASH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DIH_DASH_ADMIN_PASSWORD_HASH", GOOD_ARGON2)
    started: list[list[str]] = []
    monkeypatch.setattr("os.chdir", lambda path: None)
    monkeypatch.setattr("os.execv", lambda program, command: started.append(command))
    assert main(["serve", "--port", "8599"]) == 0
    assert started and started[0][1:4] == ["-m", "streamlit", "run"]
