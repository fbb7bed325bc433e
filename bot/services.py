"""What the bot needs from outside Discord: settings, the repo (read only), Redis, Celery, a clock.

Everything here blocks (file reads, Redis, Celery): call it from the event loop only through
:meth:`BotServices.run`, which runs it on a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo

import redis
from celery import Celery

from shared.org_repo import OrgRepo
from shared.owner_time import owner_zone
from shared.settings import Settings
from worker.agent_store import RedisAgentState
from worker.app import create_celery_app, redis_url

P = ParamSpec("P")
T = TypeVar("T")

#: How long a slash command waits for the repo worker before saying the change is queued.
APPLY_WAIT_S = 8.0


@dataclass
class BotServices:
    settings: Settings
    repo: OrgRepo
    redis: redis.Redis
    celery: Celery
    clock: Callable[[], datetime] | None = None
    apply_wait_s: float = APPLY_WAIT_S
    #: Outbox entries another consumer left unacknowledged this long are taken over.
    outbox_claim_idle_ms: int = 60_000
    outbox_claim_every_s: float = 30.0

    @property
    def owners(self) -> frozenset[int]:
        return frozenset(self.settings.discord_allowed_user_ids)

    def is_owner(self, user_id: int) -> bool:
        return user_id in self.owners

    def zone(self) -> ZoneInfo:
        return owner_zone(self.repo, self.settings.timezone)

    def now(self) -> datetime:
        """The owner's wall-clock time (aware). Reads assistant.toml: call it off the loop."""
        if self.clock is not None:
            return self.clock().astimezone(self.zone())
        return datetime.now(self.zone())

    def agent_state(self) -> RedisAgentState:
        return RedisAgentState(self.redis)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args)`` on a worker thread, so the event loop never waits on I/O."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def close(self) -> None:
        self.redis.close()
        self.celery.close()


def build_services(settings: Settings, clock: Callable[[], datetime] | None = None) -> BotServices:
    timeout = settings.redis_socket_timeout_s
    client = redis.Redis.from_url(
        redis_url(settings),
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=max(1, int(timeout)),
    )
    return BotServices(
        settings=settings,
        repo=OrgRepo(settings.org_repo_path),
        redis=client,
        celery=create_celery_app(settings),
        clock=clock,
    )
