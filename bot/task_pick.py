"""Choosing tasks from Discord: autocomplete choices, button tokens, and reading what was typed.

A task is named in a button or an autocomplete value by ``line:hash`` (the hash of its raw
line), so a stale button never completes a different task that has moved onto that line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date

from shared.agent.degraded import matching_tasks
from shared.agent.render import readable
from shared.queries import TaskFilter, filter_tasks, sort_key
from shared.todo import Task

MAX_CHOICES = 25
CHOICE_MAX = 100
_TOKEN_RE = re.compile(r"^(\d{1,6}):([0-9a-f]{10})$")
_NUMBER_RE = re.compile(r"^#?(\d{1,6})$")
_TAG_RE = re.compile(r"(?<!\S)([@+])([^\s@+]+)")


def raw_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:10]


def task_token(task: Task) -> str:
    return f"{task.line}:{raw_hash(task.raw)}"


def open_tasks(tasks: Sequence[Task]) -> list[Task]:
    return [t for t in tasks if not t.done and t.text]


def by_token(tasks: Sequence[Task], token: str) -> Task | None:
    """The open task a token names: at its line if unchanged, else wherever its line went."""
    m = _TOKEN_RE.match(token)
    if not m:
        return None
    line, digest = int(m[1]), m[2]
    candidates = [t for t in open_tasks(tasks) if raw_hash(t.raw) == digest]
    at_line = [t for t in candidates if t.line == line]
    if at_line:
        return at_line[0]
    return candidates[0] if len(candidates) == 1 else None


def find_open(tasks: Sequence[Task], typed: str) -> list[Task]:
    """The open tasks ``typed`` may mean: a token, ``#12``/``12``, or words of the task."""
    typed = typed.strip()
    found = by_token(tasks, typed)
    if found is not None:
        return [found]
    m = _NUMBER_RE.match(typed)
    if m:
        return [t for t in open_tasks(tasks) if t.line == int(m[1])]
    return matching_tasks(list(tasks), typed) if typed else []


def done_choices(tasks: Sequence[Task], typed: str, today: date) -> list[tuple[str, str]]:
    """(name, value) choices for ``/done``: open tasks matching ``typed``, most urgent first."""
    pool = sorted(open_tasks(tasks), key=sort_key)
    words = typed.casefold().split()
    if words:
        pool = [t for t in pool if all(w in readable(t.raw).casefold() for w in words)]
    out = []
    for task in pool[:MAX_CHOICES]:
        name = f"#{task.line} {readable(task.text)}"
        if task.due is not None and task.due <= today:
            name = f"{name} (due {task.due:%d %b})"
        out.append((_clip(name), task_token(task)))
    return out


def known_tags(tasks: Sequence[Task], projects: Sequence[str]) -> tuple[list[str], list[str]]:
    """(projects without ``+``, contexts without ``@``) used by open tasks or projects.txt."""
    slugs = {p for t in open_tasks(tasks) for p in t.projects} | set(projects)
    contexts = {c.lstrip("@") for t in open_tasks(tasks) for c in t.contexts}
    return sorted(slugs, key=str.casefold), sorted(contexts, key=str.casefold)


def add_choices(typed: str, projects: Sequence[str], contexts: Sequence[str]) -> list[str]:
    """Completions of the ``+project`` or ``@context`` being typed at the end of ``typed``."""
    if len(typed) > CHOICE_MAX - 10:
        return [typed[:CHOICE_MAX]] if typed.strip() else []
    m = re.search(r"(?:^|\s)([@+])([^\s@+]*)$", typed)
    if not m:
        return [typed] if typed.strip() else []
    sigil, start = m[1], m[2].casefold()
    names = projects if sigil == "+" else contexts
    head = typed[: m.start(1)]
    out = [head + sigil + n for n in names if n.casefold().startswith(start)]
    return [c for c in out if len(c) <= CHOICE_MAX][:MAX_CHOICES]


def parse_filter(text: str) -> tuple[TaskFilter, str]:
    """``@phone +house (A) words`` → a filter and its label (``open`` when empty)."""
    context = project = priority = None
    rest = []
    for word in text.split():
        if word[:1] == "@" and len(word) > 1:
            context = word[1:]
        elif word[:1] == "+" and len(word) > 1:
            project = word[1:]
        elif re.fullmatch(r"\(?[A-Za-z]\)?", word) and len(word) == 3:
            priority = word[1].upper()
        else:
            rest.append(word)
    search = " ".join(rest) or None
    flt = TaskFilter(context=context, project=project, priority=priority, search=search)
    label = text.strip() or "open"
    return flt, label


def select(tasks: Sequence[Task], flt: TaskFilter, today: date) -> list[Task]:
    return sorted(filter_tasks(list(tasks), flt, today), key=sort_key)


def _clip(text: str) -> str:
    return text if len(text) <= CHOICE_MAX else text[: CHOICE_MAX - 1] + "…"
