"""Repo-lane messages the broker lost, found and sent again.

kombu's Redis transport takes a message off the queue (``BRPOP``) and only afterwards records it
as unacknowledged; a worker killed between the two loses the message for good — it is in neither
the queue nor the ``unacked`` hash, so the visibility-timeout sweep never restores it. So every
message sent to the repo lane is also written to a ledger (task id → message), and the repo
worker sweeps it: an entry whose result is stored is forgotten; one older than the visibility
timeout, with no result, neither queued nor unacknowledged, is sent again under the same task id,
so the caller waiting on that id gets its answer. Sending twice is safe: every repo task is
idempotent (operation ids and the journal).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from typing import Any

import redis
from celery import Celery

from worker.lanes import REPO_QUEUE
from worker.timer_step import RepeatingStep

log = logging.getLogger(__name__)

LEDGER_KEY = "myorg:repo-inflight"
SWEEP_LOCK_KEY = "myorg:repo-inflight:sweep"
UNACKED_KEY = "unacked"  # kombu's Redis transport


def remember(client: redis.Redis, task_id: str, name: str, args: list[Any],
             kwargs: dict[str, Any]) -> None:
    """Note a message just sent to the repo lane (best effort: it is already queued)."""
    entry = {"name": name, "args": args, "kwargs": kwargs, "at": time.time()}
    try:
        client.hset(LEDGER_KEY, task_id, json.dumps(entry))
    except redis.RedisError as exc:
        log.warning("could not note task %s in the in-flight ledger: %s", task_id, exc)


def _message_ids(raw_messages: list[bytes | str], unwrap: bool) -> set[str]:
    ids: set[str] = set()
    for raw in raw_messages:
        with contextlib.suppress(ValueError, KeyError, TypeError, IndexError, AttributeError):
            message = json.loads(raw)
            if unwrap:  # unacked entries are [message, exchange, routing_key]
                message = message[0]
            ids.add(str(message["headers"]["id"]))
    return ids


def find_lost(app: Celery, client: redis.Redis, grace_s: float,
              now: float | None = None) -> tuple[list[tuple[str, dict[str, Any]]], int]:
    """``(lost entries, forgotten count)``: forgets finished entries, returns the lost ones."""
    entries: dict[str, dict[str, Any]] = {}
    for key, raw in client.hgetall(LEDGER_KEY).items():
        task_id = key.decode() if isinstance(key, bytes) else str(key)
        try:
            entries[task_id] = json.loads(raw)
        except ValueError:
            entries[task_id] = {}
    if not entries:
        return [], 0
    ids = list(entries)
    pipe = client.pipeline(transaction=False)
    for task_id in ids:
        pipe.exists(app.backend.get_key_for_task(task_id))
    finished = [task_id for task_id, found in zip(ids, pipe.execute(), strict=True) if found]
    if finished:
        client.hdel(LEDGER_KEY, *finished)
    now = time.time() if now is None else now
    old = [
        t for t in ids
        if t not in finished and now - float(entries[t].get("at", 0)) >= grace_s
    ]
    if not old:
        return [], len(finished)
    queued = _message_ids(client.lrange(REPO_QUEUE, 0, -1), unwrap=False)
    unacked = _message_ids(client.hvals(UNACKED_KEY), unwrap=True)
    lost = [(t, entries[t]) for t in old if t not in queued and t not in unacked]
    return lost, len(finished)


def resend_lost(app: Celery, client: redis.Redis, grace_s: float) -> int:
    """Send each lost repo-lane message again under its task id; returns how many."""
    lost, _ = find_lost(app, client, grace_s)
    for task_id, entry in lost:
        if not entry.get("name"):
            client.hdel(LEDGER_KEY, task_id)
            continue
        log.warning("task %s (%s) was lost by the broker; sending it again", task_id,
                    entry["name"])
        app.send_task(entry["name"], args=entry.get("args") or [],
                      kwargs=entry.get("kwargs") or {}, task_id=task_id, queue=REPO_QUEUE)
        client.hset(LEDGER_KEY, task_id, json.dumps({**entry, "at": time.time()}))
    return len(lost)


def sweep_interval(redelivery_sweep_s: float) -> float:
    return max(2.0, 5 * redelivery_sweep_s)


class LostTaskSweep(RepeatingStep):
    """Consumer step of a worker that consumes the repo queue: sweep the ledger now and then.

    One sweep runs at a time across workers (an expiring Redis lock), so two workers never send
    the same lost message twice over.
    """

    def start(self, parent: Any) -> None:
        app = parent.app
        if REPO_QUEUE not in (app.amqp.queues.consume_from or {}):
            return
        settings = app.settings
        interval = sweep_interval(settings.redelivery_sweep_s)
        grace = float(settings.visibility_timeout_s)

        def sweep() -> None:
            client = app.redis
            if client.set(SWEEP_LOCK_KEY, "1", nx=True, px=int(interval * 1000)):
                resend_lost(app, client, grace)

        self.repeat(parent, interval, sweep, "in-flight sweep", now=True)
