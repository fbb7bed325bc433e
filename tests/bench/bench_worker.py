"""Benchmarks of the repo lane with real processes: a redis-server, one celery worker, git.

- latency: one edit at a time, enqueue → applied → committed (the result carries the commit);
  p50 and p95 over 500 edits. Goal: p50 < 30 ms, p95 < 100 ms.
- burst: 1,000 edits enqueued at once, until the last is committed; edits/s and the number of
  commits group commit made. Goal: all committed in < 5 s. Three bursts, one after the other on
  the same repository (so each finds a longer todo.txt); the median is the figure, since this
  machine's speed varies from run to run by up to a third.
- floor: the same number of no-op tasks through a worker with the same settings (late acks,
  prefetch 1, task events, stored results): what Celery itself costs, side by side with the burst.

Beside each wall time, the CPU seconds each process spent in it: the worker's main process (which
takes messages, hands them to its pool process and publishes task events), its pool process (the
lane's work: for the floor, Celery's own part of running a task), redis-server, and the caller.
On a machine with few cores their sum, not the lane alone, bounds how fast a burst can go.

The repo is a clone with no remote (the lane's own cost, without pushes). ``MYORG_BENCH_SCALE``
shrinks both counts. ``python -m tests.bench.bench_worker`` prints the figures; :func:`run`
returns them.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from shared.operations import AddTask
from tests.bench.floor_app import NOOP
from tests.bench.report import Goal
from tests.bench.results import work_dir
from tests.bench.timing import repeats, scaled
from tests.worker.worker_harness import (
    GitWorld,
    WorkerProcess,
    client_settings,
    run_git,
    worker_env,
)
from worker.app import OrgCelery, create_celery_app
from worker.client import enqueue_operation, wait_applied
from worker.redis_server import start_redis

FLOOR_APP = "tests.bench.floor_app"
GOALS = (
    Goal("worker.single_edit_p50.ms", 30.0, "a single edit applied and committed: p50 under 30 ms"),
    Goal(
        "worker.single_edit_p95.ms", 100.0, "a single edit applied and committed: p95 under 100 ms"
    ),
    Goal("worker.burst_committed.s", 5.0, "a burst of 1,000 edits fully committed in under 5 s"),
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _cpu(process: psutil.Process) -> float:
    """CPU seconds of ``process`` so far, and of its children (live or reaped) and theirs (git)."""
    try:
        times = process.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in process.children():
            t = child.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    except psutil.NoSuchProcess:
        return 0.0
    return total


class CpuMeter:
    """CPU seconds spent by the worker (main process and pool), redis-server and this process."""

    def __init__(self, worker_pid: int, redis_pid: int | None) -> None:
        self.worker = psutil.Process(worker_pid)
        self.redis = psutil.Process(redis_pid) if redis_pid else None
        self.caller = psutil.Process()
        self.start = self._read()

    def restart(self) -> None:
        self.start = self._read()

    def _read(self) -> dict[str, float]:
        main = self.worker.cpu_times()
        own = self.caller.cpu_times()
        return {
            "main": main.user + main.system,
            "pool": _cpu(self.worker) - main.user - main.system,
            "redis": _cpu(self.redis) if self.redis else 0.0,
            "caller": own.user + own.system,
        }

    def spent(self) -> dict[str, float]:
        end = self._read()
        return {k: round(end[k] - self.start[k], 2) for k in end}


def _cpu_text(spent: dict[str, float]) -> str:
    return (
        f"CPU s: worker main {spent['main']}, pool {spent['pool']}, "
        f"redis {spent['redis']}, caller {spent['caller']}"
    )


def run() -> dict[str, float]:
    return measure(scaled(500), scaled(1000), repeats(3))


@dataclass(frozen=True)
class Burst:
    seconds: float
    commits: int
    cpu: dict[str, float]


def _burst(app: OrgCelery, repo: Path, meter: CpuMeter, edits: int, tag: str) -> Burst:
    commits_before = int(run_git(repo, "rev-list", "--count", "HEAD"))
    meter.restart()
    started = time.perf_counter()
    ids = [enqueue_operation(app, AddTask(text=f"{tag} {i}")) for i in range(edits)]
    results = [wait_applied(app, task_id, 120) for task_id in ids]
    seconds = time.perf_counter() - started
    cpu = meter.spent()
    assert results[-1].commit == run_git(repo, "rev-parse", "HEAD").strip()
    assert run_git(repo, "status", "--porcelain") == ""
    commits = int(run_git(repo, "rev-list", "--count", "HEAD")) - commits_before
    return Burst(seconds, commits, cpu)


def _floor(app: OrgCelery, meter: CpuMeter, tasks: int) -> Burst:
    meter.restart()
    started = time.perf_counter()
    sent = [app.send_task(NOOP, args=[i], queue="repo") for i in range(tasks)]
    for result in sent:
        result.get(timeout=120)
    return Burst(time.perf_counter() - started, 0, meter.spent())


def _median(runs: list[Burst]) -> Burst:
    return sorted(runs, key=lambda b: b.seconds)[len(runs) // 2]


def measure(latency_edits: int, burst_edits: int, rounds: int = 1) -> dict[str, float]:
    work = work_dir()
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="worker-", dir=work) as tmp:
        base = Path(tmp)
        redis = start_redis(base / "redis")
        world = GitWorld.create(base)
        repo = world.other  # a clone with no remote configured: the lane's own cost only
        app = create_celery_app(client_settings(redis.url, repo))
        worker = WorkerProcess(worker_env(redis.url, repo, None), base / "worker")
        try:
            worker.start()
            for i in range(20):  # warm up: imports, first repair, caches
                wait_applied(app, enqueue_operation(app, AddTask(text=f"warm {i}")), 60)

            latencies = []
            for i in range(latency_edits):
                started = time.perf_counter()
                applied = wait_applied(app, enqueue_operation(app, AddTask(text=f"lat {i}")), 60)
                latencies.append((time.perf_counter() - started) * 1000)
                assert applied.commit is not None, "a lone edit must be committed at once"

            meter = CpuMeter(worker.pid, redis.pid)
            bursts = [_burst(app, repo, meter, burst_edits, f"burst{n}") for n in range(rounds)]
        finally:
            worker.kill()
        floor = WorkerProcess(worker_env(redis.url, repo, None), base / "floor", app=FLOOR_APP)
        try:
            floor.start()
            app.send_task(NOOP, args=[0], queue="repo").get(timeout=60)
            meter = CpuMeter(floor.pid, redis.pid)
            floors = [_floor(app, meter, burst_edits) for _ in range(rounds)]
        finally:
            floor.kill()
            app.close()
            redis.stop()
    burst, floor_run = _median(bursts), _median(floors)
    runs = ", ".join(f"{b.seconds:.2f}" for b in bursts)
    figures = {
        "worker.single_edit_p50.ms": round(statistics.median(latencies), 1),
        "worker.single_edit_p95.ms": round(_percentile(latencies, 0.95), 1),
        "worker.burst_committed.s": round(burst.seconds, 2),
        "worker.burst_fastest.s": round(min(b.seconds for b in bursts), 2),
        "worker.burst_slowest.s": round(max(b.seconds for b in bursts), 2),
        "worker.burst_throughput.edits_per_s": round(burst_edits / burst.seconds, 1),
        "worker.burst_commits.count": float(burst.commits),
        "worker.burst_celery_floor.s": round(floor_run.seconds, 2),
        "worker.burst_lane_share.s": round(burst.seconds - floor_run.seconds, 2),
        **{f"worker.burst_cpu_{k}.s": v for k, v in burst.cpu.items()},
        **{f"worker.floor_cpu_{k}.s": v for k, v in floor_run.cpu.items()},
    }
    print(
        f"worker: single edit enqueue->committed p50 {figures['worker.single_edit_p50.ms']} ms, "
        f"p95 {figures['worker.single_edit_p95.ms']} ms ({latency_edits} sequential edits); "
        f"burst of {burst_edits}, median of {rounds} ({runs} s): all committed in "
        f"{burst.seconds:.2f} s ({figures['worker.burst_throughput.edits_per_s']} edits/s) in "
        f"{burst.commits} commits; the same number of no-op tasks through the same worker "
        f"settings takes {floor_run.seconds:.2f} s (Celery's own floor), so the lane's work adds "
        f"{burst.seconds - floor_run.seconds:.2f} s"
    )
    print(f"worker: burst {_cpu_text(burst.cpu)}; floor {_cpu_text(floor_run.cpu)}")
    return figures


if __name__ == "__main__":
    run()
