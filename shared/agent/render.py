"""Compact plain text for tasks, events and the today view: what tools return and replies show."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from shared.calendar import Event
from shared.lines import encode
from shared.today import TodayView
from shared.todo import Task

MAX_ITEMS = 40


def readable(raw: str) -> str:
    """Undecodable bytes kept by the parsers become U+FFFD: this text is for reading only."""
    return encode(raw).decode("utf-8", "replace")


def task_line(task: Task, today: date | None = None) -> str:
    """``#12 (A) Call the plumber +house @phone due:2026-11-25 [overdue 2d]``: the line number
    first, then the task as written (without its creation date)."""
    head = "x " if task.done else (f"({task.priority}) " if task.priority else "")
    text = f"#{task.line} {head}{readable(task.text)}"
    due = task.due
    if today is not None and due is not None and not task.done:
        days = (due - today).days
        if days < 0:
            text += f" [overdue {-days}d]"
        elif days == 0:
            text += " [due today]"
    return text


def event_line(event: Event) -> str:
    when = event.time_text or "all day"
    return f"{when}: {readable(event.text)}"


def limited(lines: Sequence[str], limit: int = MAX_ITEMS, what: str = "items") -> list[str]:
    if len(lines) <= limit:
        return list(lines)
    return [*lines[:limit], f"… {len(lines) - limit} more {what} not shown"]


def task_lines(tasks: Iterable[Task], today: date, limit: int = MAX_ITEMS) -> list[str]:
    return limited([task_line(t, today) for t in tasks], limit, "tasks")


def today_text(view: TodayView) -> str:
    """The today view in a few lines: events, overdue, due soon, stale waiting-for items."""
    today = view.now.date()
    out = [f"{today:%A %d %B %Y}"]
    out.append("Events: " + ("; ".join(event_line(e) for e in view.events) or "none"))
    seen: set[int] = set()
    sections: list[tuple[str, list[Task]]] = [
        ("Overdue", view.overdue),
        ("Due today", view.due_today),
        *[(f"Due within {n}d", ts) for n, ts in sorted(view.due_within.items())],
        ("Waiting for (stale)", view.waiting_stale),
    ]
    for title, tasks in sections:
        fresh = [t for t in tasks if t.line not in seen]
        seen.update(t.line for t in fresh)
        if fresh:
            out.append(f"{title}:")
            out.extend("  " + line for line in task_lines(fresh, today, 15))
    if view.stalled_projects:
        out.append("Stalled projects: " + ", ".join(f"+{p}" for p in view.stalled_projects))
    return "\n".join(out)
