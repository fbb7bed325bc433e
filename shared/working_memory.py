"""working-memory.txt: dated log lines, newest last.

``2026-11-23 09:12 Working on the ACME proposal; waiting for Ana's contract.``

Times are the owner's local wall-clock time, written and read as naive datetimes. Lines in any
other shape are kept as entries without a time; blank lines are not entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from shared.lines import LineDoc, encode

_ENTRY_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})(?:[ \t]+(.*))?$")
_BREAKS_RE = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


class WorkingMemoryError(ValueError):
    """A memory line that cannot be written; nothing was changed."""


@dataclass(frozen=True)
class MemoryEntry:
    """One line. ``line`` is 1-based; ``raw`` is the exact line text."""

    when: datetime | None
    text: str
    line: int
    raw: str

    def to_json(self) -> dict[str, object]:
        return {
            "when": self.when.isoformat(timespec="minutes") if self.when else None,
            "text": self.text,
            "line": self.line,
            "raw": self.raw,
        }


def parse_entry(raw: str, line: int = 0) -> MemoryEntry:
    m = _ENTRY_RE.match(raw.lstrip("\ufeff"))
    if m:
        try:
            when = datetime.strptime(f"{m.group(1)} {m.group(2)}", "%Y-%m-%d %H:%M")
        except ValueError:
            pass
        else:
            return MemoryEntry(when, (m.group(3) or "").strip(), line, raw)
    return MemoryEntry(None, raw.strip(), line, raw)


def parse_working_memory(data: bytes) -> list[MemoryEntry]:
    doc = LineDoc.from_bytes(data)
    return [parse_entry(raw, n) for n, raw in enumerate(doc.lines, 1) if raw.strip()]


def format_entry(now: datetime, text: str) -> str:
    """The line for ``text`` at ``now``: line breaks become spaces. Raises on empty text."""
    flat = " ".join(piece.strip() for piece in _BREAKS_RE.split(text) if piece.strip())
    if not flat:
        raise WorkingMemoryError("a working-memory note needs some text")
    return f"{now:%Y-%m-%d %H:%M} {flat}"


def append_memory(doc: LineDoc, now: datetime, text: str) -> int:
    """Append one dated line (``now`` in the owner's timezone); returns its 1-based line."""
    doc.append(format_entry(now, text))
    return len(doc)


def recent(entries: list[MemoryEntry], max_chars: int) -> list[MemoryEntry]:
    """The newest entries whose lines fit in ``max_chars`` together (one newline each), in file
    order. Stops at the first entry, counting back from the newest, that does not fit."""
    picked: list[MemoryEntry] = []
    used = 0
    for entry in reversed(entries):
        cost = len(entry.raw) + 1
        if used + cost > max_chars:
            break
        picked.append(entry)
        used += cost
    picked.reverse()
    return picked


def as_text(entries: list[MemoryEntry]) -> str:
    """The entries' lines, one per line, for a prompt."""
    return "\n".join(encode(entry.raw).decode("utf-8", "replace") for entry in entries)
