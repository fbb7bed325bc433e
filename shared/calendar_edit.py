"""Edit calendar.txt in a :class:`LineDoc`: add, remove and move events.

Each edit changes one line (or inserts one day line) and leaves every other byte alone. Bad
input raises :class:`CalendarEditError` before anything changes; each edit also re-reads the
line it wrote and refuses the edit if the other events of that line would read differently.
"""

from __future__ import annotations

import re
from datetime import date

from shared.calendar import (
    EVENT_SEPARATOR,
    TIME_RE,
    Calendar,
    DayLine,
    Event,
    Goal,
    parse_calendar_doc,
    parse_calendar_line,
    render_day_line,
    split_segments,
)
from shared.lines import LineDoc

_DASH_RE = re.compile(r"\s*-\s*")
_TIME_FORMS = "17, 17:30, 9-12, 14:15-16 or 9:00-10:30"


class CalendarEditError(ValueError):
    """Bad input for a calendar edit; the document was left unchanged."""


def normalize_time(value: str) -> str:
    """``" 09:00 - 10:30"`` → ``"9:00-10:30"``; rejects impossible times and reversed ranges."""
    token = _DASH_RE.sub("-", value.strip())
    m = TIME_RE.fullmatch(token)
    if not m:
        raise CalendarEditError(f"not a time: {value!r} (use {_TIME_FORMS})")
    parts = [_clock(m["h1"], m["m1"], value)]
    if m["h2"] is not None:
        parts.append(_clock(m["h2"], m["m2"], value))
        if _sort_key(parts[1]) <= _sort_key(parts[0]):
            raise CalendarEditError(f"the time range {value!r} ends before it starts")
    return "-".join(parts)


def add_event(doc: LineDoc, day: date, text: str, time: str | None = None) -> int:
    """Add an event to ``day`` (inserting its day line in date order if missing).
    Returns the 0-based index of the line written."""
    event = _compose(normalize_time(time) if time is not None else None, _clean_text(text))
    return _put_event(doc, parse_calendar_doc(doc), day, event)


def remove_event(doc: LineDoc, day: date, event_text: str) -> int:
    """Remove one event of ``day``, matched by its raw text or its text without the time.
    The day line stays, with its two spaces, even when it has no events left."""
    dl, n = _find_event(parse_calendar_doc(doc), day, event_text)
    index = dl.line - 1
    doc.replace(index, _checked(_without(dl, n), dl, [*dl.events[:n], *dl.events[n + 1 :]]))
    return index


def move_event(
    doc: LineDoc, day: date, event_text: str, to_day: date, to_time: str | None = None
) -> int:
    """Move one event to ``to_day``, keeping its time unless ``to_time`` is given.
    Returns the 0-based index of the line that now holds the event."""
    new_time = normalize_time(to_time) if to_time is not None else None
    dl, n = _find_event(parse_calendar_doc(doc), day, event_text)
    event = dl.events[n]
    moved = _compose(new_time if to_time is not None else event.time_text, event.text)
    work = doc.copy()
    rest = [*dl.events[:n], *dl.events[n + 1 :]]
    work.replace(dl.line - 1, _checked(_without(dl, n), dl, rest))
    index = _put_event(work, parse_calendar_doc(work), to_day, moved)
    doc.lines[:] = work.lines
    doc.endings[:] = work.endings
    return index


# Internals ----------------------------------------------------------------------------


def _put_event(doc: LineDoc, cal: Calendar, day: date, event: str) -> int:
    expected = split_segments(event)[-1][1]
    for dl in cal.day_lines:
        if dl.day == day:
            new = _checked(_appended(dl, event), dl, list(dl.events), expected)
            doc.replace(dl.line - 1, new)
            return dl.line - 1
    index = _insert_index(cal, day, len(doc))
    new = render_day_line(day, event)
    entry = parse_calendar_line(new)
    if not (isinstance(entry, DayLine) and [e.raw for e in entry.events] == [expected]):
        raise CalendarEditError(f"the event {event!r} would not read back as one event")
    doc.insert(index, new)
    return index


def _appended(dl: DayLine, event: str) -> str:
    body = dl.raw[dl.text_start :].rstrip()
    if not any(raw for _, raw in split_segments(body)):
        return dl.raw[: dl.head_end] + "  " + event
    return dl.raw[: dl.text_start] + body + (" " if body.endswith(".") else ". ") + event


