"""The Anthropic client for one agent turn: the SDK's own retries, bounded by the turn.

The SDK retries 408/409/429/5xx/529 and connection errors with exponential backoff and obeys
``retry-after``. :class:`TurnRetryPolicy`, an SDK middleware run once per HTTP attempt, keeps
that inside the turn's time budget:

- no attempt starts after the turn's deadline, and each gets at most the time left;
- a 429 without ``retry-after`` (a spend or quota limit, not a burst) is not retried;
- a ``retry-after`` longer than ``max_wait_s`` or past the deadline is not waited for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import anthropic
import httpx2
from anthropic import Middleware

CONNECT_TIMEOUT_S = 5.0


class TurnDeadlineError(RuntimeError):
    """The turn's time budget ran out before or during a model call (never retried)."""


class TurnRetryPolicy(Middleware):
    def __init__(
        self,
        deadline: float,
        request_timeout_s: float,
        max_wait_s: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.deadline = deadline
        self.request_timeout_s = request_timeout_s
        self.max_wait_s = max_wait_s
        self.clock = clock
        self.attempts = 0  # HTTP attempts in the turn
        self.call_attempts = 0  # HTTP attempts of the current model call

    def start(self, deadline: float) -> None:
        """A new turn: its deadline, and the attempt count from zero."""
        self.deadline = deadline
        self.attempts = self.call_attempts = 0

    def handle(self, request: Any, call_next: Any) -> Any:
        left = self.deadline - self.clock()
        if left <= 0.5:
            raise TurnDeadlineError("the turn ran out of time waiting for the model")
        self.attempts += 1
        self.call_attempts = getattr(request, "retries_taken", 0) + 1
        budget = min(self.request_timeout_s, left)
        timeout = httpx2.Timeout(budget, connect=min(CONNECT_TIMEOUT_S, budget))
        try:
            response = call_next(request.copy(timeout=timeout))
        except (anthropic.APITimeoutError, anthropic.APIConnectionError) as exc:
            if self.deadline - self.clock() <= 0.5:
                raise TurnDeadlineError("the model did not answer in time") from None
            raise exc
        http = response.http_response
        if not http.is_success and not self._worth_retrying(http):
            http.headers["x-should-retry"] = "false"
        return response

    def _worth_retrying(self, http: Any) -> bool:
        wait = retry_after_s(http.headers)
        if http.status_code == 429 and wait is None:
            return False
        too_long = wait is not None and (
            wait > self.max_wait_s or self.clock() + wait >= self.deadline
        )
        return not too_long


def retry_after_s(headers: Any) -> float | None:
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) * scale
        except ValueError:
            return None  # an HTTP date: treat as "long"
    return None


def make_client(
    api_key: str,
    base_url: str | None,
    policy: TurnRetryPolicy,
    max_retries: int,
) -> anthropic.Anthropic:
    """A client that sends only what it is given: the key as ``x-api-key``, no other credential
    found in the environment or on disk."""
    return anthropic.Anthropic(
        api_key=api_key,
        base_url=base_url or "https://api.anthropic.com",
        max_retries=max_retries,
        timeout=httpx2.Timeout(policy.request_timeout_s, connect=CONNECT_TIMEOUT_S),
        middleware=[policy],
    )
