from __future__ import annotations

import pytest

from dih_dash.auth import (
    LoginThrottle,
    PasswordHashError,
    hash_password,
    looks_like_plain_text,
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
