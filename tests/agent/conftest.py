"""Fixtures for the agent: the demo org repo (a git repo per test), the fake model endpoint,
and the pieces of a turn wired to apply operations directly."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cli.demo_repo import create_demo_repo
from shared.agent.state import MemoryState
from shared.agent.turn import TurnDeps
from shared.apply import apply_operation
from shared.operations import Operation, OpResult
from shared.org_repo import OrgRepo
from tests.agent.fake_anthropic import FakeAnthropic

ANCHOR = date(2026, 11, 23)  # a Monday: the demo repo's dates are written around it
ZONE = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return create_demo_repo(tmp_path_factory.mktemp("demo") / "org", ANCHOR)


@pytest.fixture
def org(demo_template: Path, tmp_path: Path) -> OrgRepo:
    dest = tmp_path / "org"
    shutil.copytree(demo_template, dest, symlinks=True)
    return OrgRepo(dest)


@pytest.fixture(autouse=True)
def close_runners() -> Iterator[None]:
    """Model clients made by a test are closed when it ends (no sockets left to the GC)."""
    from tests.agent.helpers import OPEN_RUNNERS

    yield
    while OPEN_RUNNERS:
        OPEN_RUNNERS.pop().close()


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic().start()
    try:
        yield server
    finally:
        server.stop()


class DirectApply:
    """Applies operations in-process (what the repo lane does), recording each."""

    def __init__(self, repo: OrgRepo, now: datetime = NOW) -> None:
        self.repo = repo
        self.now = now
        self.calls: list[Operation] = []

    def __call__(self, op: Operation) -> OpResult:
        self.calls.append(op)
        return apply_operation(self.repo, op, self.now)


@pytest.fixture
def direct(org: OrgRepo) -> DirectApply:
    return DirectApply(org)


@pytest.fixture
def deps(org: OrgRepo, direct: DirectApply) -> TurnDeps:
    """No model: the built-in commands answer."""
    return TurnDeps(repo=org, state=MemoryState(), apply=direct)
