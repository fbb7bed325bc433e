"""Running totals of the repo lane kept in Redis, read by the web's ``/metrics`` at scrape time."""

from __future__ import annotations

import contextlib
from typing import Any

import redis

APPLIED_KEY = "myorg:metrics:applied"
FAILED_KEY = "myorg:metrics:failed"


def count_outcome(client: redis.Redis, outcome: dict[str, Any]) -> None:
    """Add one to the applied or the failed total; a Redis outage only loses the count."""
    with contextlib.suppress(redis.RedisError):
        client.incr(APPLIED_KEY if outcome.get("ok") else FAILED_KEY)
