"""Relative dates as people type them."""

from __future__ import annotations

from datetime import date

import pytest

from shared.dates import add_business_days, add_offset, resolve_date

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        (" 2026-12-01 ", date(2026, 12, 1)),
        ("today", MONDAY),
        ("TOD", MONDAY),
        ("tomorrow", date(2026, 11, 24)),
        ("tmr", date(2026, 11, 24)),
        ("yesterday", date(2026, 11, 22)),
        ("next week", date(2026, 11, 30)),
        ("next-week", date(2026, 11, 30)),
        ("next month", date(2026, 12, 1)),
        ("eom", date(2026, 11, 30)),
        ("end_of_month", date(2026, 11, 30)),
        ("3d", date(2026, 11, 26)),
        ("2w", date(2026, 12, 7)),
        ("1m", date(2026, 12, 23)),
        ("1y", date(2027, 11, 23)),
        ("5b", date(2026, 11, 30)),
        ("fri", date(2026, 11, 27)),
        ("Friday", date(2026, 11, 27)),
        ("mon", date(2026, 11, 30)),  # a weekday named on that day means next week
        ("next tue", date(2026, 11, 24)),
        ("sun", date(2026, 11, 29)),
    ],
)
def test_resolve_date(text: str, expected: date) -> None:
    assert resolve_date(text, MONDAY) == expected


@pytest.mark.parametrize("text", ["", "   ", "someday", "2026-13-45", "fr", "frid ay", "3x", "-1d"])
def test_not_a_date(text: str) -> None:
    assert resolve_date(text, MONDAY) is None


def test_month_end_offsets_clamp() -> None:
    assert add_offset(date(2026, 1, 31), 1, "m") == date(2026, 2, 28)
    assert add_offset(date(2028, 1, 31), 1, "m") == date(2028, 2, 29)
    assert add_offset(date(2028, 2, 29), 1, "y") == date(2029, 2, 28)
    assert resolve_date("1m", date(2026, 3, 31)) == date(2026, 4, 30)


def test_business_days() -> None:
    friday = date(2026, 11, 27)
    assert add_business_days(friday, 1) == date(2026, 11, 30)
    assert add_business_days(friday, 0) == friday
    assert add_business_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # from a Saturday
    assert add_business_days(MONDAY, -1) == date(2026, 11, 20)
    assert add_business_days(MONDAY, 10) == date(2026, 12, 7)


def test_unknown_unit() -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        add_offset(MONDAY, 1, "q")
