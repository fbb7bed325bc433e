"""Reminders: deadline warnings, waiting-for follow-ups and event preparation.

Each reminder carries a dedupe ``key``: the scheduler sends a reminder whose key was already
sent never again, across restarts and however often the check runs.

- A deadline warning is keyed by the task's identity, its due date and the threshold. The
  identity is the task text without dates, priority and attributes, so editing other lines, or
  the task's line number changing, keeps it; the due date makes a postponed deadline a new one,
  warned about again. Of the thresholds (``[reminders] deadline_days``, default 7, 3, 1) only the
  tightest one the task has reached applies: a task added due in two days is warned once, at 3.
- A waiting-for follow-up lists the stale ``@waiting`` items, one message per ISO week.
- An event's preparation reminder comes ``event_prep_minutes`` before each timed event, once per
  event (day, start and text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from shared import queries
from shared.calendar import Calendar, Event
from shared.schedule import place, utc, wall_time
from shared.todo import Task, is_attribute

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Reminder:
    """One message to send. ``keep_until``: the day after which its key may be forgotten."""

    kind: str
    key: str
    title: str
    text: str
    keep_until: date
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "title": self.title,
            "text": self.text,
            "keep_until": self.keep_until.isoformat(),
            "data": self.data,
        }


def clean(text: str) -> str:
    """Text safe to send anywhere: bytes that were not UTF-8 in the file become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def task_identity(task: Task) -> str:
    """What stays the same while a task is edited: its words without priority, dates and
    ``key:value`` attributes (``due:``, ``est:``...), whitespace-normalised and casefolded. The
    line number plays no part, so edits of other lines never change it."""
    words = [w for w in task.text.split() if not _DATE_RE.match(w) and is_attribute(w) is None]
    return clean(" ".join(words)).casefold()


def task_label(task: Task) -> str:
    """The task as a person reads it: its text without attributes, tags kept."""
    words = [w for w in task.text.split() if is_attribute(w) is None]
    return clean(" ".join(words))


def day_label(day: date) -> str:
    """``Wed 25 Nov``"""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


def in_days(days: int) -> str:
    return {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")


def deadline_warnings(
    tasks: Iterable[Task], today: date, thresholds: Sequence[int]
) -> list[Reminder]:
    """One warning per open task whose deadline has reached a threshold (keyed by the tightest
    threshold reached), nearest deadline first. Overdue tasks are the briefing's business."""
    out: list[tuple[date, int, Reminder]] = []
    levels = sorted(set(thresholds))
    for task in tasks:
        due = task.due
        if task.done or not task.text or due is None or not task.visible_on(today):
            continue
        days = (due - today).days
        reached = [k for k in levels if days <= k]
        if days < 0 or not reached or (days == 0 and 0 not in levels):
            continue
        level = reached[0]
        label = task_label(task)
        when = in_days(days)
        out.append(
            (
                due,
                task.line,
                Reminder(
                    kind="deadline",
                    key=f"deadline|{task_identity(task)}|{due.isoformat()}|{level}",
                    title=f"Due {when}: {label}",
                    text=f"Deadline {when} ({day_label(due)}): {label}",
                    keep_until=due + timedelta(days=1),
                    data={"task": clean(task.raw), "line": task.line, "due": due.isoformat(),
                          "days": days, "threshold": level},
                ),
            )
        )
    out.sort(key=lambda found: (found[0], found[1]))
    return [r for _, _, r in out]


def waiting_followup(tasks: Sequence[Task], today: date, stale_days: int) -> Reminder | None:
    """One message listing the stale waiting-for items, or None when nothing is stale."""
    stale = queries.stale_waiting(list(tasks), today, stale_days)
    if not stale:
        return None
    lines = []
    for task in stale:
        since = queries.waiting_since(task)
        who = task.attr("who")
        age = f"waiting {(today - since).days} days" if since else "waiting"
        lines.append(f"- {clean(who) + ': ' if who else ''}{task_label(task)} ({age})")
    year, week, _ = today.isocalendar()
    count = len(stale)
    title = f"{count} waiting-for item{'s' if count > 1 else ''} to chase"
    return Reminder(
        kind="waiting",
        key=f"waiting|{year}-W{week:02d}",
        title=title,
        text="\n".join([title + ":", *lines]),
        keep_until=today + timedelta(days=8),
        data={"tasks": [clean(t.raw) for t in stale]},
    )


@dataclass(frozen=True)
class EventPrep:
    """The preparation reminder of one timed event, due at ``at`` (aware)."""

    at: datetime
    starts: datetime
    event: Event

    @property
    def key(self) -> str:
        ev = self.event
        return f"prep|{ev.day.isoformat()}|{ev.start}|{clean(ev.text).casefold()}"

    def reminder(self, now: datetime) -> Reminder:
        ev = self.event
        minutes = max(0, round((utc(self.starts) - utc(now)).total_seconds() / 60))
        when = ev.time_text or ""
        label = clean(f"{when} {ev.text}".strip())
        return Reminder(
            kind="event_prep",
            key=self.key,
            title=f"In {minutes} min: {clean(ev.text)}",
            text=f"Coming up in {minutes} minutes ({day_label(ev.day)}): {label}",
            keep_until=ev.day + timedelta(days=1),
            data={"event": ev.to_json(), "starts": self.starts.isoformat()},
        )


def event_preps(
    calendar: Calendar, zone: tzinfo, after: datetime, until: datetime, minutes: int
) -> list[EventPrep]:
    """Preparation reminders falling after ``after`` and up to ``until``, in time order (none
    when ``minutes`` is 0). Looks at most two days back."""
    if minutes <= 0:
        return []
    until = utc(until)
    after = max(utc(after), until - timedelta(days=2))
    lead = timedelta(minutes=minutes)
    first = wall_time(after, zone).date()
    last = wall_time(until + lead, zone).date()
    out: list[EventPrep] = []
    day = first
    while day <= last:
        for ev in calendar.day_events(day):
            if ev.start is None:
                continue
            starts = place(datetime.combine(day, ev.start), zone)
            at = utc(starts) - lead
            if after < at <= until:
                out.append(EventPrep(at.astimezone(zone), starts, ev))
        day += timedelta(days=1)
    out.sort(key=lambda p: (utc(p.at), p.event.line))
    return out
