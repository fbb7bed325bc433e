"""Chat with the assistant: a turn runs on the agent lane; its reply streams in over SSE.

The turn publishes its events (text deltas, tool steps, the final answer) to the conversation's
Redis stream. The page reads them with ``/chat/stream/<turn_id>``; each SSE event carries the
stream entry id, so a browser that reconnects resumes where it stopped. When the turn is done the
page fetches the finished answer (with confirm / cancel buttons if a change awaits approval).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

import redis
from flask import Blueprint, Response, current_app, render_template, request, session
from flask.typing import ResponseReturnValue

from shared.agent.ids import check_id
from web.flash import flash
from web.services import WebServices, services
from web.views import BadInputError, render_page
from worker.agent_store import RedisAgentState, stream_key
from worker.agent_tasks import agent_worker_available, enqueue_turn
from worker.client import QueueUnavailableError

bp = Blueprint("chat", __name__)

MAX_MESSAGE_CHARS = 4000
HISTORY_SHOWN = 30
STREAM_SECONDS = 120
#: With no word from the turn for this long, the page says the agent may not be running.
SILENCE_NOTICE_S = 30.0
AVAILABILITY_TTL_S = 20.0
SESSION_KEY = "conversation"
_AVAILABLE = "agent_available"


def conversation_id() -> str:
    conv = session.get(SESSION_KEY)
    if not isinstance(conv, str):
        conv = "web-" + secrets.token_hex(8)
        session[SESSION_KEY] = conv
    return conv


def agent_state(svc: WebServices) -> RedisAgentState:
    return RedisAgentState(svc.redis)


def agent_available(svc: WebServices) -> bool:
    """Whether an agent worker listens (asked at most every few seconds; it costs a broadcast)."""
    cached = svc.extras.get(_AVAILABLE)
    now = time.monotonic()
    if isinstance(cached, tuple) and now - cached[1] < AVAILABILITY_TTL_S:
        return bool(cached[0])
    found = agent_worker_available(svc.celery, timeout=0.5)
    svc.extras[_AVAILABLE] = (found, now)
    return found


@bp.get("/chat")
def index() -> str:
    svc = services()
    conv = conversation_id()
    try:
        history = agent_state(svc).history(conv)[-HISTORY_SHOWN:]
        reachable = True
    except (redis.RedisError, OSError):
        history, reachable = [], False
    available = reachable and agent_available(svc)
    return render_page("chat/index.html", None, history=history, available=available,
                       reachable=reachable)


@bp.post("/chat")
def send() -> ResponseReturnValue:
    text = request.form.get("text", "").strip()
    if not text:
        raise BadInputError("Write a message first.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise BadInputError(f"A message can be at most {MAX_MESSAGE_CHARS} characters.")
    svc = services()
    conv = conversation_id()
    state = agent_state(svc)
    try:
        after = state.last_event_id(conv)
        turn_id = enqueue_turn(svc.celery, conv, text, "web")
    except (QueueUnavailableError, redis.RedisError, OSError) as exc:
        return flash("error", f"Not sent: the queue is unreachable ({type(exc).__name__}).", 503)
    return render_template("chat/partials/turn.html", text=text, turn_id=turn_id, after=after)


@bp.post("/chat/new")
def new_conversation() -> ResponseReturnValue:
    session.pop(SESSION_KEY, None)
    conversation_id()
    return flash("ok", "Started a new conversation.", changed=False), {"HX-Refresh": "true"}


def _sse(event: str, data: dict[str, Any], entry_id: str | None = None) -> str:
    head = f"id: {entry_id}\n" if entry_id else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@bp.get("/chat/stream/<turn_id>")
def stream(turn_id: str) -> Response:
    """The turn's events as SSE: ``text`` deltas, ``tool`` steps, then ``done``."""
    try:
        check_id(turn_id, "turn id")
        after = request.headers.get("Last-Event-ID") or request.args.get("after", "0-0")
        check_id(after, "event id")
    except ValueError as exc:
        raise BadInputError(str(exc)) from exc
    svc = services()
    conv = conversation_id()
    state = agent_state(svc)
    seconds = float(current_app.config.get("CHAT_STREAM_SECONDS", STREAM_SECONDS))

    def events() -> Iterator[str]:
        position = after
        started = time.monotonic()
        deadline = started + seconds
        heard = False
        yield "retry: 2000\n\n"
        try:
            while time.monotonic() < deadline:
                got = False
                if not heard and time.monotonic() - started > SILENCE_NOTICE_S:
                    heard = True
                    yield _sse("notice", {"text": "no answer yet: is the agent worker running?"})
                for entry_id, event in state.events(conv, position, 1000):
                    position, got = entry_id, True
                    if event.get("turn_id") != turn_id:
                        continue
                    heard = True
                    kind = str(event.get("type", ""))
                    if kind == "done":
                        yield _sse("done", {"status": event.get("status")}, entry_id)
                        return
                    if kind in ("text", "tool_start", "tool", "notice", "step"):
                        yield _sse(kind, _public(event), entry_id)
                if not got:
                    yield ": waiting\n\n"
        except (redis.RedisError, OSError):
            yield _sse("notice", {"text": "lost the connection to the queue; retrying"})

    return Response(
        events(),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _public(event: dict[str, Any]) -> dict[str, Any]:
    keep = ("type", "text", "tool", "status", "summary", "n")
    return {k: event[k] for k in keep if k in event}


def finished_turn(state: RedisAgentState, conv: str, turn_id: str) -> dict[str, Any] | None:
    """The ``done`` event of a turn, from the conversation's stream (newest first)."""
    entries: Any = state.r.xrevrange(stream_key(conv), count=500)
    for _, fields in entries:
        event = json.loads(fields[b"event"])
        if event.get("turn_id") == turn_id and event.get("type") == "done":
            return dict(event)
    return None


@bp.get("/chat/turns/<turn_id>")
def turn(turn_id: str) -> ResponseReturnValue:
    """A finished answer, rendered on the server (escaped; with confirm / cancel if needed)."""
    try:
        check_id(turn_id, "turn id")
    except ValueError as exc:
        raise BadInputError(str(exc)) from exc
    done = finished_turn(agent_state(services()), conversation_id(), turn_id)
    if done is None:
        return render_template("chat/partials/reply.html", done=None, turn_id=turn_id), 404
    return render_template("chat/partials/reply.html", done=done, turn_id=turn_id)
