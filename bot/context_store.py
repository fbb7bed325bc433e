"""The owner's manual context override, kept in Redis so every process sees the same one.

``myorg:context:override`` holds ``{"context": "@home", "until": "<ISO time>"}`` and expires
with it. :func:`current_context` combines it with the calendar and time windows
(:func:`shared.context_infer.infer_context`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import redis

from shared.assistant_config import parse_assistant_config
from shared.calendar import events_on, parse_calendar
from shared.context_infer import Inferred, Override, infer_context, normalise
from shared.org_repo import OrgRepo

OVERRIDE_KEY = "myorg:context:override"
DEFAULT_HOURS = 4.0
CLEAR_WORDS = frozenset({"auto", "clear", "none", "off", "reset"})


def read_override(client: redis.Redis) -> Override | None:
    raw = client.get(OVERRIDE_KEY)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        return Override(str(data["context"]), datetime.fromisoformat(data["until"]))
    except (ValueError, KeyError, TypeError):
        return None  # a damaged value counts as no override


def set_override(client: redis.Redis, context: str, now: datetime, hours: float) -> Override:
    """Set the override for ``hours`` from ``now``; :class:`ContextError` for a bad name."""
    override = Override(normalise(context), now + timedelta(hours=hours))
    payload = {"context": override.context, "until": override.until.isoformat()}
    client.set(OVERRIDE_KEY, json.dumps(payload), ex=max(1, round(hours * 3600)))
    return override


def clear_override(client: redis.Redis) -> None:
    client.delete(OVERRIDE_KEY)


def current_context(repo: OrgRepo, client: redis.Redis, now: datetime) -> Inferred:
    config = repo.parsed(repo.layout.assistant_toml, parse_assistant_config)
    events = events_on(repo.parsed(repo.layout.calendar, parse_calendar), now.date())
    return infer_context(now, config, events, read_override(client))


def describe(found: Inferred) -> str:
    if found.context is None:
        return f"No particular context ({found.reason}): every task counts."
    if found.source == "override":
        until = f" until {found.until:%H:%M}" if found.until else ""
        return f"Context **{found.context}** — set by you{until}."
    return f"Context **{found.context}** — from the {found.source}: {found.reason}."
