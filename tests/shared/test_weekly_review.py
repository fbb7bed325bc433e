"""The weekly review: guide items as steps, data per step, actions applied only when confirmed,
and a review that survives a restart, walked through on a copy of the fixture repo."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from shared import operations as ops
from shared.apply import apply_operation
from shared.org_repo import OrgRepo
from shared.review_state import (
    ReviewState,
    ReviewStateError,
    advance,
    clear_state,
    current_step,
    decide,
    finish_note,
    load_state,
    save_state,
    start_review,
    state_path,
)
from shared.weekly_review import Action, guide_items, load_review, step_kind

ORG = Path(__file__).parents[1] / "fixtures" / "org"
NOW = datetime(2026, 11, 27, 17, 0)  # Friday, review time
FILES = ("todo.txt", "done.txt", "projects.txt", "working-memory.txt", "calendar.txt")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "org"
    shutil.copytree(ORG, root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_each_checklist_item_is_a_step() -> None:
    items = guide_items((ORG / "skills" / "weekly-review.md").read_bytes())
    assert len(items) == 17
    assert items[0] == (
        "Get clear",
        "Empty the inbox: email, the notes app, paper on the desk, WhatsApp saved messages.",
    )
    assert items[-1] == ("Plan the week", "Note the plan in working-memory.txt.")
    assert [step_kind(text) for _, text in items] == [
        "inbox", "inbox", "archive",
        "calendar_back", "calendar_ahead", "waiting", "due", "next_actions", "stalled",
        "invoices",
        "goals", "note", "note",
        "week_goal", "calendar_ahead", "priorities", "memory",
    ]


def test_guide_parsing_edge_cases() -> None:
    guide = (
        "\ufeff# Review\nIntro with - [ ] inline text\n"
        "* [x] Checked items count too\r\n## Part two ##\n1. [ ] Numbered item\n"
        "- [ ]\n- not a checkbox\n  - [ ] Nested item\n"
    ).encode()
    assert guide_items(guide) == [
        (None, "Checked items count too"),
        ("Part two", "Numbered item"),
        ("Part two", "Nested item"),
    ]
    assert step_kind("Clean the residue off the desk") == "note"  # "due" must start a word
    assert step_kind("Look at OVERDUE tasks") == "due"


def test_a_missing_guide_falls_back_to_the_built_in_one(root: Path) -> None:
    (root / "skills" / "weekly-review.md").unlink()
    review = load_review(OrgRepo(root), "r1", NOW)
    assert [s.kind for s in review.steps] == [
        "inbox", "archive", "waiting", "due", "next_actions", "stalled", "goals",
        "priorities", "memory",
    ]


def test_step_data_from_the_repo(root: Path) -> None:
    review = load_review(OrgRepo(root), "r1", NOW)
    steps = {s.kind: s for s in reversed(review.steps)}
    assert [t.raw for t in steps["archive"].data["ready_to_archive"]] == [
        "x",
        "x 2026-11-22 2026-11-15 Long run, 8 km easy +running @town due:2026-11-22 rec:+1w",
        "x 2026-11-21 2026-11-17 Send Ana the revised sitemap +acme @computer pri:A",
        "x 2026-11-20 Outline chapter 4 +book",
    ]
    assert [t.attr("who") for t in steps["waiting"].data["stale_waiting"]] == [
        "Bruno", "Ana", "Gil"
    ]
    assert [t.due.isoformat() for t in steps["due"].data["overdue"] if t.due] == [
        "2026-11-21", "2026-11-23", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-25",
    ]
    assert steps["next_actions"].data["no_next_action"] == ["clients"]
    assert list(steps["stalled"].data["stalled"]) == ["clients", "house"]
    assert steps["goals"].data["goals_behind"] == [
        "revenue-5k", "book-draft", "home-winter", "run-10k"
    ]
    inbox = [t.description for t in steps["inbox"].data["inbox"]]
    assert "Renew the passport" in inbox and "Read \"Four Thousand Weeks\"" in inbox
    assert all(not (t.projects and t.contexts) for t in steps["inbox"].data["inbox"])
    assert [e.text for e in steps["calendar_back"].data["events_back"]][:2] == [
        "freelancers meetup +clients", "weekly review"
    ]
    assert steps["note"].data == {} and steps["note"].actions == []
    payload = json.loads(json.dumps([s.to_json() for s in review.steps]))
    assert payload[2]["actions"][0]["operation"]["kind"] == "archive_done"


def test_action_ids_and_op_ids_are_stable() -> None:
    repo = OrgRepo(ORG)
    one, two = load_review(repo, "r1", NOW), load_review(repo, "r1", NOW)
    other = load_review(repo, "r2", NOW)
    ids = [a.id for s in one.steps for a in s.actions]
    assert ids == [a.id for s in two.steps for a in s.actions]
    assert ids == [a.id for s in other.steps for a in s.actions]
    assert len(set(ids)) == len(ids)
    op_ids = {a.operation.op_id for s in one.steps for a in s.actions}
    assert op_ids == {a.operation.op_id for s in two.steps for a in s.actions}
    assert op_ids.isdisjoint(a.operation.op_id for s in other.steps for a in s.actions)
    assert all(a.operation.source == "review" for s in one.steps for a in s.actions)


def policy(action: Action) -> bool | None:
    """The owner's answers: True confirm, False skip, None leave it for "go on" to skip."""
    kind = action.id.split("-")[0]
    if kind == "chase":
        return "Bruno" in action.label
    if kind == "pause":
        return True if "+clients" in action.label else None
    return True


