"""``python -m worker doctor`` and ``history``, run as a person would, against a real repo."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shared.atomic import TEMP_PREFIX
from tests.worker.worker_harness import ROOT, GitWorld, WorkerFactory

pytestmark = pytest.mark.slow


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "worker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_doctor_repairs_what_a_crash_left_and_history_lists_commits(
    workers: WorkerFactory, world: GitWorld
) -> None:
    env = workers.env(remote=False, ORG_REPO_PATH=str(world.other), GIT_STALE_LOCK_S="0")
    (world.other / ".git" / "index.lock").write_bytes(b"")
    (world.other / f"{TEMP_PREFIX}abc").write_bytes(b"half a file")
    done = run(env, "doctor")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "removed stale .git/index.lock",
        "removed 1 orphan temp file(s)",
    ]
    assert not (world.other / ".git" / "index.lock").exists()
    assert run(env, "doctor").stdout.strip() == "nothing to repair"
    shown = run(env, "history", "-n", "1")
    assert shown.returncode == 0 and shown.stdout.rstrip().endswith("seed  [Owner]")
