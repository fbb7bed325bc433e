"""The owner's manual context (``/context`` in Discord, the dashboard's picker), kept in Redis so
the web, the bot and the workers all see the same one, and the context in force now: that
override, else what the calendar and the time say.

``myorg:context:override`` holds ``{"context": "@home", "until": "<ISO time>"}`` and expires with
it; only this module reads or writes the key.
"""

from __future__ import annotations

import json
from datetime import datetime

import redis

from shared.assistant_config import parse_assistant_config
from shared.briefing import load_calendar
from shared.calendar import events_on
from shared.context_infer import Inferred, Override, infer_context, normalise
from shared.org_repo import OrgRepo
from shared.schedule import utc

OVERRIDE_KEY = "myorg:context:override"
#: How long a context the owner sets holds when they do not say.
DEFAULT_HOURS = 4.0


def set_override(client: redis.Redis, context: str, until: datetime, now: datetime) -> Override:
    """Use ``context`` until ``until`` (aware); :class:`ContextError` if it is not one word."""
    override = Override(normalise(context), until)
    seconds = max(1, round((utc(until) - utc(now)).total_seconds()))
    payload = {"context": override.context, "until": until.isoformat()}
    client.set(OVERRIDE_KEY, json.dumps(payload), ex=seconds)
    return override


def clear_override(client: redis.Redis) -> None:
    client.delete(OVERRIDE_KEY)


def get_override(client: redis.Redis) -> Override | None:
    """The override set, if any (a damaged value counts as none)."""
    raw = client.get(OVERRIDE_KEY)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        until = datetime.fromisoformat(data["until"])
        utc(until)  # an instant, not a naive time
        return Override(normalise(str(data["context"])), until)
    except (ValueError, KeyError, TypeError):
        return None


def active_override(client: redis.Redis, now: datetime) -> Override | None:
    """The override in force at ``now``: set, and not run out."""
    override = get_override(client)
    return override if override is not None and override.active(now) else None


def current_context(client: redis.Redis, repo: OrgRepo, now: datetime) -> Inferred:
    """The context at ``now`` (owner's timezone): override, calendar, time windows."""
    config = repo.parsed(repo.layout.assistant_toml, parse_assistant_config)
    events = events_on(load_calendar(repo), now.date())
    return infer_context(now, config, events, get_override(client))
