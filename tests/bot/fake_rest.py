"""The REST half of the fake Discord: routes, rate-limit buckets, faults, and what each route
does to the stored messages and interactions (see :mod:`tests.bot.fake_discord`)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.bot import fake_payloads as p
from tests.bot.fake_state import FakeState, Fault, Logged

BUCKET_LIMIT = 5
BUCKET_WINDOW_S = 2.0


@dataclass
class _Bucket:
    used: int = 0
    reset_at: float = 0.0


class FakeRest(FakeState):
    token: str

    def __init__(self) -> None:
        super().__init__()
        self._buckets: dict[str, _Bucket] = {}
        self._release = asyncio.Event()
        self._hold_after: int | None = None
        self.held = threading.Event()

    @property
    def gateway_url(self) -> Any:
        raise NotImplementedError

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable[..., Any]) -> Any:
        path = request.path.removeprefix("/api/v10")
        if request.path.startswith("/gateway"):
            return await handler(request)
        fault = self._fault_for(request.method, path)
        if fault is not None:
            response = _fault_response(fault)
        else:
            bucket, key = self._bucket(request.method, path)
            if bucket.used > BUCKET_LIMIT:
                wait = round(max(bucket.reset_at - time.monotonic(), 0.05), 3)
                response = _fault_response(Fault(request.method, path, 429, retry_after=wait))
            else:
                response = await handler(request)
                response.headers.update(_limits(bucket, key))
        self._log(request.method, path, response.status)
        return response

    def _log(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.log.append(Logged(time.monotonic(), method, path, status))

    def _fault_for(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.left > 0 and fault.method == method and re.search(fault.path, path):
                    fault.left -= 1
                    return fault
        return None

    def _bucket(self, method: str, path: str) -> tuple[_Bucket, str]:
        """Discord's per-route buckets: a route's major parameter (channel, webhook) counts."""
        key = method + " " + re.sub(r"/messages/\d+", "/messages/:id", path)
        bucket = self._buckets.setdefault(key, _Bucket())
        now = time.monotonic()
        if now >= bucket.reset_at:
            bucket.used, bucket.reset_at = 0, now + BUCKET_WINDOW_S
        bucket.used += 1
        return bucket, key

    async def _rest(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bot {self.token}" and not _is_webhook(
            request.path
        ):
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        body = await _body(request)
        path, method = "/" + request.match_info["path"], request.method
        for route_method, pattern, handler in self._routes():
            m = re.fullmatch(pattern, path)
            if m and route_method == method:
                result = handler(body, *m.groups())
                if asyncio.iscoroutine(result):
                    result = await result
                if result is None:
                    return web.Response(status=204)
                status, payload = result if isinstance(result, tuple) else (200, result)
                return _json(payload, status)
        return _json({"message": f"404: Not Found {method} {path}", "code": 0}, 404)

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        app = str(self.app_id)
        return [
            ("GET", r"/users/@me", lambda b: p.user(self.bot_id, bot=True, name="myorg")),
            ("GET", r"/gateway(?:/bot)?", lambda b: self._gateway_info()),
            ("GET", r"/oauth2/applications/@me", lambda b: p.application(self.app_id, 1)),
            ("PUT", rf"/applications/{app}/guilds/(\d+)/commands", self._sync_commands),
            ("PUT", rf"/applications/{app}/commands", lambda b: self._sync_commands(b, None)),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", rf"/webhooks/{app}/([^/]+)", self._followup),
            ("GET", rf"/webhooks/{app}/([^/]+)/messages/([^/]+)", self._get_webhook_message),
            ("PATCH", rf"/webhooks/{app}/([^/]+)/messages/([^/]+)", self._edit_webhook_message),
            ("DELETE", rf"/webhooks/{app}/([^/]+)/messages/([^/]+)", lambda b, t, m: None),
            ("POST", r"/channels/(\d+)/messages", self._create_message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._edit_message),
            ("POST", r"/channels/(\d+)/typing", self._typing),
            ("POST", r"/users/@me/channels", self._open_dm),
        ]

    def _gateway_info(self) -> dict[str, Any]:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return {"url": str(self.gateway_url), "shards": 1, "session_start_limit": limit}

    def _sync_commands(self, body: list[dict[str, Any]], guild_id: str | None) -> Any:
        out = []
        for command in body:
            stored = {
                **command,
                "id": p.snowflake(),
                "application_id": str(self.app_id),
                "version": p.snowflake(),
                "type": command.get("type", 1),
                "description": command.get("description", ""),
            }
            if guild_id:
                stored["guild_id"] = guild_id
            out.append(stored)
        with self.lock:
            self.commands[guild_id] = out
            self.syncs += 1
        return out

    def _callback(self, body: dict[str, Any], interaction_id: str, token: str) -> Any:
        with self.lock:
            record = self.interactions.get(token)
            if record is None or record.id != interaction_id:
                return 404, {"message": "Unknown interaction", "code": 10062}
            if record.callbacks:
                return 400, {"message": "Interaction has already been acknowledged.", "code": 40060}
            record.callbacks.append(body)
            kind, data = body.get("type"), body.get("data") or {}
            loading = kind == 5
            meta = {
                "id": interaction_id,
                "type": record.kind,
                "response_message_loading": loading,
                "response_message_ephemeral": bool(int(data.get("flags") or 0) & 64),
            }
            if kind == 8:
                record.choices = list(data.get("choices", []))
                return {"interaction": meta}
            if kind in (4, 5):
                msg = self._store(record.channel_id, self._webhook_author(), data, "interaction")
                msg["loading"] = loading
                record.original = msg["id"]
                meta["response_message_id"] = msg["id"]
                return {"interaction": meta, "resource": {"type": kind, "message": _public(msg)}}
            if kind in (6, 7) and record.message_id in self.messages:
                record.original = record.message_id
                if kind == 7:
                    self._update(self.messages[record.message_id], data)
            return {"interaction": meta}

    def _followup(self, body: dict[str, Any], token: str) -> Any:
        with self.lock:
            record = self.interactions.get(token)
            if record is None:
                return 404, {"message": "Unknown Webhook", "code": 10015}
            original = self.messages.get(record.original or "")
            if original is not None and original.get("loading"):
                original["loading"] = False
                self._update(original, body)
                return _public(original)
            msg = self._store(record.channel_id, self._webhook_author(), body, "interaction")
            record.followups.append(msg["id"])
            return _public(msg)

    def _webhook_message(self, token: str, message_id: str) -> dict[str, Any] | None:
        record = self.interactions.get(token)
        if record is None:
            return None
        wanted = record.original if message_id == "@original" else message_id
        return self.messages.get(wanted or "")

    def _get_webhook_message(self, body: Any, token: str, message_id: str) -> Any:
        with self.lock:
            msg = self._webhook_message(token, message_id)
            return _public(msg) if msg else (404, {"message": "Unknown Message", "code": 10008})

    def _edit_webhook_message(self, body: dict[str, Any], token: str, message_id: str) -> Any:
        with self.lock:
            msg = self._webhook_message(token, message_id)
            if msg is None:
                return 404, {"message": "Unknown Message", "code": 10008}
            msg["loading"] = False
            self._update(msg, body)
            return _public(msg)

    async def _create_message(self, body: dict[str, Any], channel_id: str) -> Any:
        if len(body.get("content") or "") > 2000:
            return 400, {
                "message": "Invalid Form Body",
                "code": 50035,
                "errors": {"content": "Must be 2000 or fewer in length."},
            }
        with self.lock:
            nonce = body.get("nonce")
            if nonce is not None and body.get("enforce_nonce"):
                for msg in self.messages.values():
                    if msg["channel_id"] == channel_id and msg.get("nonce") == nonce:
                        return _public(msg)
            msg = self._store(int(channel_id), p.user(self.bot_id, bot=True, name="myorg"), body)
        if self._hold_after is not None:
            if self._hold_after == 0:
                self.held.set()
                await self._release.wait()
            else:
                self._hold_after -= 1
        return _public(msg)

    def _edit_message(self, body: dict[str, Any], channel_id: str, message_id: str) -> Any:
        if len(body.get("content") or "") > 2000:
            return 400, {"message": "Invalid Form Body", "code": 50035}
        with self.lock:
            msg = self.messages.get(message_id)
            if msg is None or msg["channel_id"] != channel_id:
                return 404, {"message": "Unknown Message", "code": 10008}
            self._update(msg, body)
            return _public(msg)

    def _typing(self, body: Any, channel_id: str) -> None:
        with self.lock:
            self.typing.append((int(channel_id), time.monotonic()))

    def _open_dm(self, body: dict[str, Any]) -> Any:
        recipient = int(body["recipient_id"])
        return p.dm_channel(self.dm_channel_for(recipient), recipient)

    def _webhook_author(self) -> dict[str, Any]:
        return p.user(self.bot_id, bot=True, name="myorg")


def _json(payload: Any, status: int = 200) -> web.Response:
    body = json.dumps(payload).encode()
    return web.Response(body=body, status=status, headers={"Content-Type": "application/json"})


def _limits(bucket: _Bucket, key: str) -> dict[str, str]:
    left = max(BUCKET_LIMIT - bucket.used, 0)
    after = max(bucket.reset_at - time.monotonic(), 0.0)
    return {
        "X-RateLimit-Limit": str(BUCKET_LIMIT),
        "X-RateLimit-Remaining": str(left),
        "X-RateLimit-Reset": f"{time.time() + after:.3f}",
        "X-RateLimit-Reset-After": f"{after:.3f}",
        "X-RateLimit-Bucket": hashlib.sha1(key.encode()).hexdigest()[:12],
    }


async def _body(request: web.Request) -> Any:
    if not request.can_read_body:
        return {}
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        return json.loads(str(form.get("payload_json") or "{}"))
    raw = await request.read()
    return json.loads(raw) if raw else {}


def _is_webhook(path: str) -> bool:
    return "/webhooks/" in path or "/interactions/" in path


def _public(msg: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in msg.items() if k not in ("loading", "edits", "created", "via")}


def _fault_response(fault: Fault) -> web.Response:
    if fault.status == 429:
        body = {
            "message": "You are being rate limited.",
            "retry_after": fault.retry_after,
            "global": fault.is_global,
            "code": 0,
        }
        headers = {
            "Content-Type": "application/json",
            "Retry-After": str(max(1, round(fault.retry_after))),
            "X-RateLimit-Limit": str(BUCKET_LIMIT),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
            "X-RateLimit-Bucket": "fault",
            "X-RateLimit-Scope": "global" if fault.is_global else "user",
            "Via": "1.1 google",
        }
        if fault.is_global:
            headers["X-RateLimit-Global"] = "true"
        return web.Response(body=json.dumps(body).encode(), status=429, headers=headers)
    body = {"message": f"{fault.status}: Server Error", "code": 0}
    return web.Response(
        body=json.dumps(body).encode(),
        status=fault.status,
        headers={"Content-Type": "application/json"},
    )