def test_full_review_with_confirmed_and_skipped_actions(root: Path) -> None:
    before = {name: (root / name).read_bytes() for name in FILES}
    save_state(OrgRepo(root), start_review(NOW))
    applied: list[ops.Operation] = []
    shown: list[str] = []
    while True:
        # Every turn is a restart: only the saved state and the repo carry over.
        repo = OrgRepo(root)
        state = load_state(repo)
        assert state is not None
        review = load_review(repo, state.review_id, NOW)
        step = current_step(state, review)
        if step is None:
            break
        if not shown or shown[-1] != step.text:
            shown.append(step.text)
        pending = [a for a in step.actions if not state.decided(a.id) and policy(a) is not None]
        if step.kind == "calendar_ahead" and step.index == 4:
            state = advance(state, review, skip_step=True)
        elif pending:
            action = pending[0]
            state = decide(state, review, action.id, confirm=bool(policy(action)))
            if policy(action):
                apply_operation(repo, action.operation, NOW)
                applied.append(action.operation)
        else:
            state = advance(state, review)
        save_state(repo, state)

    repo = OrgRepo(root)
    final = load_state(repo)
    assert final is not None and final.finished
    assert len(shown) == 17
    assert final.skipped_steps == [4]
    assert sorted(i.split("-")[0] for i in final.confirmed) == [
        "archive", "chase", "drop", "memory", "pause", "prioritize"
    ]
    assert sorted(i.split("-")[0] for i in final.skipped) == ["chase", "chase", "pause"]
    assert [op.kind for op in applied] == [
        "archive_done", "add_task", "delete_task", "set_project_status", "prioritize_task",
        "append_working_memory",
    ]

    todo = before["todo.txt"].split(b"\n")
    expected = [
        line.replace(b"(B) 2026-11-12 Invoice ACME", b"(A) 2026-11-12 Invoice ACME")
        for line in todo
        if not line.startswith(b"x") and b"Hilo Studio" not in line
    ]
    chase = (
        b"2026-11-27 Chase Bruno about: Intro to the CTO of Hilo Studio +clients due:2026-11-28"
    )
    assert (root / "todo.txt").read_bytes() == b"\n".join(expected) + b"\n" + chase + b"\n"
    archived = [line for line in todo if line.startswith(b"x")]
    assert (root / "done.txt").read_bytes() == before["done.txt"] + b"\n".join(archived) + b"\n"
    assert (root / "projects.txt").read_bytes() == before["projects.txt"].replace(
        b"+clients Two more steady clients status:active", b"+clients Two more steady clients "
        b"status:paused"
    )
    memory = (root / "working-memory.txt").read_bytes()
    assert memory == before["working-memory.txt"] + (
        b"2026-11-27 17:00 Project +clients is now paused.\n"
        b"2026-11-27 17:00 Weekly review done. Top tasks for the week: Fix the checkout bug on "
        b"ACME staging; Invoice ACME for the November milestone; Call the plumber about the "
        b"bathroom leak.\n"
    )
    assert (root / "calendar.txt").read_bytes() == before["calendar.txt"]

    # A crash between applying and saving the state re-sends confirmed actions: no effect.
    after = {name: (root / name).read_bytes() for name in FILES}
    assert all(apply_operation(repo, op, NOW).duplicate for op in applied)
    assert {name: (root / name).read_bytes() for name in FILES} == after


