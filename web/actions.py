"""Changes from the web: every one is an operation queued for the repo worker, never a write here.

A view sends the operation and waits a few seconds for the worker's answer. If none comes the
change is still safely queued, and the page polls ``/ops/<task_id>`` until it is applied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from shared.operations import Operation, OperationError, OpResult
from web.services import services
from worker.client import (
    QueueUnavailableError,
    ResultTimeoutError,
    TaskFailedError,
    enqueue_operation,
    wait_applied,
)

SOURCE = "web"
TASK_ID_RE = re.compile(r"[0-9a-f]{32}")
State = Literal["applied", "pending", "failed"]


@dataclass(frozen=True)
class Outcome:
    """What became of a change: ``applied`` (with its result), ``pending`` or ``failed``."""

    state: State
    message: str
    result: OpResult | None = None
    task_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.state == "applied"


def submit(op: Operation) -> Outcome:
    """Queue ``op`` and wait (briefly) for it to be applied."""
    svc = services()
    try:
        task_id = enqueue_operation(svc.celery, op)
    except QueueUnavailableError as exc:
        return Outcome("failed", _sentence(str(exc)))
    return check(task_id, svc.action_wait_s, op)


def check(task_id: str, timeout: float, op: Operation | None = None) -> Outcome:
    """The state of a queued change, waiting at most ``timeout`` seconds for it (``op``: the
    change, sent again if the worker could not finish it)."""
    svc = services()
    try:
        applied = wait_applied(svc.celery, task_id, timeout, op)
    except OperationError as exc:
        return Outcome("failed", _sentence(str(exc)), task_id=task_id)
    except ResultTimeoutError:
        return Outcome("pending", "Saved in the queue; waiting for the repo worker…", None, task_id)
    except QueueUnavailableError:
        return Outcome(
            "pending", "Saved in the queue; the queue cannot be reached to check.", None, task_id
        )
    except TaskFailedError as exc:
        return Outcome("failed", _sentence(str(exc)), task_id=task_id)
    return Outcome("applied", _sentence(applied.result.summary), applied.result, task_id)


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else "Something went wrong."
