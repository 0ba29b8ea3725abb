"""`dih-dash report`: workshop decks and reports (filled in with the workshop exports)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """No report commands yet."""
