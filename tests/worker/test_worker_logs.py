"""The worker's log names each task by id and name, never its arguments or its result: the text
of the owner's tasks stays out of the logs, in JSON and in text alike."""

from __future__ import annotations

import json
import uuid

import pytest

from shared.operations import AddTask
from tests.worker.worker_harness import GitWorld, WorkerFactory, wait_until
from worker.app import OrgCelery
from worker.client import enqueue_operation, wait_applied

pytestmark = pytest.mark.slow

APPLY = "myorg.repo.apply_operation"


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_task_lines_name_the_task_but_not_its_text(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery, log_format: str
) -> None:
    worker = workers.start(LOG_FORMAT=log_format, LOG_LEVEL="INFO")
    marker = f"Ring the notary {uuid.uuid4().hex}"
    op = AddTask(text=marker, source="web")
    task_id = enqueue_operation(client_app, op)
    applied = wait_applied(client_app, task_id, timeout=30)
    assert marker in applied.result.data["raw"]
    assert marker in world.repo_file("todo.txt").decode()

    def task_lines() -> list[str]:
        return [line for line in worker.log().splitlines() if task_id in line]

    wait_until(lambda: any("succeeded" in line for line in task_lines()), 10, "the success line")
    lines = task_lines()
    assert any("received" in line and APPLY in line for line in lines), lines
    assert any("succeeded" in line and APPLY in line for line in lines), lines
    if log_format == "json":
        for line in lines:
            entry = json.loads(line)
            if entry.get("task_id") != task_id and entry.get("request_id") == task_id:
                continue  # a task this one sent (the sync after its commit) carries its id on
            assert entry["task_id"] == task_id and entry["task_name"] == APPLY, entry
    leaked = [line for line in worker.log().splitlines() if marker in line]
    assert leaked == []
    # nor the pieces of it an argument or result repr might carry on its own
    assert marker.split()[-1] not in worker.log()
