"""Three-way merge of the org's line files by meaning, never by text hunks.

``todo.txt``/``done.txt`` lines are matched by task identity (the description and projects, so a
completion, a new priority or a new due date is an edit of the same task), ``calendar.txt`` lines
by day (two sides adding events to one day keep both), ``working-memory.txt`` line by line.

For each base line: changed on one side → that change; deleted on one side and untouched on the
other → deleted; deleted on one side and edited on the other → kept as edited, with a note;
edited differently on both sides → both versions kept, one after the other, and a conflict
reported. A line added on both sides appears once. No conflict marker is ever written. Unlike
git's ``merge=union`` this neither duplicates a completed task nor resurrects a deleted one.

Pure functions on bytes: no git, no I/O.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from shared.calendar import EVENT_SEPARATOR, DayLine, Goal, parse_calendar_line
from shared.lines import LineDoc
from shared.todo import is_task_line, parse_task

KeyFn = Callable[[str], str | None]
CombineFn = Callable[[str, str, str], str | None]
SIMILAR = 0.6
_STAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
MAX_PAIRING = 40_000  # lines² within one changed block beyond which no fuzzy pairing is tried


@dataclass(frozen=True)
class MergeConflict:
    """One line changed differently on both sides; both versions are in the merged file."""

    base: str
    ours: str
    theirs: str

    def describe(self) -> str:
        return f"changed on both sides: “{self.ours}” here and “{self.theirs}” there (kept both)"


@dataclass
class MergeResult:
    data: bytes
    conflicts: list[MergeConflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts and not self.notes


@dataclass(frozen=True)
class _Line:
    text: str
    ending: str


def merge_todo(base: bytes, ours: bytes, theirs: bytes) -> MergeResult:
    """todo.txt or done.txt, matched by task identity."""
    return _merge_files(base, ours, theirs, task_key, _combine_tasks)


def merge_calendar(base: bytes, ours: bytes, theirs: bytes) -> MergeResult:
    """calendar.txt, matched by day; one day edited on both sides merges its events."""
    return _merge_files(base, ours, theirs, calendar_key, _combine_days)


def merge_lines(base: bytes, ours: bytes, theirs: bytes) -> MergeResult:
    """A plain line file (working-memory.txt): lines are their own identity.

    Lines both sides appended to a dated log are put in time order.
    """
    result = _merge_files(base, ours, theirs, None, None)
    doc = LineDoc.from_bytes(result.data)
    known = set(LineDoc.from_bytes(base).lines)
    start = len(doc.lines)
    while start > 0 and doc.lines[start - 1] not in known:
        start -= 1
    tail = doc.lines[start:]
    if len(tail) > 1 and all(_STAMP_RE.match(x) for x in tail):
        doc.lines[start:] = sorted(tail, key=lambda x: _STAMP_RE.match(x).group(0))  # type: ignore[union-attr]
        result.data = doc.to_bytes()
    return result


MERGERS: dict[str, Callable[[bytes, bytes, bytes], MergeResult]] = {
    "todo": merge_todo,
    "calendar": merge_calendar,
    "lines": merge_lines,
}


def task_key(raw: str) -> str | None:
    """A task's identity: its description and projects, case-folded; None for non-tasks."""
    if not is_task_line(raw):
        return None
    task = parse_task(raw)
    words = " ".join(task.description.split()).casefold()
    if not words:
        return None
    return words + "|" + " ".join(sorted(p.casefold() for p in task.projects))


def calendar_key(raw: str) -> str | None:
    entry = parse_calendar_line(raw)
    if isinstance(entry, DayLine):
        return f"day {entry.day.isoformat()}"
    if isinstance(entry, Goal):
        return f"{entry.kind} {entry.day.isoformat()}"
    return None


def _combine_tasks(base: str, ours: str, theirs: str) -> str | None:
    """Both sides completed the task (on different days): one completion is enough."""
    o, t = parse_task(ours), parse_task(theirs)
    if o.done and t.done and o.text == t.text and o.creation_date == t.creation_date:
        return ours
    return None


def _combine_days(base: str, ours: str, theirs: str) -> str | None:
    """Merge one day's events (split on ``. ``) three-way; None when they conflict."""
    entries = [parse_calendar_line(x) for x in (base, ours, theirs)]
    if not all(isinstance(e, DayLine) for e in entries):
        return None
    b, o, t = (e for e in entries if isinstance(e, DayLine))
    if not b.day == o.day == t.day:
        return None
    heads = [x.raw[: x.text_start] for x in (b, o, t)]
    if heads[1] != heads[0] and heads[2] != heads[0] and heads[1] != heads[2]:
        return None
    head = heads[1] if heads[1] != heads[0] else heads[2]
    eb, eo, et = (_segments(x.raw[x.text_start :]) for x in (b, o, t))
    merged, conflicts, notes = merge_sequences(eb, eo, et, None, None)
    if conflicts or notes:
        return None
    if not merged:
        return head.rstrip()
    if head == head.rstrip():
        head += "  "
    return head + EVENT_SEPARATOR.join(x.text for x in merged)


def _lines(doc: LineDoc) -> list[_Line]:
    return [_Line(text, end) for text, end in zip(doc.lines, doc.endings, strict=True)]


def _segments(text: str) -> list[_Line]:
    return [_Line(s, "") for s in text.split(EVENT_SEPARATOR)] if text else []


