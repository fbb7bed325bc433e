"""What the views need from outside the request: the repo, Redis, the Celery app, the clock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import redis
from celery import Celery
from flask import Flask, current_app

from shared.org_repo import OrgRepo
from shared.owner_time import owner_zone
from shared.settings import Settings
from worker.app import create_celery_app, redis_url

T = TypeVar("T")
EXTENSION = "myorg"
#: How long an action waits for the repo lane before the page polls for the result instead.
ACTION_WAIT_S = 4.0


@dataclass
class WebServices:
    """Connections shared by every request of one app (each is thread-safe)."""

    settings: Settings
    repo: OrgRepo
    redis: redis.Redis
    celery: Celery
    clock: Callable[[], datetime] | None = None
    action_wait_s: float = ACTION_WAIT_S
    extras: dict[str, object] = field(default_factory=dict)
    _memo: dict[str, tuple[Hashable, object]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def zone(self) -> ZoneInfo:
        return owner_zone(self.repo, self.settings.timezone)

    def repo_signature(self) -> tuple[object, ...]:
        """Changes whenever one of the owner's files is written, by anyone."""
        layout = self.repo.layout
        out: list[object] = []
        for rel in (layout.todo, layout.done, layout.calendar, layout.projects,
                    layout.working_memory, layout.assistant_toml, layout.goals_dir, layout.telos):
            try:
                st = self.repo.path(rel).stat()
            except (OSError, ValueError):
                out.append(None)
                continue
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        return tuple(out)

    def memo(self, name: str, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, reused while ``key`` stays the same (one entry per ``name``)."""
        with self._lock:
            hit = self._memo.get(name)
        if hit is not None and hit[0] == key:
            value: T = hit[1]  # type: ignore[assignment]
            return value
        value = build()
        with self._lock:
            self._memo[name] = (key, value)
        return value

    def now(self) -> datetime:
        """The owner's wall-clock time (aware)."""
        if self.clock is not None:
            return self.clock().astimezone(self.zone())
        return datetime.now(self.zone())


def build_services(settings: Settings, clock: Callable[[], datetime] | None = None) -> WebServices:
    timeout = settings.redis_socket_timeout_s
    client = redis.Redis.from_url(
        redis_url(settings), socket_timeout=timeout, socket_connect_timeout=timeout
    )
    return WebServices(
        settings=settings,
        repo=OrgRepo(settings.org_repo_path),
        redis=client,
        celery=create_celery_app(settings),
        clock=clock,
    )


def init_app(
    app: Flask,
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
    services: object | None = None,
) -> None:
    if services is None:
        services = build_services(settings, clock)
    elif not isinstance(services, WebServices):
        raise TypeError("services must be a WebServices")
    elif clock is not None:
        services.clock = clock
    app.extensions[EXTENSION] = services


def services() -> WebServices:
    """The current app's services (inside a request or app context)."""
    found: WebServices = current_app.extensions[EXTENSION]
    return found
