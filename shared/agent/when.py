"""Dates and times inside a sentence: "by friday", "on 3 dec", "next week", "at 4:30pm", "10-11".

Each finder returns the value and the span of the words it used, so the caller can cut them out
of the sentence and keep the rest as the task's or event's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from shared.dates import resolve_date

MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_FULL_DAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# "sat", "wed" and "sun" are words too: as weekdays they need a lead-in ("on sat").
_WEEKDAY = rf"(?:{_FULL_DAYS}|mon|tue|tues|thu|thur|thurs|fri)"
_LEAD_WEEKDAY = r"(?:due|by|on|until|before)\s+(?:next |this )?(?:wed|sat|sun)"
_LEAD = r"(?:(?:due|by|on|for|until|before)\s+)?"
_DATE_WORDS = (
    r"\d{4}-\d{2}-\d{2}",
    r"today|tonight|tomorrow|tmr|day after tomorrow",
    r"next week|next month|end of (?:the )?month|this weekend|the weekend",
    rf"(?:next |this )?{_WEEKDAY}",
    _LEAD_WEEKDAY,
    rf"(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MONTH})\b",
    rf"(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?",
    r"in (?P<n>\d{1,3}) (?P<unit>day|days|week|weeks)",
)
DATE_RE = re.compile(rf"(?<![\w:])(?:{_LEAD})(?:{'|'.join(_DATE_WORDS)})(?![\w:-])", re.I)

_CLOCK = r"(?P<{h}>\d{{1,2}})(?:[:.h](?P<{m}>\d{{2}}))?\s*(?P<{ap}>am|pm|a\.m\.|p\.m\.)?"
TIME_RE = re.compile(
    r"(?<![\w:.-])(?:(?:at|from)\s+)?"
    + _CLOCK.format(h="h1", m="m1", ap="ap1")
    + r"(?:\s*(?:-|–|to|until)\s*"
    + _CLOCK.format(h="h2", m="m2", ap="ap2")
    + r")?(?![\w:-])",
    re.I,
)


@dataclass(frozen=True)
class Found:
    value: str
    start: int
    end: int


def find_date(text: str, today: date) -> tuple[date, Found] | None:
    """The last date phrase in ``text`` (with its ``due``/``by``/``on`` lead-in)."""
    found = None
    for m in DATE_RE.finditer(text):
        day = _match_date(m, today)
        if day is not None:
            found = (day, Found(day.isoformat(), m.start(), m.end()))
    return found


def _match_date(m: re.Match[str], today: date) -> date | None:
    if m["m1"] or m["m2"]:
        month = MONTHS[(m["m1"] or m["m2"]).lower()]
        return _next_month_day(today, month, int(m["d1"] or m["d2"]))
    if m["n"]:
        unit = m["unit"].lower()
        return today + timedelta(days=int(m["n"]) * (7 if unit.startswith("week") else 1))
    word = re.sub(r"^(?:due|by|on|for|until|before)\s+", "", m.group(0), flags=re.I).lower()
    word = word.removeprefix("the ")
    if word == "tonight":
        return today
    if word == "day after tomorrow":
        return today + timedelta(days=2)
    if word in ("this weekend", "weekend"):
        return today + timedelta(days=(5 - today.weekday()) % 7)
    if word.startswith("end of"):
        word = "end of month"
    if word.startswith("this "):
        index = _weekday(word.removeprefix("this "))
        if index is not None:
            return today + timedelta(days=(index - today.weekday()) % 7)
    return resolve_date(word, today)


def _weekday(word: str) -> int | None:
    resolved = resolve_date(word, date(2024, 1, 7))  # a Sunday: the result names the weekday
    return resolved.weekday() if resolved else None


def _next_month_day(today: date, month: int, day: int) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def find_time(text: str) -> Found | None:
    """A clock time or range written the calendar.txt way (``9:30``, ``15-16:30``), or None.

    A bare number counts only with ``at``, am/pm, minutes, or as a range: "call 3 people" has no
    time in it, "at 3pm" and "10-11" do.
    """
    for m in TIME_RE.finditer(text):
        lead = m.group(0).lower().startswith(("at ", "from "))
        explicit = m["m1"] or m["ap1"] or m["h2"] is not None or lead
        if not explicit:
            continue
        start = _clock(m["h1"], m["m1"], m["ap1"] or (m["ap2"] if m["h2"] else None))
        end = _clock(m["h2"], m["m2"], m["ap2"]) if m["h2"] is not None else None
        if start is None or (m["h2"] is not None and end is None):
            continue
        return Found(f"{start}-{end}" if end else start, m.start(), m.end())
    return None


def _clock(hours: str, minutes: str | None, ampm: str | None) -> str | None:
    h = int(hours)
    if ampm:
        if not 1 <= h <= 12:
            return None
        pm = ampm.lower().startswith("p")
        h = (h % 12) + (12 if pm else 0)
    if not 0 <= h <= 24 or (minutes is not None and int(minutes) > 59):
        return None
    return f"{h}:{minutes}" if minutes and minutes != "00" else str(h)


def cut(text: str, found: Found) -> str:
    """``text`` without the words of ``found``, spaces tidied."""
    return re.sub(r"\s{2,}", " ", (text[: found.start] + " " + text[found.end :])).strip(" ,")