def _merge_files(
    base: bytes, ours: bytes, theirs: bytes, key: KeyFn | None, combine: CombineFn | None
) -> MergeResult:
    if ours == theirs or base == theirs:
        return MergeResult(ours)
    if base == ours:
        return MergeResult(theirs)
    docs = [LineDoc.from_bytes(x) for x in (base, ours, theirs)]
    b, o, t = (_lines(d) for d in docs)
    merged, conflicts, notes = merge_sequences(b, o, t, key, combine)
    newline = docs[1].newline if docs[1].lines else docs[2].newline
    lines = [x.text for x in merged]
    endings = [x.ending or newline for x in merged]
    if merged:
        endings[-1] = merged[-1].ending
    bom = docs[2].bom if docs[1].bom == docs[0].bom else docs[1].bom
    return MergeResult(LineDoc(lines, endings, bom).to_bytes(), conflicts, notes)


def _match(base: list[str], side: list[str], key: KeyFn | None) -> dict[int, int]:
    """Map base line index → side line index: equal runs, then identity keys, then similarity."""
    matched: dict[int, int] = {}
    changed_blocks: list[tuple[int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, base, side, autojunk=False).get_opcodes():
        if tag == "equal":
            matched.update({i1 + k: j1 + k for k in range(i2 - i1)})
        elif tag == "replace":
            changed_blocks.append((i1, i2, j1, j2))
    used = set(matched.values())
    if key is not None:
        free_base: dict[str, list[int]] = defaultdict(list)
        free_side: dict[str, list[int]] = defaultdict(list)
        for i, text in enumerate(base):
            k = key(text) if i not in matched else None
            if k:
                free_base[k].append(i)
        for j, text in enumerate(side):
            k = key(text) if j not in used else None
            if k:
                free_side[k].append(j)
        for k, indices in free_base.items():
            for i, j in zip(indices, free_side.get(k, ()), strict=False):
                matched[i] = j
                used.add(j)
    for i1, i2, j1, j2 in changed_blocks:
        if (i2 - i1) * (j2 - j1) > MAX_PAIRING:
            continue
        for i in range(i1, i2):
            if i in matched:
                continue
            best, best_ratio = None, SIMILAR
            for j in range(j1, j2):
                if j not in used:
                    ratio = SequenceMatcher(None, base[i], side[j]).ratio()
                    if ratio > best_ratio:
                        best, best_ratio = j, ratio
            if best is not None:
                matched[i] = best
                used.add(best)
    return matched


def merge_sequences(
    base: list[_Line],
    ours: list[_Line],
    theirs: list[_Line],
    key: KeyFn | None,
    combine: CombineFn | None,
) -> tuple[list[_Line], list[MergeConflict], list[str]]:
    """The merged lines, the conflicts (both kept) and notes (deleted vs edited: kept)."""
    base_text = [x.text for x in base]
    in_ours = _match(base_text, [x.text for x in ours], key)
    in_theirs = _match(base_text, [x.text for x in theirs], key)
    ours_base = {j: i for i, j in in_ours.items()}
    theirs_base = {j: i for i, j in in_theirs.items()}

    # Theirs' new lines, each anchored after the base line that precedes it on their side.
    theirs_new: dict[int, list[_Line]] = defaultdict(list)
    anchor = -1
    for j, line in enumerate(theirs):
        if j in theirs_base:
            anchor = theirs_base[j]
        else:
            theirs_new[anchor].append(line)
    # Base lines we deleted, each anchored after the nearest earlier base line we kept.
    deleted_after: dict[int, list[int]] = defaultdict(list)
    kept = -1
    for i in range(len(base)):
        if i in in_ours:
            kept = i
        else:
            deleted_after[kept].append(i)

    ours_new = Counter(x.text for j, x in enumerate(ours) if j not in ours_base)
    out: list[_Line] = []
    conflicts: list[MergeConflict] = []
    notes: list[str] = []

    def emit_theirs_new(a: int) -> None:
        for line in theirs_new.get(a, ()):
            if ours_new[line.text] > 0:
                ours_new[line.text] -= 1  # added on both sides: once
            else:
                out.append(line)

    def emit_after(a: int) -> None:
        emit_theirs_new(a)
        for d in deleted_after.get(a, ()):
            if d in in_theirs and theirs[in_theirs[d]].text != base[d].text:
                line = theirs[in_theirs[d]]
                out.append(line)
                notes.append(f"kept “{line.text}”: deleted here but changed on the other side")
            emit_after(d)

    def emit_base(i: int, mine: _Line) -> None:
        if i not in in_theirs:
            if mine.text != base[i].text:
                out.append(mine)
                notes.append(f"kept “{mine.text}”: changed here but deleted on the other side")
            return
        other = theirs[in_theirs[i]]
        if other.text in (base[i].text, mine.text):
            out.append(mine)
        elif mine.text == base[i].text:
            out.append(_Line(other.text, mine.ending))
        else:
            combined = combine(base[i].text, mine.text, other.text) if combine else None
            if combined is not None:
                out.append(_Line(combined, mine.ending))
            else:
                out.extend([mine, other])
                conflicts.append(MergeConflict(base[i].text, mine.text, other.text))

    previous = -1
    for j, line in enumerate(ours):
        if j in ours_base:
            emit_after(previous)
            previous = ours_base[j]
            emit_base(previous, line)
        else:
            out.append(line)
    emit_after(previous)
    return out, conflicts, notes
