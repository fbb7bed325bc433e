"""Replace an exited pool process at once, not on the pool's five-second timer.

A prefork pool process exits when it has run ``worker_max_tasks_per_child`` tasks, or when a task
kills it. The worker's parent should notice through the process's sentinel and start a new one
right away, but when the process exits just as a message is handed to it the parent misses the
exit and only finds it on its periodic pool check, every 5 s (celery/celery#9588). Until then the
lane runs nothing: measured here, a 4.8 s stall in the repo lane every 1,000 tasks.

:class:`PoolWatch` runs the same check every :data:`INTERVAL_S`. It is cheap: a non-blocking
``waitpid`` per pool process.
"""

from __future__ import annotations

from typing import Any

from worker.timer_step import RepeatingStep

INTERVAL_S = 0.1


class PoolWatch(RepeatingStep):
    """Consumer step: check for exited pool processes every :data:`INTERVAL_S` seconds."""

    def start(self, parent: Any) -> None:
        maintain = getattr(parent.pool, "maintain_pool", None)
        if maintain is not None:  # solo and thread pools have no processes to replace
            self.repeat(parent, INTERVAL_S, maintain, "pool check")
