"""Time blocks: today's free calendar time within work hours, filled with tasks in order.

Free time is today's work-hours window, from ``now`` (rounded up to ``step_minutes``) on, minus
every timed event of the day: an event without an end lasts ``default_event_minutes``, one that
ends before it starts runs to midnight, all-day notes take no time. Each task goes into the
earliest free gap long enough for its ``est:`` (``default_minutes`` without one), followed by
``gap_minutes`` of air; a task that fits nowhere is left out. Blocks are
:class:`~shared.operations.AddEvent` operations: nothing is written until the owner approves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from shared.assistant_config import WorkHours, parse_work_hours
from shared.calendar import EVENT_SEPARATOR, Event
from shared.lines import encode
from shared.operations import AddEvent
from shared.suggest import Suggestion, estimate_minutes
from shared.todo import Task

DAY_END = 23 * 60 + 59  # a block may end at 23:59 at the latest: calendar times stop there


class TimeBlockError(ValueError):
    """Work hours that cannot be read."""


@dataclass(frozen=True)
class Block:
    task: Task
    start: time
    end: time
    operation: AddEvent

    def to_json(self) -> dict[str, object]:
        return {
            "task": self.task.raw,
            "line": self.task.line,
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
            "operation": self.operation.to_dict(),
        }


def busy_ranges(
    events: Sequence[Event], day: date, default_event_minutes: int = 60
) -> list[tuple[int, int]]:
    """(start, end) minutes after midnight of the timed events of ``day``, sorted."""
    out = []
    for ev in events:
        if ev.start is None or ev.day != day:
            continue
        begin = _minutes(ev.start)
        end = begin + default_event_minutes if ev.end is None else _minutes(ev.end)
        out.append((begin, end if end > begin else 24 * 60))
    return sorted(out)


def free_slots(
    events: Sequence[Event],
    now: datetime,
    work_hours: WorkHours,
    *,
    default_event_minutes: int = 60,
    step_minutes: int = 15,
) -> list[tuple[int, int]]:
    """Today's free (start, end) minute ranges within work hours and after ``now``."""
    today = now.date()
    if today.weekday() not in work_hours.days:
        return []
    now_min = now.hour * 60 + now.minute + (1 if now.second or now.microsecond else 0)
    step = max(step_minutes, 1)
    begin = max(_minutes(work_hours.start), -(-now_min // step) * step)
    finish = min(_minutes(work_hours.end), DAY_END)
    slots: list[tuple[int, int]] = []
    cursor = begin
    for start, end in busy_ranges(events, today, default_event_minutes):
        if start > cursor:
            slots.append((cursor, min(start, finish)))
        cursor = max(cursor, end)
    slots.append((cursor, finish))
    return [(a, b) for a, b in slots if b > a]


def propose_blocks(
    tasks: Sequence[Task | Suggestion],
    events: Sequence[Event],
    *,
    now: datetime,
    work_hours: WorkHours | str,
    default_minutes: int = 30,
    gap_minutes: int = 0,
    default_event_minutes: int = 60,
    step_minutes: int = 15,
    source: str = "agent",
) -> list[Block]:
    """Blocks for ``tasks`` or suggestions (best first) in today's free time; see the module
    docstring. Raises :class:`TimeBlockError` for unreadable work hours."""
    hours = parse_work_hours(work_hours) if isinstance(work_hours, str) else work_hours
    if hours is None:
        raise TimeBlockError(f"work hours {work_hours!r} are not like 'Mon-Fri 09:00-18:00'")
    slots = free_slots(
        events,
        now,
        hours,
        default_event_minutes=default_event_minutes,
        step_minutes=step_minutes,
    )
    day = now.date().isoformat()
    blocks: list[Block] = []
    for item in tasks:
        task = item.task if isinstance(item, Suggestion) else item
        length = estimate_minutes(task) or default_minutes
        if length <= 0:
            continue
        for i, (start, end) in enumerate(slots):
            if end - start < length:
                continue
            stop = start + length
            slots[i] = (min(stop + max(gap_minutes, 0), end), end)
            when = f"{_clock(start)}-{_clock(stop)}"
            op = AddEvent(day=day, text=_event_text(task), time=when, source=source)
            blocks.append(Block(task, _time(start), _time(stop), op))
            break
    return sorted(blocks, key=lambda b: b.start)


def _event_text(task: Task) -> str:
    """The task's words and its ``+projects``, as one calendar event (no ". " inside)."""
    words = " ".join([task.description or task.text, *(f"+{p}" for p in task.projects)])
    readable = encode(words).decode("utf-8", "replace")
    return readable.replace(EVENT_SEPARATOR, " ").strip()


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"