def test_decisions_are_checked(root: Path) -> None:
    repo = OrgRepo(root)
    state = start_review(NOW)
    review = load_review(repo, state.review_id, NOW)
    assert state.review_id == "2026-11-27T17:00"
    with pytest.raises(ReviewStateError, match="no action"):
        decide(state, review, "archive-nope", confirm=True)
    state = advance(advance(state, review), review)  # two inbox steps, no actions
    archive = review.steps[2].actions[0]
    waiting = review.steps[5].actions[0]
    with pytest.raises(ReviewStateError, match="current step"):
        decide(state, review, waiting.id, confirm=True)
    state = decide(state, review, archive.id, confirm=False)
    with pytest.raises(ReviewStateError, match="already skipped"):
        decide(state, review, archive.id, confirm=True)
    assert state.skipped == [archive.id] and state.confirmed == []
    assert (root / "todo.txt").read_bytes() == (ORG / "todo.txt").read_bytes()  # nothing applied
    for _ in review.steps:
        state = advance(state, review)
    assert state.finished and current_step(state, review) is None
    assert advance(state, review) == state
    with pytest.raises(ReviewStateError, match="finished"):
        decide(state, review, archive.id, confirm=True)


def test_state_json_round_trip_and_damage(root: Path) -> None:
    repo = OrgRepo(root)
    assert load_state(repo) is None
    state = ReviewState("r1", "2026-11-27T17:00", 3, ["a"], ["b", "c"], [1], False)
    save_state(repo, state)
    assert state_path(repo).parent.name == "myorg"  # private bookkeeping inside .git
    assert load_state(repo) == state
    assert ReviewState.from_json(json.loads(json.dumps(state.to_json()))) == state
    for bad in ([], {"review_id": "r"}, {**state.to_json(), "step": "3"},
                {**state.to_json(), "confirmed": [1]}, {**state.to_json(), "extra": 1}):
        with pytest.raises(ReviewStateError):
            ReviewState.from_json(bad)
    state_path(repo).write_bytes(b"{not json")
    with pytest.raises(ReviewStateError, match="not valid JSON"):
        load_state(repo)
    clear_state(repo)
    clear_state(repo)
    assert load_state(repo) is None


def test_a_finished_review_is_noted_in_working_memory_once(root: Path) -> None:
    repo = OrgRepo(root)
    state = start_review(NOW)
    review = load_review(repo, state.review_id, NOW)
    assert finish_note(state, "web") is None  # not finished yet
    archive = review.steps[2].actions[0]
    state = decide(advance(advance(state, review), review), review, archive.id, confirm=True)
    while not state.finished:
        state = advance(state, review)  # leaves every other action undecided: skipped
    note = finish_note(state, "web")
    assert note is not None and note.source == "web"
    assert note.text == f"Weekly review finished: 1 change confirmed, {len(state.skipped)} skipped."
    before = (root / "working-memory.txt").read_bytes()
    # The same review finished from Discord too: one line.
    for source in ("web", "discord"):
        again = finish_note(state, source)
        assert again is not None
        apply_operation(repo, again, NOW)
    assert (root / "working-memory.txt").read_bytes() == before + (
        f"2026-11-27 17:00 {note.text}\n".encode()
    )
    memo = next(a for s in review.steps for a in s.actions if a.id.startswith("memory-"))
    noted = replace(state, confirmed=[*state.confirmed, memo.id])
    assert finish_note(noted, "web") is None  # its own note step already wrote the line
