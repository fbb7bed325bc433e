"""What the web app, the bot and the CLI call to change the repo: enqueue, then (maybe) wait.

Every call that enqueues either returns a task id — the change is then safely in Redis — or raises
:class:`QueueUnavailableError`, which the caller must show as "not saved". Nothing here writes
the repository itself.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import kombu.exceptions
import redis
from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded, WorkerLostError
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import AsyncResult

from shared.operations import Operation, OperationError, OpResult
from worker.changes import ALERTS_CHANNEL, CHANGES_CHANNEL
from worker.inflight import remember
from worker.lanes import APPLY_OPERATION, GIT_SYNC, REPO_QUEUE, UNDO_LAST_CHANGE

log = logging.getLogger(__name__)

__all__ = [
    "ALERTS_CHANNEL",
    "CHANGES_CHANNEL",
    "Applied",
    "QueueUnavailableError",
    "ResultTimeoutError",
    "TaskFailedError",
    "TaskInterruptedError",
    "apply_via_queue",
    "enqueue_operation",
    "enqueue_sync",
    "enqueue_undo",
    "repo_worker_available",
    "wait_applied",
    "wait_result",
    "wait_task",
]

_BROKER_ERRORS = (
    kombu.exceptions.OperationalError,
    redis.RedisError,
    ConnectionError,
    OSError,
)


class QueueUnavailableError(RuntimeError):
    """The queue (Redis) could not be reached: the change was NOT saved."""


class ResultTimeoutError(TimeoutError):
    """The change is queued (it will be applied) but its result did not come back in time."""


class TaskFailedError(RuntimeError):
    """The task failed in the worker (a bug or an unexpected error, not bad input)."""


class TaskInterruptedError(TaskFailedError):
    """The worker ran out of time or lost its process while running the task: whether the
    change was applied is unknown. An operation can simply be sent again (see
    :func:`wait_applied`): its id makes sure it is applied once."""


#: How a task the worker could not finish ends: a time limit (a Redis or git hang can outlast
#: it, even after the change was applied) or a pool process that died.
_INTERRUPTED = (SoftTimeLimitExceeded, TimeLimitExceeded, WorkerLostError)


@dataclass(frozen=True)
class Applied:
    """An applied operation and the commit that holds it (None: committed with a later group)."""

    result: OpResult
    commit: str | None


def _send(app: Celery, name: str, args: list[Any], kwargs: dict[str, Any], task_id: str) -> str:
    """Queue a repo-lane task and note it in the in-flight ledger (see :mod:`worker.inflight`)."""
    try:
        app.send_task(name, args=args, kwargs=kwargs, task_id=task_id, queue=REPO_QUEUE)
    except (*_BROKER_ERRORS, RuntimeError) as exc:
        if isinstance(exc, RuntimeError) and "Retry limit exceeded" not in str(exc):
            raise  # not a connection failure of the result store
        raise QueueUnavailableError(
            "not saved: the task queue (Redis) is unreachable; try again"
        ) from exc
    client = getattr(app, "redis", None)
    if client is not None:
        remember(client, task_id, name, args, kwargs)
    return task_id


def enqueue_operation(app: Celery, op: Operation, task_id: str | None = None) -> str:
    """Queue ``op`` for the repo lane; returns the task id. Re-sending the same op is safe."""
    return _send(app, APPLY_OPERATION, [op.to_dict()], {}, task_id or uuid.uuid4().hex)


def enqueue_sync(app: Celery, reason: str = "manual") -> str:
    return _send(app, GIT_SYNC, [], {"reason": reason}, uuid.uuid4().hex)


def enqueue_undo(app: Celery, source: str, undo_id: str | None = None) -> str:
    """Queue an undo of the assistant's most recent change (``undo_id`` makes it idempotent)."""
    undo_id = undo_id or uuid.uuid4().hex
    return _send(app, UNDO_LAST_CHANGE, [undo_id], {"source": source}, uuid.uuid4().hex)


def wait_task(app: Celery, task_id: str, timeout: float) -> dict[str, Any]:
    """The task's JSON result; raises on timeout, on an unreachable queue and on a crash."""
    result = AsyncResult(task_id, app=app)
    try:
        # The repo lane is a different worker than any caller, so waiting cannot deadlock.
        value = result.get(timeout=timeout, propagate=True, disable_sync_subtasks=False)
    except CeleryTimeoutError as exc:
        raise ResultTimeoutError(
            f"queued but not applied within {timeout:g} s (is the repo worker running?)"
        ) from exc
    except _BROKER_ERRORS as exc:
        raise QueueUnavailableError(
            f"the task queue is unreachable ({type(exc).__name__})"
        ) from exc
    except _INTERRUPTED as exc:
        raise TaskInterruptedError(
            f"the worker could not finish the change ({type(exc).__name__})"
        ) from exc
    except Exception as exc:
        raise TaskFailedError(f"the change failed in the worker: {exc}") from exc
    if not isinstance(value, dict):
        raise TaskFailedError(f"unexpected task result {value!r}")
    return value


def wait_applied(
    app: Celery, task_id: str, timeout: float, op: Operation | None = None
) -> Applied:
    """Wait for an ``apply_operation`` task; :class:`OperationError` for bad input.

    With ``op`` (the operation the task carries), a task the worker could not finish is
    answered by sending ``op`` once more and waiting for that: it is applied once either way
    (its result then says ``duplicate`` if the first attempt had applied it).
    """
    started = time.monotonic()
    try:
        value = wait_task(app, task_id, timeout)
    except TaskInterruptedError:
        if op is None:
            raise
        log.warning("task %s could not finish; sending operation %s again", task_id, op.op_id)
        remaining = max(1.0, timeout - (time.monotonic() - started))
        return wait_applied(app, enqueue_operation(app, op), remaining)
    if not value.get("ok"):
        if value.get("error_kind") == "operation_error":
            raise OperationError(value.get("error", "invalid operation"))
        raise TaskFailedError(value.get("error", "the change failed"))
    return Applied(OpResult.from_dict(value["result"]), value.get("commit"))


def wait_result(app: Celery, task_id: str, timeout: float) -> OpResult:
    return wait_applied(app, task_id, timeout).result


def apply_via_queue(app: Celery, op: Operation, timeout: float = 10.0) -> Applied:
    """Enqueue and wait: what a CLI command or a web form does."""
    return wait_applied(app, enqueue_operation(app, op), timeout, op)


def repo_worker_available(app: Celery, timeout: float = 1.0) -> bool:
    """Whether some worker consumes the repo queue right now (the CLI uses it to decide)."""
    try:
        queues = app.control.inspect(timeout=timeout).active_queues() or {}
    except _BROKER_ERRORS:
        return False
    return any(q.get("name") == REPO_QUEUE for qs in queues.values() for q in qs or [])
