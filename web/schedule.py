"""The schedule: each job of ``assistant.toml``'s ``[schedule]``, its next runs in the owner's
timezone, and the ledger of past runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
from croniter import croniter
from flask import Blueprint

from shared.assistant_config import parse_assistant_config
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


def next_runs(cron: str, now: datetime, count: int = NEXT_RUNS) -> list[datetime]:
    """The next ``count`` times ``cron`` fires after ``now`` (aware, in ``now``'s timezone)."""
    it = croniter(cron, now)
    return [it.get_next(datetime) for _ in range(count)]


def schedule_context() -> dict[str, Any]:
    svc = services()
    now = svc.now()
    config = svc.repo.parsed(svc.repo.layout.assistant_toml, parse_assistant_config)
    jobs = [Job(name, cron, next_runs(cron, now)) for name, cron in config.schedule.items()]
    return {
        "now": now,
        "jobs": sorted(jobs, key=lambda j: j.next_runs[0]),
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
