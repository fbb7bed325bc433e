"""assistant.toml: the owner's settings, versioned with the data. Every key is optional.

Reading never fails: invalid TOML, or an invalid value for a key, gives that key's default and
a human-readable line in ``problems``. Unknown keys are kept in ``extra``, in the file's shape.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.lines import BOM

DEFAULT_SCHEDULE: dict[str, str] = {
    "morning_briefing": "0 8 * * *",
    "evening_summary": "0 20 * * *",
    "deadline_check": "0 * * * *",
    "waiting_followup": "0 9 * * 1",
    "git_sync": "*/15 * * * *",
}
DEFAULT_EVENT_PREP_MINUTES = 30
DEFAULT_DEADLINE_DAYS = (7, 3, 1)
DEFAULT_WAITING_STALE_DAYS = 7
DEFAULT_STALLED_DAYS = 14
DEFAULT_WORK_HOURS = "Mon-Fri 09:00-18:00"
MAX_WHOLE = 3650  # no day count or minute count beyond ten years makes sense

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CRON_TOKEN_RE = re.compile(r"^(?:\*|\d{1,2}|[A-Za-z]{3})$")
_PLAIN_CRON_RE = re.compile(r"[0-9*/,\- \t]*")
_PLAIN_CRON_ITEM_RE = re.compile(r"(?:\*|([0-9]{1,2})(?:-([0-9]{1,2}))?)(?:/([0-9]{1,2}))?")
_CRON_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_WORK_HOURS_RE = re.compile(
    r"^\s*([A-Za-z]{3}(?:\s*[-,]\s*[A-Za-z]{3})*)\s+"
    r"(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?\s*$"
)


class AssistantConfigError(ValueError):
    """A setting that cannot be used (for now only an unknown fallback timezone)."""


@dataclass(frozen=True)
class Reminders:
    """``[reminders]``: days before a deadline to remind; age at which a waiting item is stale."""

    deadline_days: tuple[int, ...] = DEFAULT_DEADLINE_DAYS
    waiting_stale_days: int = DEFAULT_WAITING_STALE_DAYS


@dataclass(frozen=True)
class ProjectSettings:
    """``[projects]``: days without a completed task after which an active project is stalled."""

    stalled_days: int = DEFAULT_STALLED_DAYS


@dataclass(frozen=True)
class AssistantConfig:
    """The settings, shaped like the file: ``schedule`` holds the cron strings by name,
    ``event_prep_minutes`` the other ``[schedule]`` key, ``contexts`` every ``[contexts]`` key."""

    timezone: str | None = None
    schedule: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SCHEDULE))
    event_prep_minutes: int = DEFAULT_EVENT_PREP_MINUTES
    reminders: Reminders = field(default_factory=Reminders)
    projects: ProjectSettings = field(default_factory=ProjectSettings)
    contexts: dict[str, Any] = field(default_factory=lambda: {"work_hours": DEFAULT_WORK_HOURS})
    extra: dict[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    @property
    def work_hours(self) -> str:
        value = self.contexts.get("work_hours", DEFAULT_WORK_HOURS)
        return value if isinstance(value, str) else DEFAULT_WORK_HOURS


@dataclass(frozen=True)
class WorkHours:
    """``Mon-Fri 09:00-18:00``: weekdays (0 = Monday) and a daily window."""

    days: frozenset[int]
    start: time
    end: time


def is_valid_cron(expr: object) -> bool:
    """A five-field cron string that both croniter and Celery's ``crontab`` understand."""
    if not isinstance(expr, str):
        return False
    fields = expr.split()
    if len(fields) != 5:
        return False
    for part in fields:
        for token in re.split(r"[,/-]", part):
            if not _CRON_TOKEN_RE.match(token):
                return False
            if token.isalpha() and token.lower() not in _DAYS + _MONTHS:
                return False
    if _PLAIN_CRON_RE.fullmatch(expr) and _is_plain_cron(fields):
        return True
    from croniter import croniter  # on use: only for a form _is_plain_cron does not vouch for

    try:
        return bool(croniter.is_valid(expr))
    except Exception:  # croniter's validator is the judge; any complaint means "invalid"
        return False


def _is_plain_cron(fields: list[str]) -> bool:
    """True when each field is a list of ``*``, ``*/S``, ``N``, ``N-M`` or ``N-M/S`` with
    ``N <= M`` inside the field's bounds and ``S >= 1``: forms croniter accepts (a test checks
    it against croniter), so that reading the common cron strings does not import croniter, a
    noticeable part of a short command's start-up. False means "ask croniter", not "invalid"."""
    for part, (low, high) in zip(fields, _CRON_BOUNDS, strict=True):
        for item in part.split(","):
            m = _PLAIN_CRON_ITEM_RE.fullmatch(item)
            if m is None:
                return False
            first, last, step = m.groups()
            if first is not None:
                if last is None and step is not None:  # "N/S": left to croniter
                    return False
                if not low <= int(first) <= int(last or first) <= high:
                    return False
            if step is not None and int(step) == 0:
                return False
    return True


