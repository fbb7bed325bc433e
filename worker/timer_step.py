"""A worker bootstep that runs a function every few seconds on the worker's event loop."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import bootsteps

log = logging.getLogger(__name__)


class RepeatingStep(bootsteps.StartStopStep):
    """Consumer step base: :meth:`repeat` a function on the consumer's timer, cancelled when the
    consumer stops. A failure is logged, never raised: it must not take the worker down."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.tref: Any = None

    def repeat(
        self, parent: Any, interval: float, fn: Callable[[], object], what: str, now: bool = False
    ) -> None:
        """Run ``fn`` every ``interval`` seconds (and once at once, with ``now``)."""

        def run() -> None:
            try:
                fn()
            except Exception as exc:
                log.warning("%s failed: %s", what, exc)

        if now:
            run()
        self.tref = parent.timer.call_repeatedly(interval, run)

    def stop(self, parent: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    shutdown = stop
