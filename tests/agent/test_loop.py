"""The model loop with the real ``anthropic`` SDK against the loopback fake endpoint."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from shared.agent.turn import TurnDeps
from shared.org_repo import OrgRepo
from tests.agent.fake_anthropic import FakeAnthropic, Hang, Msg, Status, text, tool_use
from tests.agent.helpers import API_KEY, make_deps, todo_lines, tool_results, turn


@pytest.mark.parametrize("stream", [True, False], ids=["sse", "json"])
def test_tool_use_then_tool_result_then_text(
    org: OrgRepo, fake: FakeAnthropic, stream: bool
) -> None:
    seen: list[dict[str, Any]] = []

    def answer(body: dict[str, Any]) -> Msg:
        seen.extend(tool_results(body))
        return Msg([text("You have two calls to make.")])

    fake.script(
        Msg([text("Let me look."), tool_use("search_tasks", {"context": "@phone"})]), answer
    )
    events: list[dict[str, Any]] = []
    result = turn(make_deps(org, fake, events, stream=stream), "which calls do I have?")
    assert result.text == "You have two calls to make."
    assert result.mode == "model" and result.status == "ok" and result.steps == 2
    assert (
        len(seen) == 1
        and seen[0]["tool_use_id"] == fake.bodies()[1]["messages"][-2]["content"][1]["id"]
    )
    assert seen[0]["content"].startswith('<data source="todo.txt">')
    assert "Call the plumber about the bathroom leak" in seen[0]["content"]
    assert fake.problems == []
    if stream:
        assert "".join(e["text"] for e in events if e["type"] == "text").startswith("Let me look.")
    assert [e["status"] for e in events if e["type"] == "tool"] == ["ok"]
    assert events[-1]["type"] == "done" and events[-1]["text"] == result.text


def test_writes_land_in_the_repo(org: OrgRepo, fake: FakeAnthropic) -> None:
    before = todo_lines(org)
    plumber = 1 + next(i for i, t in enumerate(before) if "Call the plumber" in t)
    fake.script(
        Msg([tool_use("add_task", {"text": "Buy tiles +house @errands due:fri"})]),
        Msg([tool_use("complete_task", {"line": plumber, "expect": "plumber"})]),
        Msg([text("Added the tiles and ticked off the plumber.")]),
    )
    result = turn(make_deps(org, fake), "add tiles for friday; I called the plumber")
    after = todo_lines(org)
    assert after[:-1] == [*before[: plumber - 1], after[plumber - 1], *before[plumber:]]
    assert after[-1] == "2026-11-23 Buy tiles +house @errands due:2026-11-27"
    assert after[plumber - 1].startswith("x 2026-11-23 2026-11-20 Call the plumber")
    # The completion notes itself in working memory, in its own change; the turn's line
    # names only what was not noted yet.
    assert [r["files"] for r in result.applied] == [
        ["todo.txt"], ["todo.txt", "working-memory.txt"]
    ]
    memory = (org.root / "working-memory.txt").read_text("utf-8").splitlines()[-2:]
    assert memory == [
        "2026-11-23 09:00 Done: Call the plumber about the bathroom leak +house",
        "2026-11-23 09:00 Assistant: add task: Buy tiles +house @errands due:fri",
    ]


def test_a_turn_of_completions_only_is_noted_once_per_task(
    org: OrgRepo, fake: FakeAnthropic
) -> None:
    before = (org.root / "working-memory.txt").read_text("utf-8")
    lines = todo_lines(org)
    plumber = 1 + next(i for i, t in enumerate(lines) if "Call the plumber" in t)
    radiators = 1 + next(i for i, t in enumerate(lines) if "Bleed the radiators" in t)
    fake.script(
        Msg([tool_use("complete_task", {"line": plumber, "expect": "plumber"})]),
        Msg([tool_use("complete_task", {"line": radiators, "expect": "radiators"})]),
        Msg([text("Ticked off both.")]),
    )
    turn(make_deps(org, fake), "I called the plumber and bled the radiators")
    added = (org.root / "working-memory.txt").read_text("utf-8").removeprefix(before)
    assert added == (
        "2026-11-23 09:00 Done: Call the plumber about the bathroom leak +house\n"
        "2026-11-23 09:00 Done: Bleed the radiators +house\n"
    )


def test_parallel_tool_calls_get_their_results_together_in_order(
    org: OrgRepo, fake: FakeAnthropic
) -> None:
    calls = [
        tool_use("add_task", {"text": "Call Gil about the tiles @phone"}),
        tool_use("get_todays_events", {}),
        tool_use("add_task", {"text": "Order grout +house"}),
    ]
    fake.script(Msg([text("On it."), *calls]), Msg([text("Done.")]))
    turn(make_deps(org, fake), "add two tasks and show my day")
    results = tool_results(fake.bodies()[1])
    assert [r["tool_use_id"] for r in results] == [c["id"] for c in calls]
    assert "9-9:30: ACME standup" in results[1]["content"]
    assert sum(("Call Gil" in t) + ("Order grout" in t) for t in todo_lines(org)) == 2


def test_overloaded_then_success_is_retried_by_the_sdk(org: OrgRepo, fake: FakeAnthropic) -> None:
    fake.script(
        Status(529, "overloaded_error", "Overloaded", {"retry-after-ms": "50"}),
        Msg([text("Here I am.")]),
    )
    result = turn(make_deps(org, fake), "hello?")
    assert result.text == "Here I am." and result.status == "ok"
    assert len(fake.requests) == 2


def test_a_hanging_endpoint_ends_the_turn_with_a_clear_message(
    org: OrgRepo, fake: FakeAnthropic
) -> None:
    fake.default = Hang(30)
    deps = make_deps(org, fake, turn_timeout_s=2.5, request_timeout_s=1.0)
    started = time.monotonic()
    result = turn(deps, "how are my goals going?")
    elapsed = time.monotonic() - started
    assert elapsed < 5
    assert result.status == "error" and result.mode == "builtin"
    assert "did not answer within 2.5 s" in result.text
    assert "Without the model I understand" in result.text
    assert 1 <= len(fake.requests) <= 3


def test_endpoint_down_still_does_a_builtin_command(org: OrgRepo, fake: FakeAnthropic) -> None:
    fake.default = Status(500, "api_error", "boom", {"retry-after-ms": "10"})
    result = turn(make_deps(org, fake), "add renew the car insurance +admin")
    assert result.mode == "builtin"
    assert "HTTP 500" in result.text and "The built-in commands did this" in result.text
    assert todo_lines(org)[-1] == "2026-11-23 renew the car insurance +admin"
    assert len(fake.requests) == 3  # the first attempt and the SDK's two retries


def test_malformed_tool_input_goes_back_as_an_error_the_model_can_fix(
    org: OrgRepo, fake: FakeAnthropic
) -> None:
    fake.script(
        Msg([tool_use("complete_task", {"line": "the plumber one"})]),
        Msg([tool_use("add_task", {"text": "x", "colour": "red"})]),
        Msg([tool_use("no_such_tool", {})]),
        Msg([text("Sorry, I could not.")]),
    )
    before = (org.root / "todo.txt").read_bytes()
    result = turn(make_deps(org, fake), "tick the plumber")
    errors = [tool_results(b)[0] for b in fake.bodies()[1:]]
    assert all(e.get("is_error") for e in errors)
    assert (
        "complete_task: invalid input (line: Input should be a valid integer"
        in errors[0]["content"]
    )
    assert "colour: Extra inputs are not permitted" in errors[1]["content"]
    assert "there is no tool named 'no_such_tool'" in errors[2]["content"]
    assert (org.root / "todo.txt").read_bytes() == before
    assert result.text == "Sorry, I could not."


def test_unparseable_streamed_tool_json_is_asked_again(org: OrgRepo, fake: FakeAnthropic) -> None:
    broken = Msg([tool_use("add_task", {"text": "a"})], raw_tool_json={0: '{"text": "a",,}'})
    fake.script(broken, Msg([tool_use("add_task", {"text": "Call Ana"})]), Msg([text("ok")]))
    result = turn(make_deps(org, fake), "add call Ana")
    assert result.status == "ok" and len(fake.requests) == 3
    assert sum(t.endswith("Call Ana") for t in todo_lines(org)) == 1


def test_requests_use_prompt_caching_and_list_every_tool(org: OrgRepo, fake: FakeAnthropic) -> None:
    fake.script(Msg([tool_use("get_telos", {})]), Msg([text("Your mission is clear.")]))
    turn(make_deps(org, fake), "remind me of my mission")
    for body in fake.bodies():
        assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
        assert all("cache_control" not in t for t in body["tools"][:-1])
        assert [b.get("cache_control") for b in body["system"]] == [{"type": "ephemeral"}] * 2
        last = body["messages"][-1]["content"]
        assert last[-1]["cache_control"] == {"type": "ephemeral"}
    names = {t["name"] for t in fake.bodies()[0]["tools"]}
    assert {
        "read_file",
        "list_files",
        "write_file",
        "append_to_file",
        "add_task",
        "complete_task",
        "edit_task",
        "search_tasks",
        "add_event",
        "get_events",
        "get_todays_events",
        "get_active_projects",
        "get_quarterly_goals",
        "get_telos",
        "analyze_project_progress",
        "analyze_goal_progress",
        "suggest_tasks",
        "git_status",
        "git_commit",
        "git_pull",
        "git_push",
        "append_working_memory",
    } <= names
    # Byte-identical prefix between requests: the cache can hit.
    first, second = fake.bodies()
    assert json.dumps(first["tools"]) == json.dumps(second["tools"])
    assert first["system"] == second["system"]
    assert second["messages"][0]["content"].startswith("[Mon 2026-11-23 09:00]")


def test_no_secrets_in_what_the_endpoint_receives(
    org: OrgRepo, fake: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = {
        "DISCORD_BOT_TOKEN": "discord-secret-123",
        "GIT_PASSWORD": "git-secret-456",
        "WEB_PASSWORD": "web-secret-789",
        "ANTHROPIC_AUTH_TOKEN": "other-token-000",
    }
    for key, value in secrets.items():
        monkeypatch.setenv(key, value)
    fake.script(Msg([tool_use("git_status", {}), tool_use("list_files", {})]), Msg([text("ok")]))
    turn(make_deps(org, fake), "status?")
    for rec in fake.requests:
        assert API_KEY.encode() not in rec.raw
        auth = {k: v for k, v in rec.headers.items() if API_KEY in v}
        assert auth in ({"x-api-key": API_KEY}, {"authorization": f"Bearer {API_KEY}"})
        blob = rec.raw + json.dumps(rec.headers).encode()
        assert not any(v.encode() in blob for v in secrets.values())
    listing = tool_results(fake.bodies()[1])[1]["content"]
    assert ".git" not in listing and "todo.txt" in listing


def test_history_is_bounded_and_compacted(org: OrgRepo, fake: FakeAnthropic) -> None:
    fake.default = lambda body: Msg([text("noted " + "x" * 2000)])
    deps: TurnDeps = make_deps(org, fake)
    for n in range(30):
        turn(deps, f"message number {n} " + "y" * 1500)
    sizes = [len(json.dumps(b["messages"])) for b in fake.bodies()]
    assert max(sizes) < 16_000 + 4_000
    last = fake.bodies()[-1]["messages"]
    assert "message number 29" in json.dumps(last[-1])
    assert "message number 0 " not in json.dumps(last)
    assert len(deps.state.history("c1")) == 12


def test_step_limit_ends_the_turn(org: OrgRepo, fake: FakeAnthropic) -> None:
    fake.default = lambda body: Msg([tool_use("search_tasks", {"text": "plumber"})])
    result = turn(make_deps(org, fake, max_steps=3), "loop forever")
    assert result.status == "step_limit" and result.steps == 3
    assert len(fake.requests) == 3
    assert "limit" in result.text


def test_the_turn_records_usage_and_cost(org: OrgRepo, fake: FakeAnthropic) -> None:
    fake.script(Msg([tool_use("get_todays_events", {})]), Msg([text("Busy day.")]))
    deps = make_deps(org, fake)
    result = turn(deps, "my day?")
    assert result.usage is not None and result.usage["requests"] == 2
    assert result.usage["cache_read_input_tokens"] > 0  # the second call reads the first's prefix
    assert result.cost_usd > 0
    day = deps.state.usage_on("2026-11-23")
    assert day["turns"] == 1 and day["usage"]["output_tokens"] == result.usage["output_tokens"]


def test_spent_budget_switches_to_builtin_and_says_so_once(
    org: OrgRepo, fake: FakeAnthropic
) -> None:
    deps = make_deps(org, fake)
    deps.daily_budget = 100
    deps.state.add_usage("2026-11-23", {"usage": {"input_tokens": 500, "requests": 1}})
    first = turn(deps, "add pay the gardener")
    second = turn(deps, "add pay the window cleaner")
    assert "token budget" in first.text and "token budget" not in second.text
    assert first.mode == second.mode == "builtin"
    assert fake.requests == []
    assert todo_lines(org)[-2:] == [
        "2026-11-23 pay the gardener",
        "2026-11-23 pay the window cleaner",
    ]
