"""Messages the broker loses: kombu pops a message (BRPOP) before it records it as unacked, so a
worker killed between the two leaves it nowhere. The in-flight ledger finds and re-sends it."""

from __future__ import annotations

import json
import time

import pytest
import redis

from shared.operations import AddTask
from tests.worker.worker_harness import FAST_ENV, GitWorld, WorkerFactory, wait_until
from worker.app import OrgCelery
from worker.client import enqueue_operation, wait_applied
from worker.inflight import LEDGER_KEY, find_lost

pytestmark = pytest.mark.slow
VISIBILITY = float(FAST_ENV["VISIBILITY_TIMEOUT_S"])


def backdate(client: redis.Redis, task_id: str, seconds: float) -> None:
    entry = json.loads(client.hget(LEDGER_KEY, task_id) or b"{}")
    entry["at"] = time.time() - seconds
    client.hset(LEDGER_KEY, task_id, json.dumps(entry))


def test_a_message_lost_between_pop_and_unacked_is_applied_once(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery, redis_client: redis.Redis
) -> None:
    text = "lost between BRPOP and unacked"
    task_id = enqueue_operation(client_app, AddTask(text=text, source="web"))
    # What a worker killed right after its BRPOP leaves behind: the message is off the queue
    # and was never recorded as unacknowledged.
    assert redis_client.rpop("repo") is not None
    assert redis_client.llen("repo") == 0 and redis_client.hlen("unacked") == 0
    started = time.monotonic()
    workers.start()
    applied = wait_applied(client_app, task_id, VISIBILITY + 30)
    waited = time.monotonic() - started
    lines = world.repo_file("todo.txt").decode().splitlines()
    assert sum(line.endswith(" " + text) for line in lines) == 1
    assert applied.result.files == ["todo.txt"]
    # Once its result is stored the ledger forgets it.
    wait_until(lambda: not redis_client.hexists(LEDGER_KEY, task_id), 30, "the ledger to forget")
    print(f"LOST message sent again and applied once, {waited:.1f} s after the worker started")


def test_only_a_message_neither_queued_nor_unacked_nor_finished_counts_as_lost(
    client_app: OrgCelery, redis_client: redis.Redis
) -> None:
    task_id = enqueue_operation(client_app, AddTask(text="waits its turn"))
    assert find_lost(client_app, redis_client, VISIBILITY) == ([], 0)  # too young to tell
    backdate(redis_client, task_id, VISIBILITY + 1)
    assert find_lost(client_app, redis_client, VISIBILITY) == ([], 0)  # queued
    message = redis_client.rpop("repo")
    assert message is not None
    redis_client.hset("unacked", "tag-1", json.dumps([json.loads(message), "", "repo"]))
    assert find_lost(client_app, redis_client, VISIBILITY) == ([], 0)  # held by a worker
    redis_client.hdel("unacked", "tag-1")
    lost, forgotten = find_lost(client_app, redis_client, VISIBILITY)
    assert [t for t, _ in lost] == [task_id] and forgotten == 0
    assert lost[0][1]["name"] == "myorg.repo.apply_operation"
    client_app.backend.store_result(task_id, {"ok": True}, "SUCCESS")  # it finished after all
    assert find_lost(client_app, redis_client, VISIBILITY) == ([], 1)
    assert not redis_client.hexists(LEDGER_KEY, task_id)
