"""Memory of each role, idle and the repo worker under a burst of edits.

Each role is started the way the image starts it (``python -m worker.roles ROLE``) against a real
Redis and the demo repository, and measured over its whole process tree (gunicorn's arbiter and
worker, a Celery worker's pool children). The bot is left out: it needs a Discord token to start.

The goal is judged on the tree's PSS (proportional set size) summed, ``memory.ROLE_idle.mib``:
the memory the role costs the machine, which is what a Kubernetes memory limit (the container's
cgroup) counts. A page that a Celery or gunicorn parent shares with the children it forked is one
physical page; PSS counts it once, split among the processes that map it. The RSS summed over the
tree (``_rss``) counts it once per process, so a forked pool shows up at about twice what it
costs; USS summed (``_uss``, the pages no other process maps) is the floor. On the development
machine the roles run side by side, so the pages of the interpreter and its libraries that they
all map are split among them too: in a container, alone, a role costs a few MiB more than here.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psutil

from cli.demo_repo import create_demo_repo
from shared.operations import AddTask
from tests.bench.report import Goal
from tests.bench.results import work_dir
from tests.bench.timing import scale, scaled
from tests.deploy.role_process import RoleProcess, container_env
from tests.worker.worker_harness import client_settings
from worker.app import create_celery_app
from worker.client import enqueue_operation, wait_applied
from worker.redis_server import start_redis

ROLES = ("web", "repo_worker", "agent_worker", "beat", "flower")
MIB = 1024 * 1024
GOALS = tuple(
    Goal(f"memory.{role}_idle.mib", 150.0, f"{role} under 150 MiB idle (PSS of its process tree)")
    for role in ROLES
)


@dataclass(frozen=True)
class TreeMemory:
    """Bytes of ``pid`` and all its descendants: PSS, RSS and USS, each summed; processes."""

    pss: int
    rss: int
    uss: int
    processes: int


def tree_memory(pid: int) -> TreeMemory:
    try:
        top = psutil.Process(pid)
        procs = [top, *top.children(recursive=True)]
    except psutil.NoSuchProcess:
        return TreeMemory(0, 0, 0, 0)
    pss = rss = uss = count = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            info = proc.memory_full_info()
            pss, rss, uss, count = pss + info.pss, rss + info.rss, uss + info.uss, count + 1
    return TreeMemory(pss, rss, uss, count)


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and all its descendants, shared pages once per process (cheap
    enough to sample every 50 ms)."""
    try:
        top = psutil.Process(pid)
        procs = [top, *top.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total


def _mib(value: int) -> float:
    return round(value / MIB, 1)


def run() -> dict[str, float]:
    return measure(idle_s=max(0.5, 5.0 * scale()), burst_edits=scaled(300))


def measure(idle_s: float, burst_edits: int) -> dict[str, float]:
    work = work_dir()
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="memory-", dir=work) as tmp:
        base = Path(tmp)
        redis = start_redis(base / "redis")
        create_demo_repo(base / "org", date.today())
        env = container_env(base, redis.url, LOG_FORMAT="text")
        procs = {role: RoleProcess(role, env, base / role) for role in ROLES}
        app = create_celery_app(client_settings(redis.url, base / "org"))
        try:
            for proc in procs.values():
                proc.start()
            for proc in procs.values():
                proc.wait_healthy(90)
            time.sleep(idle_s)
            figures: dict[str, float] = {}
            for role, proc in procs.items():
                idle = tree_memory(_pid(proc))
                figures[f"memory.{role}_idle.mib"] = _mib(idle.pss)
                figures[f"memory.{role}_idle_rss.mib"] = _mib(idle.rss)
                figures[f"memory.{role}_idle_uss.mib"] = _mib(idle.uss)
                figures[f"memory.{role}_idle.processes"] = float(idle.processes)
                print(f"memory: {role} idle, {idle.processes} processes: PSS {_mib(idle.pss)} "
                      f"MiB, RSS {_mib(idle.rss)}, USS {_mib(idle.uss)}")
            worker_pid = _pid(procs["repo_worker"])
            peak = [0]
            peak_rss = [0]
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    peak_rss[0] = max(peak_rss[0], tree_rss(worker_pid))
                    peak[0] = max(peak[0], tree_memory(worker_pid).pss)
                    time.sleep(0.05)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            ids = [enqueue_operation(app, AddTask(text=f"burst {i}")) for i in range(burst_edits)]
            for task_id in ids:
                wait_applied(app, task_id, 120)
            done.set()
            sampler.join()
            figures["memory.repo_worker_burst_peak.mib"] = _mib(peak[0])
            figures["memory.repo_worker_burst_peak_rss.mib"] = _mib(peak_rss[0])
            figures["memory.repo_worker_burst.edits"] = float(burst_edits)
            return figures
        finally:
            for proc in procs.values():
                proc.kill()
            app.close()
            redis.stop()


def _pid(proc: RoleProcess) -> int:
    assert proc.proc is not None
    return proc.proc.pid
