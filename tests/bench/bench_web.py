"""Web pages' server time on a large repo: the dashboard and the task list, p50 and p95.

The repo has 10,000 open tasks and a calendar for every day of 2022–2026 (``gen.write_repo``).
Requests go through the whole Flask app in process (routing, session, CSRF, queries, Jinja),
logged in, with a real Redis; the parse cache is warmed first, as on a running server.
"""

from __future__ import annotations

import re
import shutil
import statistics
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

from shared.settings import Settings
from tests.bench.gen import ANCHOR, write_repo
from tests.bench.report import Goal
from tests.bench.results import work_dir
from tests.bench.timing import repeats, scaled
from web import create_app
from worker.redis_server import start_redis

PASSWORD = "bench-password"
NOW = datetime(ANCHOR.year, ANCHOR.month, ANCHOR.day, 9, 10, tzinfo=ZoneInfo("Europe/Madrid"))
PAGES = {
    "dashboard": ("/", {}),
    "tasks": ("/tasks", {}),
    "tasks_filtered": ("/tasks?q=invoice&project=acme", {"HX-Request": "true",
                                                          "HX-Target": "task-list"}),
    "calendar_month": ("/calendar", {}),
}  # fmt: skip

GOALS = tuple(
    Goal(f"web.{name}_10k.p95.ms", 50.0, f"{path} server time p95 under 50 ms (10k open tasks)")
    for name, (path, _) in PAGES.items()
    if name in ("dashboard", "tasks")
)


def run() -> dict[str, float]:
    base = work_dir() / "web"
    shutil.rmtree(base, ignore_errors=True)
    root = base / "org"
    open_tasks = scaled(10_000)
    write_repo(root, open_tasks=open_tasks, done_tasks=scaled(5_000))
    redis = start_redis(base / "redis")
    try:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            org_repo_path=root,
            redis_url=redis.url,
            web_password=PASSWORD,
            secret_key="bench-" + "k" * 40,
            var_dir=base / "var",
        )
        app = create_app(settings, clock=lambda: NOW)
        client = app.test_client()
        _log_in(client)
        count = 200 if repeats(5) == 5 else 10
        results: dict[str, float] = {}
        for name, (path, headers) in PAGES.items():
            times, size = _measure(client, path, headers, count)
            results[f"web.{name}_10k.p50.ms"] = statistics.median(times)
            results[f"web.{name}_10k.p95.ms"] = _p95(times)
            results[f"web.{name}_10k.kb"] = size / 1000
            print(f"web: {path} {size / 1000:.0f} KB, p50 {statistics.median(times):.1f} ms, "
                  f"p95 {_p95(times):.1f} ms over {count} requests ({open_tasks:,} open tasks)")
        return results
    finally:
        redis.stop()


def _log_in(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token is not None
    response = client.post("/login", data={"password": PASSWORD, "csrf_token": token.group(1)})
    if response.status_code != 302:
        raise RuntimeError(f"login failed: {response.status_code}")


def _measure(
    client: FlaskClient, path: str, headers: dict[str, str], count: int
) -> tuple[list[float], int]:
    size = 0
    for _ in range(3):  # warm the parse cache and Jinja's compiled templates
        size = len(client.get(path, headers=headers).data)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    return times, size


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


