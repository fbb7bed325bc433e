"""Questions asked of the task list: what is open, due, overdue, blocked, waiting, stale."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from shared.todo import Task

DEFAULT_STALE_DAYS = 7


def blocked_ids(tasks: Iterable[Task]) -> set[str]:
    """``id:`` values with an open child (topydo: a task with ``p:N`` is a child of ``id:N``)."""
    # An attribute is a word of the text: a task without "p:" in its text has no parent.
    return {
        v
        for t in tasks
        if t.attrs and not t.done and "p:" in t.text
        for k, v in t.attrs
        if k == "p"
    }


def is_blocked(task: Task, blocked: set[str]) -> bool:
    return any(k == "id" and v in blocked for k, v in task.attrs)


def actionable(tasks: list[Task], today: date, blocked: set[str] | None = None) -> list[Task]:
    """Open tasks for "what to do now": not done, past their threshold, not blocked.

    ``blocked``: :func:`blocked_ids` of the whole list, when ``tasks`` is a part of it.
    """
    if blocked is None:
        blocked = blocked_ids(tasks)
    return [
        t
        for t in tasks
        if not t.done
        and t.text
        and (t.threshold is None or t.threshold <= today)  # t.visible_on(today), inlined
        and not (blocked and t.attrs and "id:" in t.text and is_blocked(t, blocked))
    ]


@dataclass(frozen=True)
class TaskFilter:
    context: str | None = None
    project: str | None = None
    priority: str | None = None
    search: str | None = None
    due_within: int | None = None
    include_done: bool = False
    include_hidden: bool = False

    def matches(self, task: Task, today: date) -> bool:
        if self.context and self.context.lstrip("@") not in (c[1:] for c in task.contexts):
            return False
        if self.project and self.project.lstrip("+") not in task.projects:
            return False
        if self.priority and (task.priority or "") != self.priority.upper():
            return False
        if self.search and self.search.casefold() not in task.raw.casefold():
            return False
        if self.due_within is not None:
            due = task.due
            if due is None or due > today + timedelta(days=self.due_within):
                return False
        return True


def filter_tasks(tasks: list[Task], flt: TaskFilter, today: date) -> list[Task]:
    """``--all`` keeps done and malformed lines; otherwise only actionable open tasks."""
    if flt.include_done:
        pool = tasks
    elif flt.include_hidden:
        pool = [t for t in tasks if not t.done]
    else:
        pool = actionable(tasks, today)
    return [t for t in pool if flt.matches(t, today)]


def sort_key(task: Task) -> tuple[object, ...]:
    """Priority first, then the nearest due date, then file order."""
    due = task.due
    return (task.priority or "~", due or date.max, task.line)


def _ready(found: list[Task], tasks: list[Task], today: date, ready: bool) -> list[Task]:
    """The actionable ones of ``found``, a part of ``tasks`` picked by due date.

    Filtering by date first and checking the few tasks left gives the same answer as filtering
    ``actionable(tasks)`` by date, without testing every task of a large file for actionability.
    """
    return found if ready else actionable(found, today, blocked_ids(tasks))


def overdue(tasks: list[Task], today: date, *, ready: bool = False) -> list[Task]:
    """Actionable tasks past their due date (``ready``: ``tasks`` is already actionable)."""
    found = [t for t in tasks if t.due and t.due < today]
    return sorted(_ready(found, tasks, today, ready), key=_by_due)


def due_today(tasks: list[Task], today: date, *, ready: bool = False) -> list[Task]:
    found = [t for t in tasks if t.due == today]
    return sorted(_ready(found, tasks, today, ready), key=sort_key)


def due_within(tasks: list[Task], today: date, days: int, *, ready: bool = False) -> list[Task]:
    """Due from tomorrow through ``today + days``, inclusive."""
    last = today + timedelta(days=days)
    found = [t for t in tasks if t.due and today < t.due <= last]
    return sorted(_ready(found, tasks, today, ready), key=_by_due)


@dataclass(frozen=True)
class Deadlines:
    """:func:`overdue`, :func:`due_today` and :func:`due_within` for each of ``windows``,
    found in one pass over the tasks."""

    overdue: list[Task]
    due_today: list[Task]
    due_within: dict[int, list[Task]]


def deadlines(
    tasks: list[Task], today: date, windows: Iterable[int], *, ready: bool = False
) -> Deadlines:
    windows = list(windows)
    last = today + timedelta(days=max(windows, default=0))
    late: list[Task] = []
    on_day: list[Task] = []
    soon: list[Task] = []
    found = [t for t in tasks if t.due is not None and t.due <= last]
    for t in _ready(found, tasks, today, ready):
        due = t.due
        if due is None:
            continue
        if due < today:
            late.append(t)
        elif due == today:
            on_day.append(t)
        else:
            soon.append(t)
    late.sort(key=_by_due)
    on_day.sort(key=sort_key)
    soon.sort(key=_by_due)  # by due date first: each window is a head of it
    within: dict[int, list[Task]] = {}
    for n in windows:
        end = today + timedelta(days=n)
        within[n] = [t for t in soon if t.due is not None and t.due <= end]
    return Deadlines(late, on_day, within)


def _by_due(task: Task) -> tuple[object, ...]:
    return (task.due or date.max, task.priority or "~", task.line)


def waiting(tasks: list[Task]) -> list[Task]:
    return [t for t in tasks if not t.done and t.is_waiting]


def waiting_since(task: Task) -> date | None:
    since = task.attr("since")
    if since:
        try:
            return date.fromisoformat(since)
        except ValueError:
            pass
    return task.creation_date


def stale_waiting(tasks: list[Task], today: date, days: int = DEFAULT_STALE_DAYS) -> list[Task]:
    """Waiting-for items older than ``days`` (from ``since:`` or the creation date)."""
    out = []
    for t in waiting(tasks):
        since = waiting_since(t)
        if since is not None and (today - since).days > days:
            out.append(t)
    return sorted(out, key=lambda t: (waiting_since(t) or date.min, t.line))


def open_by_context(tasks: list[Task]) -> dict[str, int]:
    """Open (not done) tasks per context; a task counts once in each of its contexts."""
    counts: dict[str, int] = {}
    for t in tasks:
        if t.contexts and not t.done and t.text:
            for context in t.contexts:
                counts[context] = counts.get(context, 0) + 1
    return dict(sorted(counts.items()))
