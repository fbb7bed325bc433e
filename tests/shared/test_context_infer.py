"""Context inference: override, then the calendar event under way, then the time windows."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shared.assistant_config import parse_assistant_config
from shared.calendar import events_on, parse_calendar
from shared.context_infer import ContextError, Override, infer_context, normalise

MADRID = ZoneInfo("Europe/Madrid")
DEFAULTS = parse_assistant_config(b"")
CALENDAR = parse_calendar(
    b"2026-11-23 w48 Mon  9-9:30 ACME standup +acme. 10-13 revise chapter 3 +book. "
    b"14-15 call with Ines. 15:30-16:30 physio @town. 17-19 train to Oviedo. 19:30 gym\n"
    b"2026-11-28 w48 Sat  11-12 zoom with the school\n"
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=MADRID)


def infer(now: datetime, config=DEFAULTS, override=None):  # type: ignore[no-untyped-def]
    return infer_context(now, config, events_on(CALENDAR, now.date()), override)


@pytest.mark.parametrize(
    ("now", "context", "source"),
    [
        (at(23, 9, 10), "@meeting", "calendar"),  # standup
        (at(23, 11), "@work", "time"),  # a writing block: no rule, work hours
        (at(23, 14, 30), "@telefon", "calendar"),  # a call
        (at(23, 16), "@town", "calendar"),  # the event names its context
        (at(23, 18), "@oviedo", "calendar"),  # travelling to Oviedo
        (at(23, 20), "@gym", "calendar"),  # a place word (no end: lasts an hour)
        (at(23, 21, 30), "@home", "time"),  # evening
        (at(28, 11, 30), "@telefon", "calendar"),  # zoom on a Saturday
        (at(28, 15), "@home", "time"),  # weekend
        (at(24, 3), None, "none"),  # night
    ],
)
def test_inference_rules(now: datetime, context: str | None, source: str) -> None:
    found = infer(now)
    assert (found.context, found.source) == (context, source)


def test_reason_says_why() -> None:
    assert infer(at(23, 18)).reason == "travelling: train to Oviedo"
    assert infer(at(23, 11)).reason == "work hours"


def test_override_wins_until_it_expires() -> None:
    override = Override("@errands", at(23, 14, 40))
    found = infer(at(23, 14, 30), override=override)
    assert (found.context, found.source, found.until) == ("@errands", "override", at(23, 14, 40))
    assert infer(at(23, 14, 40), override=override).context == "@telefon"
    assert override.active(at(23, 14, 39)) and not override.active(at(23, 14, 40))


def test_windows_and_words_come_from_assistant_toml() -> None:
    config = parse_assistant_config(
        b'[contexts]\nwork_hours = "Mon-Thu 08:00-15:00"\nwork_context = "computer"\n'
        b'evenings = "off"\nmeeting_words = ["revise"]\ncall_context = "@phone"\n'
    )
    assert infer(at(23, 11), config).context == "@meeting"  # "revise" is a meeting word now
    assert infer(at(23, 8, 30), config).context == "@computer"
    assert infer(at(23, 14, 30), config).context == "@phone"
    assert infer(at(23, 21, 30), config).context is None  # evenings switched off
    assert infer(at(27, 11), config).context is None  # Friday is not a work day here


def test_normalise() -> None:
    assert normalise(" Home ") == "@home"
    assert normalise("@Telefon") == "@telefon"
    with pytest.raises(ContextError, match="one word"):
        normalise("two words")
