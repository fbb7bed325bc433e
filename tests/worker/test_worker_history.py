"""History and undo through the real repo lane."""

from __future__ import annotations

import pytest

from shared.operations import AddEvent, AddTask, CompleteTask
from tests.worker.worker_harness import SEED_FILES, GitWorld, WorkerFactory, run_git
from worker.app import OrgCelery
from worker.client import apply_via_queue, enqueue_undo, wait_task
from worker.history import list_history

pytestmark = pytest.mark.slow


def undo(app: OrgCelery, source: str = "cli", undo_id: str | None = None) -> dict[str, object]:
    return wait_task(app, enqueue_undo(app, source, undo_id), 30)


def owner_commit(world: GitWorld, rel: str, data: bytes, message: str) -> None:
    """The owner edits the server's working tree by hand and commits."""
    (world.repo / rel).write_bytes(data)
    run_git(world.repo, "commit", "-q", "-m", message, "--", rel)


def test_history_says_what_changed_and_from_where(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery
) -> None:
    workers.start(remote=False, ORG_REPO_PATH=str(world.other))
    apply_via_queue(client_app, AddTask(text="From the web", source="web"), 30)
    apply_via_queue(client_app, AddEvent(day="2026-11-24", text="dentist", time="8"), 30)
    (world.other / "notes.md").write_bytes(b"hand edit\n")
    run_git(world.other, "commit", "-q", "-am", "owner: notes")
    apply_via_queue(client_app, AddTask(text="From discord", source="discord"), 30)
    entries = list_history(world.other, limit=10)
    assert [(e.subject, e.by_assistant, e.sources) for e in entries] == [
        ("add task: From discord (via discord)", True, ["discord"]),
        ("owner: notes", False, []),
        ("add event 2026-11-24 8: dentist (via cli)", True, ["cli"]),
        ("add task: From the web (via web)", True, ["web"]),
        ("seed", False, []),
    ]
    assert entries[0].files == ["todo.txt"] and entries[2].files == ["calendar.txt"]
    assert entries[1].author == "Owner" and entries[0].author == "myorg-assistant"


def test_undo_reverts_the_last_change_as_a_new_commit(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery
) -> None:
    workers.start(GIT_SYNC_DEBOUNCE_S="3600")
    first = apply_via_queue(client_app, AddTask(text="Keep me", source="web"), 30)
    after_first = world.repo_file("todo.txt")
    second = apply_via_queue(client_app, CompleteTask(line=3, raw="2026-11-18 Buy milk @store"), 30)
    assert world.repo_file("todo.txt") != after_first
    owner_commit(world, "notes.md", b"owner edit elsewhere\n", "owner edits notes")

    result = undo(client_app, source="discord", undo_id="undo-1")
    assert result["ok"] and result["reverted"] == second.commit and not result["duplicate"]
    assert world.repo_file("todo.txt") == after_first
    assert world.repo_file("notes.md") == b"owner edit elsewhere\n"
    assert result["commit"] == world.repo_head()
    message = run_git(world.repo, "log", "-1", "--format=%B")
    assert message.startswith("undo: complete task: 2026-11-18 Buy milk @store (via discord)\n")
    assert f"Myorg-Reverts: {second.commit}" in message

    again = undo(client_app, undo_id="undo-1")  # the same undo delivered twice: once
    assert again["duplicate"] and world.repo_head() == result["commit"]

    older = undo(client_app, undo_id="undo-2")  # the next undo reverts the change before
    assert older["ok"] and older["reverted"] == first.commit
    assert world.repo_file("todo.txt") == SEED_FILES["todo.txt"]
    assert world.repo_status() == ""


def test_undo_is_refused_when_the_owner_changed_the_same_lines(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery
) -> None:
    workers.start(GIT_SYNC_DEBOUNCE_S="3600")
    applied = apply_via_queue(client_app, AddTask(text="Write the report", source="agent"), 30)
    raw = applied.result.data["raw"]
    todo = world.repo_file("todo.txt").replace(raw.encode(), b"x 2026-11-24 " + raw.encode())
    owner_commit(world, "todo.txt", todo, "done by hand")
    head = world.repo_head()
    result = undo(client_app)
    assert result == {
        "ok": False,
        "error_kind": "undo_refused",
        "error": "cannot undo “add task: Write the report”: todo.txt was changed "
        f"since by Owner in {head[:7]} (“done by hand”) on the same lines; edit it by hand instead",
    }
    assert world.repo_head() == head and world.repo_file("todo.txt") == todo


def test_undo_with_nothing_to_undo_says_so(
    workers: WorkerFactory, world: GitWorld, client_app: OrgCelery
) -> None:
    workers.start()
    result = undo(client_app)
    assert result["ok"] is False and "nothing to undo" in str(result["error"])
