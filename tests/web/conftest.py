"""Fixtures for the web tests: the fixture org repo in git, a real repo worker, and the app.

The repo worker is a real ``celery worker`` subprocess (see ``tests/worker/worker_harness.py``)
on the session's real Redis; each module that needs one gets its own repository and Redis
database, so workers of different modules never take each other's tasks.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from shared.settings import Settings
from tests.worker.worker_harness import GitWorld, WorkerProcess, client_settings, worker_env
from web import create_app
from web.services import WebServices, build_services
from worker.redis_server import RedisServer

FIXTURE_REPO = Path(__file__).resolve().parents[1] / "fixtures" / "org"
ZONE = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 23, 9, 10, tzinfo=ZONE)
PASSWORD = "correct horse battery staple"
SECRET = "test-secret-key-" + "x" * 32
_databases = itertools.count(1)


def fixture_files() -> dict[str, bytes]:
    return {
        str(p.relative_to(FIXTURE_REPO)): p.read_bytes()
        for p in sorted(FIXTURE_REPO.rglob("*"))
        if p.is_file()
    }


def redis_db_url(redis_server: RedisServer) -> str:
    """A Redis database of its own (emptied), so workers of other modules never see its tasks."""
    url = re.sub(r"/\d+$", "", redis_server.url) + f"/{next(_databases)}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


def fixed_clock() -> datetime:
    return NOW


def web_settings(redis_url: str, repo: Path, password: str | None = PASSWORD, **extra: object):
    base = client_settings(redis_url, repo)
    values = base.model_dump()
    values.update(
        web_password=password,
        secret_key=SECRET,
        timezone="Europe/Madrid",
        var_dir=repo.parent / "var",
        **extra,
    )
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_app(settings: Settings, **config: object) -> Flask:
    app = create_app(settings, clock=fixed_clock)
    app.config.update(TESTING=True, **config)
    return app


def csrf_token(client: FlaskClient, path: str = "/tasks") -> str:
    """The token a page hands out (as the browser would read it from the page)."""
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'"X-CSRFToken": "([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def log_in(client: FlaskClient, password: str = PASSWORD) -> None:
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


class HtmxClient:
    """A logged-in client that sends what htmx sends: the HX-Request and CSRF headers."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = csrf_token(client)

    def headers(self, target: str | None = None) -> dict[str, str]:
        headers = {"HX-Request": "true", "X-CSRFToken": self.token}
        if target:
            headers["HX-Target"] = target
        return headers

    def get(self, path: str, target: str | None = None, **kwargs: object):
        return self.client.get(path, headers=self.headers(target), **kwargs)

    def post(self, path: str, data: dict[str, str] | None = None, target: str | None = None):
        return self.client.post(path, data=data or {}, headers=self.headers(target))


@pytest.fixture
def org_dir(tmp_path: Path) -> Path:
    """A copy of the fixture repository (a git repo) that a test may read; no worker."""
    repo = tmp_path / "org"
    shutil.copytree(FIXTURE_REPO, repo)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    return repo


@pytest.fixture
def app(redis_server: RedisServer, org_dir: Path) -> Flask:
    return make_app(web_settings(redis_server.url, org_dir))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    c = app.test_client()
    log_in(c)
    return c


@pytest.fixture
def hx(client: FlaskClient) -> HtmxClient:
    return HtmxClient(client)


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    c = redis.Redis.from_url(redis_server.url)
    try:
        yield c
    finally:
        c.close()


class LiveRepo:
    """A fixture repo cloned by a running repo worker, and an app that talks to that worker."""

    def __init__(self, world: GitWorld, worker: WorkerProcess, app: Flask) -> None:
        self.world = world
        self.worker = worker
        self.app = app

    @property
    def root(self) -> Path:
        return self.world.repo

    def todo(self) -> str:
        return (self.root / "todo.txt").read_text("utf-8", "surrogateescape")

    def client(self) -> FlaskClient:
        c = self.app.test_client()
        log_in(c)
        return c


@pytest.fixture(scope="module")
def live_repo(
    redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveRepo]:
    """One repository and one real repo worker for a whole test module."""
    tmp = tmp_path_factory.mktemp("live")
    world = GitWorld.create(tmp, fixture_files())
    subprocess.run(["git", "clone", "-q", world.url, str(world.repo)], check=True)
    url = redis_db_url(redis_server)
    env = worker_env(url, world.repo, world.url, TIMEZONE="Europe/Madrid")
    worker = WorkerProcess(env, tmp / "workers", name="web-repo")
    worker.start()
    settings = web_settings(url, world.repo)
    svc: WebServices = build_services(settings, fixed_clock)
    svc.action_wait_s = 10.0
    app = create_app(settings, services=svc)
    app.config.update(TESTING=True)
    try:
        yield LiveRepo(world, worker, app)
    finally:
        worker.kill()
