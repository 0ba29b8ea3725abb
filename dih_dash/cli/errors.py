"""How a command prints an unexpected error: one line, the cause first."""

from __future__ import annotations


def one_line(exc: BaseException) -> str:
    """The error's message on one line; a database error's own message (SQLAlchemy wraps
    it as `orig`) rather than its long wrapper."""
    text = str(getattr(exc, "orig", None) or exc)
    return " ".join(text.split()) or type(exc).__name__
