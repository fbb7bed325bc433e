"""The embedded redis-server: starts, survives a crash with its AOF, pauses, stops."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis

from worker.redis_server import RedisServer, RedisStartError, port_is_free, start_redis


@pytest.fixture
def server(tmp_path: Path):
    server = start_redis(tmp_path / "redis")
    yield server
    server.stop()


def client(server: RedisServer, timeout: float = 2.0) -> redis.Redis:
    return redis.Redis.from_url(server.url, socket_timeout=timeout)


def test_starts_with_aof_on_loopback(server: RedisServer) -> None:
    c = client(server)
    assert c.ping()
    assert c.config_get("appendonly") == {"appendonly": "yes"}
    assert c.config_get("appendfsync") == {"appendfsync": "everysec"}
    assert c.config_get("bind")["bind"] == "127.0.0.1"
    assert server.url == f"redis://127.0.0.1:{server.port}/0"
    c.close()


def test_queued_work_survives_sigkill_and_restart(server: RedisServer) -> None:
    port, pid = server.port, server.pid
    c = client(server)
    c.rpush("queue", *[f"job-{i}" for i in range(100)])
    c.close()
    time.sleep(1.2)  # appendfsync everysec
    server.kill()
    assert server.pid is None
    server.restart()
    assert (server.port, server.pid != pid) == (port, True)
    c = client(server)
    assert c.llen("queue") == 100
    c.close()


def test_pause_hangs_clients_until_resume(server: RedisServer) -> None:
    server.pause()
    try:
        with pytest.raises(redis.TimeoutError):
            client(server, timeout=0.3).ping()
    finally:
        server.resume()
    assert client(server).ping()


def test_stop_frees_the_port_and_restart_reuses_it(server: RedisServer) -> None:
    server.stop()
    assert port_is_free(server.port)
    server.restart()
    assert client(server).ping()


def test_a_taken_port_is_a_clear_error(server: RedisServer, tmp_path: Path) -> None:
    with pytest.raises(RedisStartError, match="already in use"):
        start_redis(tmp_path / "other", port=server.port)


def test_session_fixture_is_a_live_server(redis_server: RedisServer) -> None:
    assert client(redis_server).ping()
