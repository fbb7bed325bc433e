"""The dashboard: today's events, what to do now, what is late or waiting, and recent notes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import redis
from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue

from shared import queries
from shared.calendar import current_event
from shared.context_infer import ContextError
from shared.progress import project_progress
from shared.suggest import Suggestion, suggest, weights_from_config
from shared.today import RepoSnapshot, build_today
from shared.working_memory import parse_working_memory
from web.flash import flash
from web.services import services
from web.views import BadInputError, fragment_for, render_page
from worker.changes import recent_alerts
from worker.context_override import DEFAULT_HOURS, active_override, clear_override, set_override

bp = Blueprint("dashboard", __name__)

PRIORITY_COUNT = 10
SUGGESTION_COUNT = 3
LIST_LIMIT = 8
MEMORY_COUNT = 5
ALERT_COUNT = 5


def repo_view(now: datetime) -> dict[str, Any]:
    """What the dashboard shows from the files (reused while they and the minute are unchanged)."""
    svc = services()
    today = now.date()
    view = build_today(svc.repo, now)
    snap = RepoSnapshot.load(svc.repo, now)
    ready = [t for t in queries.actionable(snap.tasks, today) if not t.is_waiting]
    memory = svc.repo.parsed(svc.repo.layout.working_memory, parse_working_memory)
    return {
        "view": view,
        "ready": sorted(ready, key=queries.sort_key),
        "due_soon": view.due_today + view.due_within[3],
        "contexts": sorted(c.lstrip("@") for c in view.open_by_context),
        "stats": {
            "open": sum(1 for t in snap.tasks if not t.done and t.text),
            "projects": sum(1 for p in snap.projects if p.active),
            "waiting": len(queries.waiting(snap.tasks)),
            "overdue": len(view.overdue),
        },
        "memory": list(reversed(memory[-MEMORY_COUNT:])),
    }


def suggestions(now: datetime, context: str) -> list[Suggestion]:
    """The best few tasks to do now, with their reasons (``context`` empty: any context)."""
    svc = services()
    snap = RepoSnapshot.load(svc.repo, now)
    progress = project_progress(
        snap.projects, snap.tasks + snap.done_tasks, now.date(), snap.config.projects.stalled_days
    )
    return suggest(
        snap.tasks,
        now=now,
        context=context or None,
        projects=snap.projects,
        quarter=snap.quarter,
        progress=progress,
        weights=weights_from_config(snap.config),
        limit=SUGGESTION_COUNT,
    )


def owner_context(now: datetime) -> str:
    """The context the owner set, here or with ``/context`` in Discord, without its ``@``
    (empty: none set, every context shows)."""
    try:
        override = active_override(services().redis, now)
    except (redis.RedisError, OSError):
        return ""
    return override.context.lstrip("@") if override is not None else ""


def dashboard_context() -> dict[str, Any]:
    svc = services()
    now = svc.now()
    minute = now.replace(second=0, microsecond=0)
    data = svc.memo("dashboard", (svc.repo_signature(), minute), lambda: repo_view(minute))
    context = owner_context(now)
    ready = data["ready"]
    if context:
        ready = [t for t in ready if f"@{context}" in {c.casefold() for c in t.contexts}]
    try:
        alerts = recent_alerts(svc.redis, ALERT_COUNT)
    except (redis.RedisError, OSError, ValueError):
        alerts = []
    view = data["view"]
    key = (svc.repo_signature(), minute, context)
    picks = svc.memo("dashboard-suggest", key, lambda: suggestions(minute, context))
    return {
        **data,
        "now": now,
        "today": now.date(),
        "current": current_event(view.events, now.time().replace(tzinfo=None)),
        "priority": ready[:PRIORITY_COUNT],
        "suggestions": picks,
        "context": context,
        "contexts": sorted({*(c.casefold() for c in data["contexts"]), context} - {""}),
        "alerts": alerts,
        "limit": LIST_LIMIT,
    }


@bp.get("/")
def index() -> str:
    fragment = fragment_for("dash", "dashboard/partials/body.html")
    return render_page("dashboard/index.html", fragment, **dashboard_context())


@bp.post("/context")
def set_context() -> ResponseReturnValue:
    """Set the owner's context for ``DEFAULT_HOURS``, as ``/context`` in Discord does (empty:
    clear it, every context)."""
    svc = services()
    value = request.form.get("context", "").strip()
    now = svc.now()
    try:
        if value:
            override = set_override(svc.redis, value, now + timedelta(hours=DEFAULT_HOURS), now)
            label = f"{override.context} until {override.until:%H:%M}"
        else:
            clear_override(svc.redis)
            label = "every context"
    except ContextError as exc:
        raise BadInputError("A context is one word, like @home.") from exc
    except (redis.RedisError, OSError) as exc:
        return flash("error", f"Not changed: Redis is unreachable ({type(exc).__name__}).", 503)
    if request.headers.get("HX-Request") == "true":
        return flash("ok", f"Showing tasks for {label}.", changed=True)
    return redirect(url_for("dashboard.index"))
