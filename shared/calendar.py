"""calendar.txt (Tero Karvinen's format): parse days, events and goals, and query them.

Parsing never fails: every line becomes one entry that keeps its 1-based ``line`` and its
exact ``raw`` text. A line that fits no rule is an :class:`OtherLine`; doubts about a line (a
weekday or week number that does not match its date, an impossible date) go to ``problems``.

A leading number of one or two digits that is a valid hour, followed by a space, is read as a
time: ``3 boxes to post`` is an event at 03:00. ``2026 plans`` and ``25 cars`` are all-day.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import cached_property
from typing import Any, Literal

from shared.lines import LineDoc

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EVENT_SEPARATOR = ". "

_DATE = r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
_TAIL = r"(?:(?P<sep>[ \t]+)(?P<text>.*))?"
_DAY_RE = re.compile(
    rf"{_DATE} [wW](?P<week>[0-9]{{1,2}}) (?P<wd>(?i:mon|tue|wed|thu|fri|sat|sun)){_TAIL}", re.S
)
_WEEK_RE = re.compile(rf"{_DATE} [wW](?P<week>[0-9]{{1,2}}){_TAIL}", re.S)
_MONTH_RE = re.compile(rf"(?P<year>[0-9]{{4}})-(?P<month>[0-9]{{2}}){_TAIL}", re.S)
_YEAR_RE = re.compile(rf"(?P<year>[0-9]{{4}}){_TAIL}", re.S)
_DATE_LED_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\b")
TIME_RE = re.compile(
    r"(?P<h1>[0-9]{1,2})(?::(?P<m1>[0-9]{2}))?(?:-(?P<h2>[0-9]{1,2})(?::(?P<m2>[0-9]{2}))?)?"
    r"(?=[ \t]|$)"
)


@dataclass(frozen=True)
class Event:
    """One event of a day. ``raw`` is its text as written (a final full stop dropped);
    ``text`` is ``raw`` without the leading time; ``start`` is None for an all-day note."""

    day: date
    start: time | None
    end: time | None
    text: str
    raw: str
    projects: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()
    line: int = 0

    @property
    def all_day(self) -> bool:
        return self.start is None

    @property
    def time_text(self) -> str | None:
        """The time as written (``9-10:30``), or None for an all-day event."""
        if self.start is None:
            return None
        return self.raw[: len(self.raw) - len(self.text)].rstrip()

    def to_json(self) -> dict[str, Any]:
        return {
            "start": _hhmm(self.start),
            "end": _hhmm(self.end),
            "text": self.text,
            "day": self.day.isoformat(),
            "line": self.line,
        }


@dataclass(frozen=True)
class DayLine:
    """``YYYY-MM-DD wWW Ddd  events``. ``head_end`` is where the weekday ends in ``raw`` and
    ``text_start`` where the events begin (``len(raw)`` when there are none)."""

    day: date
    week: int
    weekday: str
    line: int
    raw: str
    head_end: int
    text_start: int
    problems: tuple[str, ...] = ()

    @cached_property
    def events(self) -> tuple[Event, ...]:
        """The line's events in written order (parsed on first use)."""
        segments = split_segments(self.raw[self.text_start :])
        return tuple(parse_event(raw, self.day, self.line) for _, raw in segments if raw)


@dataclass(frozen=True)
class Goal:
    """A week (``YYYY-MM-DD wWW  text``), month (``YYYY-MM  text``) or year (``YYYY  text``)
    goal. ``day`` is the date written, the 1st of the month, or the 1st of January."""

    kind: Literal["week", "month", "year"]
    day: date
    text: str
    line: int
    raw: str
    problems: tuple[str, ...] = ()

    @property
    def start(self) -> date:
        """The first day the goal is about (a week goal's Monday)."""
        if self.kind == "week":
            return self.day - timedelta(days=self.day.weekday())
        return self.day

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "day": self.day.isoformat(),
            "text": self.text,
            "line": self.line,
        }


@dataclass(frozen=True)
class OtherLine:
    """A comment, blank line, note or malformed line: kept as it is."""

    line: int
    raw: str
    problems: tuple[str, ...] = ()


