"""Reading the outbox (:mod:`worker.outbox`) for Discord, exactly once per message.

The bot reads with ``XREADGROUP`` as consumer ``bot-<host>``: first its own pending entries
(read before a crash, never acknowledged), then entries a dead consumer left pending for a while
(``XAUTOCLAIM``), then new ones. A message is acknowledged only after
Discord accepted every part of it. Each part is posted with a nonce derived from the entry id
(Discord's ``enforce_nonce`` returns the first message for a repeated nonce instead of posting
again) and recorded in Redis right after, so a crash between posting and acknowledging neither
loses nor doubles a message.
"""

from __future__ import annotations

import hashlib
import json
import socket
from dataclasses import dataclass
from typing import Any

import redis

from bot.replies import split_message
from worker.changes import DEAD_LETTERS
from worker.outbox import OUTBOX_GROUP, OUTBOX_STREAM, ack, ensure_group

POSTED_PREFIX = "myorg:outbox:posted:"
POSTED_TTL_S = 30 * 24 * 3600
BATCH = 10
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
COLOURS = {
    "morning_briefing": 0xE67E22,
    "evening_summary": 0x3498DB,
    "deadline": 0xE74C3C,
    "waiting": 0xF1C40F,
    "event_prep": 0x9B59B6,
    "alert": 0xE74C3C,
}


@dataclass(frozen=True)
class Entry:
    id: str
    message: dict[str, Any] | None  # None: the entry is gone from the stream or unreadable
    raw: str = ""


@dataclass(frozen=True)
class Part:
    """One Discord message of an outbox entry."""

    content: str | None = None
    embed: dict[str, Any] | None = None


def consumer_name() -> str:
    return f"bot-{socket.gethostname()}"[:64]


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _entries(rows: Any) -> list[Entry]:
    out = []
    for entry_id, fields in rows or []:
        if entry_id is None:
            continue
        raw = _text((fields or {}).get(b"message") or (fields or {}).get("message") or "")
        try:
            message = json.loads(raw) if raw else None
        except ValueError:
            message = None
        out.append(Entry(_text(entry_id), message if isinstance(message, dict) else None, raw))
    return out


def own_pending(client: redis.Redis, consumer: str, count: int = BATCH) -> list[Entry]:
    """Entries this consumer read before and never acknowledged (e.g. before a crash)."""
    ensure_group(client)
    found: Any = client.xreadgroup(OUTBOX_GROUP, consumer, {OUTBOX_STREAM: "0"}, count=count)
    return [e for _, rows in found or [] for e in _entries(rows)]


def claim_stale(
    client: redis.Redis, consumer: str, min_idle_ms: int, count: int = BATCH
) -> list[Entry]:
    """Entries another (dead) consumer left pending for ``min_idle_ms``, now this one's."""
    ensure_group(client)
    got: Any = client.xautoclaim(OUTBOX_STREAM, OUTBOX_GROUP, consumer, min_idle_ms, "0-0", count)
    return _entries(got[1] if got else [])


def new_entries(
    client: redis.Redis, consumer: str, block_ms: int, count: int = BATCH
) -> list[Entry]:
    ensure_group(client)
    found: Any = client.xreadgroup(
        OUTBOX_GROUP, consumer, {OUTBOX_STREAM: ">"}, count=count, block=block_ms
    )
    return [e for _, rows in found or [] for e in _entries(rows)]


def nonce(entry_id: str, part: int) -> str:
    """Discord nonces are at most 25 characters."""
    return hashlib.sha256(f"outbox\0{entry_id}\0{part}".encode()).hexdigest()[:25]


def posted_key(entry_id: str, part: int) -> str:
    return f"{POSTED_PREFIX}{entry_id}:{part}"


def was_posted(client: redis.Redis, entry_id: str, part: int) -> bool:
    return bool(client.exists(posted_key(entry_id, part)))


def mark_posted(client: redis.Redis, entry_id: str, part: int, message_id: int) -> None:
    client.set(posted_key(entry_id, part), str(message_id), ex=POSTED_TTL_S)


def finish(client: redis.Redis, entry_id: str) -> None:
    ack(client, entry_id)


def dead_letter(client: redis.Redis, entry: Entry, reason: str) -> None:
    """A message Discord refuses whatever we send: kept for the owner, then acknowledged."""
    record = {"source": "outbox", "id": entry.id, "reason": reason, "raw": entry.raw[:10_000]}
    client.lpush(DEAD_LETTERS, json.dumps(record))
    ack(client, entry.id)


def render(entry: Entry) -> list[Part]:
    """The Discord messages for an entry: one embed when it fits, else plain text pieces."""
    message = entry.message
    if message is None:
        return [Part(content=p) for p in split_message(f"Outbox message {entry.id}:\n{entry.raw}")]
    title = str(message.get("title") or message.get("kind") or "Message").strip()
    body = str(message.get("markdown") or message.get("text") or "").strip()
    found = message.get("embed")
    extra: dict[str, Any] = found if isinstance(found, dict) else {}
    if len(title) <= TITLE_MAX and len(body) <= DESCRIPTION_MAX:
        embed: dict[str, Any] = {"title": title, "type": "rich"}
        if body:
            embed["description"] = body
        colour = COLOURS.get(str(message.get("kind")))
        if colour is not None:
            embed["color"] = colour
        for key in ("fields", "url", "footer", "color"):
            if key in extra:
                embed[key] = extra[key]
        return [Part(embed=embed)]
    return [Part(content=p) for p in split_message(f"**{title}**\n{body}")]


def plain(entry: Entry) -> list[Part]:
    """The fallback when Discord refuses the rendered form: the text only."""
    message = entry.message or {}
    text = str(message.get("text") or message.get("markdown") or entry.raw)
    title = str(message.get("title") or "")
    return [Part(content=p) for p in split_message(f"{title}\n{text}".strip() or entry.id)]
