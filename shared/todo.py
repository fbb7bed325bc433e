"""todo.txt: parse one line into a :class:`Task`, and render edited tasks back.

Parsing never fails: a line it cannot fully understand still yields a Task whose
``problems`` say what was wrong, and its ``raw`` text is what gets written back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

_DATE = r"\d{4}-\d{2}-\d{2}"
_DONE_RE = re.compile(rf"^x (?:({_DATE})(?: |$)(?:({_DATE})(?: |$))?)?")
_PRIORITY_RE = re.compile(r"^\(([A-Z])\)(?: |\s*$)")
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

    @cached_property
    def due(self) -> date | None:
        return parse_date(self.attr("due"))

    @cached_property
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


def parse_task(raw: str, line: int = 0, *, memo: dict[str, Any] | None = None) -> Task:
    """Parse one line. ``memo``, shared by the lines of one file, lets a tag or attribute that
    repeats be parsed once and its tuple shared; the result is the same without it."""
    rest = raw.lstrip("\ufeff") if raw[:1] == "\ufeff" else raw
    problems: list[str] = []
    done = False
    completion = creation = None
    priority = None
    # The first character decides which of the head regexes can match at all.
    first = rest[:1]
    if first == "x":
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
        if first == "(":
            pm = _PRIORITY_RE.match(rest)
            if pm:
                priority = pm.group(1)
                rest = rest[pm.end() :]
        if rest[:1].isdigit():
            cm = _CREATED_RE.match(rest)
            if cm:
                creation = parse_date(cm.group(1))
                if creation is None:
                    problems.append(f"invalid creation date {cm.group(1)}")
                rest = rest[cm.end() :]
    text = rest.strip()
    projects, contexts, attrs = _tags(text, {} if memo is None else memo)
    due = threshold = _UNSEEN
    for key, value in attrs:
        if key == "due" or key == "t":
            when = parse_date(value)
            if when is None:
                problems.append(f"invalid date in {key}:{value}")
            # The first due: and t: are the task's (as Task.due and Task.threshold read them).
            if key == "due":
                if due is _UNSEEN:
                    due = when
            elif threshold is _UNSEEN:
                threshold = when
        elif key == "rec" and not _REC_RE.match(value):
            problems.append(f"invalid recurrence rec:{value}")
    if not text:
        problems.append("empty task")
    # Built field by field rather than through Task(...): a frozen dataclass's __init__ sets
    # each field with object.__setattr__, which is a third of the time of parsing a large file.
    # The same object results (tests compare the two). The due and threshold dates, parsed just
    # now, go where their cached properties would keep them.
    task = _new_task(Task)
    fields = task.__dict__
    fields["raw"] = raw
    fields["line"] = line
    fields["done"] = done
    fields["priority"] = priority
    fields["completion_date"] = completion
    fields["creation_date"] = creation
    fields["text"] = text
    fields["projects"] = projects
    fields["contexts"] = contexts
    fields["attrs"] = attrs
    fields["problems"] = tuple(problems)
    fields["due"] = None if due is _UNSEEN else due
    fields["threshold"] = None if threshold is _UNSEEN else threshold
    return task


_new_task = object.__new__


def parse_head(raw: str) -> tuple[bool, date | None, date | None, str]:
    """What :func:`parse_task` reads of a line's head — done, the completion and creation
    dates — and the text after it, without the tags, attributes and problems (for a reader
    that needs no more; a test checks that the two agree)."""
    rest = raw.lstrip("\ufeff") if raw[:1] == "\ufeff" else raw
    first = rest[:1]
    if first == "x":
        m = _DONE_RE.match(rest)
        if m:
            return True, parse_date(m.group(1)), parse_date(m.group(2)), rest[m.end() :].strip()
        return rest == "x", None, None, "" if rest == "x" else rest.strip()
    if first == "(":
        pm = _PRIORITY_RE.match(rest)
        if pm:
            rest = rest[pm.end() :]
    creation = None
    if rest[:1].isdigit():
        cm = _CREATED_RE.match(rest)
        if cm:
            creation = parse_date(cm.group(1))
            rest = rest[cm.end() :]
    return False, None, creation, rest.strip()


_NO_TAGS: tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]] = ((), (), ())
_UNSEEN = object()


def _tags(
    text: str, memo: dict[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Projects (deduplicated), contexts (with ``@``, deduplicated) and attributes, in order."""
    if "+" not in text and "@" not in text and ":" not in text:
        return _NO_TAGS
    projects: list[str] = []
    contexts: list[str] = []
    attrs: list[tuple[str, str]] = []
    for word in text.split():
        first = word[0]
        if first == "+" or first == "@":
            if len(word) > 1:
                (projects if first == "+" else contexts).append(word)
        elif ":" in word:
            kv = memo.get(word, _UNSEEN)
            if kv is _UNSEEN:
                kv = memo[word] = is_attribute(word)
            if kv is not None:
                attrs.append(kv)
    return _tag_tuple(projects, 1, memo), _tag_tuple(contexts, 0, memo), tuple(attrs)


def _tag_tuple(words: list[str], skip: int, memo: dict[str, Any]) -> tuple[str, ...]:
    if not words:
        return ()
    if len(words) == 1:
        word = words[0]
        one: tuple[str, ...] | None = memo.get(word)
        if one is None:
            one = memo[word] = (word[skip:],)
        return one
    return tuple(dict.fromkeys(w[skip:] for w in words))


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
