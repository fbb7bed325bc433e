"""Reminders: deadline thresholds and their keys, waiting-for follow-ups, event preparation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from shared.calendar import parse_calendar
from shared.lines import LineDoc
from shared.reminders import (
    deadline_warnings,
    event_preps,
    task_identity,
    waiting_followup,
)
from shared.todo import parse_task
from shared.todo_list import parse_tasks, tasks_of

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "org"
TODAY = date(2026, 11, 23)
MADRID = ZoneInfo("Europe/Madrid")
LEVELS = (7, 3, 1)


def fixture_tasks() -> list:  # type: ignore[type-arg]
    return parse_tasks((FIXTURE / "todo.txt").read_bytes())


def test_identity_ignores_line_priority_dates_and_attributes() -> None:
    base = parse_task("(A) 2026-11-20 Call the plumber +house @phone due:2026-11-25", 3)
    same = [
        parse_task("(B) 2026-11-20 Call the plumber +house @phone due:2026-11-25", 40),
        parse_task("Call  the plumber +house @phone due:2026-11-28 est:15m", 1),
        parse_task("2026-11-21 call the Plumber +house @phone t:2026-11-24", 9),
    ]
    assert all(task_identity(t) == task_identity(base) for t in same)
    assert task_identity(base) == "call the plumber +house @phone"
    assert task_identity(parse_task("Call the electrician +house @phone")) != task_identity(base)


def test_fixture_warnings_on_the_anchor_day() -> None:
    found = {r.data["task"]: (r.data["days"], r.data["threshold"])
             for r in deadline_warnings(fixture_tasks(), TODAY, LEVELS)}
    assert found["2026-11-14 Read the brief at https://acme.example.com/brief?id=42&v=2 "
                 "before the call +acme @computer due:2026-11-24"] == (1, 1)
    plumber = next(k for k in found if "plumber" in k)
    assert found[plumber] == (2, 3)
    weekly = next(k for k in found if "Weekly review" in k)
    assert found[weekly] == (4, 7)
    texts = " ".join(found)
    # Overdue, due today, done, malformed dates and tasks with no due date are not warned about.
    for absent in ("checkout bug", "Invoice ACME", "Call mum", "Long run, 8 km", "passport",
                   "Draft chapter 4", "Book the yearly boiler"):
        assert absent not in texts
    # Nearest deadline first.
    days = [r.data["days"] for r in deadline_warnings(fixture_tasks(), TODAY, LEVELS)]
    assert days == sorted(days)


def test_each_threshold_is_warned_once_day_after_day() -> None:
    tasks = [parse_task("2026-11-01 Send the tax form +admin due:2026-11-25", 1)]
    keys: list[str] = []
    for offset in range(-10, 3):
        day = date(2026, 11, 25) + timedelta(days=offset)
        keys += [r.key for r in deadline_warnings(tasks, day, LEVELS)]
    distinct = list(dict.fromkeys(keys))
    assert [k.rsplit("|", 1)[1] for k in distinct] == ["7", "3", "1"]
    # Checked every day, the same key comes back (the scheduler drops repeats by key) ...
    assert keys.count(distinct[0]) == 4 and keys.count(distinct[1]) == 2
    # ... and the warning text says how far the deadline is.
    first = deadline_warnings(tasks, date(2026, 11, 18), LEVELS)[0]
    assert first.title == "Due in 7 days: Send the tax form +admin"
    assert first.text == "Deadline in 7 days (Wed 25 Nov): Send the tax form +admin"
    assert first.keep_until == date(2026, 11, 26)


def test_a_task_added_late_gets_only_the_tightest_threshold() -> None:
    tasks = [parse_task("Renew the car insurance due:2026-11-25")]
    (warning,) = deadline_warnings(tasks, date(2026, 11, 23), LEVELS)
    assert warning.data["threshold"] == 3 and warning.title.startswith("Due in 2 days")
    assert deadline_warnings(tasks, date(2026, 11, 25), LEVELS) == []  # due today: briefing's job
    (today,) = deadline_warnings(tasks, date(2026, 11, 25), (7, 3, 1, 0))
    assert today.title.startswith("Due today") and today.data["threshold"] == 0


def test_keys_survive_edits_of_other_lines_but_not_a_new_due_date() -> None:
    doc = LineDoc.from_bytes((FIXTURE / "todo.txt").read_bytes())
    before = {r.key for r in deadline_warnings(tasks_of(doc), TODAY, LEVELS)}
    doc.lines.insert(0, "(A) 2026-11-23 A brand new first line @home")
    doc.lines[5] = doc.lines[5] + " est:4h"  # an unrelated task edited
    after = {r.key for r in deadline_warnings(tasks_of(doc), TODAY, LEVELS)}
    assert after == before
    postponed = [parse_task(raw.replace("due:2026-11-25", "due:2026-11-29"))
                 for raw in doc.lines if "plumber" in raw]
    (moved,) = deadline_warnings(postponed, TODAY, LEVELS)
    assert moved.key not in before and moved.data["threshold"] == 7


def test_hidden_and_done_tasks_are_not_warned() -> None:
    tasks = [
        parse_task("Plan the trip t:2026-11-30 due:2026-11-26"),
        parse_task("x 2026-11-22 Pay the rent due:2026-11-24"),
    ]
    assert deadline_warnings(tasks, TODAY, LEVELS) == []


def test_text_that_is_not_utf8_is_sent_as_replacement_characters() -> None:
    raw = b"Buy caf\xe9 beans due:2026-11-24".decode("utf-8", "surrogateescape")
    (warning,) = deadline_warnings([parse_task(raw)], TODAY, LEVELS)
    assert warning.title == "Due tomorrow: Buy caf\ufffd beans"
    warning.text.encode("utf-8")  # would raise on a lone surrogate


def test_waiting_followup_lists_stale_items_once_a_week() -> None:
    reminder = waiting_followup(fixture_tasks(), TODAY, 7)
    assert reminder is not None
    assert reminder.title == "2 waiting-for items to chase"
    assert reminder.text.splitlines() == [
        "2 waiting-for items to chase:",
        "- Bruno: Intro to the CTO of Hilo Studio @waiting +clients (waiting 34 days)",
        "- Ana: Signed contract amendment @waiting +acme (waiting 18 days)",
    ]
    assert reminder.key == "waiting|2026-W48"
    later = waiting_followup(fixture_tasks(), TODAY + timedelta(days=2), 7)
    assert later is not None and later.key == reminder.key
    assert waiting_followup(fixture_tasks(), TODAY, 60) is None


def test_event_preps_on_the_fixture_day() -> None:
    calendar = parse_calendar((FIXTURE / "calendar.txt").read_bytes())
    start = datetime(2026, 11, 23, 0, 0, tzinfo=MADRID)
    preps = event_preps(calendar, MADRID, start, start + timedelta(days=1), 30)
    assert [(p.at.strftime("%H:%M"), p.event.text) for p in preps] == [
        ("08:30", "ACME standup +acme"),
        ("09:30", "revise chapter 3 +book"),
        ("16:00", "pick up Pablo"),
        ("18:30", "gym"),
    ]
    first = preps[0].reminder(preps[0].at)
    assert first.title == "In 30 min: ACME standup +acme"
    assert first.text == "Coming up in 30 minutes (Mon 23 Nov): 9-9:30 ACME standup +acme"
    assert first.key == "prep|2026-11-23|09:00:00|acme standup +acme"
    # Half-open windows: evaluated back to back, each preparation comes exactly once.
    halves = event_preps(calendar, MADRID, start, start + timedelta(hours=9, minutes=30), 30)
    rest = event_preps(calendar, MADRID, start + timedelta(hours=9, minutes=30),
                       start + timedelta(days=1), 30)
    assert [p.key for p in halves + rest] == [p.key for p in preps]
    assert event_preps(calendar, MADRID, start, start + timedelta(days=1), 0) == []


def test_event_preps_across_daylight_saving_are_real_time_before_the_event() -> None:
    calendar = parse_calendar(
        b"2026-10-25 w43 Sun  3 early train to Oviedo\n2027-03-28 w12 Sun  3:30 flight home\n"
    )
    autumn = event_preps(calendar, MADRID, datetime(2026, 10, 24, 12, tzinfo=UTC),
                         datetime(2026, 10, 25, 12, tzinfo=UTC), 60)
    assert [p.at.astimezone(UTC) for p in autumn] == [datetime(2026, 10, 25, 1, tzinfo=UTC)]
    assert autumn[0].at.strftime("%H:%M %Z") == "02:00 CET"  # the second 02:00 of the day
    spring = event_preps(calendar, MADRID, datetime(2027, 3, 27, 12, tzinfo=UTC),
                         datetime(2027, 3, 28, 12, tzinfo=UTC), 60)
    assert [p.at.strftime("%H:%M %Z") for p in spring] == ["01:30 CET"]
    assert spring[0].starts.strftime("%H:%M %Z") == "03:30 CEST"
