"""Memory (RSS) of each role, idle and the repo worker under a burst of edits.

Each role is started the way the image starts it (``python -m worker.roles ROLE``) against a real
Redis and the demo repository; a role's figure is the RSS of its whole process tree (a Celery
worker's pool children included). The bot is left out: it needs a Discord token to start.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
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
    Goal(f"memory.{role}_idle.mib", 150.0, f"{role} under 150 MiB RSS idle") for role in ROLES
)


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and all its descendants."""
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
            figures = {
                f"memory.{role}_idle.mib": round(tree_rss(_pid(proc)) / MIB, 1)
                for role, proc in procs.items()
            }
            worker_pid = _pid(procs["repo_worker"])
            peak = [0]
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], tree_rss(worker_pid))
                    time.sleep(0.05)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            ids = [enqueue_operation(app, AddTask(text=f"burst {i}")) for i in range(burst_edits)]
            for task_id in ids:
                wait_applied(app, task_id, 120)
            done.set()
            sampler.join()
            figures["memory.repo_worker_burst_peak.mib"] = round(peak[0] / MIB, 1)
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
