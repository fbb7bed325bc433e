"""Relative dates as people type them: ``today``, ``tomorrow``, ``fri``, ``next week``, ``3d``."""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_OFFSET_RE = re.compile(r"^(\d{1,4})([dwmyb])$")


def add_business_days(start: date, count: int) -> date:
    day = start
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if day.weekday() < 5:
            remaining -= 1
    return day


def add_offset(start: date, count: int, unit: str) -> date:
    if unit == "d":
        return start + timedelta(days=count)
    if unit == "w":
        return start + timedelta(weeks=count)
    if unit == "m":
        return start + relativedelta(months=count)
    if unit == "y":
        return start + relativedelta(years=count)
    if unit == "b":
        return add_business_days(start, count)
    raise ValueError(f"unknown unit {unit!r}")


def _weekday_index(word: str) -> int | None:
    word = word.lower()
    if len(word) < 3:
        return None
    for i, name in enumerate(WEEKDAYS):
        full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[i]
        if full.startswith(word) and word.startswith(name):
            return i
    return None


def resolve_date(text: str, today: date) -> date | None:
    """An ISO date or a relative one; ``None`` when ``text`` is neither.

    A bare weekday means its next occurrence after today (``fri`` on a Friday is next week);
    ``next week`` is next Monday; ``3d``/``2w``/``1m``/``1y``/``5b`` are offsets from today.
    """
    word = text.strip().lower().replace("_", " ").replace("-", " ") if text else ""
    if not word:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    if word in ("today", "tod"):
        return today
    if word in ("tomorrow", "tmr", "tom"):
        return today + timedelta(days=1)
    if word in ("yesterday",):
        return today - timedelta(days=1)
    if word in ("next week", "nextweek"):
        return today + timedelta(days=7 - today.weekday())
    if word in ("next month", "nextmonth"):
        return (today + relativedelta(months=1)).replace(day=1)
    if word in ("end of month", "eom"):
        return (today + relativedelta(months=1)).replace(day=1) - timedelta(days=1)
    m = _OFFSET_RE.match(word)
    if m:
        return add_offset(today, int(m.group(1)), m.group(2))
    target = word.removeprefix("next ").removeprefix("this ").strip()
    index = _weekday_index(target)
    if index is not None:
        ahead = (index - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    return None
