"""Where the owner's weekly review stands, kept in Redis so every interface shares it.

The bot and the web mount the repository read-only, so the review's progress lives under
``myorg:review:state`` (the :class:`~shared.review_state.ReviewState` JSON) for two weeks: a
review started in Discord can be continued on the web, and the other way round.
"""

from __future__ import annotations

import json

import redis

from shared.review_state import ReviewState, ReviewStateError

STATE_KEY = "myorg:review:state"
STATE_TTL_S = 14 * 24 * 3600


def load_review_state(client: redis.Redis) -> ReviewState | None:
    """The saved review, or None when there is none (or what is saved cannot be read)."""
    raw = client.get(STATE_KEY)
    if raw is None:
        return None
    try:
        return ReviewState.from_json(json.loads(raw))
    except (ValueError, ReviewStateError):
        return None


def save_review_state(client: redis.Redis, state: ReviewState) -> None:
    client.set(STATE_KEY, json.dumps(state.to_json()), ex=STATE_TTL_S)


def clear_review_state(client: redis.Redis) -> None:
    client.delete(STATE_KEY)
