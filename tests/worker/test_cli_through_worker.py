"""The CLI's write commands go through the repo worker when it runs, and say so; history and
undo from the command line. Real Redis, a real worker process, real git."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.worker.worker_harness import GitWorld, WorkerFactory, run_git, wait_until
from worker.app import OrgCelery
from worker.client import enqueue_sync, wait_task

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def myorg(world: GitWorld, redis_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYORG_")}
    env.update(
        REDIS_URL=redis_url, ORG_REPO_PATH=str(world.repo), PYTHONIOENCODING="utf-8", TIMEZONE="UTC"
    )
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def start_worker(workers: WorkerFactory, client_app: OrgCelery) -> None:
    """A worker with its clone of the remote in place (it clones on its first task)."""
    workers.start()
    wait_task(client_app, enqueue_sync(client_app), 30)


def test_add_done_history_and_undo_through_the_worker(
    workers: WorkerFactory, world: GitWorld, redis_server, client_app: OrgCelery
) -> None:
    start_worker(workers, client_app)
    before = world.repo_head()

    added = myorg(world, redis_server.url, "add", "Water the plants @home")
    assert added.returncode == 0, added.stderr
    assert "applied by the repo worker" in added.stdout
    lines = world.repo_file("todo.txt").decode().splitlines()
    assert lines[-1].endswith("Water the plants @home")
    wait_until(lambda: world.repo_head() != before, 10, "the commit")

    # A hand edit shifts every line after `myorg done 3` read its text: the same task is done.
    done = myorg(world, redis_server.url, "done", "3")
    assert done.returncode == 0, done.stderr
    lines = world.repo_file("todo.txt").decode().splitlines()
    assert lines[2].startswith("x ") and lines[2].endswith("Buy milk @store")

    history = myorg(world, redis_server.url, "history", "--json")
    assert history.returncode == 0, history.stderr
    assert '"cli"' in history.stdout and "Buy milk" in history.stdout

    undo = myorg(world, redis_server.url, "undo")
    assert undo.returncode == 0, undo.stderr
    assert "Undone" in undo.stdout
    lines = world.repo_file("todo.txt").decode().splitlines()
    assert lines[2] == "2026-11-18 Buy milk @store"
    assert lines[-1].endswith("Water the plants @home")
    wait_until(lambda: world.repo_status() == "", 10, "a clean tree")
    log = run_git(world.repo, "log", "--format=%s", "-3")
    assert log.splitlines()[0].startswith("undo: complete task")


def test_local_applies_directly_and_bad_input_changes_nothing(
    workers: WorkerFactory, world: GitWorld, redis_server, client_app: OrgCelery
) -> None:
    start_worker(workers, client_app)
    snapshot = world.repo_file("todo.txt")
    bad = myorg(world, redis_server.url, "done", "99")
    assert bad.returncode == 2 and "no task on line 99" in bad.stderr
    assert world.repo_file("todo.txt") == snapshot

    local = myorg(world, redis_server.url, "add", "--local", "Call mum @phone")
    assert local.returncode == 0, local.stderr
    assert "repo worker" not in local.stdout
    assert world.repo_file("todo.txt").decode().splitlines()[-1].endswith("Call mum @phone")
    assert "Call mum" in run_git(world.repo, "log", "-1", "--format=%B")
