"""Counting deliveries of a task, so one that keeps killing its worker is eventually dropped.

With late acks and ``task_reject_on_worker_lost`` a task whose process dies is delivered again;
a task that crashes its process every time would loop forever. Each delivery increments a
counter in Redis keyed by task id; at ``max_deliveries`` the task is dead-lettered instead.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from worker.changes import DEAD_LETTERS, publish_alert

COUNTER_PREFIX = "myorg:deliveries:"
COUNTER_TTL_S = 7 * 24 * 3600


class PoisonTaskError(RuntimeError):
    """The task was delivered too many times; it is dropped and recorded as a dead letter."""


def count_delivery(client: redis.Redis, task_id: str) -> int:
    key = COUNTER_PREFIX + task_id
    pipe = client.pipeline()
    pipe.incr(key)
    pipe.expire(key, COUNTER_TTL_S)
    count, _ = pipe.execute()
    return int(count)


def guard_delivery(
    client: redis.Redis,
    task_id: str | None,
    name: str,
    args: Any,
    max_deliveries: int,
    redelivered: bool,
) -> int:
    """Count a redelivery; :class:`PoisonTaskError` at the ``max_deliveries``-th delivery.

    Only messages the broker put back (``redelivered``: a worker died holding them) count, so a
    caller re-sending an operation under the same task id is never mistaken for a crash loop.
    Returns the number of redeliveries so far.
    """
    if not task_id or not redelivered:
        return 0
    count = count_delivery(client, task_id)
    if count >= max_deliveries:
        record = {"task_id": task_id, "name": name, "args": args, "deliveries": count + 1}
        client.lpush(DEAD_LETTERS, json.dumps({**record, "at": time.time()}, default=str))
        publish_alert(
            client,
            "task_dropped",
            f"a task ({name}) was delivered {count + 1} times, its worker dying each time; "
            "it was dropped",
            task_id=task_id,
        )
        raise PoisonTaskError(f"task {task_id} was delivered {count + 1} times; dropped")
    return count


def deliveries(client: redis.Redis, task_id: str) -> int:
    value = client.get(COUNTER_PREFIX + task_id)
    return int(value) if value is not None else 0
