"""JSON logs end to end: a task sent inside a request carries its request id to a real worker,
whose log lines name the request and the task, with the secrets masked."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.log_format import log_ids
from shared.settings import Settings
from tests.deploy.deploy_files import ROOT
from tests.deploy.role_process import FLOWER_PASSWORD, wait_until
from worker.app import OrgCelery, create_celery_app
from worker.log_signals import install_log_signals

pytestmark = pytest.mark.slow


@pytest.fixture
def worker_log(tmp_path: Path, env: dict[str, str]) -> Iterator[Path]:
    log = tmp_path / "worker.log"
    argv = [
        sys.executable, "-m", "celery", "-A", "tests.deploy.log_app", "worker",
        "-Q", "default", "-c", "1", "-n", "logs@%h", "--without-mingle", "--without-gossip",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_until(lambda: b" ready." in log.read_bytes(), 60, "the worker")
        yield log
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.fixture
def logging_client(env: dict[str, str]) -> Iterator[OrgCelery]:
    values = {k.lower(): v for k, v in env.items() if k.lower() in Settings.model_fields}
    app = create_celery_app(Settings(_env_file=None, **values))
    install_log_signals(lambda: app.settings)
    try:
        yield app
    finally:
        app.close()


def entries(log: Path) -> list[dict[str, Any]]:
    found = []
    for line in log.read_text("utf-8", "replace").splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))
    return found


def test_worker_lines_are_json_with_the_callers_request_id_and_no_secret(
    worker_log: Path, logging_client: OrgCelery
) -> None:
    with log_ids(request_id="req-from-web-1"):
        sent = logging_client.send_task("myorg.test.log_line", args=[f"pw {FLOWER_PASSWORD}"])
    alone = logging_client.send_task("myorg.test.log_line", args=["no request"])
    assert sent.get(timeout=30) == "done" and alone.get(timeout=30) == "done"
    wait_until(lambda: len(task_lines(worker_log)) == 2, 10, "both log lines")
    first, second = task_lines(worker_log)
    assert first["msg"] == "task says pw ***"
    assert (first["request_id"], first["task_id"]) == ("req-from-web-1", sent.id)
    assert (second["request_id"], second["task_id"]) == (alone.id, alone.id)
    assert FLOWER_PASSWORD not in worker_log.read_text("utf-8")
    assert any(e["logger"].startswith("celery") for e in entries(worker_log))


def task_lines(log: Path) -> list[dict[str, Any]]:
    return [e for e in entries(log) if e["logger"] == "myorg.test"]
