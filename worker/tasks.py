"""The repo lane's tasks: thin adapters from JSON arguments to the domain and git layers.

Each returns a JSON object: ``{"ok": true, ...}`` or ``{"ok": false, "error": "...",
"error_kind": "..."}`` for a failure the caller must show (bad input, refused undo, a task
dropped after crashing its worker too often). Such failures are final and never retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Reject

from shared.apply import apply_operation
from shared.operations import OperationError, operation_from_dict
from worker.changes import publish_alert
from worker.counters import count_outcome
from worker.deliveries import PoisonTaskError
from worker.git_cmd import GitError
from worker.git_sync import sync_repo
from worker.history import UndoRefusedError, undo_last_change
from worker.lanes import APPLY_OPERATION, COMMIT_PENDING, GIT_SYNC, UNDO_LAST_CHANGE
from worker.repo_lane import LaneUnavailableError, RepoLane, repo_lane
from worker.repo_lock import RepoBusyError

log = logging.getLogger(__name__)


def failure(kind: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": message, "error_kind": kind}


class _Failed(Exception):
    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(result["error"])
        self.result = result


@contextmanager
def lane_for(task: Task, args: Any) -> Iterator[RepoLane]:
    """Enter the repo lane; a busy lock hands the task back to the queue."""
    redelivered = bool((task.request.delivery_info or {}).get("redelivered"))
    try:
        with repo_lane(task.app, task.request.id, task.name, args, redelivered) as lane:
            yield lane
    except (RepoBusyError, LaneUnavailableError) as exc:
        log.warning("%s: %s; handing the task back", task.name, exc)
        raise Reject(str(exc), requeue=True) from exc
    except PoisonTaskError as exc:
        raise _Failed(failure("dropped", str(exc))) from exc


def _run(task: Task, args: Any, body: Callable[[RepoLane], dict[str, Any]]) -> dict[str, Any]:
    try:
        with lane_for(task, args) as lane:
            return body(lane)
    except _Failed as exc:
        return exc.result


@shared_task(bind=True, name=APPLY_OPERATION)
def apply_operation_task(self: Task, op: dict[str, Any]) -> dict[str, Any]:
    """Apply one operation (exactly once per op id), then group-commit."""

    def body(lane: RepoLane) -> dict[str, Any]:
        try:
            operation = operation_from_dict(op)
        except OperationError as exc:
            return failure("operation_error", str(exc))
        was_pending = not lane.group.note(operation)
        try:
            result = apply_operation(lane.org, operation, lane.now())
        except OperationError as exc:
            lane.group.drop(operation.op_id)
            return failure("operation_error", str(exc))
        if result.duplicate and not was_pending:
            lane.group.drop(operation.op_id)  # applied and committed before: nothing new
        else:
            lane.group.applied(operation.op_id, result.files)
        event = None
        if not result.duplicate:
            event = {"type": "applied", "source": operation.source, **result.to_dict()}
        waiting = lane.announce_applied(event)  # also counts it as applied
        try:
            info = lane.commit_if_due(waiting)
        except GitError as exc:  # applied and durable; the next commit will hold it
            log.error("commit failed after applying %s: %s", operation.op_id, exc)
            publish_alert(lane.redis, "commit_failed", f"could not commit to git: {exc}")
            info = None
        return {"ok": True, "result": result.to_dict(), "commit": info.sha if info else None}

    outcome = _run(self, op, body)
    if not outcome.get("ok"):
        count_outcome(self.app.redis, outcome)
    return outcome


@shared_task(bind=True, name=COMMIT_PENDING)
def commit_pending_task(self: Task) -> dict[str, Any]:
    """Commit whatever edits are applied and not yet committed."""

    def body(lane: RepoLane) -> dict[str, Any]:
        info = lane.commit_now()
        return {"ok": True, "commit": info.sha if info else None}

    return _run(self, None, body)


@shared_task(bind=True, name=GIT_SYNC)
def git_sync_task(self: Task, reason: str = "schedule") -> dict[str, Any]:
    """Commit pending edits, pull (merging line files by meaning), then push."""

    def body(lane: RepoLane) -> dict[str, Any]:
        lane.sync_started(reason)
        lane.commit_now(sync=False)
        lane.flush()  # tell the dashboards of the commit before talking to the remote
        report = sync_repo(lane, reason=reason)
        return {"ok": report.ok, **report.to_dict()}

    return _run(self, {"reason": reason}, body)


@shared_task(bind=True, name=UNDO_LAST_CHANGE)
def undo_last_change_task(self: Task, undo_id: str, source: str = "cli") -> dict[str, Any]:
    """Revert the assistant's most recent change as a new commit, unless the owner edited it."""

    def body(lane: RepoLane) -> dict[str, Any]:
        lane.commit_now(sync=False)
        try:
            undone = undo_last_change(lane, undo_id=undo_id, source=source)
        except UndoRefusedError as exc:
            return failure("undo_refused", str(exc))
        lane.announce({"type": "undone", **undone.to_dict()})
        lane.request_sync()
        return {"ok": True, **undone.to_dict()}

    return _run(self, {"undo_id": undo_id, "source": source}, body)
