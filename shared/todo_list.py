"""A whole todo.txt file: its tasks with line numbers, and finding the task an edit means."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from shared.gc_pause import collector_paused
from shared.lines import LineDoc
from shared.todo import Task, is_task_line, parse_head, parse_task


class TaskNotFoundError(ValueError):
    pass


def tasks_of(doc: LineDoc) -> list[Task]:
    memo: dict[str, Any] = {}
    with collector_paused():
        return [
            parse_task(raw, i, memo=memo) for i, raw in enumerate(doc.lines, 1) if is_task_line(raw)
        ]


def parse_tasks(data: bytes) -> list[Task]:
    """Every task in a todo.txt file (blank and ``#`` comment lines are not tasks)."""
    return tasks_of(LineDoc.from_bytes(data))


class ProjectMark(NamedTuple):
    """A task line that names projects, as project progress reads it (the fields it shares
    with :class:`~shared.todo.Task` are equal to the parsed task's)."""

    projects: tuple[str, ...]
    done: bool
    completion_date: date | None
    creation_date: date | None
    line: int


def parse_project_marks(data: bytes) -> list[ProjectMark]:
    """The tasks of a file that name a project, read only as far as project progress needs:
    for a done.txt, whose tasks are counted and not listed, in a fraction of the time of
    :func:`parse_tasks`."""
    marks = []
    for i, raw in enumerate(LineDoc.from_bytes(data).lines, 1):
        if "+" not in raw or not is_task_line(raw):
            continue
        done, completion, creation, text = parse_head(raw)
        projects = tuple(dict.fromkeys([w[1:] for w in text.split() if w[0] == "+" and w[1:]]))
        if projects:
            marks.append(ProjectMark(projects, done, completion, creation, i))
    return marks


def find_task(doc: LineDoc, line: int, raw: str | None = None) -> int:
    """The 0-based index of the task at 1-based ``line``.

    With ``raw`` (the text the caller saw), a line that no longer holds it is looked up by its
    exact text, so a hand edit that shifted lines meanwhile does not redirect the change.
    """
    index = line - 1
    if raw is None:
        if not 0 <= index < len(doc.lines) or not is_task_line(doc.lines[index]):
            raise TaskNotFoundError(f"no task on line {line} of todo.txt")
        return index
    if 0 <= index < len(doc.lines) and doc.lines[index] == raw:
        return index
    matches = [i for i, text in enumerate(doc.lines) if text == raw]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise TaskNotFoundError(f"the task {raw!r} is no longer in todo.txt (edited meanwhile?)")
    raise TaskNotFoundError(f"the task {raw!r} appears {len(matches)} times; give its line number")
