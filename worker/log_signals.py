"""Carry the request id from the caller to the worker's log lines, and log JSON in the worker.

:func:`install_log_signals` connects Celery's signals (they are process-wide):

- ``before_task_publish``: a task sent inside :func:`shared.log_format.log_ids` carries that
  request id in its ``request_id`` message header (web, bot and CLI send tasks this way);
- ``task_prerun``/``task_postrun``: while a task runs, its log lines name its ``task_id`` and the
  ``request_id`` it came with (or its own id when it came with none);
- ``setup_logging``: the worker, beat and Flower log through
  :func:`shared.log_format.configure_logging` (``LOG_FORMAT``/``LOG_LEVEL``) instead of Celery's own
  format.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import Token
from typing import Any

from celery import signals

from shared.log_format import REQUEST_ID, TASK_ID, configure_logging
from shared.settings import Settings

HEADER = "request_id"


def request_id_of(request: Any) -> str | None:
    """The request id a task message carried (custom headers land on the request itself)."""
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return str(value) if value else None


def install_log_signals(settings: Callable[[], Settings]) -> None:
    """Connect the signals; ``settings`` gives the process's settings when logging is set up.

    Where the Celery app is made: ``install_log_signals(lambda: app.settings)``. Calling it again
    replaces the earlier connections.
    """
    tokens: dict[str, tuple[Token[str | None], Token[str | None]]] = {}

    def add_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
        request_id = REQUEST_ID.get()
        if headers is not None and request_id and HEADER not in headers:
            headers[HEADER] = request_id

    def enter_task(task_id: str | None = None, task: Any = None, **_: Any) -> None:
        if task_id is None:
            return
        request_id = request_id_of(getattr(task, "request", None)) or task_id
        tokens[task_id] = (REQUEST_ID.set(request_id), TASK_ID.set(task_id))

    def leave_task(task_id: str | None = None, **_: Any) -> None:
        pair = tokens.pop(task_id or "", None)
        if pair is not None:
            TASK_ID.reset(pair[1])
            REQUEST_ID.reset(pair[0])

    def setup_logging(**_: Any) -> None:
        configure_logging(settings())

    for signal, handler in (
        (signals.before_task_publish, add_request_id),
        (signals.task_prerun, enter_task),
        (signals.task_postrun, leave_task),
        (signals.setup_logging, setup_logging),
    ):
        uid = f"myorg.log_signals.{handler.__name__}"
        signal.disconnect(dispatch_uid=uid)
        signal.connect(handler, weak=False, dispatch_uid=uid)
