"""Briefings: every proactive message the assistant sent, newest first."""

from __future__ import annotations

from typing import Any

import redis
from flask import Blueprint

from web.services import services
from web.views import render_page
from worker.outbox import recent_briefings

bp = Blueprint("briefings", __name__)

BRIEFING_COUNT = 50


def briefings_context() -> dict[str, Any]:
    try:
        briefings = recent_briefings(services().redis, BRIEFING_COUNT)
    except (redis.RedisError, OSError, ValueError):
        briefings = []
    return {"briefings": briefings}


@bp.get("/briefings")
def index() -> str:
    return render_page("briefings/index.html", None, **briefings_context())