Entry = DayLine | Goal | OtherLine


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass(frozen=True)
class Calendar:
    """Every line of calendar.txt, in file order, indexed by date once when built.
    A day's events are parsed when first asked for."""

    entries: tuple[Entry, ...] = ()
    _days: dict[date, tuple[DayLine, ...]] = field(init=False, repr=False, compare=False)
    _dates: list[date] = field(init=False, repr=False, compare=False)
    _goals: dict[tuple[str, int, int], tuple[Goal, ...]] = field(
        init=False, repr=False, compare=False
    )
    _events: dict[date, tuple[Event, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        days: dict[date, list[DayLine]] = {}
        goals: dict[tuple[str, int, int], list[Goal]] = {}
        for entry in self.entries:
            if isinstance(entry, DayLine):
                days.setdefault(entry.day, []).append(entry)
            elif isinstance(entry, Goal):
                goals.setdefault(_goal_key(entry.kind, entry.day), []).append(entry)
        object.__setattr__(self, "_days", {d: tuple(v) for d, v in days.items()})
        object.__setattr__(self, "_dates", sorted(days))
        object.__setattr__(self, "_goals", {k: tuple(v) for k, v in goals.items()})
        object.__setattr__(self, "_events", {})

    def day_events(self, day: date) -> tuple[Event, ...]:
        """``day``'s events in :func:`events_on` order (cached)."""
        found = self._events.get(day)
        if found is None:
            found = _ordered([ev for dl in self._days.get(day, ()) for ev in dl.events])
            self._events[day] = found
        return found

    @property
    def day_lines(self) -> list[DayLine]:
        return [e for e in self.entries if isinstance(e, DayLine)]

    @property
    def goals(self) -> list[Goal]:
        return [e for e in self.entries if isinstance(e, Goal)]

    @property
    def problems(self) -> list[Problem]:
        return [Problem(e.line, msg) for e in self.entries for msg in e.problems]


def parse_calendar(data: bytes) -> Calendar:
    return parse_calendar_doc(LineDoc.from_bytes(data))


def parse_calendar_doc(doc: LineDoc) -> Calendar:
    return Calendar(tuple(parse_calendar_line(raw, i) for i, raw in enumerate(doc.lines, 1)))


def parse_calendar_line(raw: str, line: int = 0) -> Entry:
    pos = len(raw) - len(raw.lstrip("\ufeff"))
    m = _DAY_RE.fullmatch(raw, pos)
    if m:
        return _day_line(m, raw, line)
    m = _WEEK_RE.fullmatch(raw, pos)
    if m and (m["sep"] != " " or not m["text"]):  # one space: likely a misspelt weekday
        return _goal(m, raw, line)
    m = _MONTH_RE.fullmatch(raw, pos) or _YEAR_RE.fullmatch(raw, pos)
    if m:
        return _goal(m, raw, line)
    if _DATE_LED_RE.match(raw, pos):
        return OtherLine(line, raw, ("starts with a date but is not a day or week goal line",))
    return OtherLine(line, raw)


def split_segments(text: str) -> list[tuple[str, str]]:
    """A day's text split on ``. ``: each segment as written, and the event raw it holds
    (stripped, the last one without its final full stop; empty when there is no event)."""
    parts = text.split(EVENT_SEPARATOR)
    out: list[tuple[str, str]] = []
    for i, part in enumerate(parts):
        raw = part.strip()
        if i == len(parts) - 1 and raw.endswith("."):
            raw = raw[:-1].rstrip()
        out.append((part, raw))
    return out


def parse_time_range(token: str) -> tuple[time, time | None] | None:
    """``17``, ``17:30``, ``9-12``, ``14:15-16``, ``9:00-10:30`` → (start, end); else None."""
    m = TIME_RE.fullmatch(token)
    return _time_range(m) if m else None


def parse_event(raw: str, day: date, line: int = 0) -> Event:
    start = end = None
    text = raw
    m = TIME_RE.match(raw)
    rng = _time_range(m) if m else None
    if m and rng:
        start, end = rng
        text = raw[m.end() :].strip()
    words = [w for w in text.split() if len(w) > 1]
    projects = tuple(dict.fromkeys(w[1:] for w in words if w[0] == "+"))
    contexts = tuple(dict.fromkeys(w for w in words if w[0] == "@"))
    return Event(day, start, end, text, raw, projects, contexts, line)


def render_day_line(day: date, text: str = "") -> str:
    """``2026-11-24 w48 Tue  text`` (the two spaces are kept when ``text`` is empty)."""
    return f"{day.isoformat()} w{day.isocalendar().week:02d} {WEEKDAYS[day.weekday()]}  {text}"


# Queries ------------------------------------------------------------------------------


def events_on(cal: Calendar, day: date) -> list[Event]:
    """All-day events first (file order), then timed ones by start; every line of the day."""
    return list(cal.day_events(day))


def events_between(cal: Calendar, start: date, end: date) -> dict[date, list[Event]]:
    """Days from ``start`` to ``end`` inclusive that have events, in date order."""
    lo, hi = bisect_left(cal._dates, start), bisect_right(cal._dates, end)
    found = ((d, cal.day_events(d)) for d in cal._dates[lo:hi])
    return {d: list(events) for d, events in found if events}


def week_goals(cal: Calendar, day: date) -> list[Goal]:
    """The goals of ``day``'s ISO week, in file order."""
    return list(cal._goals.get(_goal_key("week", day), ()))


def month_goal(cal: Calendar, day: date) -> Goal | None:
    """The first goal line of ``day``'s month."""
    return next(iter(cal._goals.get(_goal_key("month", day), ())), None)


def year_goal(cal: Calendar, day: date) -> Goal | None:
    """The first goal line of ``day``'s year."""
    return next(iter(cal._goals.get(_goal_key("year", day), ())), None)


def current_event(events: list[Event], now_time: time, default_minutes: int = 60) -> Event | None:
    """The timed event under way at ``now_time`` (the latest started if several). An event
    without an end lasts ``default_minutes``; one ending before its start runs to midnight."""
    now = _minutes(now_time)
    running: list[tuple[int, Event]] = []
    for ev in events:
        if ev.start is None:
            continue
        begin = _minutes(ev.start)
        until = begin + default_minutes if ev.end is None else _minutes(ev.end)
        if begin <= now < (until if until > begin else 24 * 60):
            running.append((begin, ev))
    return max(running, key=lambda found: found[0], default=(0, None))[1]


# Internals ----------------------------------------------------------------------------


def _day_line(m: re.Match[str], raw: str, line: int) -> Entry:
    day = _date(m["date"])
    if day is None:
        return OtherLine(line, raw, (f"invalid date {m['date']}",))
    problems = _week_problems(day, int(m["week"]))
    weekday = m["wd"]
    expected = WEEKDAYS[day.weekday()]
    if weekday.capitalize() != expected:
        problems.append(f"weekday {weekday} does not match {day} (a {expected})")
    text = m["text"] or ""
    if text.strip() and m["sep"] != "  ":
        problems.append("expected two spaces between the weekday and the events")
    text_start = m.start("text") if m["text"] is not None else len(raw)
    return DayLine(
        day, int(m["week"]), weekday, line, raw, m.end("wd"), text_start, tuple(problems)
    )


def _goal(m: re.Match[str], raw: str, line: int) -> Entry:
    fields = m.groupdict()
    problems: list[str] = []
    if fields.get("date"):
        kind: Literal["week", "month", "year"] = "week"
        day = _date(m["date"])
        if day is None:
            return OtherLine(line, raw, (f"invalid date {m['date']}",))
        problems = _week_problems(day, int(m["week"]))
    else:
        kind = "month" if fields.get("month") else "year"
        year, month = int(m["year"]), int(fields.get("month") or 1)
        if year == 0 or not 1 <= month <= 12:
            return OtherLine(line, raw, (f"invalid month or year {m.group(0).split()[0]}",))
        day = date(year, month, 1)
    text = (m["text"] or "").strip()
    if text and m["sep"] != "  ":
        problems.append("expected two spaces before the goal")
    return Goal(kind, day, text, line, raw, tuple(problems))


def _week_problems(day: date, week: int) -> list[str]:
    iso = day.isocalendar().week
    if week != iso:
        return [f"week w{week:02d} does not match {day} (w{iso:02d})"]
    return []


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _time_range(m: re.Match[str]) -> tuple[time, time | None] | None:
    start = _time(m["h1"], m["m1"])
    if start is None:
        return None
    if m["h2"] is None:
        return start, None
    end = _time(m["h2"], m["m2"])
    return (start, end) if end is not None else None


def _time(hours: str, minutes: str | None) -> time | None:
    h, mins = int(hours), int(minutes or 0)
    return time(h, mins) if h < 24 and mins < 60 else None


def _ordered(events: list[Event]) -> tuple[Event, ...]:
    return tuple(sorted(events, key=lambda e: (e.start is not None, e.start or time())))


def _goal_key(kind: str, day: date) -> tuple[str, int, int]:
    if kind == "week":
        iso = day.isocalendar()
        return kind, iso.year, iso.week
    return kind, day.year, day.month if kind == "month" else 0


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _hhmm(t: time | None) -> str | None:
    return t.strftime("%H:%M") if t is not None else None
