"""The agent's state in Redis, shared by every process: history, confirmations, usage, progress.

Keys (every conversation and turn id is checked before it becomes part of a key):

- ``myorg:conv:<id>`` — the conversation's event stream (text deltas, tool steps, the final
  answer), capped and expiring; the web chat (SSE) and the bot read it with ``XREAD``.
- ``myorg:conv:<id>:history`` — the compacted turns, capped, expiring when idle.
- ``myorg:pending:<id>`` — a change waiting for the owner's confirmation (one day).
- ``myorg:usage:day:<YYYY-MM-DD>`` — token and cost totals of a day; ``myorg:usage:turns`` the
  recent turns.
- ``myorg:turn:<id>`` — a running turn's checkpoint; ``myorg:flag:<key>`` one-time notices.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import redis

from shared.agent.confirm import PENDING_TTL_S, PendingAction
from shared.agent.ids import check_id
from shared.agent.state import HISTORY_TTL_S, HISTORY_TURNS, RECENT_TURNS, empty_day
from shared.agent.usage import Usage

PREFIX = "myorg:"
STREAM_MAXLEN = 2000
STREAM_TTL_S = 24 * 3600
CHECKPOINT_TTL_S = 24 * 3600
USAGE_TTL_S = 400 * 24 * 3600
_USAGE_FIELDS = tuple(Usage.__dataclass_fields__)


def stream_key(conversation_id: str) -> str:
    return f"{PREFIX}conv:{check_id(conversation_id, 'conversation id')}"


class RedisAgentState:
    """:class:`shared.agent.state.AgentState` in Redis."""

    def __init__(
        self,
        client: redis.Redis,
        history_turns: int = HISTORY_TURNS,
        history_ttl_s: int = HISTORY_TTL_S,
    ) -> None:
        self.r = client
        self.history_turns = history_turns
        self.history_ttl_s = history_ttl_s

    # History ------------------------------------------------------------------------------

    def history(self, conversation_id: str) -> list[dict[str, Any]]:
        raw = self.r.lrange(stream_key(conversation_id) + ":history", 0, -1)
        return [json.loads(item) for item in raw]

    def append_history(self, conversation_id: str, turn: dict[str, Any]) -> None:
        key = stream_key(conversation_id) + ":history"
        pipe = self.r.pipeline()
        pipe.rpush(key, json.dumps(turn, ensure_ascii=False))
        pipe.ltrim(key, -max(self.history_turns, 1), -1)
        pipe.expire(key, self.history_ttl_s)
        pipe.execute()

    # Confirmations ------------------------------------------------------------------------

    def put_pending(self, pending: PendingAction) -> None:
        key = f"{PREFIX}pending:{check_id(pending.id, 'pending id')}"
        self.r.set(key, json.dumps(pending.to_dict(), ensure_ascii=False), ex=PENDING_TTL_S)

    def take_pending(self, pending_id: str) -> PendingAction | None:
        """Atomic: two confirmations of the same id apply it once."""
        raw = self.r.getdel(f"{PREFIX}pending:{check_id(pending_id, 'pending id')}")
        return PendingAction.from_dict(json.loads(raw)) if raw else None

    # Usage --------------------------------------------------------------------------------

    def add_usage(self, day: str, record: dict[str, Any]) -> None:
        key = f"{PREFIX}usage:day:{check_id(day, 'day')}"
        usage = Usage.from_dict(record.get("usage", {}))
        pipe = self.r.pipeline()
        for name in _USAGE_FIELDS:
            pipe.hincrby(key, name, getattr(usage, name))
        pipe.hincrbyfloat(key, "cost_usd", float(record.get("cost_usd", 0.0)))
        pipe.hincrby(key, "turns", 1)
        pipe.expire(key, USAGE_TTL_S)
        pipe.lpush(f"{PREFIX}usage:turns", json.dumps(record, ensure_ascii=False))
        pipe.ltrim(f"{PREFIX}usage:turns", 0, RECENT_TURNS - 1)
        pipe.execute()

    def usage_on(self, day: str) -> dict[str, Any]:
        raw: dict[bytes, bytes] = self.r.hgetall(f"{PREFIX}usage:day:{check_id(day, 'day')}")  # type: ignore[assignment]
        if not raw:
            return empty_day()
        data = {k.decode(): v.decode() for k, v in raw.items()}
        return {
            "usage": Usage.from_dict({k: int(data.get(k, 0)) for k in _USAGE_FIELDS}).to_dict(),
            "cost_usd": round(float(data.get("cost_usd", 0.0)), 6),
            "turns": int(data.get("turns", 0)),
        }

    def recent_turns(self, limit: int = 20) -> list[dict[str, Any]]:
        raw = self.r.lrange(f"{PREFIX}usage:turns", 0, limit - 1)
        return [json.loads(item) for item in reversed(raw)]

    def first_time(self, key: str) -> bool:
        return bool(self.r.set(f"{PREFIX}flag:{key}", "1", nx=True, ex=3 * 24 * 3600))

    # Checkpoints --------------------------------------------------------------------------

    def save_checkpoint(self, turn_id: str, data: dict[str, Any]) -> None:
        key = f"{PREFIX}turn:{check_id(turn_id, 'turn id')}"
        self.r.set(key, json.dumps(data, ensure_ascii=False), ex=CHECKPOINT_TTL_S)

    def load_checkpoint(self, turn_id: str) -> dict[str, Any] | None:
        raw = self.r.get(f"{PREFIX}turn:{check_id(turn_id, 'turn id')}")
        return json.loads(raw) if raw else None

    def drop_checkpoint(self, turn_id: str) -> None:
        self.r.delete(f"{PREFIX}turn:{check_id(turn_id, 'turn id')}")

    # The event stream ---------------------------------------------------------------------

    def publish(self, conversation_id: str, event: dict[str, Any]) -> str:
        key = stream_key(conversation_id)
        pipe = self.r.pipeline()
        pipe.xadd(
            key,
            {"event": json.dumps(event, ensure_ascii=False)},
            maxlen=STREAM_MAXLEN,
            approximate=True,
        )
        pipe.expire(key, STREAM_TTL_S)
        entry_id, _ = pipe.execute()
        return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)

    def last_event_id(self, conversation_id: str) -> str:
        last = self.r.xrevrange(stream_key(conversation_id), count=1)
        if not last:
            return "0-0"
        entry_id = last[0][0]
        return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)

    def events(
        self, conversation_id: str, after: str, block_ms: int = 1000
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Events published after ``after``; waits up to ``block_ms`` for the first one."""
        got: Any = self.r.xread({stream_key(conversation_id): after}, block=block_ms, count=200)
        for _, entries in got or []:
            for entry_id, fields in entries:
                ident = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
                yield ident, json.loads(fields[b"event"])
