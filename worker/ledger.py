"""The schedule ledger: every run of every job — planned time, start, outcome, delivery.

A run is identified by its job and planned instant (``morning_briefing|2026-11-23T07:00:00Z``;
an event preparation adds the event). :func:`claim` makes a run happen once: the first claim
wins, later ones are refused, except that a run left ``running`` for ``stuck_after_s`` (its
worker died) may be taken over — the messages it sends are deduplicated by the outbox.

Outcomes: ``running``, ``sent``, ``nothing to say``, ``skipped`` (with why: missed while the
scheduler was not running, ...) and ``failed`` (with the error). Records older than
:data:`KEEP_DAYS` are pruned.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import redis

from worker.outbox import delivery_status

LEDGER_KEY = "myorg:schedule:ledger"
LEDGER_INDEX = "myorg:schedule:ledger:index"
CLAIMS_KEY = "myorg:schedule:claims"
KEEP_DAYS = 30
STUCK_AFTER_S = 300.0

SENT, NOTHING, SKIPPED, FAILED, RUNNING = "sent", "nothing to say", "skipped", "failed", "running"

_CLAIM = """
local cur = redis.call('hget', KEYS[1], ARGV[1])
if cur then
  if string.sub(cur, 1, 8) ~= 'running:' then return 0 end
  if tonumber(string.sub(cur, 9)) > tonumber(ARGV[2]) - tonumber(ARGV[3]) then return 0 end
end
redis.call('hset', KEYS[1], ARGV[1], 'running:' .. ARGV[2])
redis.call('hset', KEYS[2], ARGV[1], ARGV[4])
redis.call('zadd', KEYS[3], ARGV[5], ARGV[1])
return 1
"""
_RECORD = """
if redis.call('hsetnx', KEYS[1], ARGV[1], 'done') == 0 then return 0 end
redis.call('hset', KEYS[2], ARGV[1], ARGV[2])
redis.call('zadd', KEYS[3], ARGV[3], ARGV[1])
return 1
"""


@dataclass
class Run:
    """One ledger record. Times are ISO strings in the owner's timezone."""

    job: str
    planned: str
    started: str | None
    outcome: str
    reason: str = ""
    late: bool = False
    messages: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def entry_id(job: str, slot_key: str, sub: str = "") -> str:
    return f"{job}|{slot_key}|{sub}" if sub else f"{job}|{slot_key}"


def claim(
    client: redis.Redis, eid: str, run: Run, planned: datetime, stuck_after_s: float
) -> bool:
    """Start the run ``eid`` unless it was started already (and is not stuck)."""
    keys = [CLAIMS_KEY, LEDGER_KEY, LEDGER_INDEX]
    args = [eid, time.time(), stuck_after_s, run.to_json(), planned.timestamp()]
    return bool(client.eval(_CLAIM, 3, *keys, *args))  # type: ignore[arg-type]


def finish(client: redis.Redis, eid: str, run: Run) -> None:
    pipe = client.pipeline()
    pipe.hset(CLAIMS_KEY, eid, "done")
    pipe.hset(LEDGER_KEY, eid, run.to_json())
    pipe.execute()


def record(client: redis.Redis, eid: str, run: Run, planned: datetime) -> bool:
    """Write a finished record (a skipped run) unless ``eid`` is known already."""
    keys = [CLAIMS_KEY, LEDGER_KEY, LEDGER_INDEX]
    args = [eid, run.to_json(), planned.timestamp()]
    return bool(client.eval(_RECORD, 3, *keys, *args))  # type: ignore[arg-type]


def prune(client: redis.Redis, now: datetime, keep_days: int = KEEP_DAYS) -> int:
    cutoff = (now - timedelta(days=keep_days)).timestamp()
    old = [_text(v) for v in client.zrangebyscore(LEDGER_INDEX, "-inf", f"({cutoff}")]
    if not old:
        return 0
    pipe = client.pipeline()
    pipe.hdel(LEDGER_KEY, *old)
    pipe.hdel(CLAIMS_KEY, *old)
    pipe.zrem(LEDGER_INDEX, *old)
    pipe.execute()
    return len(old)


def read_ledger(
    client: redis.Redis, limit: int = 50, job: str | None = None, with_delivery: bool = True
) -> list[dict[str, Any]]:
    """The newest runs first (by planned time), each with ``id`` and, when it sent messages,
    ``delivery``: the least advanced status of its messages (queued < delivering < delivered)."""
    ids = [_text(v) for v in client.zrevrange(LEDGER_INDEX, 0, -1 if job else limit - 1)]
    if job:
        ids = [i for i in ids if i.split("|", 1)[0] == job][:limit]
    if not ids:
        return []
    out = []
    for eid, raw in zip(ids, client.hmget(LEDGER_KEY, ids), strict=True):
        if raw is None:
            continue
        entry = {"id": eid, **json.loads(_text(raw))}
        if with_delivery and entry.get("messages"):
            entry["delivery"] = _least(delivery_status(client, m) for m in entry["messages"])
        out.append(entry)
    return out


_ORDER = ("queued", "delivering", "delivered")


def _least(statuses: Any) -> str:
    return min(statuses, key=_ORDER.index, default="delivered")


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
