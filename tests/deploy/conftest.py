"""Fixtures for the deployment tests: a clean Redis and a container-like environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from shared.settings import Settings
from tests.deploy.role_process import container_env
from worker.app import OrgCelery, create_celery_app
from worker.redis_server import RedisServer


def _flush(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushall()
        client.config_set("notify-keyspace-events", "")
    finally:
        client.close()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """The session's redis-server, running and empty (and emptied again afterwards)."""
    redis_server.resume()
    if not redis_server.running():
        redis_server.restart()
    _flush(redis_server.url)
    yield redis_server.url
    if redis_server.running():
        _flush(redis_server.url)


@pytest.fixture
def env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    (tmp_path / "org").mkdir()
    return container_env(tmp_path, redis_url)


@pytest.fixture
def client(env: dict[str, str]) -> Iterator[OrgCelery]:
    """A Celery app as the web app makes one, with the containers' settings."""
    values = {k.lower(): v for k, v in env.items() if k.lower() in Settings.model_fields}
    app = create_celery_app(Settings(_env_file=None, **values))
    try:
        yield app
    finally:
        app.close()
