"""Faults of the worker process itself (reliability plan rows 1-4 and 26), with real processes.

Each test prints its figure as ``ROWn ...``. They run scaled down so the suite stays quick;
``MYORG_FAULT_SCALE=full`` runs the plan's full sizes.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from pathlib import Path

import psutil
import pytest
import redis

from shared.operations import AddTask
from shared.settings import Settings
from tests.worker.worker_harness import (
    FAST_ENV,
    ROOT,
    GitWorld,
    WorkerFactory,
    run_git,
    wait_until,
)
from worker.app import OrgCelery, celery_config
from worker.client import enqueue_operation, enqueue_sync, wait_applied, wait_task
from worker.deliveries import deliveries

pytestmark = pytest.mark.slow
FULL = os.environ.get("MYORG_FAULT_SCALE") == "full"
VISIBILITY = float(FAST_ENV["VISIBILITY_TIMEOUT_S"])


def assert_each_once(world: GitWorld, texts: list[str]) -> tuple[int, int]:
    """Every text present exactly once in todo.txt; returns (duplicates, missing)."""
    lines = world.repo_file("todo.txt").decode().splitlines()
    counts = {t: 0 for t in texts}
    for line in lines:
        text = line.split(" ", 1)[1] if line[:4].isdigit() else line
        if text in counts:
            counts[text] += 1
    duplicates = sum(c - 1 for c in counts.values() if c > 1)
    missing = sum(1 for c in counts.values() if c == 0)
    return duplicates, missing


def settle(world: GitWorld, app: OrgCelery) -> None:
    """The repo ends clean, committed, pushed, and fsck-clean."""
    wait_until(lambda: world.repo_status() == "", 20, "a clean working tree")
    world.clear_remote_locks()
    assert wait_task(app, enqueue_sync(app), 60)["ok"]
    assert world.remote_head() == world.repo_head()
    run_git(world.repo, "fsck", "--no-progress")
    assert not (world.repo / ".git" / "index.lock").exists()


def test_row1_kill_storm_loses_and_duplicates_nothing(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery, redis_client: redis.Redis
) -> None:
    """Row 1: SIGKILL the worker's process group at random times while edits are queued.

    Scaled: 200 edits and 5 kills (full: 1000 and 10); visibility timeout 12 s, sweep 0.5 s.
    """
    edits, kills = (1000, 10) if FULL else (200, 5)
    rng = random.Random(1)
    texts = [f"storm edit {i:04d}" for i in range(edits)]
    ids = [enqueue_operation(client_app, AddTask(text=t, source="web")) for t in texts]
    worker = workers.start()
    in_flight: dict[bytes, float] = {}  # delivery tag -> when its worker was killed
    redelivery: list[float] = []
    done = threading.Event()

    def watch() -> None:  # when kombu's sweep puts each abandoned message back in the queue
        poller = redis.Redis.from_url(workers.redis_url)
        while not done.is_set() or in_flight:
            for tag, killed_at in list(in_flight.items()):
                if not poller.hexists("unacked", tag):
                    redelivery.append(time.monotonic() - killed_at)
                    del in_flight[tag]
            time.sleep(0.02)
        poller.close()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    for _ in range(kills):
        time.sleep(rng.uniform(0.3, 1.2))
        tags = list(redis_client.hkeys("unacked"))
        worker.kill()
        in_flight.update({tag: time.monotonic() for tag in tags})
        worker.start()
    done.set()
    watcher.join(60)
    assert not in_flight, "a message of a killed worker was never delivered again"
    results = [wait_applied(client_app, task_id, 120) for task_id in ids]
    settle(world, client_app)
    duplicates, missing = assert_each_once(world, texts)
    worst = max(redelivery, default=0.0)
    print(
        f"ROW1 edits present exactly once {edits - missing - duplicates}/{edits}; duplicates "
        f"{duplicates}; missing {missing}; kills {kills}; max kill->redelivery {worst:.1f} s "
        f"(visibility timeout {VISIBILITY:g} s, sweep 0.5 s)"
    )
    assert (duplicates, missing) == (0, 0)
    assert all(r.result.op_id for r in results)
    assert worst <= VISIBILITY + 5


def test_row2_a_task_that_kills_its_pool_process_is_delivered_again_then_dropped(
    workers: WorkerFactory, client_app: OrgCelery, redis_client: redis.Redis, tmp_path: Path
) -> None:
    """Row 2: the pool child dies (like an OOM kill); reject_on_worker_lost redelivers it; one
    that dies every time stops after max_deliveries (3 here) instead of looping forever."""
    workers.start(app="tests.worker.fault_app", MAX_DELIVERIES="3")
    once, always = tmp_path / "once", tmp_path / "always"
    first = client_app.send_task(
        "myorg.repo.test_kill_own_process", args=[str(once), 1], queue="repo"
    )
    assert wait_task(client_app, first.id, 60) == {"ok": True, "executions": 2}
    forever = client_app.send_task(
        "myorg.repo.test_kill_own_process", args=[str(always), 1000], queue="repo"
    )
    result = wait_task(client_app, forever.id, 90)
    executions = len(always.read_text().splitlines())
    print(
        f"ROW2 task completed 1/1 after {len(once.read_text().splitlines())} executions; a task "
        f"that always kills its process ran {executions} times, then was dropped"
    )
    assert result["ok"] is False and result["error_kind"] == "dropped"
    assert executions == 3 and deliveries(redis_client, forever.id) == 3
    assert redis_client.llen("myorg:dead-letters") == 1


def test_row3_a_task_longer_than_its_limit_runs_once(
    workers: WorkerFactory, client_app: OrgCelery, tmp_path: Path
) -> None:
    """Row 3: a task that would run past the visibility timeout is stopped by the time limit
    (below the timeout), so it is never delivered a second time while it runs."""
    limits = {"VISIBILITY_TIMEOUT_S": "8", "TASK_TIME_LIMIT_S": "6", "REPO_LOCK_TTL_S": "6"}
    workers.start(app="tests.worker.fault_app", **limits)
    vt = float(limits["VISIBILITY_TIMEOUT_S"])
    counter = tmp_path / "sleep"
    task = client_app.send_task("myorg.repo.test_sleep", args=[str(counter), vt + 10], queue="repo")
    with pytest.raises(Exception, match=r"TimeLimitExceeded|failed in the worker"):
        wait_task(client_app, task.id, vt + 10)
    time.sleep(vt + 2)  # past the visibility timeout: a redelivery would show now
    executions = len(counter.read_text().splitlines())
    print(f"ROW3 executions {executions} (task asked for {vt + 10:g} s, VT {vt:g} s)")
    assert executions == 1


def test_row3_every_deployed_config_keeps_the_time_limit_below_the_visibility_timeout() -> None:
    configs = {"defaults": {}, "tests": {k.lower(): v for k, v in FAST_ENV.items()}}
    configmap = (ROOT / "k8s" / "configmap.yaml").read_text()
    found = dict(
        re.findall(r"^\s+(TASK_TIME_LIMIT_S|VISIBILITY_TIMEOUT_S):\s*\"?(\d+)", configmap, re.M)
    )
    configs["k8s"] = {k.lower(): v for k, v in found.items()}
    for name, values in configs.items():
        conf = celery_config(Settings(_env_file=None, **values))  # type: ignore[call-arg]
        vt = conf["broker_transport_options"]["visibility_timeout"]
        assert conf["task_time_limit"] < vt, name
        assert conf["task_soft_time_limit"] < conf["task_time_limit"], name
        assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"], name
    assert len(found) == 2
    with pytest.raises(ValueError, match="below visibility_timeout_s"):
        Settings(_env_file=None, task_time_limit_s=30, visibility_timeout_s=30)  # type: ignore[call-arg]


def test_row4_warm_shutdown_mid_burst_loses_and_duplicates_nothing(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery
) -> None:
    """Row 4: SIGTERM (a deploy) while edits flow; SIGKILL if still alive after the grace
    period (10 s, compose's default); then a new worker finishes the queue."""
    grace = 10.0
    texts = [f"deploy edit {i:03d}" for i in range(150)]
    ids = [enqueue_operation(client_app, AddTask(text=t, source="discord")) for t in texts]
    worker = workers.start()
    time.sleep(0.8)
    exit_s = worker.terminate(grace)
    workers.start()
    [wait_applied(client_app, task_id, 120) for task_id in ids]
    settle(world, client_app)
    duplicates, missing = assert_each_once(world, texts)
    durations = [float(x) for x in re.findall(r"succeeded in ([0-9.]+)s", worker.log())]
    over = sum(d > grace for d in durations)
    share = 100 * over / max(1, len(durations))
    print(
        f"ROW4 lost {missing}; duplicated {duplicates}; time-to-exit {exit_s:.2f} s; tasks longer "
        f"than the {grace:g} s grace period {over}/{len(durations)} ({share:.0f}%); "
        f"{'SIGKILLed at the end of the grace period' if exit_s >= grace else 'exited by itself'}"
    )
    # billiard's pool child may wait up to 30 s at shutdown for its last result to be read by
    # a parent that has stopped reading: then the grace period ends in SIGKILL. The message was
    # not acked, so it is delivered again and the journal makes the second run a no-op.
    assert (duplicates, missing) == (0, 0)
    assert over == 0 and exit_s < grace + 2


def _tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def test_row26_many_edits_leak_no_processes_memory_or_files(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery
) -> None:
    """Row 26: git children (incl. zombies), RSS and open files stay bounded over many edits.

    Scaled: 600 edits (full: 10,000), in batches of 10 so that each batch is one commit.
    """
    edits = 10_000 if FULL else 600
    worker = workers.start(GIT_SYNC_DEBOUNCE_S="1")

    def batch(start: int) -> None:
        ids = [enqueue_operation(client_app, AddTask(text=f"leak {start + i}")) for i in range(10)]
        for task_id in ids:
            wait_applied(client_app, task_id, 60)

    def measure() -> tuple[int, float, int]:
        procs = _tree(worker.pid)
        git_children = sum(1 for p in procs if "git" in p.name())
        zombies = sum(1 for p in procs if p.status() == psutil.STATUS_ZOMBIE)
        rss = sum(p.memory_info().rss for p in procs) / 2**20
        fds = sum(p.num_fds() for p in procs)
        return git_children + zombies, rss, fds

    for start in range(0, 100, 10):
        batch(start)
    _, rss0, fds0 = measure()
    for start in range(100, edits, 10):
        batch(start)
    time.sleep(1.5)  # let a last sync finish
    children, rss1, fds1 = measure()
    print(
        f"ROW26 edits {edits}; git children incl. zombies at end {children}; RSS {rss0:.0f} -> "
        f"{rss1:.0f} MiB; open fds {fds0} -> {fds1}"
    )
    assert children <= 2
    assert rss1 - rss0 < 60
    assert fds1 - fds0 <= 10
    assert int(run_git(world.repo, "rev-list", "--count", "HEAD")) > edits // 10
