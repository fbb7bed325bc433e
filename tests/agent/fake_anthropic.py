"""A loopback fake of the Anthropic Messages API that the real ``anthropic`` SDK talks to.

``POST /v1/messages`` answers from a script: each request takes the next reply (a :class:`Msg`,
a :class:`Status`, a :class:`Hang`, a :class:`Cut`, or a function of the request body returning
one). Plain JSON, or Server-Sent Events when the request says ``"stream": true``: every event has
an ``event:`` line (the SDK drops events without one) and they come in the API's order —
``message_start``, per block ``content_block_start`` / ``content_block_delta`` /
``content_block_stop``, then ``message_delta`` and ``message_stop``.

Every request is recorded (headers and body). Requests are checked like the real API checks them
(every ``tool_use`` answered by a ``tool_result`` in the next message, at most 4 cache
breakpoints); a violation gets a 400 and is listed in ``problems``. Usage is estimated at 4
characters per token, with prompt caching simulated from the ``cache_control`` breakpoints.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MIN_CACHEABLE_TOKENS = 1024
_ids = itertools.count(1)


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool_use(name: str, tool_input: dict[str, Any], call_id: str | None = None) -> dict[str, Any]:
    return {
        "type": "tool_use",
        "id": call_id or f"toolu_{next(_ids):04d}",
        "name": name,
        "input": tool_input,
    }


@dataclass
class Msg:
    content: list[dict[str, Any]]
    stop_reason: str | None = None  # default: tool_use when a tool is called, else end_turn
    raw_tool_json: dict[int, str] = field(default_factory=dict)  # block index → streamed JSON


@dataclass
class Status:
    code: int
    error_type: str = "api_error"
    message: str = "error"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Hang:
    seconds: float = 30.0


@dataclass
class Cut:
    """Stream ``msg`` but drop the connection after ``after_events`` events."""

    msg: Msg
    after_events: int = 3


Reply = Msg | Status | Hang | Cut
Responder = Reply | Callable[[dict[str, Any]], Reply]


@dataclass
class Recorded:
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes


def estimate_tokens(value: Any) -> int:
    data = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return max(1, (len(data) + 3) // 4)


class CacheModel:
    """Prompt caching as the API does it, closely enough for token accounting: each
    ``cache_control`` block ends a prefix; a prefix seen before is read from the cache."""

    def __init__(self) -> None:
        self.prefixes: set[str] = set()

    def usage(self, body: dict[str, Any]) -> dict[str, int]:
        segments = _segments(body)
        total = sum(tokens for tokens, _, _ in segments)
        digest = hashlib.sha256()
        running = 0
        breakpoints: list[tuple[int, str]] = []
        for tokens, blob, marked in segments:
            digest.update(blob.encode())
            running += tokens
            if marked:
                breakpoints.append((running, digest.hexdigest()))
        read = max((n for n, h in breakpoints if h in self.prefixes), default=0)
        written = 0
        for n, h in breakpoints:
            if n >= MIN_CACHEABLE_TOKENS and h not in self.prefixes:
                self.prefixes.add(h)
                written = max(written, n - read)
        return {
            "input_tokens": total - read - written,
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": written,
        }


def _segments(body: dict[str, Any]) -> list[tuple[int, str, bool]]:
    out = []

    def add(item: Any) -> None:
        marked = isinstance(item, dict) and "cache_control" in item
        clean = {k: v for k, v in item.items() if k != "cache_control"} if marked else item
        blob = json.dumps(clean, sort_keys=True)
        out.append((estimate_tokens(blob), blob, marked))

    for tool in body.get("tools") or []:
        add(tool)
    system = body.get("system")
    for block in [system] if isinstance(system, str) else system or []:
        add(block)
    for msg in body.get("messages") or []:
        content = msg.get("content")
        for block in [content] if isinstance(content, str) else content or []:
            add({"role": msg.get("role"), **block} if isinstance(block, dict) else block)
    return out


def check_request(body: dict[str, Any]) -> str | None:
    """What the real API would reject with a 400, or None."""
    marks = sum(1 for _, _, marked in _segments(body) if marked)
    if marks > 4:
        return f"A maximum of 4 blocks with cache_control may be provided. Found {marks}."
    messages = body.get("messages") or []
    if not messages or messages[0].get("role") != "user":
        return "messages: the first message must use the user role"
    for i, msg in enumerate(messages):
        content = msg.get("content")
        blocks = content if isinstance(content, list) else []
        uses = [b["id"] for b in blocks if b.get("type") == "tool_use"]
        if msg.get("role") == "assistant" and uses:
            nxt = messages[i + 1] if i + 1 < len(messages) else None
            got = [
                b.get("tool_use_id")
                for b in (nxt or {}).get("content") or []
                if isinstance(b, dict) and b.get("type") == "tool_result"
            ]
            if sorted(got) != sorted(uses):
                return (
                    f"messages.{i}: tool_use ids were found without tool_result blocks "
                    f"immediately after: {sorted(set(uses) - set(got))}"
                )
    return None


class FakeAnthropic:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.problems: list[str] = []
        self.cache = CacheModel()
        self.default: Responder | None = None
        self._script: list[Responder] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                fake._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeAnthropic:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    def script(self, *replies: Responder) -> None:
        with self._lock:
            self._script.extend(replies)

    @property
    def pending(self) -> int:
        return len(self._script)

    def bodies(self) -> list[dict[str, Any]]:
        return [r.body for r in self.requests]

    # The server side --------------------------------------------------------------------

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            responder = self._script.pop(0) if self._script else self.default
        if responder is None:
            self.problems.append("unscripted request")
            return Status(500, message="the fake has no reply scripted for this request")
        return responder(body) if callable(responder) else responder

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        raw = h.rfile.read(int(h.headers.get("content-length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        with self._lock:
            self.requests.append(Recorded({k.lower(): v for k, v in h.headers.items()}, body, raw))
        if h.path.split("?")[0] != "/v1/messages":
            return _send_json(h, 404, _error("not_found_error", f"no route {h.path}"))
        problem = check_request(body)
        if problem is not None:
            self.problems.append(problem)
            return _send_json(h, 400, _error("invalid_request_error", problem))
        reply = self._next(body)
        if isinstance(reply, Status):
            return _send_json(h, reply.code, _error(reply.error_type, reply.message), reply.headers)
        if isinstance(reply, Hang):
            self._stop.wait(reply.seconds)
            h.close_connection = True
            return None
        msg = reply.msg if isinstance(reply, Cut) else reply
        message = self._message(body, msg)
        if not body.get("stream"):
            return _send_json(h, 200, message)
        events = list(_stream_events(message, msg.raw_tool_json))
        limit = reply.after_events if isinstance(reply, Cut) else None
        return _send_sse(h, events, limit)

    def _message(self, body: dict[str, Any], msg: Msg) -> dict[str, Any]:
        stop = msg.stop_reason or (
            "tool_use" if any(b["type"] == "tool_use" for b in msg.content) else "end_turn"
        )
        usage = {**self.cache.usage(body), "output_tokens": estimate_tokens(msg.content)}
        return {
            "id": f"msg_{next(_ids):06d}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "fake"),
            "content": msg.content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": usage,
        }


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def _send_json(
    h: BaseHTTPRequestHandler,
    code: int,
    payload: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> None:
    data = json.dumps(payload).encode()
    h.send_response(code)
    h.send_header("content-type", "application/json")
    h.send_header("content-length", str(len(data)))
    h.send_header("request-id", f"req_{next(_ids):06d}")
    for key, value in (headers or {}).items():
        h.send_header(key, value)
    h.end_headers()
    h.wfile.write(data)


def _stream_events(
    message: dict[str, Any], raw_json: dict[int, str]
) -> Iterable[tuple[str, dict[str, Any]]]:
    start = {
        **message,
        "content": [],
        "stop_reason": None,
        "usage": {**message["usage"], "output_tokens": 1},
    }
    yield "message_start", {"type": "message_start", "message": start}
    for i, block in enumerate(message["content"]):
        if block["type"] == "text":
            yield (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": i,
                    "content_block": {"type": "text", "text": ""},
                },
            )
            words = block["text"].split(" ")
            for n, word in enumerate(words):
                piece = word if n == len(words) - 1 else word + " "
                yield (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": i,
                        "delta": {"type": "text_delta", "text": piece},
                    },
                )
        else:
            head = {k: v for k, v in block.items() if k != "input"}
            yield (
                "content_block_start",
                {"type": "content_block_start", "index": i, "content_block": {**head, "input": {}}},
            )
            data = raw_json.get(i, json.dumps(block["input"]))
            for part in (data[: len(data) // 2], data[len(data) // 2 :]):
                yield (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": i,
                        "delta": {"type": "input_json_delta", "partial_json": part},
                    },
                )
        yield "content_block_stop", {"type": "content_block_stop", "index": i}
    yield (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
            "usage": {"output_tokens": message["usage"]["output_tokens"]},
        },
    )
    yield "message_stop", {"type": "message_stop"}


def _send_sse(
    h: BaseHTTPRequestHandler, events: list[tuple[str, dict[str, Any]]], limit: int | None
) -> None:
    h.send_response(200)
    h.send_header("content-type", "text/event-stream")
    h.send_header("transfer-encoding", "chunked")
    h.send_header("request-id", f"req_{next(_ids):06d}")
    h.end_headers()
    for n, (name, data) in enumerate(events):
        if limit is not None and n >= limit:
            h.wfile.flush()
            h.connection.shutdown(socket.SHUT_RDWR)  # mid-stream: no final chunk
            h.close_connection = True
            return
        chunk = f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
        h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        h.wfile.flush()
    h.wfile.write(b"0\r\n\r\n")
    h.wfile.flush()
