"""telos.md: free markdown (mission, problems, goals, strategies…) with optional item ids.

An item id is a short tag like ``G1:`` at the start of a list item or heading
(``- G1: Stay healthy``, ``## G2: Financial freedom``, ``- **G3:** Write``). Items whose id
starts with ``G``, or that sit under a heading that mentions goals, are the telos goals that
quarterly goals link to with ``Supports: telos G1``. The file is only read, never edited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared.lines import LineDoc, encode

# A telos id: letters then a number, e.g. G1, M2, P10, goal-3.
ID_PATTERN = r"[A-Za-z]{1,12}-?\d{1,4}"
_ID_RE = re.compile(rf"^{ID_PATTERN}$")
_ITEM_RE = re.compile(
    rf"^\s*(?:#{{1,6}}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d{{1,3}}[.)]\s+)"
    rf"(?:\*\*|__)?({ID_PATTERN})(?:\*\*|__)?\s*:(?:\*\*|__)?\s*(.*)$"
)
_HEADING_RE = re.compile(r"^[ \t]{0,3}(#{1,6})(?:[ \t]+(.*))?$")
_MISSION_LINE_RE = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?mission(?:\*\*|__)?\s*:\s*(.+)$", re.I)
_MIN_CLIP = 20  # a goal cut shorter than this is left out of a summary
_LIST_MARK_RE = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")


def heading(text: str) -> tuple[int, str] | None:
    """A markdown ATX heading's level and text (closing ``#``s removed), else ``None``."""
    m = _HEADING_RE.match(text)
    if not m:
        return None
    return len(m.group(1)), strip_closing_hashes(m.group(2) or "")


def strip_closing_hashes(text: str) -> str:
    """``"Title ##"`` → ``"Title"``; ``"C#"`` stays (linear time, even on huge lines)."""
    text = text.strip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        return bare.strip()
    return text


def is_telos_id(word: str) -> bool:
    return bool(_ID_RE.match(word))


def same_id(a: str, b: str) -> bool:
    """Ids are compared without regard to case: ``g1`` and ``G1`` are the same item."""
    return a.casefold() == b.casefold()


@dataclass(frozen=True)
class TelosGoal:
    """One id-tagged item. ``line`` is 1-based; ``section`` is the heading it sits under."""

    id: str
    text: str
    line: int
    section: str | None = None


@dataclass(frozen=True)
class Telos:
    goals: list[TelosGoal] = field(default_factory=list)
    mission: str | None = None
    text: str = ""
    items: list[TelosGoal] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def find(self, item_id: str) -> TelosGoal | None:
        """The item (goal or any other id-tagged item) with this id."""
        for item in self.items:
            if same_id(item.id, item_id):
                return item
        return None


def parse_telos(data: bytes) -> Telos:
    doc = LineDoc.from_bytes(data)
    lines = [_readable(raw) for raw in doc.lines]
    items: list[TelosGoal] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    section: str | None = None
    mission_level: int | None = None
    mission_lines: list[str] = []
    mission_inline: str | None = None
    for number, text in enumerate(lines, 1):
        head = heading(text)
        item = _ITEM_RE.match(text)
        if item:
            item_id, body = item.group(1), item.group(2).strip()
            if head:
                body = strip_closing_hashes(body)
            key = item_id.casefold()
            if key in seen:
                problems.append(f"line {number}: id {item_id} already used on line {seen[key]}")
            else:
                seen[key] = number
                items.append(TelosGoal(item_id, body, number, section))
        if head:
            level, title = head
            if mission_level is not None and level <= mission_level:
                mission_level = None
            if "mission" in title.casefold() and not item:
                mission_level = level
            if not item:
                section = title
            continue
        if mission_level is not None and text.strip():
            mission_lines.append(_LIST_MARK_RE.sub("", text).strip())
        elif mission_inline is None:
            m = _MISSION_LINE_RE.match(text)
            if m:
                mission_inline = m.group(1).strip()
    goals = [i for i in items if i.id[:1] in "Gg" or "goal" in (i.section or "").casefold()]
    mission = "\n".join(mission_lines) if mission_lines else mission_inline
    return Telos(
        goals=goals,
        mission=mission or None,
        text="\n".join(lines),
        items=items,
        problems=problems,
    )


def summary(telos: Telos, max_chars: int) -> str:
    """Mission and goals in at most ``max_chars`` characters, for a prompt.

    Without a mission or tagged goals, the start of the file stands in.
    """
    if max_chars <= 0:
        return ""
    parts: list[str] = []
    if telos.mission:
        parts.append(f"Mission: {telos.mission}")
    if telos.goals:
        parts.append("Goals:")
        parts.extend(f"- {g.id}: {g.text}" for g in telos.goals)
    if not parts:
        return _clip(telos.text.strip(), max_chars)
    out: list[str] = []
    used = 0
    for part in parts:
        room = max_chars - used - (1 if out else 0)
        if len(part) > room:
            if room >= _MIN_CLIP or not out:
                out.append(_clip(part, room))
            break
        out.append(part)
        used += len(part) + (1 if len(out) > 1 else 0)
    return "\n".join(p for p in out if p)


def _clip(text: str, max_chars: int) -> str:
    """``text`` cut to ``max_chars`` characters, an ellipsis marking the cut."""
    if len(text) <= max_chars:
        return text
    if max_chars <= 0:
        return ""
    return text[: max_chars - 1].rstrip() + "…"


def _readable(raw: str) -> str:
    """Undecodable bytes become U+FFFD: the text goes into prompts, never back to disk."""
    return encode(raw).decode("utf-8", "replace")
