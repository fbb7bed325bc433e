"""Reliability row 19: the model endpoint fails in every usual way; each command still ends with
a clear outcome in bounded time, within the attempt budget, and no edit is applied twice."""

from __future__ import annotations

import contextlib
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shared.agent.state import MemoryState
from shared.agent.turn import TurnDeps
from shared.org_repo import OrgRepo
from tests.agent.conftest import DirectApply
from tests.agent.fake_anthropic import Cut, FakeAnthropic, Hang, Msg, Reply, Status, text, tool_use
from tests.agent.helpers import API_KEY, make_deps, todo_lines, turn
from worker.agent_loop import LoopConfig, SdkRunner

TURN_TIMEOUT_S = 4.0
ATTEMPT_BUDGET = 3  # one attempt and the SDK's two retries


@contextmanager
def blackhole() -> Iterator[str]:
    """A port whose listen queue is full: connecting to it times out."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(4):
        s = socket.socket()
        s.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            s.connect(("127.0.0.1", port))
        fillers.append(s)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for s in [*fillers, server]:
            s.close()


@dataclass
class Scenario:
    name: str
    first: list[Reply]  # what the first model call gets, attempt by attempt
    second: list[Reply]  # the same for the second call (after the tool ran)
    expect_ok: bool


ADD = Msg([text("Adding it."), tool_use("add_task", {"text": "Buy oat milk @errands"})])
DONE = Msg([text("Added oat milk.")])
SCENARIOS = [
    Scenario(
        "429_retry_after",
        [Status(429, "rate_limit_error", "slow down", {"retry-after": "1"}), ADD],
        [DONE],
        True,
    ),
    Scenario(
        "429_spend_limit", [Status(429, "rate_limit_error", "spend limit reached")], [], False
    ),
    Scenario(
        "429_spend_limit_mid_turn",
        [ADD],
        [Status(429, "rate_limit_error", "spend limit reached")],
        False,
    ),
    Scenario(
        "529_overloaded",
        [Status(529, "overloaded_error", "Overloaded", {"retry-after-ms": "100"})] * 3,
        [],
        False,
    ),
    Scenario(
        "529_then_ok",
        [Status(529, "overloaded_error", "Overloaded", {"retry-after-ms": "100"}), ADD],
        [DONE],
        True,
    ),
    Scenario(
        "500_then_ok",
        [ADD],
        [Status(500, "api_error", "boom", {"retry-after-ms": "100"}), DONE],
        True,
    ),
    Scenario("read_timeout", [Hang(30)] * 3, [], False),
    Scenario("stream_cut_mid_tool_call", [Cut(ADD, after_events=5), ADD], [DONE], True),
    Scenario("stream_cut_twice", [Cut(ADD, after_events=5), Cut(ADD, after_events=6)], [], False),
]


@dataclass
class Outcome:
    elapsed: float
    requests: int
    attempts: int  # HTTP attempts of the model call that failed (or the last one)
    status: str
    mode: str
    text: str
    oat: int  # times the milk is in todo.txt


def run_scenario(org: OrgRepo, fake: FakeAnthropic, sc: Scenario) -> Outcome:
    fake.script(*sc.first, *sc.second)
    deps = make_deps(org, fake, turn_timeout_s=TURN_TIMEOUT_S, request_timeout_s=1.5)
    started = time.monotonic()
    result = turn(deps, "add buy oat milk @errands")
    elapsed = time.monotonic() - started
    retries = [int(r.headers.get("x-stainless-retry-count", 0)) for r in fake.requests]
    oat = sum("oat milk" in t for t in todo_lines(org))
    return Outcome(
        elapsed,
        len(fake.requests),
        max(retries, default=0) + 1,
        result.status,
        result.mode,
        result.text,
        oat,
    )


def connect_timeout(org: OrgRepo) -> Outcome:
    with blackhole() as url:
        runner = SdkRunner(
            LoopConfig(
                api_key=API_KEY,
                base_url=url,
                model="claude-sonnet-4-6",
                turn_timeout_s=TURN_TIMEOUT_S,
                request_timeout_s=1.5,
            )
        )
        deps = TurnDeps(org, MemoryState(), DirectApply(org), runner)
        started = time.monotonic()
        result = turn(deps, "add buy oat milk @errands")
        elapsed = time.monotonic() - started
        runner.close()
    oat = sum("oat milk" in t for t in todo_lines(org))
    return Outcome(
        elapsed,
        runner.last_attempts,
        runner.policy.call_attempts,
        result.status,
        result.mode,
        result.text,
        oat,
    )


def test_row19_api_faults(demo_template: Path, tmp_path: Path) -> None:
    report: dict[str, Outcome] = {}
    for n, sc in enumerate(SCENARIOS):
        root = tmp_path / f"org{n}"
        shutil.copytree(demo_template, root, symlinks=True)
        fake = FakeAnthropic().start()
        try:
            report[sc.name] = run_scenario(OrgRepo(root), fake, sc)
        finally:
            fake.stop()
    shutil.copytree(demo_template, tmp_path / "org-connect", symlinks=True)
    report["connect_timeout"] = connect_timeout(OrgRepo(tmp_path / "org-connect"))

    worst = max(r.elapsed for r in report.values())
    twice = sum(r.oat > 1 for r in report.values())
    unclear = [k for k, r in report.items() if not r.text.strip()]
    for name, r in report.items():
        print(
            f"ROW19 {name}: {r.status}/{r.mode} in {r.elapsed:.2f}s, attempts={r.attempts} "
            f"requests={r.requests}, applied={r.oat}: {r.text[:90]!r}"
        )
    print(
        f"ROW19 commands={len(report)} clear_outcome={len(report) - len(unclear)} "
        f"max_seconds={worst:.2f} (bound {TURN_TIMEOUT_S + 1:g}) "
        f"max_attempts_per_call={max(r.attempts for r in report.values())} "
        f"spend_limit_retries={report['429_spend_limit'].requests - 1} "
        f"edits_applied_twice={twice}"
    )
    assert unclear == []
    assert worst <= TURN_TIMEOUT_S + 1
    assert twice == 0
    assert report["429_spend_limit"].requests == 1
    assert all(r.attempts <= ATTEMPT_BUDGET for r in report.values())
    for name, r in report.items():
        # The milk is added exactly once in every case: by the model, by the built-in commands
        # when the model could not help, or by the model before it failed mid-turn.
        assert r.oat == 1, name
    assert "spending limit" in report["429_spend_limit"].text
    assert "did not answer within" in report["read_timeout"].text
    assert "did not answer within" in report["connect_timeout"].text
