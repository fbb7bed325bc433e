"""Fixtures for the worker tests: a clean Redis per test, git repos with a bare remote, real
``celery worker`` subprocesses, and a client-side Celery app like the web app's."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.worker.worker_harness import GitWorld, WorkerFactory, client_settings
from worker.app import OrgCelery, create_celery_app
from worker.redis_server import RedisServer


@pytest.fixture(autouse=True)
def clean_redis(redis_server: RedisServer) -> Iterator[None]:
    """Before every test here: the shared redis-server running, answering, and empty."""
    redis_server.resume()
    if not redis_server.running():
        redis_server.restart()
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    with contextlib.suppress(redis.ResponseError):  # one already running
        client.bgrewriteaof()  # keep the AOF small, so a restart in a fault test is quick
    client.close()
    yield


@pytest.fixture
def world(tmp_path: Path) -> GitWorld:
    return GitWorld.create(tmp_path)


@pytest.fixture
def workers(
    redis_server: RedisServer, clean_redis: None, world: GitWorld, tmp_path: Path
) -> Iterator[WorkerFactory]:
    factory = WorkerFactory(redis_server.url, world, tmp_path / "workers")
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture
def client_app(
    redis_server: RedisServer, clean_redis: None, world: GitWorld
) -> Iterator[OrgCelery]:
    app = create_celery_app(client_settings(redis_server.url, world.repo, world.url))
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def redis_client(redis_server: RedisServer, clean_redis: None) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    try:
        yield client
    finally:
        client.close()
