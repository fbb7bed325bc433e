""" "Undo that" in a conversation: a command, like ``confirm <id>``, carried out with or without
the model, once per turn, through the undo the system gives the turn."""

from __future__ import annotations

from shared.agent.ids import new_turn_id, op_id_for
from shared.agent.state import MemoryState
from shared.agent.turn import NO_UNDO, TurnDeps, TurnRequest, handle_message
from shared.org_repo import OrgRepo
from tests.agent.conftest import NOW, DirectApply
from tests.agent.fake_anthropic import FakeAnthropic
from tests.agent.helpers import make_runner


class Undos:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, undo_id: str, source: str) -> str:
        self.calls.append((undo_id, source))
        return "Undone: add task: call Ana"


def ask(deps: TurnDeps, text: str, turn_id: str, source: str = "web") -> str:
    return handle_message(TurnRequest("c1", turn_id, text, source=source), NOW, deps).text


def test_undo_goes_to_the_undo_with_an_id_from_the_turn(org: OrgRepo, direct: DirectApply) -> None:
    undos = Undos()
    deps = TurnDeps(repo=org, state=MemoryState(), apply=direct, undo=undos)
    turn_id = new_turn_id()
    assert ask(deps, "undo that", turn_id, "discord") == "Undone: add task: call Ana"
    ask(deps, "undo that", turn_id, "discord")  # the same turn delivered again
    assert undos.calls == [(op_id_for(turn_id, "undo"), "discord")] * 2  # one id: undone once
    assert direct.calls == []
    assert deps.state.history("c1")[-1]["reply"] == "Undone: add task: call Ana"


def test_with_the_model_configured_the_model_is_not_asked(
    org: OrgRepo, direct: DirectApply, fake: FakeAnthropic
) -> None:
    undos = Undos()
    deps = TurnDeps(org, MemoryState(), direct, make_runner(fake), undo=undos)
    assert ask(deps, "please undo the last change", new_turn_id()) == "Undone: add task: call Ana"
    assert fake.requests == [] and len(undos.calls) == 1


def test_without_a_repo_worker_it_says_how_to_undo(org: OrgRepo, direct: DirectApply) -> None:
    deps = TurnDeps(repo=org, state=MemoryState(), apply=direct)
    before = (org.root / "todo.txt").read_bytes()
    assert ask(deps, "undo", new_turn_id()) == NO_UNDO
    assert (org.root / "todo.txt").read_bytes() == before
