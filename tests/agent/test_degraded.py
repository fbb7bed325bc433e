"""Without a model: the built-in commands do the main job on a real repo, and say what the model
would add for anything else."""

from __future__ import annotations

from pathlib import Path

from shared import queries
from shared.agent.ids import new_turn_id
from shared.agent.turn import TurnDeps, TurnRequest, handle_message
from shared.org_repo import OrgRepo
from shared.todo_list import parse_tasks
from tests.agent.conftest import NOW, DirectApply


def ask(deps: TurnDeps, text: str, turn_id: str | None = None) -> str:
    req = TurnRequest("cli", turn_id or new_turn_id(), text, source="cli")
    return handle_message(req, NOW, deps).text


def snapshot(repo: OrgRepo) -> dict[str, bytes]:
    return {p: (repo.root / p).read_bytes() for p in repo.list_files()}


def lines(repo: OrgRepo, name: str) -> list[str]:
    return (repo.root / name).read_text("utf-8").splitlines()


def test_add_task_with_project_context_and_spoken_date(deps: TurnDeps, org: OrgRepo) -> None:
    before = lines(org, "todo.txt")
    reply = ask(deps, "add call Ana about the contract +acme @phone tomorrow")
    after = lines(org, "todo.txt")
    assert after[:-1] == before
    assert after[-1] == "2026-11-23 call Ana about the contract +acme @phone due:2026-11-24"
    assert "Added task #" in reply


def test_complete_by_number_marks_the_line_in_place(deps: TurnDeps, org: OrgRepo) -> None:
    before = lines(org, "todo.txt")
    number = 1 + next(i for i, t in enumerate(before) if "Call the plumber" in t)
    reply = ask(deps, f"done {number}")
    after = lines(org, "todo.txt")
    assert after[number - 1].startswith("x 2026-11-23 2026-11-20 Call the plumber")
    assert [a for i, a in enumerate(after) if i != number - 1] == [
        b for i, b in enumerate(before) if i != number - 1
    ]
    assert reply.startswith("Done:")


def test_complete_by_words_finds_the_one_task(deps: TurnDeps, org: OrgRepo) -> None:
    ask(deps, "finished fix the checkout bug")
    done = [t for t in lines(org, "todo.txt") if "checkout bug" in t]
    assert done == [
        "x 2026-11-23 2026-11-18 Fix the checkout bug on ACME staging +acme "
        "@computer due:2026-11-21 est:2h energy:high pri:A"
    ]


def test_ambiguous_words_change_nothing_and_list_the_candidates(
    deps: TurnDeps, org: OrgRepo
) -> None:
    before = snapshot(org)
    reply = ask(deps, "done book")
    assert snapshot(org) == before
    assert "Several open tasks match" in reply
    assert "#" in reply


def test_today_shows_events_and_overdue(deps: TurnDeps) -> None:
    reply = ask(deps, "what's on today?")
    assert "Monday 23 November 2026" in reply
    assert "9-9:30: ACME standup" in reply
    assert "Overdue:" in reply and "checkout bug" in reply


def test_what_is_due_lists_overdue_today_and_the_coming_days(deps: TurnDeps, org: OrgRepo) -> None:
    tasks = parse_tasks((org.root / "todo.txt").read_bytes())
    today = NOW.date()
    overdue = queries.overdue(tasks, today)
    coming = queries.due_within(tasks, today, 7)
    assert overdue and coming  # the repo has both, so the test shows both sections
    reply = ask(deps, "what's due this week?").splitlines()
    at = reply.index(f"Overdue ({len(overdue)}):")
    assert [line.split()[0] for line in reply[at + 1 : at + 1 + len(overdue)]] == [
        f"#{t.line}" for t in overdue
    ]
    at = reply.index(f"Due in the next 7 days ({len(coming)}):")
    assert [line.split()[0] for line in reply[at + 1 : at + 1 + len(coming)]] == [
        f"#{t.line}" for t in coming
    ]
    assert any("checkout bug" in line for line in reply)


def test_overdue_only_and_nothing_due(deps: TurnDeps, org: OrgRepo) -> None:
    reply = ask(deps, "anything overdue?")
    assert reply.startswith("Overdue (") and "Due" not in reply
    for line in (org.root / "todo.txt").read_text("utf-8").splitlines():
        if "due:" in line and not line.startswith("x "):
            ask(deps, f"done {lines(org, 'todo.txt').index(line) + 1}")
    assert ask(deps, "what's overdue") == "Nothing is overdue."
    assert ask(deps, "due tomorrow") == "Nothing is overdue, and nothing is due today or tomorrow."


def test_what_to_do_next_ranks_open_tasks_with_reasons(deps: TurnDeps, org: OrgRepo) -> None:
    before = snapshot(org)
    reply = ask(deps, "what should I do next?").splitlines()
    assert reply[0] == "Suggested now:"
    assert len(reply) == 6 and [r.split()[0] for r in reply[1:]] == ["1.", "2.", "3.", "4.", "5."]
    assert "checkout bug" in reply[1] and "overdue" in reply[1].split(" — ")[1]
    at_errands = ask(deps, "what should I do next @errands").splitlines()
    assert at_errands[0] == "Suggested now at @errands:"
    assert "@errands" in at_errands[1].split(" — ")[0]  # a task that fits the place comes first
    assert snapshot(org) == before  # suggesting changes nothing


def test_tasks_by_context_and_project(deps: TurnDeps) -> None:
    phone = ask(deps, "tasks @phone").splitlines()
    assert phone[0].endswith("@phone task(s):")
    assert all("@phone" in line for line in phone[1:]) and len(phone) > 2
    acme = ask(deps, "show project acme").splitlines()
    assert all("+acme" in line for line in acme[1:]) and len(acme) > 2


def test_add_event_goes_into_the_right_day_line(deps: TurnDeps, org: OrgRepo) -> None:
    ask(deps, "add event friday 12-13 lunch with Carmen")
    day = [line for line in lines(org, "calendar.txt") if line.startswith("2026-11-27 w48 Fri")]
    assert day == [
        "2026-11-27 w48 Fri  9-9:30 ACME standup +acme. 16-17 call with Inés +book. "
        "17:30 weekly review. 12-13 lunch with Carmen"
    ]


def test_anything_else_says_what_the_model_adds_and_how_to_configure_it(
    deps: TurnDeps, org: OrgRepo
) -> None:
    before = snapshot(org)
    reply = ask(deps, "how am I doing on my goals this quarter?")
    assert snapshot(org) == before
    assert "ANTHROPIC_API_KEY" in reply and "LiteLLM" in reply
    assert "planning" in reply


def test_the_same_turn_delivered_twice_applies_once(deps: TurnDeps, org: OrgRepo) -> None:
    ask(deps, "add water the plants @home", turn_id="turn-1")
    ask(deps, "add water the plants @home", turn_id="turn-1")
    assert sum("water the plants" in t for t in lines(org, "todo.txt")) == 1


def test_bad_input_changes_nothing(deps: TurnDeps, org: OrgRepo, direct: DirectApply) -> None:
    before = snapshot(org)
    reply = ask(deps, "done 999")
    assert snapshot(org) == before
    assert reply.startswith("Nothing changed:")


def test_history_is_kept_for_the_conversation(deps: TurnDeps, tmp_path: Path) -> None:
    ask(deps, "today")
    ask(deps, "tasks @phone")
    turns = deps.state.history("cli")
    assert [t["user"][-12:] for t in turns] == ["09:00] today", "tasks @phone"]
