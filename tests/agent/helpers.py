"""Helpers for turns against the fake model endpoint."""

from __future__ import annotations

from typing import Any

from shared.agent.ids import new_turn_id
from shared.agent.state import MemoryState
from shared.agent.turn import TurnDeps, TurnRequest, TurnResult, handle_message
from shared.org_repo import OrgRepo
from tests.agent.conftest import NOW, DirectApply
from tests.agent.fake_anthropic import FakeAnthropic
from worker.agent_loop import LoopConfig, SdkRunner

API_KEY = "sk-ant-" + "test-0123456789-secret"  # split: no token-shaped literal in the tree
OPEN_RUNNERS: list[SdkRunner] = []  # closed after each test (see conftest)


def make_runner(fake: FakeAnthropic, **overrides: Any) -> SdkRunner:
    config = {
        "api_key": API_KEY,
        "base_url": fake.url,
        "model": "claude-sonnet-4-6",
        "turn_timeout_s": 20.0,
        "request_timeout_s": 10.0,
        "max_retries": 2,
        "stream": True,
        **overrides,
    }
    runner = SdkRunner(LoopConfig(**config))
    OPEN_RUNNERS.append(runner)
    return runner


def make_deps(
    org: OrgRepo, fake: FakeAnthropic, events: list[dict[str, Any]] | None = None, **overrides: Any
) -> TurnDeps:
    sink = events if events is not None else []
    return TurnDeps(
        repo=org,
        state=MemoryState(),
        apply=DirectApply(org),
        runner=make_runner(fake, **overrides),
        emit=sink.append,
    )


def turn(
    deps: TurnDeps, text: str, conversation: str = "c1", turn_id: str | None = None
) -> TurnResult:
    return handle_message(TurnRequest(conversation, turn_id or new_turn_id(), text), NOW, deps)


def tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool_result blocks of the request's last message."""
    content = body["messages"][-1]["content"]
    return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]


def todo_lines(org: OrgRepo) -> list[str]:
    return (org.root / "todo.txt").read_text("utf-8").splitlines()
