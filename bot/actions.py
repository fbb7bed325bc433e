"""Changes from Discord: each is an operation queued for the repo worker, never a write here.

A command queues the operation and waits a few seconds (on a thread) for the worker's answer.
When none comes the change is still safely queued and the reply says so; when Redis cannot be
reached the reply says plainly that nothing was saved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from bot.services import BotServices
from shared.operations import Operation, OperationError, OpResult
from worker.client import (
    QueueUnavailableError,
    ResultTimeoutError,
    TaskFailedError,
    enqueue_operation,
    enqueue_undo,
    wait_applied,
    wait_task,
)
from worker.history import undone_text

SOURCE = "discord"
State = Literal["applied", "queued", "refused", "failed"]


@dataclass(frozen=True)
class Outcome:
    """``applied`` (with its result), ``queued`` (saved, not applied yet), ``refused`` (bad
    input: nothing changed) or ``failed`` (not saved, or the worker failed)."""

    state: State
    message: str
    result: OpResult | None = None
    data: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.state == "applied"


def apply_blocking(services: BotServices, op: Operation) -> Outcome:
    try:
        task_id = enqueue_operation(services.celery, op)
    except QueueUnavailableError as exc:
        return Outcome("failed", f"Not saved: {exc}.")
    try:
        applied = wait_applied(services.celery, task_id, services.apply_wait_s, op)
    except OperationError as exc:
        return Outcome("refused", f"Nothing changed: {exc}.")
    except (ResultTimeoutError, QueueUnavailableError):
        return Outcome("queued", "Saved in the queue; the repo worker has not applied it yet.")
    except TaskFailedError as exc:
        return Outcome("failed", f"{exc}.")
    return Outcome("applied", applied.result.summary, applied.result)


def undo_blocking(services: BotServices) -> Outcome:
    try:
        task_id = enqueue_undo(services.celery, SOURCE, uuid.uuid4().hex)
    except QueueUnavailableError as exc:
        return Outcome("failed", f"Not undone: {exc}.")
    try:
        value = wait_task(services.celery, task_id, services.apply_wait_s)
    except (ResultTimeoutError, QueueUnavailableError):
        return Outcome("queued", "The undo is queued; the repo worker has not run it yet.")
    except TaskFailedError as exc:
        return Outcome("failed", f"{exc}.")
    if not value.get("ok"):
        return Outcome("refused", str(value.get("error") or "The undo failed."), data=value)
    return Outcome("applied", undone_text(value.get("summary")), data=value)


async def apply(services: BotServices, op: Operation) -> Outcome:
    return await services.run(apply_blocking, services, op)


async def undo(services: BotServices) -> Outcome:
    return await services.run(undo_blocking, services)
