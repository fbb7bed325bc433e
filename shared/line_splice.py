"""The bytes of an edited :class:`~shared.lines.LineDoc`, from its old bytes and the lines that
changed — what ``doc.to_bytes()`` returns, without joining and encoding every line again.

An edit touches a few lines of a file of thousands; rebuilding the whole text costs more than
the rest of applying it. The changed range is found by comparing the line lists (slices of
the same string objects compare in C), located in the old bytes by counting newlines, and only
that range is encoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from shared.lines import BOM, LineDoc, encode

T = TypeVar("T")


def common_prefix(a: Sequence[T], b: Sequence[T], limit: int) -> int:
    """How many leading items ``a`` and ``b`` share (at most ``limit``); bytes or lists alike.

    A binary search over slice comparisons, which run in C (items that are the same object
    compare at once), so a long shared run costs a few slices, not a Python loop.
    """
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def common_suffix(a: Sequence[T], b: Sequence[T], limit: int) -> int:
    """How many trailing items ``a`` and ``b`` share (at most ``limit``)."""
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid : len(a) - lo] == b[len(b) - mid : len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _line_start(data: bytes, start: int, index: int, guess: int) -> int:
    """Offset in ``data`` where line ``index`` begins (after its ``index``-th newline)."""
    if index == 0:
        return start
    guess = min(max(guess, start), len(data))
    seen = data.count(b"\n", start, guess)  # newlines before the guess
    pos = guess
    if seen < index:  # step forward to the index-th newline
        while seen < index:
            pos = data.find(b"\n", pos) + 1
            if pos == 0:
                return -1
            seen += 1
        return pos
    # seen >= index: step back to just after the index-th newline
    pos = data.rfind(b"\n", start, guess)
    while seen > index:
        pos = data.rfind(b"\n", start, pos)
        seen -= 1
    return pos + 1


def spliced_bytes(old: LineDoc, data: bytes, new: LineDoc) -> bytes:
    """``new.to_bytes()``, given that ``old`` was parsed from ``data``."""
    if old.bom != new.bom or len(new.lines) != len(new.endings):
        return new.to_bytes()
    limit = min(len(old.lines), len(new.lines))
    head = min(common_prefix(old.lines, new.lines, limit),
               common_prefix(old.endings, new.endings, limit))
    room = limit - head
    tail = min(common_suffix(old.lines, new.lines, room),
               common_suffix(old.endings, new.endings, room))
    if head == len(old.lines) == len(new.lines):
        return data
    start = len(BOM) if old.bom else 0
    average = (len(data) - start) // max(1, len(old.lines))
    begin = _line_start(data, start, head, start + head * average)
    old_end = len(old.lines) - tail
    if begin < 0:
        return new.to_bytes()
    end = len(data) if old_end == len(old.lines) else _line_start(
        data, begin, old_end - head, begin + (old_end - head) * average
    )
    if end < begin:
        return new.to_bytes()
    new_end = len(new.lines) - tail
    parts = [""] * (2 * (new_end - head))
    parts[::2] = new.lines[head:new_end]
    parts[1::2] = new.endings[head:new_end]
    return data[:begin] + encode("".join(parts)) + data[end:]
