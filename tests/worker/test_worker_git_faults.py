"""Git and disk faults (reliability plan rows 11, 12, 14, 15) with real processes and remotes.

Scaled down by default; ``MYORG_FAULT_SCALE=full`` runs the plan's sizes.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from shared.apply import recover_pending
from shared.atomic import TEMP_PREFIX, remove_orphan_temps
from shared.operations import AddTask
from shared.org_repo import OrgRepo
from tests.worker.worker_harness import (
    ROOT,
    GitDaemon,
    GitWorld,
    TcpProxy,
    WorkerFactory,
    run_git,
    wait_until,
)
from tests.worker.write_driver import BIG_A, BIG_B
from worker.app import OrgCelery
from worker.client import apply_via_queue, enqueue_sync, wait_task
from worker.redis_server import RedisServer

pytestmark = pytest.mark.slow
FULL = os.environ.get("MYORG_FAULT_SCALE") == "full"


def driver(env: dict[str, str], *args: str, module: str = "crash_driver") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", f"tests.worker.{module}", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def read_until_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "READY", line + (proc.stderr.read() if proc.stderr else "")


def test_row11_crash_inside_git_is_repaired_and_loses_no_acknowledged_edit(
    workers: WorkerFactory, world: GitWorld
) -> None:
    """Row 11: SIGKILL the lane at random points of apply/commit/fetch/merge/push, then repair.

    Scaled: 10 trials (full: 50).
    """
    trials = 50 if FULL else 10
    rng = random.Random(11)
    env = workers.env()
    acked: list[str] = []
    locks_found = recovered = 0
    for trial in range(trials):
        proc = driver(env, "lane", f"trial{trial:02d}")
        read_until_ready(proc)
        time.sleep(rng.uniform(0.05, 0.6))
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        acked += [line[4:] for line in out.splitlines() if line.startswith("ACK ")]
        gitdir = world.repo / ".git"
        locks_found += any(gitdir.glob("*.lock")) or any((gitdir / "refs").rglob("*.lock"))
        world.clear_remote_locks()
        doctor = driver(env, "doctor")
        out, err = doctor.communicate(timeout=120)
        assert doctor.returncode == 0, err
        report = json.loads(out.splitlines()[-1])
        head_todo = subprocess.run(
            ["git", "show", "HEAD:todo.txt"], cwd=world.repo, capture_output=True, check=True
        ).stdout.decode()
        lines = head_todo.splitlines()
        missing = [t for t in acked if sum(x.endswith(" " + t) for x in lines) != 1]
        left = list(gitdir.glob("*.lock")) + list((gitdir / "refs").rglob("*.lock"))
        run_git(world.repo, "fsck", "--no-progress")
        assert not missing and not left and world.repo_status() == "", (report, missing, left)
        assert report["sync"] in ("up_to_date", "pushed", "merged"), report
        recovered += 1
    run_git(world.remote, "fsck", "--no-progress")
    assert world.remote_file("todo.txt") == world.repo_file("todo.txt")
    print(
        f"ROW11 repo doctor recovered {recovered}/{trials}; kills that left a git lock file "
        f"{locks_found}; stale locks left 0; fsck errors 0; acknowledged edits {len(acked)}, lost 0"
    )


def test_row12_remote_moving_while_the_assistant_commits_keeps_both_sides(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery
) -> None:
    """Row 12: the owner's clone pushes every period while the assistant commits.

    Scaled: 15 cycles of 0.4 s (full: 100 cycles of 5 s).
    """
    cycles, period = (100, 5.0) if FULL else (15, 0.4)
    run_git(world.remote, "config", "core.logAllRefUpdates", "true")
    workers.start(GIT_SYNC_DEBOUNCE_S=str(period / 2))
    owner_lines: list[str] = []
    stop = threading.Event()

    def owner() -> None:
        for n in range(cycles):
            line = f"laptop note {n}"
            run_git(world.other, "pull", "-q", "--no-rebase", "origin", "main")
            with open(world.other / "notes.md", "a") as f:
                f.write(line + "\n")
            run_git(world.other, "commit", "-q", "-am", line)
            for _ in range(20):
                try:
                    world.other_push()
                    break
                except RuntimeError:  # the assistant pushed first: merge and push again
                    run_git(world.other, "pull", "-q", "--no-rebase", "origin", "main")
            owner_lines.append(line)
            time.sleep(period)
        stop.set()

    laptop = threading.Thread(target=owner, daemon=True)
    laptop.start()
    ages: list[float] = []
    texts: list[str] = []
    while not stop.is_set():
        text = f"server edit {len(texts)}"
        applied = apply_via_queue(client_app, AddTask(text=text, source="discord"), 30)
        texts.append(text)
        committed = time.monotonic()
        sha = applied.commit
        assert sha is not None
        wait_until(
            lambda s=sha: (
                subprocess.run(
                    ["git", "merge-base", "--is-ancestor", s, "main"], cwd=world.remote
                ).returncode
                == 0
            ),
            60,
            "the edit to reach the remote",
            step=0.02,
        )
        ages.append(time.monotonic() - committed)
    laptop.join(30)
    wait_task(client_app, enqueue_sync(client_app), 30)
    remote_notes = world.remote_file("notes.md").decode().splitlines()
    remote_todo = world.remote_file("todo.txt").decode()
    both = sum(x in remote_notes for x in owner_lines) + sum(t in remote_todo for t in texts)
    log = run_git(world.remote, "reflog", "show", "--format=%H", "main").split()
    forced = sum(
        subprocess.run(
            ["git", "merge-base", "--is-ancestor", old, new], cwd=world.remote
        ).returncode
        != 0
        for new, old in itertools.pairwise(log)
    )
    ages.sort()
    p99 = ages[min(len(ages) - 1, int(len(ages) * 0.99))]
    print(
        f"ROW12 both sides' edits present {both}/{len(owner_lines) + len(texts)} "
        f"({100 * both // (len(owner_lines) + len(texts))}%); force-pushes {forced}; "
        f"unpushed-commit age p99 {p99:.2f} s (sync debounce {period / 2:g} s, cycles {cycles})"
    )
    assert both == len(owner_lines) + len(texts) and forced == 0
    assert p99 <= period + 3
    assert world.remote_file("todo.txt") == world.repo_file("todo.txt")


def test_row14_unreachable_hanging_or_refusing_remote(
    redis_server: RedisServer, workers: WorkerFactory, world: GitWorld, client_app: OrgCelery
) -> None:
    """Row 14: a remote that hangs (accepts, never answers), refuses, or rejects the push."""
    base = world.remote.parent
    writable, read_only = GitDaemon(base), GitDaemon(base, writable=False)
    proxy = TcpProxy(writable.port)
    timeout = 3.0
    try:
        url = f"git://127.0.0.1:{proxy.port}/{world.remote.name}"
        workers.start(GIT_REPO_URL=url, GIT_NETWORK_TIMEOUT_S=str(timeout))
        apply_via_queue(client_app, AddTask(text="online first"), 30)
        wait_until(lambda: b"online first" in world.remote_file("todo.txt"), 10, "first push")

        proxy.mode = "blackhole"
        proxy.drop_connections()
        started = time.monotonic()
        hung = wait_task(client_app, enqueue_sync(client_app), 60)
        hang_s = time.monotonic() - started
        latencies = []
        for i in range(5):
            begun = time.monotonic()
            applied = apply_via_queue(client_app, AddTask(text=f"offline {i}"), 60)
            latencies.append(time.monotonic() - begun)
            assert applied.commit == world.repo_head()

        proxy.mode = "refuse"
        begun = time.monotonic()
        refused = wait_task(client_app, enqueue_sync(client_app), 60)
        refused_s = time.monotonic() - begun

        proxy.mode, proxy.target_port = "forward", read_only.port
        rejected = wait_task(client_app, enqueue_sync(client_app), 60)

        proxy.target_port = writable.port
        recovered = wait_task(client_app, enqueue_sync(client_app), 60)
    finally:
        proxy.close()
        writable.close()
        read_only.close()
    remote = world.remote_file("todo.txt").decode()
    pushed = sum(f"offline {i}" in remote for i in range(5))
    print(
        f"ROW14 hanging remote: sync bounded by {hang_s:.1f} s (kill_after_timeout {timeout:g} s); "
        f"refused in {refused_s:.2f} s; push rejected: {rejected['status']}; local commits kept "
        f"5/5; pushed after recovery {pushed}/5 ({pushed * 20}%); slowest edit during the outage "
        f"{max(latencies):.2f} s"
    )
    assert hung["status"] == "offline" and hang_s < timeout + 3
    assert refused["status"] == "offline" and refused_s < timeout
    assert rejected["status"] == "offline" and "access denied" in str(rejected["error"])
    assert recovered["status"] == "pushed" and pushed == 5
    assert max(latencies) < timeout + 3
    assert world.remote_file("todo.txt") == world.repo_file("todo.txt")


def test_row15_a_crash_during_a_file_write_never_leaves_a_torn_file(tmp_path: Path) -> None:
    """Row 15: SIGKILL a process rewriting a 1 MB file through the journal, at random times.

    Scaled: 50 kills (full: 200); the control rewrites the file in place (20 kills).
    """
    kills = 200 if FULL else 50
    rng = random.Random(15)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def trial(mode: str, path: Path) -> bool:
        proc = driver(env, mode, str(path), module="write_driver")
        read_until_ready(proc)
        time.sleep(rng.uniform(0.0, 0.15))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        if mode == "journal":
            recover_pending(OrgRepo(path.parent))
            remove_orphan_temps(path.parent)
        return path.read_bytes() not in (BIG_A, BIG_B)

    safe = tmp_path / "safe" / "todo.txt"
    safe.parent.mkdir()
    safe.write_bytes(BIG_A)
    torn = sum(trial("journal", safe) for _ in range(kills))
    temps = [p for p in safe.parent.rglob("*") if p.name.startswith(TEMP_PREFIX)]
    staging = list((safe.parent / ".myorg-state" / "staging").glob("*"))
    naive = tmp_path / "naive" / "todo.txt"
    naive.parent.mkdir()
    naive.write_bytes(BIG_A)
    naive_torn = sum(trial("naive", naive) for _ in range(20))
    print(
        f"ROW15 torn files {torn}/{kills}; orphan temp files after restart {len(temps)}; "
        f"staging left {len(staging)} (control, rewriting in place: {naive_torn}/20 torn)"
    )
    assert torn == 0 and temps == [] and staging == []
