"""A Celery app with the log signals installed and one task that logs, for the JSON log test."""

from __future__ import annotations

import logging

from worker.app import create_celery_app
from worker.log_signals import install_log_signals

app = create_celery_app()
install_log_signals(lambda: app.settings)


@app.task(name="myorg.test.log_line")
def log_line(text: str) -> str:
    logging.getLogger("myorg.test").info("task says %s", text)
    return "done"
