"""The real Celery app plus a task that does nothing, for the worker benchmark's floor.

Started as ``celery -A tests.bench.floor_app worker`` with the repo lane's own options, it shows
what Celery itself costs per message with our settings (late acks, prefetch 1, task events on,
results stored) — the part of a burst no change to the lane's own code can remove.
"""

from __future__ import annotations

from typing import Any

from worker.app import app

__all__ = ["app"]
NOOP = "bench.noop"  # outside the myorg. names: not a task of the product


@app.task(name=NOOP)
def noop(n: int) -> dict[str, Any]:
    return {"ok": True, "n": n}
