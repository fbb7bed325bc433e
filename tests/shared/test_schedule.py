"""Cron strings on the owner's wall clock: slots, next runs, daylight saving both ways, grace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.schedule import (
    DEFAULT_GRACE,
    ScheduleError,
    due_runs,
    next_runs,
    place,
    schedule_grace,
    slots_between,
)

MADRID = ZoneInfo("Europe/Madrid")
SPRING = datetime(2027, 3, 28)  # 02:00 CET → 03:00 CEST: 02:00–02:59 does not exist
AUTUMN = datetime(2026, 10, 25)  # 03:00 CEST → 02:00 CET: 02:00–02:59 happens twice


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=MADRID)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def run_day(expr: str, day: datetime, step: timedelta = timedelta(minutes=15)) -> list[datetime]:
    """Evaluate ``expr`` every ``step`` of real time through the owner's whole day, as the
    scheduler does, and return each run that came due (in UTC, in order)."""
    start = place(day, MADRID).astimezone(UTC) - step
    end = place(day + timedelta(days=1), MADRID).astimezone(UTC) - step
    ran: list[datetime] = []
    last = now = start
    while now < end:
        now = min(now + step, end)
        due = due_runs(expr, MADRID, last, now)
        assert not due.missed and not due.late
        if due.run is not None:
            ran.append(due.run.at.astimezone(UTC))
        last = now
    return ran


def test_a_daily_slot_lands_at_its_wall_clock_time_in_summer_and_winter() -> None:
    summer = list(slots_between("0 8 * * *", MADRID, local(2026, 7, 1), local(2026, 7, 2, 12)))
    winter = list(slots_between("0 8 * * *", MADRID, local(2026, 12, 1), local(2026, 12, 2, 12)))
    assert [s.at.astimezone(UTC) for s in summer] == [utc(2026, 7, 1, 6), utc(2026, 7, 2, 6)]
    assert [s.at.astimezone(UTC) for s in winter] == [utc(2026, 12, 1, 7), utc(2026, 12, 2, 7)]
    assert all(s.at.hour == 8 for s in summer + winter)


def test_spring_forward_a_job_at_0230_runs_once_at_0330_summer_time() -> None:
    ran = run_day("30 2 * * *", SPRING)
    assert ran == [utc(2027, 3, 28, 1, 30)]
    assert ran[0].astimezone(MADRID).strftime("%H:%M %Z") == "03:30 CEST"


def test_spring_forward_the_skipped_hour_and_the_next_one_do_not_double_up() -> None:
    hourly = run_day("0 * * * *", SPRING)
    walls = [r.astimezone(MADRID).strftime("%H:%M") for r in hourly]
    assert walls[:4] == ["00:00", "01:00", "03:00", "04:00"]  # 02:00 → 03:00: one run
    assert len(hourly) == len(set(hourly)) == 23  # the day has 23 hours
    quarter = run_day("*/15 * * * *", SPRING)
    assert len(quarter) == len(set(quarter))
    assert [r.astimezone(MADRID).strftime("%H:%M") for r in quarter[4:12]] == [
        "01:00", "01:15", "01:30", "01:45", "03:00", "03:15", "03:30", "03:45",
    ]
    assert len(quarter) == 92


def test_fall_back_a_job_at_0230_runs_once_at_the_first_0230() -> None:
    ran = run_day("30 2 * * *", AUTUMN)
    assert ran == [utc(2026, 10, 25, 0, 30)]
    assert ran[0].astimezone(MADRID).strftime("%H:%M %Z") == "02:30 CEST"


def test_fall_back_nothing_runs_twice_in_the_repeated_hour() -> None:
    for expr in ("0 * * * *", "*/15 * * * *", "0 2 * * *", "59 2 * * *"):
        ran = run_day(expr, AUTUMN)
        walls = [r.astimezone(MADRID).replace(tzinfo=None) for r in ran]
        assert len(walls) == len(set(walls)), expr  # each wall-clock slot once
    hourly = [r.astimezone(MADRID).strftime("%H:%M %Z") for r in run_day("0 * * * *", AUTUMN)]
    assert hourly[:4] == ["00:00 CEST", "01:00 CEST", "02:00 CEST", "03:00 CET"]
    assert len(hourly) == 24  # the day has 25 hours; 02:00 runs once


def test_slots_between_is_half_open_and_ordered() -> None:
    slots = list(slots_between("0 8 * * *", MADRID, local(2026, 11, 23, 8), local(2026, 11, 25, 8)))
    assert [s.at for s in slots] == [local(2026, 11, 24, 8), local(2026, 11, 25, 8)]
    assert slots[0].key == "2026-11-24T07:00:00Z"


def test_next_runs_in_the_owner_timezone_across_the_change() -> None:
    runs = next_runs("0 8 * * 1-5", MADRID, local(2026, 10, 23, 9))
    assert [r.at.strftime("%a %d %H:%M %Z") for r in runs] == [
        "Mon 26 08:00 CET", "Tue 27 08:00 CET", "Wed 28 08:00 CET",
    ]
    assert [r.at.astimezone(UTC).hour for r in runs] == [7, 7, 7]
    assert next_runs("0 0 31 2 *", MADRID, local(2026, 1, 1)) == []  # never fires
    leap = next_runs("0 9 29 2 *", MADRID, local(2026, 1, 1), count=1)
    assert leap[0].at == local(2028, 2, 29, 9)


def test_due_runs_on_time_late_within_grace_and_missed_beyond() -> None:
    expr = "0 8 * * *"
    on_time = due_runs(expr, MADRID, local(2026, 11, 23, 7, 59, 30), local(2026, 11, 23, 8, 0, 20))
    assert on_time.run is not None and on_time.run.at == local(2026, 11, 23, 8)
    assert not on_time.late and on_time.missed == []

    late = due_runs(expr, MADRID, local(2026, 11, 23, 7, 0), local(2026, 11, 23, 9, 30))
    assert late.run is not None and late.late and late.missed == []

    too_late = due_runs(expr, MADRID, local(2026, 11, 23, 7, 0), local(2026, 11, 23, 10, 30))
    assert too_late.run is None
    assert [s.at for s in too_late.missed] == [local(2026, 11, 23, 8)]

    custom = due_runs(expr, MADRID, local(2026, 11, 23, 7), local(2026, 11, 23, 10, 30),
                      grace=timedelta(hours=3))
    assert custom.run is not None and custom.late


def test_after_days_of_downtime_only_the_latest_slot_runs() -> None:
    due = due_runs("0 * * * *", MADRID, local(2026, 11, 20, 10), local(2026, 11, 23, 10, 30))
    assert due.run is not None and due.run.at == local(2026, 11, 23, 10)
    assert due.late is True  # 30 minutes after its time
    assert len(due.missed) == 3 * 24 - 1
    same = local(2026, 11, 23, 10)
    assert due_runs("0 * * * *", MADRID, same, same).run is None


def test_grace_period_from_the_schedule_table() -> None:
    assert schedule_grace(None) == (DEFAULT_GRACE, None)
    assert schedule_grace({"grace_minutes": 30}) == (timedelta(minutes=30), None)
    grace, problem = schedule_grace({"grace_minutes": "soon"})
    assert grace == DEFAULT_GRACE and problem is not None and "grace_minutes" in problem


def test_place_and_bad_cron() -> None:
    assert place(datetime(2027, 3, 28, 2, 30), MADRID) == local(2027, 3, 28, 3, 30)
    assert place(datetime(2026, 10, 25, 2, 30), MADRID).utcoffset() == timedelta(hours=2)
    with pytest.raises(ScheduleError, match="croniter"):
        list(slots_between("every day", MADRID, local(2026, 1, 1), local(2026, 1, 2)))
