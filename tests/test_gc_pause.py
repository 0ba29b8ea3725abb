"""Two overlapping pauses (two imports at once) must never leave the collector off."""

from __future__ import annotations

import gc
import threading

from dih_dash.gc_pause import gc_paused


def test_overlapping_pauses_restore_the_collector():
    assert gc.isenabled()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with gc_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with gc_paused():
            second_in.set()
            first_out.wait(5)
            assert not gc.isenabled(), "still paused while the second import runs"

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert gc.isenabled()


def test_a_pause_keeps_a_disabled_collector_disabled():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
