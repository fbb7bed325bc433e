"""Fixtures shared by every test layer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from worker.redis_server import RedisServer, start_redis


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real redis-server (AOF on) on a free port for the whole session.

    It has ``.url``, ``.port``, ``.pid``, ``.kill()``, ``.stop()``, ``.restart()``, ``.pause()``
    (SIGSTOP) and ``.resume()`` (SIGCONT). A test that kills or pauses it must restart or resume it
    before it ends, so the next test finds it running.
    """
    server = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()
