"""The real Celery app plus tasks that misbehave on purpose, for the fault tests.

Start a worker with ``-A tests.worker.fault_app``. The tasks run inside the real repo lane
(delivery guard, repo lock), and count their executions in a file.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from celery import Task

from worker.app import app
from worker.tasks import _run

__all__ = ["app"]


def _count(counter: str) -> int:
    with open(counter, "a") as f:
        f.write(f"{os.getpid()}\n")
    return len(Path(counter).read_text().splitlines())


@app.task(bind=True, name="myorg.repo.test_kill_own_process")
def kill_own_process(self: Task, counter: str, times: int) -> dict[str, Any]:
    """SIGKILL its own pool process on the first ``times`` executions (an OOM kill)."""

    def body(lane: object) -> dict[str, Any]:
        executions = _count(counter)
        if executions <= times:
            os.kill(os.getpid(), signal.SIGKILL)
        return {"ok": True, "executions": executions}

    return _run(self, {"counter": counter}, body)


@app.task(bind=True, name="myorg.repo.test_sleep")
def sleep_for(self: Task, counter: str, seconds: float) -> dict[str, Any]:
    """Run for ``seconds``, longer than the time limit allows."""

    def body(lane: object) -> dict[str, Any]:
        _count(counter)
        time.sleep(seconds)
        return {"ok": True}

    return _run(self, {"counter": counter}, body)
