"""A turn interrupted mid-way (worker crash, cut stream) never applies a tool call twice."""

from __future__ import annotations

from shared.operations import Operation, OpResult
from shared.org_repo import OrgRepo
from tests.agent.conftest import DirectApply
from tests.agent.fake_anthropic import Cut, FakeAnthropic, Msg, text, tool_use
from tests.agent.helpers import make_deps, todo_lines, turn


class WorkerDied(BaseException):
    """Stands for SIGKILL: nothing after it runs in this process."""


class CrashAfterApply(DirectApply):
    def __call__(self, op: Operation) -> OpResult:
        super().__call__(op)
        raise WorkerDied()


def test_a_turn_run_again_after_a_crash_resumes_and_applies_once(
    org: OrgRepo, fake: FakeAnthropic
) -> None:
    fake.script(
        Msg([tool_use("add_task", {"text": "Renew the library card @errands"})]),
        Msg([text("Added the library card task.")]),
    )
    deps = make_deps(org, fake)
    deps.apply = CrashAfterApply(org)
    try:
        turn(deps, "add renew the library card", turn_id="turn-crash")
    except WorkerDied:
        pass
    else:
        raise AssertionError("the crash did not happen")
    assert sum("Renew the library card" in t for t in todo_lines(org)) == 1, todo_lines(org)[-3:]
    assert len(fake.requests) == 1

    deps.apply = DirectApply(org)
    result = turn(deps, "add renew the library card", turn_id="turn-crash")
    assert result.text == "Added the library card task."
    assert sum("Renew the library card" in t for t in todo_lines(org)) == 1
    assert result.applied[0]["duplicate"] is True
    assert len(fake.requests) == 2  # the first model answer was not asked for again


def test_a_stream_cut_mid_tool_call_is_asked_again_and_applied_once(
    org: OrgRepo, fake: FakeAnthropic
) -> None:
    call = tool_use("add_task", {"text": "Buy grout +house"})
    fake.script(
        Cut(Msg([text("Adding it."), call]), after_events=6),
        Msg([text("Adding it."), call]),
        Msg([text("Done.")]),
    )
    result = turn(make_deps(org, fake), "add buy grout")
    assert result.status == "ok" and result.text == "Done."
    assert sum("Buy grout" in t for t in todo_lines(org)) == 1
    assert len(fake.requests) == 3
