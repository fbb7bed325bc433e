"""Live notifications over Redis: applied changes, commits and alerts for the owner.

Pub/sub is at-most-once: a dashboard that reconnects re-reads the files. Alerts (a sync conflict,
a dropped task) are also kept in a capped list so the web page can show missed ones, and put in
the outbox, which the Discord bot delivers exactly once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

import redis

from worker.outbox import publish_once

log = logging.getLogger(__name__)

CHANGES_CHANNEL = "myorg:changes"
ALERTS_CHANNEL = "myorg:alerts"
ALERTS_LIST = "myorg:alerts:recent"
DEAD_LETTERS = "myorg:dead-letters"
KEEP_ALERTS = 200
ALERT_REPEAT_S = 6 * 3600
ALERT_TITLES = {
    "sync_merge": "Both sides changed the same lines",
    "sync_blocked": "Git sync stopped",
    "sync_offline": "The git remote is unreachable",
    "sync_error": "Git sync failed",
    "commit_failed": "A change could not be committed",
    "task_dropped": "A task was dropped",
}


def publish_change(client: redis.Redis, event: dict[str, Any]) -> None:
    """Announce one event (``type``: ``applied``, ``committed``, ``synced``, ``undone``)."""
    try:
        client.publish(CHANGES_CHANNEL, json.dumps(event, ensure_ascii=False))
    except redis.RedisError as exc:
        log.warning("could not publish a change notification: %s", exc)


def publish_alert(client: redis.Redis, kind: str, message: str, **details: Any) -> None:
    """Tell the owner something needs attention: live on the web, kept in :data:`ALERTS_LIST`,
    and in the outbox for Discord — there once per :data:`ALERT_REPEAT_S` for the same text, so
    a remote that stays down does not fill the owner's channel."""
    now = time.time()
    alert = {"kind": kind, "message": message, "at": now, **details}
    payload = json.dumps(alert, ensure_ascii=False)
    log.warning("alert %s: %s", kind, message)
    try:
        pipe = client.pipeline()
        pipe.lpush(ALERTS_LIST, payload)
        pipe.ltrim(ALERTS_LIST, 0, KEEP_ALERTS - 1)
        pipe.publish(ALERTS_CHANNEL, payload)
        pipe.execute()
        digest = hashlib.sha256(f"{kind}\n{message}".encode("utf-8", "replace")).hexdigest()[:24]
        outbox = {
            "kind": "alert",
            "job": kind,
            "title": ALERT_TITLES.get(kind, "Needs your attention"),
            "text": message,
            "markdown": message,
            "data": {k: v for k, v in details.items() if isinstance(v, str | int | float | list)},
            "created_at": datetime.fromtimestamp(now, UTC).isoformat(),
        }
        publish_once(client, outbox, f"alert:{digest}", ALERT_REPEAT_S)
    except redis.RedisError as exc:
        log.error("could not store alert %s: %s", kind, exc)


def recent_alerts(client: redis.Redis, limit: int = 20) -> list[dict[str, Any]]:
    return [json.loads(raw) for raw in client.lrange(ALERTS_LIST, 0, limit - 1)]
