"""Admin sign-in: password hashes and the delay after failed attempts.

The hub's admin password is never stored in plain text: the setting
`DIH_DASH_ADMIN_PASSWORD_HASH` (or `admin_password_hash` in `.streamlit/secrets.toml`)
holds an argon2id hash (`$argon2id$…`, made with `dih-dash admin hash-password`) or a
scrypt hash (`scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>`). When an `[auth]` section is
configured, Streamlit's OIDC login is used instead and this module only checks who may
administer.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Collection, Mapping
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
        except VerifyMismatchError:
            return False
        except (VerificationError, InvalidHashError) as exc:
            # argon2 says "Decoding failed" (a VerificationError) for a cut or mistyped
            # hash: that is the setting's fault, not a wrong password.
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


HASH_SETTING = "DIH_DASH_ADMIN_PASSWORD_HASH"
_HOW_TO_HASH = (
    "make one with `dih-dash admin hash-password` and put the line it prints in "
    f"{HASH_SETTING} (or admin_password_hash under [dih_dash] in .streamlit/secrets.toml)"
)
# Verified against once per checked hash: only whether argon2/scrypt can use it matters.
_PROBE = "dih-dash: is this hash usable?"


def password_hash_problem(value: str | None) -> str | None:
    """What is wrong with the configured admin password hash: `plain_text` (no hash at
    all, most likely the password itself), `malformed` (a cut, mistyped or impossible
    hash), or None when it is usable or unset (then nobody signs in with a password)."""
    if value is None or not value.strip():
        return None
    if looks_like_plain_text(value):
        return "plain_text"
    return "malformed" if _unusable(value.strip()) else None


@functools.lru_cache(maxsize=8)
def _unusable(stored_hash: str) -> bool:
    # Cached: a verification costs tens of milliseconds, and the sign-in page asks on
    # every run.
    if stored_hash.startswith("scrypt$"):
        parts = stored_hash.split("$")
        if len(parts) != 6:
            return True
        try:
            salt, digest = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
        except ValueError:
            return True
        # An empty digest would compare equal to any password's empty digest.
        if not salt or len(digest) < 16:
            return True
    try:
        verify_password(stored_hash, _PROBE)
    except PasswordHashError:
        return True
    return False


def check_password_hash_setting(value: str | None) -> None:
    """Raise PasswordHashError, with a message naming the setting and how to make a hash,
    when the configured admin password hash cannot be used. Never repeats the value: a
    plain-text one is a password."""
    problem = password_hash_problem(value)
    if problem == "plain_text":
        raise PasswordHashError(
            f"{HASH_SETTING} holds no password hash (argon2id `$argon2id$…` or "
            f"`scrypt$n$r$p$salt$hash`) but what looks like a plain-text password, which is "
            f"never accepted; {_HOW_TO_HASH}"
        )
    if problem == "malformed":
        raise PasswordHashError(
            f"{HASH_SETTING} holds a malformed password hash (cut short or mistyped), so no "
            f"password could ever match it; {_HOW_TO_HASH}"
        )


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


# --- OIDC: who may administer ------------------------------------------------------------------


def oidc_admin(user: Mapping[str, object], admin_emails: Collection[str]) -> bool:
    """Whether the identity the provider vouched for (Streamlit's `st.user`) may administer.

    Deny by default: signed in, with an e-mail address on the list (compared without case
    or surrounding spaces), and not one the provider says it has not verified. Anyone can
    hold an account with a public provider and some let a user type any address, so an
    address marked `email_verified: false` proves nothing; a provider that sends no such
    claim (Microsoft Entra ID) is trusted for the addresses it issues.
    """
    if user.get("is_logged_in") is not True:
        return False
    email = str(user.get("email") or "").strip().lower()
    if not email or email not in {e.strip().lower() for e in admin_emails}:
        return False
    return str(user.get("email_verified", True)).strip().lower() not in ("false", "0", "")
