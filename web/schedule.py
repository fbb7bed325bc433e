"""The schedule: each job of ``assistant.toml``'s ``[schedule]``, its next runs in the owner's
timezone, and the ledger of past runs.

Next runs come from :func:`shared.schedule.next_runs`, the function the scheduler runs jobs by,
so the page shows the times a job will really run, across daylight-saving changes too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

import redis
from flask import Blueprint

from shared.assistant_config import parse_assistant_config
from shared.schedule import ScheduleError, next_runs
from web.services import services
from web.views import render_page
from worker.ledger import read_ledger

bp = Blueprint("schedule", __name__)

NEXT_RUNS = 3
LEDGER_COUNT = 50


@dataclass(frozen=True)
class Job:
    name: str
    cron: str
    next_runs: list[datetime]


def job_runs(cron: str, zone: tzinfo, now: datetime, count: int = NEXT_RUNS) -> list[datetime]:
    """The next ``count`` instants ``cron`` runs after ``now``, as the scheduler runs it (none
    for a string that never fires or cannot be read)."""
    try:
        return [slot.at for slot in next_runs(cron, zone, now, count)]
    except ScheduleError:
        return []


def schedule_context() -> dict[str, Any]:
    svc = services()
    zone, now = svc.zone(), svc.now()
    config = svc.repo.parsed(svc.repo.layout.assistant_toml, parse_assistant_config)
    jobs = [Job(name, cron, job_runs(cron, zone, now)) for name, cron in config.schedule.items()]
    never = datetime.max.replace(tzinfo=UTC)
    return {
        "now": now,
        "jobs": sorted(jobs, key=lambda j: j.next_runs[0] if j.next_runs else never),
        "prep_minutes": config.event_prep_minutes,
        "problems": config.problems,
        "ledger": _ledger(svc.redis),
    }


def _ledger(client: redis.Redis) -> list[dict[str, Any]]:
    """Past runs, newest first (none when Redis cannot be reached)."""
    try:
        return read_ledger(client, LEDGER_COUNT)
    except (redis.RedisError, OSError, ValueError):
        return []


@bp.get("/schedule")
def index() -> str:
    return render_page("schedule/index.html", None, **schedule_context())
