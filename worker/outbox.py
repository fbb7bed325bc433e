"""The outbox: every proactive message, durable until the bot has delivered it.

Messages go to the Redis stream :data:`OUTBOX_STREAM`, read by the consumer group
:data:`OUTBOX_GROUP`: the Discord bot reads with ``XREADGROUP``, posts, and acknowledges only
after Discord accepted the message, so a bot that crashes in between gets it again. Each message
is also kept in the capped list :data:`BRIEFINGS_LIST` for the web's briefings page.

:func:`publish_once` takes a dedupe key: the key, the stream entry and the list entry are written
by one Lua script, so a message is published once per key however many times a job runs.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import redis

OUTBOX_STREAM = "myorg:outbox"
OUTBOX_GROUP = "bot"
BRIEFINGS_LIST = "myorg:briefings"
SENT_PREFIX = "myorg:outbox:sent:"
KEEP_BRIEFINGS = 500
STREAM_MAXLEN = 10_000
DEFAULT_KEY_TTL_S = 60 * 24 * 3600

_PUBLISH = """
if KEYS[3] ~= '' then
  local prev = redis.call('get', KEYS[3])
  if prev then return {0, prev} end
end
local id = redis.call('xadd', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'message', ARGV[1])
if KEYS[3] ~= '' then redis.call('set', KEYS[3], id, 'EX', ARGV[2]) end
redis.call('lpush', KEYS[2], '{"outbox_id":"' .. id .. '","message":' .. ARGV[1] .. '}')
redis.call('ltrim', KEYS[2], 0, tonumber(ARGV[4]) - 1)
return {1, id}
"""


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def sent_key(key: str) -> str:
    return SENT_PREFIX + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def ensure_group(client: redis.Redis) -> None:
    """Create the stream and the bot's group reading from the very first message."""
    try:
        client.xgroup_create(OUTBOX_STREAM, OUTBOX_GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def publish_once(
    client: redis.Redis, message: dict[str, Any], key: str | None, ttl_s: int = DEFAULT_KEY_TTL_S
) -> tuple[str, bool]:
    """Publish ``message`` unless ``key`` was published before; returns (stream id, new?)."""
    ensure_group(client)
    payload = json.dumps(message, sort_keys=True)  # ASCII: safe whatever the text holds
    keys = [OUTBOX_STREAM, BRIEFINGS_LIST, sent_key(key) if key else ""]
    args: list[str | int] = [payload, max(60, int(ttl_s)), STREAM_MAXLEN, KEEP_BRIEFINGS]
    result: Any = client.eval(_PUBLISH, 3, *keys, *args)
    created, stream_id = result
    return _text(stream_id), bool(created)


def publish(client: redis.Redis, message: dict[str, Any]) -> str:
    """Publish ``message`` (a JSON object); returns its stream id."""
    return publish_once(client, message, None)[0]


def was_published(client: redis.Redis, key: str) -> str | None:
    value = client.get(sent_key(key))
    return _text(value) if value is not None else None


def read_messages(
    client: redis.Redis, consumer: str, count: int = 10, block_ms: int | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """New messages for ``consumer`` of the bot's group (they stay pending until :func:`ack`)."""
    ensure_group(client)
    found: Any = client.xreadgroup(
        OUTBOX_GROUP, consumer, {OUTBOX_STREAM: ">"}, count=count, block=block_ms
    )
    out = []
    for _stream, entries in found or []:
        for entry_id, fields in entries:
            raw = fields.get(b"message") or fields.get("message")
            out.append((_text(entry_id), json.loads(_text(raw))))
    return out


def ack(client: redis.Redis, message_id: str) -> None:
    """The message reached Discord: it is no longer pending."""
    client.xack(OUTBOX_STREAM, OUTBOX_GROUP, message_id)


def delivery_status(client: redis.Redis, message_id: str) -> str:
    """``queued`` (not read yet), ``delivering`` (read, not acknowledged) or ``delivered``."""
    groups = {_text(g["name"]): g for g in client.xinfo_groups(OUTBOX_STREAM)}
    group = groups.get(OUTBOX_GROUP)
    if group is None or _id(message_id) > _id(_text(group["last-delivered-id"])):
        return "queued"
    pending = client.xpending_range(OUTBOX_STREAM, OUTBOX_GROUP, message_id, message_id, 1)
    return "delivering" if pending else "delivered"


def _id(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


def recent_briefings(client: redis.Redis, limit: int = 50) -> list[dict[str, Any]]:
    """The newest messages first: ``outbox_id``, ``title``, ``when``, ``text`` and the rest."""
    out = []
    for raw in client.lrange(BRIEFINGS_LIST, 0, limit - 1):
        record = json.loads(_text(raw))
        message = record.get("message", {})
        out.append({**message, "outbox_id": record.get("outbox_id"),
                    "when": message.get("created_at")})
    return out
