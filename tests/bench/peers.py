"""The benchmarked operations done with the peer libraries, each through its own public API.

- pytodotxt 3.x: ``TodoTxtParser`` / ``TodoTxt`` / ``Task``.
- topydo 0.16: ``Todo`` (its line parser), ``TodoList``, ``TodoFile``, ``PrettyPrinter``.
  topydo reads a global configuration; :func:`init_topydo` makes it use its defaults only,
  never a ``~/.topydo`` of whoever runs the benchmark. Its ``TodoList`` refuses lists of more
  than about 16,800 items (the table behind its text ids is too small), so on the 100,000-line
  file topydo's figure is its line parser over every line: the parsing part of loading a list.

"Due within N days" is written with each library's own accessors, with our semantics: open,
past its ``t:`` threshold, not blocked by an open ``p:`` child, due from tomorrow through
today + N; sorted by due date, priority, line.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytodotxt
from topydo.lib.Config import config as topydo_config
from topydo.lib.printers.PrettyPrinter import PrettyPrinter
from topydo.lib.Todo import Todo
from topydo.lib.TodoFile import TodoFile
from topydo.lib.TodoList import TodoList

_NON_BLANK = re.compile(r"\S")


def init_topydo() -> None:
    topydo_config(os.devnull)


def _iso(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# --- pytodotxt ---------------------------------------------------------------------------


def pytodotxt_parse(data: bytes) -> list[Any]:
    """What ``TodoTxt.parse()`` does, from bytes in memory instead of a path."""
    todotxt = pytodotxt.TodoTxt(os.devnull)
    for task in todotxt.parser.parse(data):
        task.todotxt = todotxt
        task.serializer = todotxt.serializer
        todotxt.tasks.append(task)
    return todotxt.tasks


def pytodotxt_serialize(tasks: list[Any]) -> bytes:
    todotxt = pytodotxt.TodoTxt(os.devnull)
    todotxt.tasks = tasks
    todotxt.linesep = "\n"
    out = io.BytesIO()
    todotxt.write_to_stream(out)
    return out.getvalue()


def pytodotxt_due_within(tasks: list[Any], today: date, days: int) -> list[Any]:
    last = today + timedelta(days=days)
    blocked = {p for t in tasks if not t.is_completed for p in t.attributes.get("p", ())}
    found = []
    for t in tasks:
        if t.is_completed:
            continue
        attrs = t.attributes
        due = _iso(attrs["due"][0]) if "due" in attrs else None
        if due is None or not today < due <= last:
            continue
        threshold = _iso(attrs["t"][0]) if "t" in attrs else None
        if threshold is not None and threshold > today:
            continue
        if any(i in blocked for i in attrs.get("id", ())):
            continue
        found.append((due, t.priority or "~", t.linenr, t))
    found.sort(key=lambda row: row[:3])
    return [row[3] for row in found]


def pytodotxt_complete(path: Path, linenr: int, today: date) -> None:
    """Load the file, mark the task at (0-based) ``linenr`` done today, save it."""
    todotxt = pytodotxt.TodoTxt(path)
    todotxt.parse()
    task = next(t for t in todotxt.tasks if t.linenr == linenr)
    task.is_completed = True
    task.completion_date = today
    todotxt.save()


def pytodotxt_linenr(path: Path, raw: str) -> int:
    """pytodotxt's line number of ``raw`` in the file as it is now (its saves drop blanks)."""
    return path.read_text("utf-8").rstrip().split("\n").index(raw)


# --- topydo ------------------------------------------------------------------------------


def topydo_parse(data: bytes) -> list[Todo]:
    """What loading a ``TodoList`` does to parse: one ``Todo`` per line, blank lines dropped."""
    todos = [Todo(src) for src in data.decode("utf-8").splitlines(True)]
    return [t for t in todos if _NON_BLANK.search(t.source())]


def topydo_serialize(todos: list[Todo]) -> bytes:
    """``TodoListBase.print_todos()`` and the newline ``TodoFile.write`` adds."""
    text = "\n".join(str(s) for s in PrettyPrinter().print_list(todos))
    return (text + "\n").encode("utf-8")


def topydo_due_within(todos: list[Todo], today: date, days: int) -> list[Todo]:
    last = today + timedelta(days=days)
    blocked = {p for t in todos if not t.is_completed() for p in t.tag_values("p")}
    found = []
    for line, t in enumerate(todos):
        if t.is_completed():
            continue
        due = t.due_date()
        if due is None or not today < due <= last:
            continue
        start = t.start_date()
        if start is not None and start > today:
            continue
        if any(i in blocked for i in t.tag_values("id")):
            continue
        found.append((due, t.priority() or "~", line, t))
    found.sort(key=lambda row: row[:3])
    return [row[3] for row in found]


def topydo_complete(path: Path, number: int, today: date) -> None:
    """What ``topydo do NUMBER`` does for a task without recurrence or children."""
    todofile = TodoFile(str(path))
    todolist = TodoList(todofile.read())
    todo = todolist.todo(str(number))
    todolist.set_todo_completed(todo, today)
    todofile.write(todolist.print_todos())


def topydo_number(path: Path, raw: str) -> int:
    """topydo's number of ``raw`` in the file as it is now (it numbers non-blank lines)."""
    lines = [s for s in path.read_text("utf-8").splitlines() if _NON_BLANK.search(s)]
    return lines.index(raw) + 1
