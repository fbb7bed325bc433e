"""Destructive and bulk changes wait for the owner's "confirm <id>"; nothing else applies them."""

from __future__ import annotations

import re

from shared.org_repo import OrgRepo
from tests.agent.fake_anthropic import FakeAnthropic, Msg, text, tool_use
from tests.agent.helpers import make_deps, todo_lines, turn


def line_of(org: OrgRepo, words: str) -> int:
    return 1 + next(i for i, t in enumerate(todo_lines(org)) if words in t)


def pending_id(reply: str) -> str:
    m = re.search(r'confirm (\w+)"', reply)
    assert m, reply
    return m.group(1)


def test_delete_waits_for_confirmation_then_applies_once(org: OrgRepo, fake: FakeAnthropic) -> None:
    n = line_of(org, 'Read "Four Thousand Weeks"')
    fake.script(
        Msg(
            [
                text("I'll delete it."),
                tool_use("delete_task", {"line": n, "expect": "Four Thousand"}),
            ]
        )
    )
    deps = make_deps(org, fake)
    before = (org.root / "todo.txt").read_bytes()
    held = turn(deps, "delete the book task")
    assert held.status == "pending" and held.pending_id
    assert (org.root / "todo.txt").read_bytes() == before
    assert "delete task #" in held.text and "deletes a task" in held.text
    assert len(fake.requests) == 1  # the turn ends at the held change

    done = turn(deps, f"confirm {pending_id(held.text)}")
    assert done.mode == "confirm" and done.text.startswith("Done: delete task")
    assert not any("Four Thousand Weeks" in t for t in todo_lines(org))
    after = (org.root / "todo.txt").read_bytes()
    again = turn(deps, f"confirm {held.pending_id}")
    assert "Nothing is waiting" in again.text
    assert (org.root / "todo.txt").read_bytes() == after
    assert len(fake.requests) == 1  # confirmations never go to the model


def test_cancel_drops_the_change(org: OrgRepo, fake: FakeAnthropic) -> None:
    fake.script(Msg([tool_use("remove_event", {"date": "2026-11-24", "event": "physio"})]))
    deps = make_deps(org, fake)
    before = (org.root / "calendar.txt").read_bytes()
    held = turn(deps, "drop the physio")
    cancelled = turn(deps, f"cancel {held.pending_id}")
    assert cancelled.text.startswith("Cancelled: remove event 2026-11-24: physio")
    assert "Nothing is waiting" in turn(deps, f"confirm {held.pending_id}").text
    assert (org.root / "calendar.txt").read_bytes() == before


def test_overwriting_a_file_needs_confirmation_writing_a_new_one_does_not(
    org: OrgRepo, fake: FakeAnthropic
) -> None:
    fake.script(
        Msg([tool_use("write_file", {"path": "notes/ideas.md", "content": "# Ideas\n- a\n"})]),
        Msg([tool_use("write_file", {"path": "telos.md", "content": "gone\n"})]),
    )
    deps = make_deps(org, fake)
    telos = (org.root / "telos.md").read_bytes()
    result = turn(deps, "start an ideas file, then rewrite my telos")
    assert (org.root / "notes/ideas.md").read_text() == "# Ideas\n- a\n"
    assert result.status == "pending" and "overwrite telos.md" in result.text
    assert (org.root / "telos.md").read_bytes() == telos
    turn(deps, f"confirm {result.pending_id}")
    assert (org.root / "telos.md").read_text() == "gone\n"


def test_bulk_changes_past_the_limit_wait(org: OrgRepo, fake: FakeAnthropic) -> None:
    calls = [tool_use("add_task", {"text": f"Task number {n}"}) for n in range(8)]
    fake.script(Msg(calls))
    deps = make_deps(org, fake)
    result = turn(deps, "add eight tasks")
    added = [t for t in todo_lines(org) if "Task number" in t]
    assert len(added) == 5
    assert result.status == "pending" and "more than 5 changes in one request" in result.text
    assert result.text.count("- add task: Task number") == 3
    turn(deps, f"confirm {result.pending_id}")
    assert len([t for t in todo_lines(org) if "Task number" in t]) == 8


def test_a_safe_change_after_a_held_one_waits_too(org: OrgRepo, fake: FakeAnthropic) -> None:
    n = line_of(org, "Bleed the radiators")
    fake.script(
        Msg(
            [
                tool_use("delete_task", {"line": n, "expect": "radiators"}),
                tool_use("add_task", {"text": "Bleed the radiators properly"}),
            ]
        )
    )
    deps = make_deps(org, fake)
    before = todo_lines(org)
    result = turn(deps, "replace the radiators task")
    assert todo_lines(org) == before
    turn(deps, f"confirm {result.pending_id}")
    after = todo_lines(org)
    assert "Bleed the radiators +house" not in " ".join(after)
    assert after[-1] == "2026-11-23 Bleed the radiators properly"
