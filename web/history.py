"""History of the repo (every interface, hand edits pulled from git) and undo of the assistant's
most recent change."""

from __future__ import annotations

import uuid
from typing import Any

import git
from flask import Blueprint
from flask.typing import ResponseReturnValue

from shared.owner_time import local_stamp
from web.flash import flash
from web.services import services
from web.views import render_page
from worker.client import (
    QueueUnavailableError,
    ResultTimeoutError,
    TaskFailedError,
    enqueue_undo,
    wait_task,
)
from worker.history import HistoryEntry, list_history, undone_text

bp = Blueprint("history", __name__)

SHOWN = 40


def undoable(entries: list[HistoryEntry]) -> str | None:
    """The sha the undo button would revert: the newest assistant change not yet undone."""
    reverted = {e.reverts for e in entries if e.reverts}
    for entry in entries:
        if entry.reverts or entry.merge:
            continue
        if entry.by_assistant and entry.sha not in reverted:
            return entry.sha
    return None


def history_context() -> dict[str, Any]:
    svc = services()
    problem = None
    try:
        entries = list_history(svc.repo.root, SHOWN)
    except (git.GitError, OSError, ValueError) as exc:
        entries, problem = [], f"The history cannot be read: {type(exc).__name__}."
    zone = svc.zone()
    return {
        "entries": entries,
        "stamps": {e.sha: local_stamp(e.when, zone) for e in entries},
        "undo_sha": undoable(entries),
        "problem": problem,
    }


@bp.get("/history")
def index() -> str:
    return render_page("history/index.html", None, **history_context())


@bp.post("/history/undo")
def undo() -> ResponseReturnValue:
    svc = services()
    try:
        task_id = enqueue_undo(svc.celery, "web", uuid.uuid4().hex)
        result = wait_task(svc.celery, task_id, svc.action_wait_s)
    except QueueUnavailableError as exc:
        return flash("error", f"Not undone: {exc}.", 503)
    except ResultTimeoutError:
        return flash("pending", "The undo is queued; the repo worker has not run it yet.", 202)
    except TaskFailedError as exc:
        return flash("error", str(exc), 500)
    if not result.get("ok"):
        return flash("error", str(result.get("error", "The undo failed.")), 409)
    return flash("ok", undone_text(result.get("summary")), changed=True)
