"""Suggestions with reasons, proposed time blocks, and promises offered as tasks."""

from __future__ import annotations

from shared.agent.executor import Executor
from shared.agent.turn import TurnDeps, TurnRequest, TurnResult, handle_message
from shared.org_repo import OrgRepo
from tests.agent.conftest import NOW, DirectApply
from tests.agent.fake_anthropic import FakeAnthropic, Msg, text
from tests.agent.helpers import make_deps

PROMISE = "I'll send Ana the invoice on Friday."
OFFER = "Want me to add: `Send Ana the invoice due:2026-11-27`? Reply 'yes' to add it."


def run_tool(org: OrgRepo, name: str, **args: object) -> str:
    executor = Executor(org, NOW, "t", DirectApply(org), owner_text="plan my day")
    result = executor.run("call1", name, args)
    assert not result.is_error, result.content
    return result.content


def say(deps: TurnDeps, words: str, turn_id: str, conversation: str = "c1") -> TurnResult:
    return handle_message(TurnRequest(conversation, turn_id, words), NOW, deps)


def todo(org: OrgRepo) -> list[str]:
    return (org.root / "todo.txt").read_text("utf-8").splitlines()


def test_suggest_tasks_gives_each_pick_its_reasons(org: OrgRepo) -> None:
    picks = run_tool(org, "suggest_tasks", minutes=20, limit=3).splitlines()[1:-1]
    assert len(picks) == 3
    assert "Call the plumber" in picks[0]
    assert picks[0].endswith("— due today · priority A · serves home-winter (behind) · 15m fits")
    assert "overdue 1 day" in picks[1] and "serves run-10k" in picks[1]


def test_suggest_tasks_reads_the_weights_of_assistant_toml(org: OrgRepo) -> None:
    with (org.root / "assistant.toml").open("a", encoding="utf-8") as f:
        f.write("\n[suggest]\npriority = 0\ngoal = 0\ngoal_behind = 0\ndue = 0\n"
                "overdue_per_day = 0\neffort_fit = 100\n")
    first = run_tool(org, "suggest_tasks", minutes=5, limit=1).splitlines()[1]
    assert "Pay Lucía's school trip" in first and "5m fits" in first


def test_propose_time_blocks_fills_free_time_and_writes_nothing(org: OrgRepo) -> None:
    before = (org.root / "calendar.txt").read_bytes()
    out = run_tool(org, "propose_time_blocks", limit=3)
    rows = out.splitlines()[2:-1]
    assert "call add_event with date 2026-11-23" in out
    # 09:00-09:30 standup and 10-13 chapter 3 are busy: the first block fits between them.
    assert rows[0] == "9:30-9:45 Call the plumber about the bathroom leak +house — for task #1"
    assert all(not r.startswith(("10:", "11:", "12:")) for r in rows)
    assert (org.root / "calendar.txt").read_bytes() == before


def test_promise_is_offered_and_yes_adds_it(deps: TurnDeps, org: OrgRepo) -> None:
    before = todo(org)
    offered = say(deps, PROMISE, "turn1")
    assert offered.text.endswith(OFFER)
    assert offered.status == "pending" and offered.pending_id
    assert todo(org) == before
    done = say(deps, "yes", "turn2")
    assert done.text == "Done: add task: Send Ana the invoice due:2026-11-27"
    assert todo(org) == [*before, "2026-11-23 Send Ana the invoice due:2026-11-27"]
    # Said twice, "yes" adds nothing more.
    say(deps, "yes", "turn3")
    assert todo(org) == [*before, "2026-11-23 Send Ana the invoice due:2026-11-27"]


def test_the_offer_can_be_confirmed_or_cancelled_by_its_id(deps: TurnDeps, org: OrgRepo) -> None:
    before = todo(org)
    pending = say(deps, PROMISE, "turn1").pending_id
    assert say(deps, f"cancel {pending}", "turn2").text.startswith("Cancelled: add task")
    assert todo(org) == before
    pending = say(deps, PROMISE, "turn3").pending_id
    say(deps, f"confirm {pending}", "turn4")
    assert todo(org)[-1] == "2026-11-23 Send Ana the invoice due:2026-11-27"


def test_yes_counts_only_right_after_the_offer(deps: TurnDeps, org: OrgRepo) -> None:
    before = todo(org)
    say(deps, PROMISE, "turn1")
    say(deps, "today", "turn2")
    reply = say(deps, "yes", "turn3")
    assert "Reply 'yes'" not in reply.text and todo(org) == before
    # Another conversation's "yes" does not take this one's offer.
    say(deps, PROMISE, "turn4")
    say(deps, "yes", "turn5", conversation="other")
    assert todo(org) == before


def test_no_promise_no_offer_and_an_added_task_is_not_offered_again(
    deps: TurnDeps, org: OrgRepo
) -> None:
    plain = say(deps, "tasks @phone", "turn1")
    assert "Want me to add" not in plain.text and plain.pending_id is None
    added = say(deps, "add I'll call Ana tomorrow", "turn2")
    assert added.text.startswith("Added task #") and "Want me to add" not in added.text


def test_model_reply_gets_the_offer_too(org: OrgRepo, fake: FakeAnthropic) -> None:
    fake.script(Msg([text("Good luck with it.")]))
    deps = make_deps(org, fake)
    result = say(deps, PROMISE, "turn1")
    assert result.mode == "model"
    assert result.text == f"Good luck with it.\n{OFFER}"
    say(deps, "yes", "turn2")
    assert todo(org)[-1] == "2026-11-23 Send Ana the invoice due:2026-11-27"

