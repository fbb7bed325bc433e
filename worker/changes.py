"""Live notifications over Redis: applied changes, commits and alerts for the owner.

Pub/sub is at-most-once: a dashboard that reconnects re-reads the files. Alerts (a sync conflict,
a dropped task) are also kept in a capped list so the web page and the bot can show missed ones.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import redis

log = logging.getLogger(__name__)

CHANGES_CHANNEL = "myorg:changes"
ALERTS_CHANNEL = "myorg:alerts"
ALERTS_LIST = "myorg:alerts:recent"
DEAD_LETTERS = "myorg:dead-letters"
KEEP_ALERTS = 200


def publish_change(client: redis.Redis, event: dict[str, Any]) -> None:
    """Announce one event (``type``: ``applied``, ``committed``, ``synced``, ``undone``)."""
    try:
        client.publish(CHANGES_CHANNEL, json.dumps(event, ensure_ascii=False))
    except redis.RedisError as exc:
        log.warning("could not publish a change notification: %s", exc)


def publish_alert(client: redis.Redis, kind: str, message: str, **details: Any) -> None:
    """Tell the owner something needs attention; kept in :data:`ALERTS_LIST` too."""
    alert = {"kind": kind, "message": message, "at": time.time(), **details}
    payload = json.dumps(alert, ensure_ascii=False)
    log.warning("alert %s: %s", kind, message)
    try:
        pipe = client.pipeline()
        pipe.lpush(ALERTS_LIST, payload)
        pipe.ltrim(ALERTS_LIST, 0, KEEP_ALERTS - 1)
        pipe.publish(ALERTS_CHANNEL, payload)
        pipe.execute()
    except redis.RedisError as exc:
        log.error("could not store alert %s: %s", kind, exc)


def recent_alerts(client: redis.Redis, limit: int = 20) -> list[dict[str, Any]]:
    return [json.loads(raw) for raw in client.lrange(ALERTS_LIST, 0, limit - 1)]
