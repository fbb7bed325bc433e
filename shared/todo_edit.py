"""Edits of todo.txt lines on a :class:`LineDoc`; each touches only the lines it is about."""

from __future__ import annotations

import re
from datetime import date

from shared.dates import resolve_date
from shared.lines import LineDoc
from shared.recurrence import next_occurrence
from shared.todo import Task, is_attribute, is_task_line, parse_task, render_task, set_attribute

MAX_TASK_CHARS = 2000
_DATE_KEYS = ("due", "t")
_PRIORITY_RE = re.compile(r"^[A-Z]$")


class TaskEditError(ValueError):
    pass


def clean_text(text: str) -> str:
    if not isinstance(text, str):
        raise TaskEditError("task text must be a string")
    if "\n" in text or "\r" in text:
        raise TaskEditError("a task is one line: remove the line break")
    if "\x00" in text:
        raise TaskEditError("task text contains a NUL byte")
    text = text.strip()
    if not text:
        raise TaskEditError("the task text is empty")
    if len(text) > MAX_TASK_CHARS:
        raise TaskEditError(f"the task text is too long ({len(text)} > {MAX_TASK_CHARS} chars)")
    return text


def resolve_relative_dates(text: str, today: date) -> str:
    """Turn ``due:friday`` / ``t:3d`` into ISO dates; an unknown value is an error."""
    words = text.split(" ")
    for i, word in enumerate(words):
        kv = is_attribute(word)
        if not kv or kv[0] not in _DATE_KEYS:
            continue
        resolved = resolve_date(kv[1], today)
        if resolved is None:
            raise TaskEditError(f"{word}: not a date (use YYYY-MM-DD, today, tomorrow, fri, 3d…)")
        words[i] = f"{kv[0]}:{resolved.isoformat()}"
    return " ".join(words)


def new_task_line(text: str, today: date) -> str:
    """A new open task: relative dates resolved, creation date added when missing."""
    text = resolve_relative_dates(clean_text(text), today)
    task = parse_task(text)
    if task.done:
        return text
    if task.creation_date is None:
        return render_task(task.text, priority=task.priority, creation_date=today)
    return text


def add_task(doc: LineDoc, text: str, today: date) -> int:
    doc.append(new_task_line(text, today))
    return len(doc.lines) - 1


def completed_line(task: Task, today: date) -> str:
    text = task.text
    if task.priority:
        text = set_attribute(text, "pri", task.priority)
    return render_task(text, done=True, completion_date=today, creation_date=task.creation_date)


def complete_task(doc: LineDoc, index: int, today: date) -> list[int]:
    """Mark done in place; a recurring task adds its next occurrence at the end."""
    task = parse_task(doc.lines[index], index + 1)
    if task.done:
        raise TaskEditError(f"line {index + 1} is already done")
    following = next_occurrence(task, today)
    doc.replace(index, completed_line(task, today))
    touched = [index]
    if following is not None:
        doc.append(following)
        touched.append(len(doc.lines) - 1)
    return touched


def edit_task(doc: LineDoc, index: int, new_text: str, today: date) -> int:
    doc.replace(index, resolve_relative_dates(clean_text(new_text), today))
    return index


#: Attributes a task has one of: appending one the task already has changes its value.
_SINGLE_ATTRIBUTES = ("due", "t", "rec")


def appended(raw: str, words: str) -> str:
    """``raw`` with ``words`` added at the end; ``due:``, ``t:`` and ``rec:`` the task already
    has are changed in place instead (a second ``due:`` would be ignored: the first one counts).
    """
    text = raw.rstrip()
    has = {kv[0] for kv in map(is_attribute, text.split()) if kv}
    extra = []
    for word in words.split():
        kv = is_attribute(word)
        if kv and kv[0] in _SINGLE_ATTRIBUTES and kv[0] in has:
            text = set_attribute(text, kv[0], kv[1])
        else:
            extra.append(word)
    return " ".join([text, *extra])


def delete_task(doc: LineDoc, index: int) -> str:
    raw = doc.lines[index]
    doc.delete(index)
    return raw


def prioritize_task(doc: LineDoc, index: int, priority: str | None) -> int:
    if priority is not None:
        priority = priority.strip().strip("()").upper() or None
    if priority is not None and not _PRIORITY_RE.match(priority):
        raise TaskEditError(f"invalid priority {priority!r}: use a letter A–Z, or none")
    task = parse_task(doc.lines[index], index + 1)
    if task.done:
        raise TaskEditError(f"line {index + 1} is done; reopen it before changing its priority")
    doc.replace(
        index, render_task(task.text, priority=priority, creation_date=task.creation_date)
    )
    return index


def archive_done(todo: LineDoc, done: LineDoc) -> list[str]:
    """Move every done task from ``todo`` to the end of ``done``; returns the moved lines."""
    moved: list[str] = []
    for index in range(len(todo.lines) - 1, -1, -1):
        raw = todo.lines[index]
        if is_task_line(raw) and parse_task(raw).done:
            moved.append(raw)
            todo.delete(index)
    moved.reverse()
    for raw in moved:
        done.append(raw)
    return moved
