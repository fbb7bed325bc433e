"""Reliability plan row 25, simulated with processes (there is no container runtime here): a
rollout that overlaps two repo workers, both started as the image starts them, while edits flow.
Only one may hold the repo lock at a time, measured from Redis keyspace events on the lock key;
nothing may be lost or applied twice.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from shared.operations import AddTask
from tests.deploy.org_checks import INFO, applied_so_far, counts, fsck
from tests.deploy.role_process import RoleProcess, wait_until
from worker.app import OrgCelery
from worker.client import enqueue_operation, wait_applied
from worker.repo_lock import LOCK_KEY

pytestmark = pytest.mark.slow


@dataclass
class LockWatch:
    """Counts holders of the repo lock from keyspace events: ``set`` takes, ``del``/``expired``
    free. A ``set`` while the lock is held would be a second concurrent holder."""

    url: str
    events: list[str] = field(default_factory=list)
    max_holders: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> LockWatch:
        client = redis.Redis.from_url(self.url)
        client.config_set("notify-keyspace-events", "K$gx")
        self._client = client
        self._pubsub = client.pubsub()
        self._pubsub.subscribe(f"__keyspace@0__:{LOCK_KEY}")
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        holders = 0
        while not self._stop.is_set():
            message = self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if message is None:
                continue
            event = message["data"].decode()
            self.events.append(event)
            if event == "set":
                holders += 1
                self.max_holders = max(self.max_holders, holders)
            elif event in {"del", "expired"}:
                holders = 0

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._pubsub.close()
        self._client.close()


def test_row25_overlapping_repo_workers_never_hold_the_lock_together(
    tmp_path: Path, env: dict[str, str], client: OrgCelery, redis_url: str
) -> None:
    repo = Path(env["ORG_REPO_PATH"])
    texts = [f"rollout edit {i:03d}" for i in range(200)]
    watch = LockWatch(redis_url).start()
    old = RoleProcess("repo_worker", env, tmp_path / "old", extra=INFO).start()
    new = RoleProcess("repo_worker", env, tmp_path / "new", extra=(*INFO, "-n", "repo-new@%h"))
    try:
        old.wait_healthy()
        new.start()  # the rollout overlaps: both consume the repo queue
        new.wait_healthy()
        ids = [enqueue_operation(client, AddTask(text=t, source="discord")) for t in texts]
        wait_until(lambda: applied_so_far(repo, texts) >= len(texts) // 2, 90, "half the edits")
        old.terminate(30)
        for task_id in ids:
            wait_applied(client, task_id, 120)
    finally:
        old.kill()
        new.kill()
        watch.stop()
    duplicates, missing = counts(repo, texts)
    by_old = len(re.findall(r"succeeded in", old.log()))
    by_new = len(re.findall(r"succeeded in", new.log()))
    print(
        f"ROW25 max concurrent holders of the repo lock {watch.max_holders} "
        f"(lock taken {watch.events.count('set')} times); edits by old/new worker "
        f"{by_old}/{by_new}; lost {missing}; "
        f"duplicated {duplicates}"
    )
    assert watch.events.count("set") >= len(texts) // 10, "the watch saw the lock being used"
    assert watch.max_holders == 1
    assert (duplicates, missing) == (0, 0)
    assert by_old > 0 and by_new > 0, "both workers took edits while they overlapped"
    fsck(repo)


def test_the_lock_watch_would_see_two_holders(redis_url: str) -> None:
    watch = LockWatch(redis_url).start()
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.set(LOCK_KEY, "a", nx=True, px=5000)
        client.set(LOCK_KEY, "b", px=5000)  # a broken lock: taken while held
        client.delete(LOCK_KEY)
        wait_until(lambda: watch.events.count("del") == 1, 5, "the events")
    finally:
        client.close()
        watch.stop()
    assert watch.max_holders == 2
