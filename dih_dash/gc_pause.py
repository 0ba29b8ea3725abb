"""Pausing Python's cyclic garbage collector around bulk work (reading, validating and
storing a survey file).

Such work creates millions of small lists, tuples and strings; each allocation burst
triggers a full collection that walks every live object, numpy and pandas values included,
and took a third of an import's time. None of these objects is cyclic garbage.

The collector is process-wide and the web app runs many sessions in threads, so pauses are
counted: the collector comes back on when the last overlapping pause ends, and only if it
was on when the first one began. Two imports at once can therefore never leave it off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
