"""Reliability plan row 23: Flower, started as the image starts it, answers nothing but 401 to a
caller without the password, for every page and API, and shows no task arguments to one."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.operations import AddTask
from tests.deploy.role_process import FLOWER_PASSWORD, FLOWER_USER, RoleProcess, wait_until
from worker.app import create_celery_app
from worker.client import enqueue_operation, wait_applied
from worker.roles import load_settings

pytestmark = pytest.mark.slow

NODE = "repo@nowhere"
GET_PATHS = [
    "/", "/workers", "/tasks", "/tasks/datatable", "/broker", "/task/{task}", f"/worker/{NODE}",
    "/api/workers", "/api/tasks", "/api/task/types", "/api/queues/length",
    "/api/task/info/{task}", "/api/task/result/{task}",
]  # fmt: skip
POST_PATHS = [
    "/api/task/async-apply/myorg.repo.apply_operation",
    "/api/task/apply/myorg.repo.apply_operation",
    "/api/task/send-task/myorg.repo.apply_operation",
    "/api/task/revoke/{task}",
    "/api/task/abort/{task}",
    f"/api/worker/shutdown/{NODE}",
    f"/api/worker/pool/restart/{NODE}",
    f"/api/worker/queue/add-consumer/{NODE}",
]
BAD_CREDENTIALS = [
    None,
    f"Basic {base64.b64encode(f'{FLOWER_USER}:wrong'.encode()).decode()}",
    f"Basic {base64.b64encode(f'{FLOWER_USER}:'.encode()).decode()}",
    f"Basic {base64.b64encode(FLOWER_PASSWORD.encode()).decode()}",
    f"Bearer {FLOWER_PASSWORD}",
    "Basic not-base64!",
]


def request(url: str, method: str = "GET", authorization: str | None = None) -> tuple[int, bytes]:
    body = json.dumps({"args": [{"kind": "delete_task", "line": 1}]}).encode()
    req = urllib.request.Request(url, method=method, data=body if method == "POST" else None)
    if authorization:
        req.add_header("Authorization", authorization)
    if method == "POST":
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        data = exc.read()
        exc.close()
        return exc.code, data


def good_auth() -> str:
    return "Basic " + base64.b64encode(f"{FLOWER_USER}:{FLOWER_PASSWORD}".encode()).decode()


@pytest.fixture
def flower(tmp_path: Path, env: dict[str, str]) -> Iterator[tuple[str, RoleProcess]]:
    process = RoleProcess("flower", env, tmp_path / "run").start()
    try:
        process.wait_healthy()
        yield f"http://127.0.0.1:{env['FLOWER_PORT']}", process
    finally:
        process.kill()


def test_row23_flower_answers_401_to_everyone_without_the_password(
    flower: tuple[str, RoleProcess],
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    base, process = flower
    # A task Flower has seen (from the repo worker's task-received event), carrying an argument
    # we can look for.
    marker = f"row23-private-{uuid.uuid4().hex[:8]}"
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    worker = RoleProcess("repo_worker", env, tmp_path / "worker").start()
    app = create_celery_app(load_settings())
    try:
        worker.wait_healthy()
        task = enqueue_operation(app, AddTask(text=f"call the bank {marker}", source="web"))
        wait_applied(app, task, 60)
    finally:
        app.close()
        worker.kill()

    def flower_has_it() -> bool:
        status, body = request(f"{base}/api/tasks", authorization=good_auth())
        return status == 200 and marker.encode() in body

    wait_until(flower_has_it, 20, "Flower to list the task with its arguments")

    answers: dict[str, int] = {}
    leaked = 0
    for authorization in BAD_CREDENTIALS:
        for method, paths in (("GET", GET_PATHS), ("POST", POST_PATHS)):
            for path in paths:
                url = base + path.format(task=task)
                status, body = request(url, method, authorization)
                answers[f"{method} {path} [{(authorization or 'none')[:12]}]"] = status
                leaked += marker.encode() in body
    not_401 = {k: v for k, v in answers.items() if v != 401}
    health = request(f"{base}/healthcheck")
    metrics = request(f"{base}/metrics")
    print(
        f"ROW23 requests without valid credentials {len(answers)}; non-401 {len(not_401)}; "
        f"task arguments visible {leaked}; /healthcheck {health[0]}; /metrics {metrics[0]} "
        f"(Flower serves its metrics without auth; they name tasks and workers, no arguments)"
    )
    assert not_401 == {}
    assert leaked == 0
    assert health == (200, b"OK")
    assert marker.encode() not in metrics[1]
    assert request(f"{base}/api/tasks", authorization=good_auth())[0] == 200
    assert FLOWER_PASSWORD not in process.log()
