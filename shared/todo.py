"""todo.txt: parse one line into a :class:`Task`, and render edited tasks back.

Parsing never fails: a line it cannot fully understand still yields a Task whose
``problems`` say what was wrong, and its ``raw`` text is what gets written back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_DATE = r"\d{4}-\d{2}-\d{2}"
_DONE_RE = re.compile(rf"^x (?:({_DATE}) (?:({_DATE}) )?)?")
_PRIORITY_RE = re.compile(r"^\(([A-Z])\) ")
_CREATED_RE = re.compile(rf"^({_DATE})(?: |$)")
_ATTR_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):(\S+)$")
_WAITING = "@waiting"


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def is_attribute(word: str) -> tuple[str, str] | None:
    """``key:value`` with a letter-led key; ``https://x`` and ``12:30`` are not attributes."""
    m = _ATTR_RE.match(word)
    if not m or m.group(2).startswith("//"):
        return None
    return m.group(1), m.group(2)


@dataclass(frozen=True)
class Task:
    """One todo.txt line. ``line`` is 1-based; ``raw`` is the exact line text (no ending)."""

    raw: str
    line: int = 0
    done: bool = False
    priority: str | None = None
    completion_date: date | None = None
    creation_date: date | None = None
    text: str = ""
    projects: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def attributes(self) -> dict[str, str | list[str]]:
        out: dict[str, str | list[str]] = {}
        for key, value in self.attrs:
            if key in out:
                prev = out[key]
                out[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
            else:
                out[key] = value
        return out

    def attr(self, key: str) -> str | None:
        for k, v in self.attrs:
            if k == key:
                return v
        return None

    def attr_all(self, key: str) -> list[str]:
        return [v for k, v in self.attrs if k == key]

    @property
    def due(self) -> date | None:
        return parse_date(self.attr("due"))

    @property
    def threshold(self) -> date | None:
        return parse_date(self.attr("t"))

    @property
    def recurrence(self) -> str | None:
        return self.attr("rec")

    @property
    def malformed(self) -> bool:
        return bool(self.problems)

    @property
    def is_waiting(self) -> bool:
        return _WAITING in self.contexts

    def visible_on(self, today: date) -> bool:
        """False while the ``t:`` threshold lies in the future."""
        threshold = self.threshold
        return threshold is None or threshold <= today

    @property
    def description(self) -> str:
        """The text without tags and attributes: what a person reads."""
        words = [
            w
            for w in self.text.split()
            if not (w[:1] in "+@" and len(w) > 1) and is_attribute(w) is None
        ]
        return " ".join(words)

    def to_json(self) -> dict[str, object]:
        return {
            "line": self.line,
            "raw": self.raw,
            "done": self.done,
            "priority": self.priority,
            "completion_date": _iso(self.completion_date),
            "creation_date": _iso(self.creation_date),
            "text": self.text,
            "projects": list(self.projects),
            "contexts": list(self.contexts),
            "attributes": self.attributes,
            "due": _iso(self.due),
            "threshold": _iso(self.threshold),
            "recurrence": self.recurrence,
            "malformed": self.malformed,
            "problems": list(self.problems),
        }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def is_task_line(raw: str) -> bool:
    """Blank lines and ``#`` comment lines are kept but are not tasks."""
    stripped = raw.strip()
    return bool(stripped) and not stripped.startswith("#")


def parse_task(raw: str, line: int = 0) -> Task:
    rest = raw.lstrip("\ufeff")
    problems: list[str] = []
    done = False
    completion = creation = None
    priority = None
    m = _DONE_RE.match(rest)
    if m:
        done = True
        completion_s, creation_s = m.group(1), m.group(2)
        completion = parse_date(completion_s)
        creation = parse_date(creation_s)
        if completion_s and completion is None:
            problems.append(f"invalid completion date {completion_s}")
        if creation_s and creation is None:
            problems.append(f"invalid creation date {creation_s}")
        rest = rest[m.end() :]
    elif rest == "x":
        done, rest = True, ""
    else:
        pm = _PRIORITY_RE.match(rest)
        if pm:
            priority = pm.group(1)
            rest = rest[pm.end() :]
        cm = _CREATED_RE.match(rest)
        if cm:
            creation = parse_date(cm.group(1))
            if creation is None:
                problems.append(f"invalid creation date {cm.group(1)}")
            rest = rest[cm.end() :]
    text = rest.strip()
    projects: list[str] = []
    contexts: list[str] = []
    attrs: list[tuple[str, str]] = []
    for word in text.split():
        if len(word) > 1 and word[0] == "+":
            projects.append(word[1:])
        elif len(word) > 1 and word[0] == "@":
            contexts.append(word[1:])
        else:
            kv = is_attribute(word)
            if kv:
                attrs.append(kv)
    for key, value in attrs:
        if key in ("due", "t") and parse_date(value) is None:
            problems.append(f"invalid date in {key}:{value}")
        elif key == "rec" and not _REC_RE.match(value):
            problems.append(f"invalid recurrence rec:{value}")
    if not text:
        problems.append("empty task")
    return Task(
        raw=raw,
        line=line,
        done=done,
        priority=priority,
        completion_date=completion,
        creation_date=creation,
        text=text,
        projects=tuple(dict.fromkeys(projects)),
        contexts=tuple(dict.fromkeys("@" + c for c in contexts)),
        attrs=tuple(attrs),
        problems=tuple(problems),
    )


_REC_RE = re.compile(r"^\+?\d+[dbwmy]$")


def render_task(
    text: str,
    *,
    done: bool = False,
    priority: str | None = None,
    completion_date: date | None = None,
    creation_date: date | None = None,
) -> str:
    parts: list[str] = []
    if done:
        parts.append("x")
        if completion_date:
            parts.append(completion_date.isoformat())
    elif priority:
        parts.append(f"({priority})")
    if creation_date and (not done or completion_date):
        parts.append(creation_date.isoformat())
    parts.append(text)
    return " ".join(p for p in parts if p)


def set_attribute(text: str, key: str, value: str | None) -> str:
    """Set (or with ``None`` remove) the first ``key:`` attribute in ``text``, in place."""
    words = text.split(" ")
    for i, word in enumerate(words):
        kv = is_attribute(word)
        if kv and kv[0] == key:
            if value is None:
                del words[i]
            else:
                words[i] = f"{key}:{value}"
            return " ".join(words)
    if value is None:
        return text
    return f"{text} {key}:{value}" if text else f"{key}:{value}"
