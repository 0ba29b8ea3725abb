"""Admin sign-in: password hashes and the delay after failed attempts.

The hub's admin password is never stored in plain text: the setting
`DIH_DASH_ADMIN_PASSWORD_HASH` (or `admin_password_hash` in `.streamlit/secrets.toml`)
holds an argon2id hash (`$argon2id$…`, made with `dih-dash admin hash-password`) or a
scrypt hash (`scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>`). When an `[auth]` section is
configured, Streamlit's OIDC login is used instead and this module only checks who may
administer.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()


class PasswordHashError(ValueError):
    """The configured hash is in neither supported format; the message says which exist."""


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("an empty password cannot be used")
    return _hasher.hash(password)


def scrypt_hash(password: str, salt: bytes, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches `stored_hash`; constant-time for both formats."""
    stored_hash = stored_hash.strip()
    if stored_hash.startswith("$argon2"):
        try:
            return _hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError):
            return False
        except InvalidHashError as exc:
            raise PasswordHashError(f"the argon2 hash is malformed: {exc}") from exc
    if stored_hash.startswith("scrypt$"):
        try:
            _, n, r, p, salt, digest = stored_hash.split("$")
            expected = bytes.fromhex(digest)
            actual = hashlib.scrypt(
                password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                dklen=len(expected),
            )  # fmt: skip
        except ValueError as exc:
            raise PasswordHashError(f"the scrypt hash is malformed: {exc}") from exc
        return hmac.compare_digest(actual, expected)
    raise PasswordHashError(
        "the admin password hash must be an argon2id hash ($argon2id$…) or "
        "scrypt$n$r$p$salt$hash; make one with: dih-dash admin hash-password"
    )


def looks_like_plain_text(value: str) -> bool:
    """A configured 'hash' that is neither format is most likely a plain password."""
    return not value.strip().startswith(("$argon2", "scrypt$"))


@dataclass
class LoginThrottle:
    """Doubling delays after failed sign-ins, per client (a browser address or session).

    After the k-th consecutive failure a client must wait `base * 2**(k-1)` seconds (at
    most `ceiling`) before the next attempt is even checked. Failures from everywhere also
    add a small, bounded slowdown to every attempt (`global_slowdown`), which hampers an
    attacker who rotates clients without ever locking the real admin out.
    """

    base: float = 1.0
    ceiling: float = 60.0
    slowdown_step: float = 0.1
    slowdown_ceiling: float = 3.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, int] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _recent: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    WINDOW = 600.0  # seconds over which failures from everywhere are counted

    def wait_seconds(self, client: str) -> float:
        """Seconds before `client` may try again (0 when it may try now)."""
        with self._lock:
            until = self._locked_until.get(client, 0.0)
        return max(0.0, until - self.clock())

    def failed(self, client: str) -> float:
        """Record a failure; returns the delay now imposed on the client."""
        now = self.clock()
        with self._lock:
            count = self._failures.get(client, 0) + 1
            self._failures[client] = count
            delay = min(self.ceiling, self.base * 2 ** (count - 1))
            self._locked_until[client] = now + delay
            self._recent = [t for t in self._recent if now - t < self.WINDOW] + [now]
        return delay

    def global_slowdown(self) -> float:
        """Extra seconds each attempt costs while failures pile up anywhere."""
        now = self.clock()
        with self._lock:
            recent = sum(1 for t in self._recent if now - t < self.WINDOW)
        return min(self.slowdown_ceiling, self.slowdown_step * recent)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
            self._locked_until.pop(client, None)
