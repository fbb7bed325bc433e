"""The owner's manual context (``/context`` in Discord, the web's picker), kept in Redis until it
expires, and the context in force now: that override, else what the calendar and the time say."""

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


def set_override(client: redis.Redis, context: str, until: datetime, now: datetime) -> Override:
    """Use ``context`` until ``until`` (aware); :class:`ContextError` if it is not one word."""
    override = Override(normalise(context), until)
    seconds = max(1, int((utc(until) - utc(now)).total_seconds()))
    payload = {"context": override.context, "until": until.isoformat()}
    client.set(OVERRIDE_KEY, json.dumps(payload), ex=seconds)
    return override


def clear_override(client: redis.Redis) -> None:
    client.delete(OVERRIDE_KEY)


def get_override(client: redis.Redis) -> Override | None:
    raw = client.get(OVERRIDE_KEY)
    if raw is None:
        return None
    data = json.loads(raw)
    return Override(data["context"], datetime.fromisoformat(data["until"]))


def current_context(client: redis.Redis, repo: OrgRepo, now: datetime) -> Inferred:
    """The context at ``now`` (owner's timezone): override, calendar, time windows."""
    config = repo.parsed(repo.layout.assistant_toml, parse_assistant_config)
    events = events_on(load_calendar(repo), now.date())
    return infer_context(now, config, events, get_override(client))
