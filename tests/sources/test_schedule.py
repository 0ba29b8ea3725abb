"""The worker's schedule: pure functions of the settings and the record of attempts."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from dih_dash.settings import load_settings
from dih_dash.sources.schedule import (
    Attempt,
    Schedule,
    failures_in_slot,
    next_run,
    retry_delay,
    slot_after,
    slot_at_or_before,
)

BUCHAREST = zoneinfo.ZoneInfo("Europe/Bucharest")
DAILY = Schedule(at=dt.time(3, 30), zone=BUCHAREST, retries=3, retry_wait=dt.timedelta(minutes=10))


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_the_default_is_daily_at_half_past_three_in_bucharest():
    schedule = Schedule.from_settings(load_settings(env={}, secrets={}))
    assert schedule == DAILY
    # Winter: Bucharest is UTC+2, so 03:30 there is 01:30 UTC.
    assert slot_after(utc(2026, 12, 4, 12, 0), schedule) == utc(2026, 12, 5, 1, 30)
    # Summer: UTC+3.
    assert slot_after(utc(2026, 7, 1, 12, 0), schedule) == utc(2026, 7, 2, 0, 30)


def test_slot_after_is_strictly_after():
    slot = utc(2026, 12, 5, 1, 30)
    assert slot_after(slot, DAILY) == utc(2026, 12, 6, 1, 30)
    assert slot_after(slot - dt.timedelta(seconds=1), DAILY) == slot
    assert slot_at_or_before(slot, DAILY) == slot
    assert slot_at_or_before(slot - dt.timedelta(seconds=1), DAILY) == utc(2026, 12, 4, 1, 30)


def test_daylight_saving_days_still_have_one_run():
    # 29 March 2026: Bucharest jumps from 03:00 to 04:00, so 03:30 does not exist that day.
    spring = slot_after(utc(2026, 3, 28, 12, 0), DAILY)
    assert spring.date() == dt.date(2026, 3, 29)
    assert slot_after(spring, DAILY).date() == dt.date(2026, 3, 30)
    # 25 October 2026: 03:00-04:00 happens twice; the first 03:30 (still UTC+3) is the slot.
    autumn = slot_after(utc(2026, 10, 24, 12, 0), DAILY)
    assert autumn == utc(2026, 10, 25, 0, 30)
    assert slot_after(autumn, DAILY) == utc(2026, 10, 26, 1, 30)


def test_every_n_hours_counts_from_the_daily_time():
    schedule = Schedule(at=dt.time(3, 30), zone=dt.UTC, every=dt.timedelta(hours=6))  # type: ignore[arg-type]
    assert slot_after(utc(2026, 12, 4, 10, 0), schedule) == utc(2026, 12, 4, 15, 30)
    assert slot_after(utc(2026, 12, 4, 15, 30), schedule) == utc(2026, 12, 4, 21, 30)
    assert slot_at_or_before(utc(2026, 12, 4, 3, 29), schedule) == utc(2026, 12, 3, 21, 30)


def test_a_first_start_runs_at_once():
    now = utc(2026, 12, 4, 12, 0)
    assert next_run([], DAILY, now) == now


def test_after_a_success_the_next_slot():
    done = Attempt(started=utc(2026, 12, 4, 1, 30), ok=True, finished=utc(2026, 12, 4, 1, 31))
    assert next_run([done], DAILY, utc(2026, 12, 4, 12, 0)) == utc(2026, 12, 5, 1, 30)


def test_a_missed_slot_is_due_at_once():
    # The machine was off on the night of the 4th: the 4th's slot is in the past.
    done = Attempt(started=utc(2026, 12, 3, 1, 30), ok=True, finished=utc(2026, 12, 3, 1, 31))
    now = utc(2026, 12, 4, 9, 0)
    assert next_run([done], DAILY, now) <= now


def test_failures_are_retried_with_doubling_waits_then_left_to_the_next_slot():
    start = utc(2026, 12, 4, 1, 30)
    attempts: list[Attempt] = []
    due = start
    waits = []
    for _ in range(4):
        attempt = Attempt(started=due, ok=False, finished=due + dt.timedelta(minutes=1))
        attempts.insert(0, attempt)
        due = next_run(attempts, DAILY, attempt.finished)  # type: ignore[arg-type]
        waits.append(due - attempt.finished)  # type: ignore[operator]
    assert waits[:3] == [dt.timedelta(minutes=m) for m in (10, 20, 40)]
    # Three retries spent: the fourth failure waits for the next night.
    assert due == utc(2026, 12, 5, 1, 30)
    assert failures_in_slot(attempts, DAILY) == 4


def test_a_retry_never_goes_past_the_next_slot():
    schedule = Schedule(
        at=dt.time(3, 30), zone=BUCHAREST, every=dt.timedelta(hours=1), retries=3,
        retry_wait=dt.timedelta(minutes=50),
    )  # fmt: skip
    failed = Attempt(started=utc(2026, 12, 4, 1, 30), ok=False, finished=utc(2026, 12, 4, 1, 35))
    first = next_run([failed], schedule, utc(2026, 12, 4, 1, 35))
    assert first == utc(2026, 12, 4, 2, 25)  # 50 minutes, before the 02:30 slot
    again = Attempt(started=first, ok=False, finished=first + dt.timedelta(minutes=1))
    # 100 minutes would pass the 03:30 slot.
    assert next_run([again, failed], schedule, again.finished) == utc(2026, 12, 4, 2, 30)  # type: ignore[arg-type]


def test_a_new_slot_starts_a_new_count_of_failures():
    yesterday = [
        Attempt(started=utc(2026, 12, 3, 1, 30) + dt.timedelta(hours=h), ok=False)
        for h in (3, 2, 1, 0)
    ]
    today = Attempt(started=utc(2026, 12, 4, 1, 30), ok=False, finished=utc(2026, 12, 4, 1, 31))
    assert failures_in_slot([today, *yesterday], DAILY) == 1
    assert next_run([today, *yesterday], DAILY, today.finished) == utc(2026, 12, 4, 1, 41)  # type: ignore[arg-type]


def test_an_unfinished_attempt_counts_as_a_failure():
    died = Attempt(started=utc(2026, 12, 4, 1, 30), ok=None)
    assert next_run([died], DAILY, utc(2026, 12, 4, 2, 0)) == utc(2026, 12, 4, 1, 40)


def test_retry_delay_doubles():
    assert [retry_delay(n, DAILY).total_seconds() / 60 for n in (1, 2, 3, 4)] == [10, 20, 40, 80]


def test_times_without_a_zone_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        slot_after(dt.datetime(2026, 12, 4, 12, 0), DAILY)
