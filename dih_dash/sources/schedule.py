"""When the worker refreshes the national data: pure functions of the settings and the
record of earlier attempts, so every worker and replica computes the same next run.

* Slots: daily at `refresh_at` in `refresh_timezone` (a quiet hour at the hub), or, with
  `refresh_every_hours`, every that many hours counted from that time of day.
* After a success, the next run is the first slot after the attempt started. A slot that
  passed while no worker ran (the machine was off) is due at once.
* After a failure, the attempt is retried after refresh_retry_minutes x 1, 2, 4, ... (the
  n-th failure in a row within one slot waits 2^(n-1) times the base), at most
  `refresh_retries` times per slot, and never later than the next slot.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from dih_dash.settings import Settings


@dataclass(frozen=True)
class Schedule:
    at: dt.time
    zone: zoneinfo.ZoneInfo
    every: dt.timedelta | None = None
    retries: int = 3
    retry_wait: dt.timedelta = dt.timedelta(minutes=10)

    @classmethod
    def from_settings(cls, settings: Settings) -> Schedule:
        every = settings.refresh_every_hours
        return cls(
            at=settings.refresh_at,
            zone=settings.refresh_zone,
            every=None if every is None else dt.timedelta(hours=every),
            retries=settings.refresh_retries,
            retry_wait=dt.timedelta(minutes=settings.refresh_retry_minutes),
        )


@dataclass(frozen=True)
class Attempt:
    started: dt.datetime
    ok: bool | None  # None: never finished (counted as a failure)
    finished: dt.datetime | None = None


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("schedule times must carry a time zone")
    return moment


def _daily(day: dt.date, schedule: Schedule) -> dt.datetime:
    # A time that a DST change skips (03:30 on the last Sunday of March in Bucharest) is
    # read with the offset before the change, i.e. an hour later on the clock: still one
    # run that day. A time that happens twice (October) is the first of the two.
    return dt.datetime.combine(day, schedule.at, tzinfo=schedule.zone).astimezone(dt.UTC)


def _anchor(schedule: Schedule) -> dt.datetime:
    return _daily(dt.date(2000, 1, 3), schedule)


def slot_after(moment: dt.datetime, schedule: Schedule) -> dt.datetime:
    """The first slot strictly after `moment` (UTC)."""
    moment = _aware(moment).astimezone(dt.UTC)
    if schedule.every is not None:
        periods = math.floor((moment - _anchor(schedule)) / schedule.every) + 1
        return _anchor(schedule) + periods * schedule.every
    day = moment.astimezone(schedule.zone).date() - dt.timedelta(days=1)
    while (slot := _daily(day, schedule)) <= moment:
        day += dt.timedelta(days=1)
    return slot


def slot_at_or_before(moment: dt.datetime, schedule: Schedule) -> dt.datetime:
    """The latest slot at or before `moment` (UTC)."""
    moment = _aware(moment).astimezone(dt.UTC)
    if schedule.every is not None:
        periods = math.floor((moment - _anchor(schedule)) / schedule.every)
        return _anchor(schedule) + periods * schedule.every
    day = moment.astimezone(schedule.zone).date() + dt.timedelta(days=1)
    while (slot := _daily(day, schedule)) > moment:
        day -= dt.timedelta(days=1)
    return slot


def failures_in_slot(attempts: Sequence[Attempt], schedule: Schedule) -> int:
    """Failed attempts in a row, newest first, since the slot the newest one belongs to."""
    if not attempts:
        return 0
    since = slot_at_or_before(attempts[0].started, schedule)
    count = 0
    for attempt in attempts:
        if attempt.ok or attempt.started < since:
            break
        count += 1
    return count


def retry_delay(failures: int, schedule: Schedule) -> dt.timedelta:
    """The wait after the `failures`-th failure in a row: the base, doubled each time."""
    return schedule.retry_wait * (2 ** max(failures - 1, 0))


def next_run(attempts: Sequence[Attempt], schedule: Schedule, now: dt.datetime) -> dt.datetime:
    """When the next attempt is due, given earlier attempts (newest first). A result at or
    before `now` means: run now (a first start, or a slot missed while no worker ran)."""
    now = _aware(now).astimezone(dt.UTC)
    if not attempts:
        return now
    last = attempts[0]
    slot = slot_after(last.started, schedule)
    if last.ok:
        return slot
    failures = failures_in_slot(attempts, schedule)
    if failures > schedule.retries:
        return slot
    retry = (last.finished or last.started) + retry_delay(failures, schedule)
    return min(retry, slot)
