"""Live updates: ``/events`` streams repo changes (Server-Sent Events); ``/ops/<id>`` polls one.

Changes come from the worker's pub/sub channel. Pub/sub is at-most-once and misses edits made
without the worker (a hand edit on the server), so the stream also watches the files themselves;
and a browser that reconnects refreshes its live parts, since it may have missed something.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import redis
from flask import Blueprint, Response, current_app, stream_with_context

from web import actions
from web.flash import flash_outcome
from web.services import services
from web.views import BadInputError
from worker.changes import ALERTS_CHANNEL, CHANGES_CHANNEL

bp = Blueprint("live", __name__)

#: A stream ends after this long (the browser reconnects), so server threads are recycled.
STREAM_SECONDS = 300
KEEPALIVE_S = 15.0
FILE_CHECK_S = 2.0
POLL_WAIT_S = 1.0


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def _summary(payload: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(payload)
    except (TypeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    keep = ("type", "source", "summary", "files", "kind", "message")
    return {k: data[k] for k in keep if k in data}


@bp.get("/events")
def events() -> Response:
    svc = services()
    seconds = float(current_app.config.get("SSE_STREAM_SECONDS", STREAM_SECONDS))
    pubsub = svc.redis.pubsub(ignore_subscribe_messages=True)
    try:
        pubsub.subscribe(CHANGES_CHANNEL, ALERTS_CHANNEL)
    except (redis.RedisError, OSError):
        pubsub.close()
        body = "retry: 10000\n\n" + sse("unavailable", {"message": "live updates are off"})
        return Response(body, mimetype="text/event-stream")

    def stream() -> Iterator[str]:
        try:
            yield "retry: 3000\n\n" + sse("hello", {})
            deadline = time.monotonic() + seconds
            last_sent = last_check = time.monotonic()
            signature = svc.repo_signature()
            while time.monotonic() < deadline:
                message = pubsub.get_message(timeout=min(1.0, FILE_CHECK_S))
                now = time.monotonic()
                if message is not None and message.get("type") == "message":
                    channel = message["channel"]
                    name = channel.decode() if isinstance(channel, bytes) else str(channel)
                    kind = "alert" if name == ALERTS_CHANNEL else "change"
                    yield sse(kind, _summary(message["data"]))
                    last_sent = now
                if now - last_check >= FILE_CHECK_S:
                    last_check = now
                    current = svc.repo_signature()
                    if current != signature:
                        signature = current
                        yield sse("change", {"type": "files"})
                        last_sent = now
                if now - last_sent >= KEEPALIVE_S:
                    yield ": keepalive\n\n"
                    last_sent = now
        except (redis.RedisError, OSError):
            yield sse("unavailable", {"message": "live updates paused; reconnecting"})
        finally:
            pubsub.close()

    return Response(
        stream_with_context(stream()),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@bp.get("/ops/<task_id>")
def op_status(task_id: str) -> Response:
    """Where a queued change stands; a pending answer polls again by itself."""
    if not actions.TASK_ID_RE.fullmatch(task_id):
        raise BadInputError("That is not a change reference.")
    return flash_outcome(actions.check(task_id, POLL_WAIT_S))
