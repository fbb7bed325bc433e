"""goals/YYYY-Qn.md: the goals of one quarter.

```
# 2026 Q4

## q4-revenue: Reach 5k monthly freelance revenue
Supports: telos G2
- [x] Sign ACME
- [ ] Two more clients
```

Each level-2 heading ``## id: title`` is a goal; the checklist items under it (at any depth,
until the next level-1 or level-2 heading) are its key results; ``Supports:`` lines name the
telos goals it serves. The file is only read, never edited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from shared.lines import LineDoc, encode
from shared.telos import heading, is_telos_id

_GOAL_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)\s*:\s*(.*)$")
_CHECK_RE = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+\[([ xX])\](?:\s+(.*))?$")
_SUPPORTS_RE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?supports\s*:(?:\*\*|__)?\s*(.*)$", re.IGNORECASE
)
_SPLIT_RE = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class KeyResult:
    text: str
    done: bool
    line: int


@dataclass(frozen=True)
class Goal:
    """One quarterly goal. ``line`` is the 1-based line of its heading."""

    id: str
    title: str
    supports: tuple[str, ...] = ()
    key_results: list[KeyResult] = field(default_factory=list)
    line: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "supports": list(self.supports),
            "key_results": [
                {"text": kr.text, "done": kr.done, "line": kr.line} for kr in self.key_results
            ],
            "line": self.line,
        }


@dataclass(frozen=True)
class Quarter:
    """A quarter's goals file; ``title`` is its level-1 heading, if any."""

    title: str | None = None
    goals: list[Goal] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def find(self, goal_id: str) -> Goal | None:
        for goal in self.goals:
            if goal.id.casefold() == goal_id.casefold():
                return goal
        return None


def quarter_of(day: date) -> str:
    """``2026-11-23`` → ``"2026-Q4"``."""
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def quarter_file(day: date, goals_dir: str = "goals") -> str:
    """The goals file of the quarter holding ``day`` (today in the owner's timezone)."""
    return f"{goals_dir.rstrip('/')}/{quarter_of(day)}.md"


def quarter_bounds(day: date) -> tuple[date, date]:
    """First and last day of the quarter holding ``day``."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def parse_supports(text: str) -> tuple[str, ...]:
    """``"telos G1, G2"`` or ``"G1 and G3"`` → ``("G1", "G2")``; other words are ignored."""
    words = [w.strip("*_().") for w in _SPLIT_RE.split(text)]
    return tuple(dict.fromkeys(w for w in words if is_telos_id(w)))


@dataclass
class _Draft:
    id: str
    title: str
    line: int
    supports: list[str] = field(default_factory=list)
    key_results: list[KeyResult] = field(default_factory=list)

    def build(self) -> Goal:
        return Goal(
            self.id, self.title, tuple(dict.fromkeys(self.supports)), self.key_results, self.line
        )


def parse_goals(data: bytes) -> Quarter:
    doc = LineDoc.from_bytes(data)
    title: str | None = None
    goals: list[Goal] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    current: _Draft | None = None
    for number, raw in enumerate(doc.lines, 1):
        text = encode(raw).decode("utf-8", "replace")
        head = heading(text)
        if head and head[0] <= 2:
            if current:
                goals.append(current.build())
                current = None
            level, heading_text = head
            if level == 1:
                title = title if title is not None else heading_text
                continue
            m = _GOAL_RE.match(heading_text)
            if not m:
                problems.append(f"line {number}: heading {heading_text!r} is not '## id: title'")
                continue
            goal_id, goal_title = m.group(1), m.group(2).strip()
            key = goal_id.casefold()
            if key in seen:
                problems.append(
                    f"line {number}: goal id {goal_id} already used on line {seen[key]}"
                )
            else:
                seen[key] = number
            if not goal_title:
                problems.append(f"line {number}: goal {goal_id} has no title")
            current = _Draft(goal_id, goal_title, number)
            continue
        if current is None:
            continue
        check = _CHECK_RE.match(text)
        if check:
            done = check.group(1) in "xX"
            current.key_results.append(KeyResult((check.group(2) or "").strip(), done, number))
            continue
        supports = _SUPPORTS_RE.match(text)
        if supports:
            current.supports.extend(parse_supports(supports.group(1)))
    if current:
        goals.append(current.build())
    return Quarter(title=title, goals=goals, problems=problems)
