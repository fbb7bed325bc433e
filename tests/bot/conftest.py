"""Fixtures for the bot tests: the fake Discord (with discord.py pointed at it), a clean Redis,
a git world with a repo worker, and the real bot running against them."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

with warnings.catch_warnings():
    # discord.py imports audioop (for voice, unused here), deprecated since Python 3.11.
    warnings.simplefilter("ignore", DeprecationWarning)
    import discord.gateway
    import discord.http

from tests.bot.bot_harness import BotThread, bot_env, start_bot
from tests.bot.fake_discord import FakeDiscord
from tests.worker.worker_harness import GitWorld, WorkerFactory, run_git
from worker.redis_server import RedisServer

#: The bot's clock: a Tuesday, the day after the seed calendar's Monday standup.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clean_redis(redis_server: RedisServer) -> Iterator[None]:
    redis_server.resume()
    if not redis_server.running():
        redis_server.restart()
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    yield


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDiscord]:
    server = FakeDiscord().start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", server.gateway_url)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def world(tmp_path: Path) -> GitWorld:
    return GitWorld.create(tmp_path)


@pytest.fixture
def cloned(world: GitWorld) -> GitWorld:
    """The world with its repo cloned (what a repo worker does when it starts)."""
    run_git(world.repo.parent, "clone", "-q", world.url, str(world.repo))
    return world


@pytest.fixture
def workers(redis_server: RedisServer, world: GitWorld, tmp_path: Path) -> Iterator[WorkerFactory]:
    factory = WorkerFactory(redis_server.url, world, tmp_path / "workers")
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture
def env(
    fake: FakeDiscord, redis_server: RedisServer, world: GitWorld, tmp_path: Path
) -> dict[str, str]:
    return bot_env(fake, redis_server.url, world.repo, tmp_path / "var")


@pytest.fixture
def run_bot(fake: FakeDiscord, env: dict[str, str]) -> Iterator[Callable[..., BotThread]]:
    started: list[BotThread] = []

    def start(**overrides: object) -> BotThread:
        clock = overrides.pop("clock", lambda: NOW)
        wait = overrides.pop("apply_wait_s", None)
        merged = {**env, **{k.upper(): str(v) for k, v in overrides.items()}}
        thread = start_bot(fake, merged, clock, wait)  # type: ignore[arg-type]
        started.append(thread)
        return thread

    try:
        yield start
    finally:
        for thread in started:
            thread.stop()
        blocked = [m for thread in started for m in thread.slow.found]
        # A result the bot stopped waiting for unsubscribes when collected: do it while Redis runs.
        gc.collect()
        assert blocked == [], f"the bot blocked its event loop: {blocked}"