def parse_work_hours(text: str) -> WorkHours | None:
    """``Mon-Fri 09:00-18:00`` or ``Mon,Wed 9-13`` → :class:`WorkHours`; ``None`` if invalid."""
    m = _WORK_HOURS_RE.match(text) if len(text) <= 100 else None
    if not m:
        return None
    days: set[int] = set()
    for chunk in re.split(r"\s*,\s*", m.group(1)):
        ends = [d.strip().lower() for d in chunk.split("-")]
        if any(d not in _DAYS for d in ends) or len(ends) > 2:
            return None
        first, last = _DAYS.index(ends[0]), _DAYS.index(ends[-1])
        span = (last - first) % 7
        days.update((first + i) % 7 for i in range(span + 1))
    h1, m1, h2, m2 = (int(g) if g else 0 for g in m.group(2, 3, 4, 5))
    if not (h1 <= 23 and h2 <= 24 and m1 <= 59 and m2 <= 59) or (h2 == 24 and m2):
        return None
    start = time(h1, m1)
    end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    if end <= start:
        return None
    return WorkHours(frozenset(days), start, end)


def parse_assistant_config(data: bytes) -> AssistantConfig:
    problems: list[str] = []
    try:
        raw = tomllib.loads(data.removeprefix(BOM).decode("utf-8"))
    except UnicodeDecodeError:
        return AssistantConfig(problems=("assistant.toml is not UTF-8 text; using defaults",))
    except RecursionError:
        return AssistantConfig(problems=("assistant.toml is nested too deeply; using defaults",))
    except tomllib.TOMLDecodeError as exc:
        return AssistantConfig(
            problems=(f"assistant.toml is not valid TOML ({exc}); using defaults",)
        )
    extra: dict[str, Any] = {}
    timezone = _timezone(raw.pop("timezone", None), problems)
    schedule_t = _table(raw.pop("schedule", {}), "schedule", problems)
    reminders_t = _table(raw.pop("reminders", {}), "reminders", problems)
    projects_t = _table(raw.pop("projects", {}), "projects", problems)
    contexts_t = _table(raw.pop("contexts", {}), "contexts", problems)
    extra.update(raw)

    schedule = dict(DEFAULT_SCHEDULE)
    for name, default in DEFAULT_SCHEDULE.items():
        if name in schedule_t:
            value = schedule_t.pop(name)
            if is_valid_cron(value):
                schedule[name] = value
            else:
                problems.append(
                    f"schedule.{name} = {_show(value)} is not a five-field cron string; "
                    f"using {default!r}"
                )
    prep = _whole(
        schedule_t, "schedule.event_prep_minutes", DEFAULT_EVENT_PREP_MINUTES, 0, problems
    )
    deadline_days = _day_list(reminders_t, problems)
    stale = _whole(
        reminders_t, "reminders.waiting_stale_days", DEFAULT_WAITING_STALE_DAYS, 1, problems
    )
    stalled = _whole(projects_t, "projects.stalled_days", DEFAULT_STALLED_DAYS, 1, problems)
    contexts: dict[str, Any] = {"work_hours": DEFAULT_WORK_HOURS}
    work_hours = contexts_t.pop("work_hours", DEFAULT_WORK_HOURS)
    if isinstance(work_hours, str) and parse_work_hours(work_hours):
        contexts["work_hours"] = work_hours
    else:
        problems.append(
            f"contexts.work_hours = {_show(work_hours)} is not like "
            f"{DEFAULT_WORK_HOURS!r}; using that"
        )
    contexts.update(contexts_t)
    for table, rest in (
        ("schedule", schedule_t),
        ("reminders", reminders_t),
        ("projects", projects_t),
    ):
        if rest:
            extra[table] = rest
    return AssistantConfig(
        timezone=timezone,
        schedule=schedule,
        event_prep_minutes=prep,
        reminders=Reminders(deadline_days, stale),
        projects=ProjectSettings(stalled),
        contexts=contexts,
        extra=extra,
        problems=tuple(problems),
    )


def zone(config: AssistantConfig, fallback: str) -> ZoneInfo:
    """The owner's timezone: assistant.toml's, else ``fallback`` (the TIMEZONE setting)."""
    name = config.timezone or fallback
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise AssistantConfigError(f"unknown timezone {name!r}") from exc


def _timezone(value: object, problems: list[str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
        else:
            return value
    problems.append(
        f"timezone = {_show(value)} is not a known timezone (like Europe/Madrid); ignored"
    )
    return None


def _table(value: object, name: str, problems: list[str]) -> dict[str, Any]:
    if isinstance(value, dict):
        return dict(value)
    problems.append(f"{name} should be a [{name}] table; using its defaults")
    return {}


def _whole(table: dict[str, Any], path: str, default: int, low: int, problems: list[str]) -> int:
    """The value at ``path`` (popped) if a whole number in ``low..MAX_WHOLE``, else the default."""
    key = path.rpartition(".")[2]
    if key not in table:
        return default
    value = table.pop(key)
    if _is_whole(value, low):
        return int(value)
    problems.append(
        f"{path} = {_show(value)} should be a whole number from {low} to {MAX_WHOLE}; "
        f"using {default}"
    )
    return default


def _is_whole(value: object, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= MAX_WHOLE


def _day_list(table: dict[str, Any], problems: list[str]) -> tuple[int, ...]:
    if "deadline_days" not in table:
        return DEFAULT_DEADLINE_DAYS
    value = table.pop("deadline_days")
    if isinstance(value, list) and all(_is_whole(v, 0) for v in value):
        return tuple(dict.fromkeys(value))
    problems.append(
        f"reminders.deadline_days = {_show(value)} should be a list of whole numbers "
        f"from 0 to {MAX_WHOLE}; "
        f"using {list(DEFAULT_DEADLINE_DAYS)}"
    )
    return DEFAULT_DEADLINE_DAYS


def _show(value: object) -> str:
    """A value for a problem message, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
