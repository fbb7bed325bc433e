"""One day of a large calendar.txt without parsing the rest: the lines are indexed by their first
ten characters (a day line's date), and only the day's lines are parsed. ``day_events(index,
day)`` gives what ``events_on(parse_calendar(data), day)`` gives (a property test checks it).
"""

from __future__ import annotations

from datetime import date

from shared.calendar import Calendar, Event, events_on, parse_calendar_line
from shared.lines import LineDoc


def index_day_lines(data: bytes) -> dict[str, list[tuple[int, str]]]:
    """The lines that begin with a digit, by their first ten characters (a day line's date),
    each with its line number: found without parsing them, to read a day of a large file."""
    index: dict[str, list[tuple[int, str]]] = {}
    for i, raw in enumerate(LineDoc.from_bytes(data).lines, 1):
        head = raw.lstrip("\ufeff")[:10]
        if head[:1].isdigit():
            index.setdefault(head, []).append((i, raw))
    return index


def day_events(index: dict[str, list[tuple[int, str]]], day: date) -> list[Event]:
    """``events_on(parse_calendar(data), day)`` from ``index_day_lines(data)``: only the
    lines that begin with ``day``'s date are parsed."""
    found = index.get(day.isoformat(), ())
    return events_on(Calendar(tuple(parse_calendar_line(raw, i) for i, raw in found)), day)
