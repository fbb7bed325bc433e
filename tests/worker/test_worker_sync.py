"""Git sync through the real repo lane: clone, pull-then-push, semantic merges, blocked syncs."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest
import redis

from shared.operations import AddTask, CompleteTask, DeleteTask, PrioritizeTask
from tests.worker.worker_harness import GitWorld, WorkerFactory, run_git, wait_until
from worker.app import OrgCelery
from worker.changes import ALERTS_LIST
from worker.client import apply_via_queue, enqueue_sync, wait_task

pytestmark = pytest.mark.slow

PLUMBER = "(A) 2026-11-20 Call the plumber about the leak +house @phone due:2026-11-25"
CONTRACT = "2026-11-01 Ask Ana for the signed contract @waiting who:Ana +freelance"
MILK = "2026-11-18 Buy milk @store"


def sync(app: OrgCelery) -> dict[str, object]:
    return wait_task(app, enqueue_sync(app), 30)


def alerts(client: redis.Redis) -> list[dict[str, object]]:
    return [json.loads(raw) for raw in client.lrange(ALERTS_LIST, 0, -1)]


def assert_clean(world: GitWorld) -> None:
    """Never mid-merge, no conflict markers, fsck clean, working tree clean."""
    gitdir = world.repo / ".git"
    for name in ("MERGE_HEAD", "rebase-merge", "rebase-apply", "CHERRY_PICK_HEAD", "index.lock"):
        assert not (gitdir / name).exists(), name
    for path in world.repo.rglob("*"):
        if ".git" not in path.parts and path.is_file():
            assert b"<<<<<<<" not in path.read_bytes() and b">>>>>>>" not in path.read_bytes()
    run_git(world.repo, "fsck", "--no-progress", "--strict")
    assert world.repo_status() == ""


def no_force_push(world: GitWorld) -> int:
    """Every update of the remote's main descends from the previous one; returns updates."""
    shas = run_git(world.remote, "rev-list", "--first-parent", "main").split()
    log = run_git(world.remote, "reflog", "show", "--format=%H", "main").split()
    for newer, older in itertools.pairwise(log):
        run_git(world.remote, "merge-base", "--is-ancestor", older, newer)
    assert shas
    return len(log)


def test_first_start_clones_and_edits_reach_the_remote(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery
) -> None:
    run_git(world.remote, "config", "core.logAllRefUpdates", "true")
    assert not world.repo.exists()
    workers.start()
    applied = apply_via_queue(client_app, AddTask(text="Book the train", source="web"), 30)
    assert (world.repo / ".git").is_dir()
    wait_until(lambda: world.remote_head() == applied.commit, 10, "the push after the commit")
    assert world.remote_file("todo.txt") == world.repo_file("todo.txt")
    assert run_git(world.repo, "config", "core.fsync").strip() == "committed,index"
    assert "@" not in run_git(world.repo, "remote", "get-url", "origin")


def test_remote_moved_without_conflict_keeps_both_sides(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery
) -> None:
    run_git(world.remote, "config", "core.logAllRefUpdates", "true")
    workers.start(GIT_SYNC_DEBOUNCE_S="3600")  # one automatic sync, then the test's own
    apply_via_queue(client_app, AddTask(text="Local one", source="cli"), 30)
    wait_until(lambda: world.remote_file("todo.txt").endswith(b"Local one\n"), 10, "push")
    world.other_pull()
    world.other_commit(
        "todo.txt", (world.other / "todo.txt").read_bytes() + b"Remote one\n", "owner adds"
    )
    world.other_commit("notes.md", b"# Notes\n\nChanged on the laptop.\n", "owner notes")
    apply_via_queue(client_app, AddTask(text="Local two", source="cli"), 30)
    report = sync(client_app)
    assert report["ok"] and report["merged"] and report["pushed"], report
    todo = world.repo_file("todo.txt").decode().splitlines()
    # Both sides appended after the same line: ours first, then theirs, each once.
    assert todo[-3].endswith(" Local one") and todo[-2].endswith(" Local two")
    assert todo[-1] == "Remote one" and len(todo) == 6
    assert world.remote_file("todo.txt") == world.repo_file("todo.txt")
    assert world.repo_file("notes.md") == b"# Notes\n\nChanged on the laptop.\n"
    assert no_force_push(world) >= 3
    assert_clean(world)


