"""Two overlapping pauses (two imports at once) must never leave the collector off."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

from dih_dash.gc_pause import gc_paused


def test_overlapping_pauses_restore_the_collector():
    assert gc.isenabled()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    # What the threads saw, asserted here in the test's own thread: an assert failing inside
    # a thread only prints a warning, and the test would pass.
    seen: dict[str, bool] = {}
    errors: list[BaseException] = []

    def first() -> None:
        with gc_paused():
            first_in.set()
            seen["second entered in time"] = second_in.wait(5)
        first_out.set()

    def second() -> None:
        seen["first entered in time"] = first_in.wait(5)
        with gc_paused():
            second_in.set()
            seen["first left in time"] = first_out.wait(5)
            seen["paused while the second import runs"] = not gc.isenabled()

    def recording(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # handed to the test thread
                errors.append(exc)

        return run

    threads = [threading.Thread(target=recording(f)) for f in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert errors == []
    assert seen == {
        "first entered in time": True,
        "second entered in time": True,
        "first left in time": True,
        "paused while the second import runs": True,
    }
    assert gc.isenabled()


def test_a_pause_keeps_a_disabled_collector_disabled():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