def _without(dl: DayLine, n: int) -> str:
    """``dl``'s line without its ``n``-th event and one separator."""
    pairs = split_segments(dl.raw[dl.text_start :])
    k = [i for i, (_, raw) in enumerate(pairs) if raw][n]
    segments = [seg for seg, _ in pairs]
    removed = segments.pop(k)
    if not any(raw for i, (_, raw) in enumerate(pairs) if raw and i != k):
        return dl.raw[: dl.head_end] + "  "
    if k == 0:
        segments[0] = segments[0].lstrip()
    if k == len(segments):
        # The last event went: drop blank segments left at the end; add a final full stop
        # where one was written, or where the new last event's own text ends with one.
        while not segments[-1].strip():
            segments.pop()
        last = segments[-1].rstrip()
        if removed.rstrip().endswith(".") or last.endswith("."):
            segments[-1] = last + "."
    return dl.raw[: dl.text_start] + EVENT_SEPARATOR.join(segments)


def _checked(new: str, dl: DayLine, keep: list[Event], added: str | None = None) -> str:
    entry = parse_calendar_line(new, dl.line)
    want = [e.raw for e in keep] + ([added] if added is not None else [])
    if not (isinstance(entry, DayLine) and [e.raw for e in entry.events] == want):
        raise CalendarEditError(f"the edit would change other events on line {dl.line}")
    return new


def _find_event(cal: Calendar, day: date, wanted: str) -> tuple[DayLine, int]:
    key = wanted.strip()
    if key.endswith("."):
        key = key[:-1].rstrip()
    found = [(dl, n, ev) for dl in cal.day_lines if dl.day == day for n, ev in enumerate(dl.events)]
    if not found:
        raise CalendarEditError(f"there are no events on {day}")
    hits = [h for h in found if h[2].raw == key] or [h for h in found if h[2].text == key]
    if not hits:
        listed = "; ".join(ev.raw for _, _, ev in found)
        raise CalendarEditError(f"no event {wanted!r} on {day} (there: {listed})")
    if len(hits) > 1:
        raise CalendarEditError(
            f"{len(hits)} events on {day} match {wanted!r}; give the event with its time"
        )
    return hits[0][0], hits[0][1]


def _insert_index(cal: Calendar, day: date, size: int) -> int:
    """Where a new day line goes: right after the latest earlier day line, or after the goal
    lines that follow it and apply to ``day``; with no earlier day, before the earliest later
    one (and before the goal lines just above it that start after ``day``)."""
    days = [(dl.day, dl.line - 1) for dl in cal.day_lines]
    if not days:
        return size
    goals = {g.line - 1: g for g in cal.entries if isinstance(g, Goal)}
    earlier = [d for d in days if d[0] < day]
    if earlier:
        a = max(earlier)[1]
        b = min((i for _, i in days if i > a), default=size)
        lo = a + 1
    else:
        b = min(days)[1]
        lo = max((i for _, i in days if i < b), default=-1) + 1
    applying = [i for i in range(lo, b) if i in goals and goals[i].start <= day]
    if applying:
        return max(applying) + 1
    if earlier:
        return lo
    while b > lo and b - 1 in goals and goals[b - 1].start > day:
        b -= 1
    return b


def _clean_text(text: str) -> str:
    if "\n" in text or "\r" in text:
        raise CalendarEditError("an event must be a single line")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise CalendarEditError("the event text is not valid text") from None
    cleaned = text.strip()
    if not split_segments(cleaned)[-1][1]:
        raise CalendarEditError("the event text is empty")
    if EVENT_SEPARATOR in cleaned:
        raise CalendarEditError(
            f"the event {cleaned!r} contains '. ' (a full stop and a space), which would "
            "split it into two events"
        )
    return cleaned


def _compose(time_text: str | None, text: str) -> str:
    return f"{time_text} {text}".strip() if time_text else text


def _clock(hours: str, minutes: str | None, value: str) -> str:
    if int(hours) > 23 or (minutes is not None and int(minutes) > 59):
        raise CalendarEditError(f"not a time of day: {value!r} (use {_TIME_FORMS})")
    return f"{int(hours)}:{minutes}" if minutes is not None else str(int(hours))


def _sort_key(clock: str) -> tuple[int, int]:
    hours, _, minutes = clock.partition(":")
    return int(hours), int(minutes or 0)
