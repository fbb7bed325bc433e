"""The task page's filter: read from the query string, so a filtered view can be bookmarked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from shared import queries
from shared.todo import Task

MAX_SEARCH_CHARS = 200
PAGE_SIZE = 60
DUE_CHOICES = {
    "": "any time",
    "overdue": "overdue",
    "today": "by today",
    "3": "within 3 days",
    "7": "within a week",
    "30": "within a month",
}
SHOW_CHOICES = {"open": "actionable", "hidden": "open, incl. later", "all": "everything"}
_PRIORITY_RE = re.compile(r"^[A-Z]$")
_TAG_RE = re.compile(r"^[^\s]{1,100}$")


@dataclass(frozen=True)
class ListFilter:
    """What the owner asked for, cleaned; ``notes`` say which values were ignored and why."""

    q: str = ""
    project: str = ""
    context: str = ""
    priority: str = ""
    due: str = ""
    show: str = "open"
    notes: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ListFilter:
        notes: list[str] = []
        q = " ".join(args.get("q", "").split())
        if len(q) > MAX_SEARCH_CHARS:
            notes.append(f"The search text was cut to {MAX_SEARCH_CHARS} characters.")
            q = q[:MAX_SEARCH_CHARS]
        project = _tag(args.get("project", ""), "+", "project", notes)
        context = _tag(args.get("context", ""), "@", "context", notes)
        priority = args.get("priority", "").strip().upper()
        if priority and not _PRIORITY_RE.match(priority):
            notes.append(f"Ignored the priority {priority[:20]!r}: use a letter A–Z.")
            priority = ""
        due = args.get("due", "").strip()
        if due not in DUE_CHOICES:
            notes.append(f"Ignored the due filter {due[:20]!r}.")
            due = ""
        show = args.get("show", "open").strip() or "open"
        if show not in SHOW_CHOICES:
            notes.append(f"Ignored show={show[:20]!r}.")
            show = "open"
        return cls(q, project, context, priority, due, show, tuple(notes))

    def query_string(self) -> str:
        pairs = {
            "q": self.q,
            "project": self.project,
            "context": self.context,
            "priority": self.priority,
            "due": self.due,
            "show": "" if self.show == "open" else self.show,
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    @property
    def active(self) -> bool:
        return bool(self.query_string())

    def pool(self, tasks: list[Task], today: date) -> list[Task]:
        """Every task ``show`` allows, most urgent first (the same for any other filter value,
        so it can be reused while the file is unchanged)."""
        if self.show == "all":
            found = [t for t in tasks if t.text or t.done]
        elif self.show == "hidden":
            found = [t for t in tasks if not t.done and t.text]
        else:
            found = queries.actionable(tasks, today)
        return sorted(found, key=_order)

    def select(self, pool: list[Task], today: date) -> list[Task]:
        """The tasks of ``pool`` that match the rest of the filter, in ``pool``'s order."""
        due_within = None
        if self.due == "today":
            due_within = 0
        elif self.due.isdigit():
            due_within = int(self.due)
        flt = queries.TaskFilter(
            context=self.context or None,
            project=self.project or None,
            priority=self.priority or None,
            search=self.q or None,
            due_within=due_within,
        )
        if flt == queries.TaskFilter() and self.due != "overdue":
            return pool
        found = [t for t in pool if flt.matches(t, today)]
        if self.due == "overdue":
            found = [t for t in found if t.due is not None and t.due < today]
        return found


def _order(task: Task) -> tuple[object, ...]:
    return (task.done, *queries.sort_key(task))


def _tag(value: str, sigil: str, what: str, notes: list[str]) -> str:
    value = value.strip().lstrip(sigil)
    if value and not _TAG_RE.match(value):
        notes.append(f"Ignored the {what} filter: it cannot contain spaces.")
        return ""
    return value