def test_same_task_changed_on_both_sides_keeps_both_and_alerts(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery, redis_client: redis.Redis
) -> None:
    """Row 13: the other clone completes X while the assistant edits X; adjacent completions on
    both sides; delete on one side vs edit on the other."""
    workers.start(GIT_SYNC_DEBOUNCE_S="3600")  # sync only when the test says so
    apply_via_queue(client_app, AddTask(text="Pay rent", source="cli"), 30)
    apply_via_queue(client_app, AddTask(text="Water plants", source="cli"), 30)
    assert sync(client_app)["ok"] and world.remote_head() == world.repo_head()
    world.other_pull()
    lines = (world.other / "todo.txt").read_bytes().decode().splitlines()
    rent, plants = lines[3], lines[4]
    # The owner, on the laptop: completes the plumber task (the assistant re-prioritises it),
    # completes "Buy milk" (the assistant completes "Pay rent", the line after it), and edits
    # "Water plants" (which the assistant deletes).
    owner = [
        "x 2026-11-24 " + PLUMBER.removeprefix("(A) ") + " pri:A",
        CONTRACT,
        "x 2026-11-24 2026-11-18 Buy milk @store",
        rent,
        plants + " @home",
    ]
    world.other_commit("todo.txt", ("\n".join(owner) + "\n").encode(), "owner edits")
    apply_via_queue(client_app, PrioritizeTask(line=1, raw=PLUMBER, priority="B"), 30)
    apply_via_queue(client_app, CompleteTask(line=4, raw=rent, source="discord"), 30)
    apply_via_queue(client_app, DeleteTask(line=5, raw=plants), 30)
    report = sync(client_app)
    assert report["merged"] and report["pushed"], report
    merged = world.repo_file("todo.txt").decode().splitlines()
    plumber_lines = [x for x in merged if "Call the plumber" in x]
    assert plumber_lines == [PLUMBER.replace("(A)", "(B)"), owner[0]]  # both kept
    assert sum("Buy milk" in x for x in merged) == 1 and sum("Pay rent" in x for x in merged) == 1
    assert [x for x in merged if "Buy milk" in x or "Pay rent" in x] == [
        owner[2],
        next(x for x in merged if "Pay rent" in x),
    ]
    assert next(x for x in merged if "Pay rent" in x).startswith("x ")
    assert [x for x in merged if "Water plants" in x] == [owner[4]]  # kept as edited
    surfaced = [a for a in alerts(redis_client) if a["kind"] == "sync_merge"]
    assert any("Call the plumber" in str(a["message"]) for a in surfaced)
    detected = len(report["conflicts"]) + len(report["notes"])
    print(f"ROW13 conflicts surfaced {len(surfaced)}/{detected}; silent duplicates 0")
    assert len(surfaced) == detected == 2
    assert world.remote_file("todo.txt") == world.repo_file("todo.txt")
    assert_clean(world)


def test_conflict_in_another_file_stops_syncing_and_keeps_local_commits(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery, redis_client: redis.Redis
) -> None:
    workers.start(GIT_SYNC_DEBOUNCE_S="3600")
    apply_via_queue(client_app, AddTask(text="Before", source="cli"), 30)
    assert sync(client_app)["ok"] and world.remote_head() == world.repo_head()
    world.other_pull()
    world.other_commit("notes.md", b"# Notes\n\nLaptop version.\n", "owner notes")
    # The server's copy of notes.md changes too (an edit outside the assistant's line files).
    (world.repo / "notes.md").write_bytes(b"# Notes\n\nServer version.\n")
    run_git(world.repo, "commit", "-q", "-am", "server edit")
    applied = apply_via_queue(client_app, AddTask(text="Local while blocked", source="web"), 30)
    report = sync(client_app)
    assert report["status"] == "blocked" and report["blocked_paths"] == ["notes.md"]
    assert world.repo_head() == applied.commit or world.repo_head() != world.remote_head()
    assert b"Local while blocked" in world.repo_file("todo.txt")
    assert b"Local while blocked" not in world.remote_file("todo.txt")
    assert world.remote_file("todo.txt", "myorg/unmerged") == world.repo_file("todo.txt")
    blocked = [a for a in alerts(redis_client) if a["kind"] == "sync_blocked"]
    assert len(blocked) == 1 and "notes.md" in str(blocked[0]["message"])
    assert sync(client_app)["status"] == "blocked"  # still blocked, no second alert
    assert len([a for a in alerts(redis_client) if a["kind"] == "sync_blocked"]) == 1
    assert_clean(world)
    # The owner merges the assistant's branch by hand and pushes: syncing resumes.
    run_git(world.other, "fetch", "-q", "origin")
    merge = run_git_allow_fail(world.other, "merge", "-q", "--no-edit", "origin/myorg/unmerged")
    assert "CONFLICT" in merge
    (world.other / "notes.md").write_bytes(b"# Notes\n\nResolved.\n")
    run_git(world.other, "commit", "-q", "-am", "resolve")
    world.other_push()
    apply_via_queue(client_app, AddTask(text="After resolution", source="web"), 30)
    report = sync(client_app)
    assert report["ok"] and report["pushed"], report
    assert world.remote_file("notes.md") == b"# Notes\n\nResolved.\n"
    remote_todo = world.remote_file("todo.txt")
    assert b"Local while blocked" in remote_todo and b"After resolution" in remote_todo
    assert_clean(world)


def run_git_allow_fail(cwd: Path, *args: str) -> str:
    import subprocess

    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    return done.stdout + done.stderr


def test_a_concurrent_push_between_pull_and_push_loses_nothing(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery
) -> None:
    """The remote gets a commit to the same file after our fetch, before our push."""
    workers.start(GIT_SYNC_DEBOUNCE_S="3600")
    apply_via_queue(client_app, AddTask(text="Seeded", source="cli"), 30)
    assert sync(client_app)["ok"] and world.remote_head() == world.repo_head()
    world.other_pull()
    # A pre-push hook in the server's clone: the first time, the laptop pushes right then.
    marker = world.repo.parent / "hook-ran"
    hook = world.repo / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f"[ -e {marker} ] && exit 0\n"
        f"touch {marker}\n"
        f"cd {world.other} && printf 'Racing line\\n' >> todo.txt && "
        "git -c user.name=Owner -c user.email=o@x commit -qam race && git push -q origin main\n"
    )
    hook.chmod(0o755)
    apply_via_queue(client_app, AddTask(text="Ours during the race", source="cli"), 30)
    started = time.monotonic()
    report = sync(client_app)
    assert marker.exists() and report["pushed"], report
    todo = world.remote_file("todo.txt").decode().splitlines()
    assert sum(x == "Racing line" for x in todo) == 1
    assert sum(x.endswith("Ours during the race") for x in todo) == 1
    assert world.remote_file("todo.txt") == world.repo_file("todo.txt")
    print(f"race resolved in {time.monotonic() - started:.2f} s")
    assert_clean(world)
