"""``python -m worker doctor`` and ``history``, run as a person would, against a real repo."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shared.atomic import TEMP_PREFIX
from tests.worker.worker_harness import ROOT, GitWorld, WorkerFactory, run_git

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


def test_doctor_resets_an_index_a_kill_inside_git_commit_left_behind_head(
    workers: WorkerFactory, world: GitWorld
) -> None:
    """A kill after ``git commit`` moved the branch but before it wrote the index: the index
    still holds the old content, so the tree looks changed ("MM") though it matches HEAD."""
    env = workers.env(remote=False, ORG_REPO_PATH=str(world.other))
    repo = world.other
    with open(repo / "todo.txt", "ab") as f:
        f.write(b"2026-11-23 committed just before the kill\n")
    subprocess.run(["git", "commit", "-qam", "an edit"], cwd=repo, check=True)
    subprocess.run(["git", "read-tree", "HEAD~1"], cwd=repo, check=True)  # the stale index
    before = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert before == "MM todo.txt\n"
    done = run(env, "doctor")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["reset a stale index to HEAD"]
    assert run_git(repo, "status", "--porcelain") == ""
    assert (repo / "todo.txt").read_bytes().endswith(b"committed just before the kill\n")
