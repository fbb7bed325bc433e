"""Reaching the repo worker from the CLI: write commands go through it when it runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from shared.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

EMBEDDED_PORT_FILE = Path("redis") / "port"


def queue_url(settings: Settings) -> str | None:
    """``REDIS_URL``, or the embedded server that ``make run`` started under ``VAR_DIR``."""
    if settings.redis_url:
        return settings.redis_url
    try:
        port = int((settings.var_dir / EMBEDDED_PORT_FILE).read_text().strip())
    except (OSError, ValueError):
        return None
    return f"redis://127.0.0.1:{port}/0"


def repo_worker(settings: Settings, repo_root: Path) -> Celery | None:
    """A Celery app whose repo worker serves ``repo_root``; None when there is none to use.

    Only the repository the worker owns (``ORG_REPO_PATH``) goes through the queue: a command
    aimed at another directory with ``--repo`` is applied directly.
    """
    url = queue_url(settings)
    if url is None or repo_root.resolve() != settings.org_repo_path.resolve():
        return None
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except (redis.RedisError, OSError):
        return None
    from worker.app import create_celery_app
    from worker.client import repo_worker_available

    app = create_celery_app(settings.model_copy(update={"redis_url": url}))
    return app if repo_worker_available(app, timeout=1.0) else None
