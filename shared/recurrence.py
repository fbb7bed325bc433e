"""``rec:`` recurrence as topydo defines it: completing a task adds its next occurrence."""

from __future__ import annotations

import re
from datetime import date

from shared.dates import add_offset
from shared.todo import Task, render_task, set_attribute

_REC_RE = re.compile(r"^(\+?)(\d+)([dbwmy])$")


class RecurrenceError(ValueError):
    pass


def next_occurrence(task: Task, completed_on: date) -> str | None:
    """The todo.txt line of the next occurrence, or ``None`` if the task does not recur.

    ``rec:Nu`` counts from the completion day; ``rec:+Nu`` (strict) from the old due date.
    The new due date is set; a ``t:`` threshold keeps its distance to the due date; the new
    task is created on the completion day and keeps the priority.
    """
    pattern = task.recurrence
    if pattern is None:
        return None
    m = _REC_RE.match(pattern)
    if not m:
        raise RecurrenceError(f"invalid recurrence rec:{pattern} (use e.g. rec:1w or rec:+2m)")
    strict, count, unit = m.group(1) == "+", int(m.group(2)), m.group(3)
    old_due = task.due
    base = old_due if strict and old_due else completed_on
    new_due = add_offset(base, count, unit)
    text = set_attribute(task.text, "due", new_due.isoformat())
    threshold = task.threshold
    if threshold is not None:
        if old_due is not None:
            new_threshold = new_due - (old_due - threshold)
        else:
            new_threshold = add_offset(threshold if strict else completed_on, count, unit)
        text = set_attribute(text, "t", new_threshold.isoformat())
    priority = task.priority or task.attr("pri")
    if priority and task.attr("pri"):
        text = set_attribute(text, "pri", None)
    return render_task(text, priority=priority, creation_date=completed_on)
