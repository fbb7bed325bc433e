"""When scheduled jobs run: the cron strings of assistant.toml on the owner's wall clock.

A cron string names wall-clock times (``0 8 * * 1-5``: 08:00 on weekdays) in the owner's
timezone. Slots are found on naive wall-clock times with croniter (plain calendar arithmetic,
no UTC offsets involved) and only then placed on the timeline:

- a time that does not exist (the hour skipped when clocks go forward) is read with the offset
  in force before the change, so it runs as if the clock had not moved: 02:30 on 2027-03-28 in
  Madrid runs once, at 03:30 CEST;
- a time that happens twice (the hour repeated when clocks go back) runs at its first
  occurrence only: nothing runs twice on 2026-10-25;
- wall-clock slots that land on the same instant (02:00 skipped and 03:00) run once.

:func:`due_runs` answers, for one job, which slots fell after the last evaluation and up to now:
at most one runs — the latest, when it is no older than the grace period (late if the scheduler
was not running at its time) — and the others are reported as missed, so that the ledger can
show them instead of dropping them silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from croniter import CroniterBadDateError, croniter

DEFAULT_GRACE = timedelta(minutes=120)
MAX_GRACE_MINUTES = 24 * 60
LATE_AFTER = timedelta(minutes=5)
MAX_LOOKBACK = timedelta(days=31)
# Wider than any daylight-saving shift, so that a slot moved across ``start`` is still seen.
_SHIFT_MARGIN = timedelta(hours=3)


class ScheduleError(ValueError):
    """A cron string croniter cannot read."""


@dataclass(frozen=True)
class Slot:
    """One planned run: ``at`` on the timeline (aware, owner's zone); ``wall`` as the cron
    string names it (naive; differs from ``at`` only in the hour skipped by DST)."""

    at: datetime
    wall: datetime

    @property
    def key(self) -> str:
        """The instant in UTC, second precision: the same run always has the same key."""
        return self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class DueRuns:
    """The result of one evaluation: the run to start now (if any) and the slots missed."""

    run: Slot | None = None
    late: bool = False
    missed: list[Slot] = field(default_factory=list)


def wall_time(moment: datetime, zone: tzinfo) -> datetime:
    """``moment`` on the owner's wall clock (naive)."""
    return moment.astimezone(zone).replace(tzinfo=None)


def place(wall: datetime, zone: tzinfo) -> datetime:
    """A naive wall-clock time put on the timeline: first occurrence when it happens twice,
    the offset before the change when it does not exist (02:30 → 03:30 after clocks go forward)."""
    return utc(wall.replace(tzinfo=zone, fold=0)).astimezone(zone)


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC. Arithmetic and comparisons are done in UTC: Python compares and
    subtracts two datetimes of the same zone by their wall-clock fields, which is wrong across
    a daylight-saving change."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment.isoformat()} has no timezone")
    return moment.astimezone(UTC)


def check_cron(expr: str) -> None:
    if not croniter.is_valid(expr):
        raise ScheduleError(f"{expr!r} is not a cron string croniter understands")


def slots_between(expr: str, zone: tzinfo, start: datetime, end: datetime) -> Iterator[Slot]:
    """The slots of ``expr`` after ``start`` and up to ``end`` (both aware), in time order,
    each instant once. A string that never fires (``0 0 31 2 *``) has none."""
    check_cron(expr)
    start, end = utc(start), utc(end)
    it = croniter(expr, wall_time(start, zone) - _SHIFT_MARGIN)
    last_wall = wall_time(end, zone) + _SHIFT_MARGIN
    found: dict[datetime, Slot] = {}
    while True:
        try:
            wall: datetime = it.get_next(datetime)
        except CroniterBadDateError:
            break
        if wall > last_wall:
            break
        at = utc(place(wall, zone))
        if start < at <= end and at not in found:
            found[at] = Slot(at.astimezone(zone), wall)
    yield from (found[at] for at in sorted(found))


def next_runs(expr: str, zone: tzinfo, after: datetime, count: int = 3) -> list[Slot]:
    """The next ``count`` slots strictly after ``after``."""
    out: list[Slot] = []
    start = utc(after)
    while len(out) < count:
        window = list(slots_between(expr, zone, start, start + timedelta(days=8)))
        if not window:  # a rare schedule (29 February): one slot from a window of four years
            window = list(slots_between(expr, zone, start, start + timedelta(days=1462)))[:1]
            if not window:
                break
        out.extend(window[: count - len(out)])
        start = utc(out[-1].at)
    return out


def due_runs(
    expr: str,
    zone: tzinfo,
    last_run: datetime,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> DueRuns:
    """Slots after ``last_run`` (the previous evaluation) and up to ``now``: the latest runs if
    it is at most ``grace`` old, every other one is missed. Looks back at most 31 days."""
    now = utc(now)
    start = max(utc(last_run), now - MAX_LOOKBACK)
    slots = list(slots_between(expr, zone, start, now))
    if not slots:
        return DueRuns()
    latest = slots[-1]
    age = now - utc(latest.at)
    if age > grace:
        return DueRuns(missed=slots)
    return DueRuns(run=latest, late=age > LATE_AFTER, missed=slots[:-1])


def schedule_grace(schedule_extra: Any) -> tuple[timedelta, str | None]:
    """``[schedule] grace_minutes`` (kept by the config parser among the unknown keys): how late
    a missed run may still be sent. Returns the grace and a problem line when it is invalid."""
    if not isinstance(schedule_extra, dict) or "grace_minutes" not in schedule_extra:
        return DEFAULT_GRACE, None
    value = schedule_extra["grace_minutes"]
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_GRACE_MINUTES:
        return timedelta(minutes=value), None
    default = int(DEFAULT_GRACE.total_seconds() // 60)
    return DEFAULT_GRACE, (
        f"schedule.grace_minutes = {value!r} should be a whole number from 0 to "
        f"{MAX_GRACE_MINUTES}; using {default}"
    )
