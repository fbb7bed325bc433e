"""The scheduler's Celery task: a thin adapter from beat's tick to :func:`run_tick`."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task

from shared.org_repo import OrgRepo
from worker.scheduler import TICK_TASK, Tick, TickLock, clock_now, run_tick, tick_lock_ttl_s

log = logging.getLogger(__name__)


def _org(app: Any) -> OrgRepo:
    """One read-only OrgRepo per process, so parsed files stay cached between ticks."""
    state: dict[str, Any] = app.lane_state
    path = app.settings.org_repo_path
    repo = state.get("proactive_repo")
    if not isinstance(repo, OrgRepo) or repo.root != OrgRepo(path).root:
        repo = state["proactive_repo"] = OrgRepo(path)
    return repo


@shared_task(bind=True, name=TICK_TASK, ignore_result=True, acks_late=False)
def tick_task(self: Task) -> dict[str, Any]:
    """Run the jobs that are due. A tick that finds another one running does nothing: the next
    tick comes within ``schedule_tick_s`` and a lost tick is never redelivered."""
    app = self.app
    settings = app.settings
    lock = TickLock(app.redis, tick_lock_ttl_s(settings))
    if not lock.acquire():
        return {"ok": True, "busy": True}
    try:
        now = clock_now(settings, app.redis)
        if now is None:
            return {"ok": True, "waiting_for_test_clock": True}
        report = run_tick(Tick(settings, app.redis, _org(app), now, app.send_task))
    finally:
        lock.release()
    for problem in report["problems"]:
        log.debug("assistant.toml: %s", problem)
    return {"ok": True, **report}
