"""Login rate limiting: a few wrong passwords per client address per minute, then a lockout.

The address is the socket's peer (or, with ``WEB_TRUSTED_PROXIES``, the one the trusted proxy
saw), never a header a client can write itself. Counts live in Redis so every web process
shares them; when Redis is unreachable an in-process count takes over, so the limit still holds.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import redis

KEY_PREFIX = "myorg:web:login-failures:"
MAX_FAILURES = 5
WINDOW_S = 60


@dataclass(frozen=True)
class LoginLimit:
    max_failures: int = MAX_FAILURES
    window_s: int = WINDOW_S


class LoginLimiter:
    """Counts failed logins per address in fixed windows of ``window_s`` seconds."""

    def __init__(self, client: redis.Redis, limit: LoginLimit | None = None) -> None:
        self.client = client
        self.limit = limit or LoginLimit()
        self._local: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> int:
        """Seconds until ``address`` may try again (0: it may try now)."""
        key = KEY_PREFIX + address
        try:
            pipe = self.client.pipeline()
            pipe.get(key)
            pipe.ttl(key)
            count, ttl = pipe.execute()
            failures = int(count or 0)
            remaining = max(int(ttl), 1)
        except redis.RedisError:
            failures, remaining = self._local_count(address)
        return remaining if failures >= self.limit.max_failures else 0

    def record_failure(self, address: str) -> None:
        key = KEY_PREFIX + address
        try:
            count = int(self.client.incr(key))
            if count == 1 or int(self.client.ttl(key)) < 0:
                self.client.expire(key, self.limit.window_s)
        except redis.RedisError:
            with self._lock:
                failures, until = self._local_count(address)
                now = time.monotonic()
                until_at = now + until if failures else now + self.limit.window_s
                self._local[address] = (failures + 1, until_at)

    def _local_count(self, address: str) -> tuple[int, int]:
        failures, until = self._local.get(address, (0, 0.0))
        left = until - time.monotonic()
        if left <= 0:
            return 0, self.limit.window_s
        return failures, max(int(left), 1)
