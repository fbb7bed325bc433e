"""Where the owner probably is, as a todo.txt context: override, then calendar, then time.

1. The owner's manual override (``/context`` in Discord, the web's context picker) wins until it
   expires.
2. The calendar event under way now: its own ``@context`` if it names one; else a travel word
   with a destination (``train to Oviedo`` → ``@oviedo``); else a place word (``19 gym`` →
   ``@gym``); else a call word (``call``, ``zoom``…) → ``@telefon``; else a meeting word
   (``meeting``, ``standup``…) → ``@meeting``.
3. The time windows of ``assistant.toml [contexts]``: ``work_hours`` (→ ``work_context``,
   default ``@work``), ``evenings`` (→ ``evening_context``, default ``@home``) and ``weekends``
   (→ ``weekend_context``, default ``@home``); windows are written like ``Mon-Fri 09:00-18:00``.
4. Otherwise no context (night, or outside every window).

Word lists can be replaced in ``[contexts]``: ``call_words``, ``meeting_words``,
``travel_words``, ``places``; ``call_context`` and ``meeting_context`` rename the results.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.assistant_config import AssistantConfig, WorkHours, parse_work_hours
from shared.calendar import Event, current_event
from shared.schedule import utc

DEFAULT_WINDOWS = (
    # (window key, default window, context key, default context)
    ("work_hours", "Mon-Fri 09:00-18:00", "work_context", "@work"),
    ("evenings", "Mon-Fri 18:00-23:00", "evening_context", "@home"),
    ("weekends", "Sat-Sun 08:00-23:00", "weekend_context", "@home"),
)
CALL_WORDS = ("call", "phone", "telefon", "zoom", "video", "meet.google", "teams", "skype")
MEETING_WORDS = ("meeting", "standup", "stand-up", "meetup", "walkthrough", "interview", "sync",
                 "retro", "workshop", "1:1", "one-on-one", "demo", "kickoff", "kick-off")
TRAVEL_WORDS = ("train", "flight", "fly", "plane", "bus", "drive", "trip", "travel", "ferry",
                "hotel")
PLACES = ("office", "gym", "town", "home")
_CONTEXT_RE = re.compile(r"^@?[^\s@]{1,60}$")
_DESTINATION_RE = r"\b(?:{words})\w*\b.*?\b(?:to|in|at)\s+([^\W\d_][\w-]*)"


class ContextError(ValueError):
    """A context that is not one word."""


def normalise(context: str) -> str:
    """``home`` or ``@home`` → ``@home``; :class:`ContextError` for anything else."""
    text = context.strip()
    if not _CONTEXT_RE.match(text):
        raise ContextError(f"{context!r} is not a context: one word, like @home")
    return "@" + text.lstrip("@").casefold()


@dataclass(frozen=True)
class Override:
    context: str
    until: datetime

    def active(self, now: datetime) -> bool:
        return utc(now) < utc(self.until)


@dataclass(frozen=True)
class Inferred:
    """The context (None: anywhere), where it came from, and why."""

    context: str | None
    source: str  # override, calendar, time, none
    reason: str
    until: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "source": self.source,
            "reason": self.reason,
            "until": self.until.isoformat() if self.until else None,
        }


def infer_context(
    now: datetime,
    config: AssistantConfig,
    events: Sequence[Event] = (),
    override: Override | None = None,
) -> Inferred:
    """The context at ``now`` (owner's timezone); ``events`` are today's."""
    if override is not None and override.active(now):
        return Inferred(override.context, "override", "set by you", override.until)
    settings = config.contexts
    event = current_event(list(events), now.time().replace(tzinfo=None))
    if event is not None:
        found = context_of_event(event, settings)
        if found is not None:
            return Inferred(found[0], "calendar", f"{found[1]}: {event.text}")
    for window_key, default_window, context_key, default_context in DEFAULT_WINDOWS:
        window = _window(settings.get(window_key), default_window)
        if window is not None and _inside(window, now):
            context = _context(settings.get(context_key), default_context)
            return Inferred(context, "time", window_key.replace("_", " "))
    return Inferred(None, "none", "outside every time window")


def context_of_event(event: Event, settings: dict[str, Any]) -> tuple[str, str] | None:
    """The context an event implies and the rule that said so, or None."""
    if event.contexts:
        return event.contexts[0].casefold(), "event context"
    text = event.text.casefold()
    travel = _words(settings, "travel_words", TRAVEL_WORDS)
    if travel:
        pattern = _DESTINATION_RE.format(words="|".join(re.escape(w) for w in travel))
        m = re.search(pattern, event.text, re.IGNORECASE)
        if m:
            return "@" + m.group(1).casefold(), "travelling"
    for place in _words(settings, "places", PLACES):
        if re.search(rf"(?<![\w@+]){re.escape(place)}\b", text):
            return "@" + place, "place"
    if _mentions(text, _words(settings, "call_words", CALL_WORDS)):
        return _context(settings.get("call_context"), "@telefon"), "call"
    if _mentions(text, _words(settings, "meeting_words", MEETING_WORDS)):
        return _context(settings.get("meeting_context"), "@meeting"), "meeting"
    return None


def _mentions(text: str, words: Sequence[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text) for w in words)


def _words(settings: dict[str, Any], key: str, default: Sequence[str]) -> list[str]:
    value = settings.get(key)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.casefold() for v in value if v.strip()]
    return [w.casefold() for w in default]


def _context(value: object, default: str) -> str:
    if isinstance(value, str):
        try:
            return normalise(value)
        except ContextError:
            pass
    return default


def _window(value: object, default: str) -> WorkHours | None:
    if isinstance(value, str):
        parsed = parse_work_hours(value)
        if parsed is not None:
            return parsed
        if value.strip().lower() in ("", "off", "none"):
            return None
    return parse_work_hours(default)


def _inside(window: WorkHours, now: datetime) -> bool:
    moment = now.time().replace(tzinfo=None)
    return now.weekday() in window.days and window.start <= moment < window.end
