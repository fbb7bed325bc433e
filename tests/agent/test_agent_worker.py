"""Agent turns as Celery tasks: a real agent-lane worker and a real repo-lane worker, Redis, git,
and the fake model endpoint. Changes go through the repo lane; progress streams through Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from shared.agent.turn import TurnResult
from shared.operations import AddTask
from tests.agent.fake_anthropic import FakeAnthropic, Hang, Msg, text, tool_use
from tests.agent.helpers import API_KEY
from tests.worker.worker_harness import (
    GitWorld,
    WorkerProcess,
    client_settings,
    run_git,
    worker_env,
)
from worker import client
from worker.agent_store import RedisAgentState
from worker.agent_tasks import agent_worker_available, enqueue_turn
from worker.app import OrgCelery, create_celery_app
from worker.redis_server import RedisServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tmp_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("agent-lanes")


@pytest.fixture(scope="module")
def world(demo_template: Path, tmp_module: Path) -> GitWorld:
    files = {
        str(p.relative_to(demo_template)): p.read_bytes()
        for p in demo_template.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }
    world = GitWorld.create(tmp_module, files)
    run_git(tmp_module, "clone", "-q", world.url, str(world.repo))
    return world


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def fresh_script(fake: FakeAnthropic) -> None:
    fake.default = None
    fake._script.clear()
    fake.requests.clear()


@pytest.fixture(scope="module")
def rdb(redis_server: RedisServer) -> Iterator[redis.Redis]:
    redis_server.resume()
    if not redis_server.running():
        redis_server.restart()
    r = redis.Redis.from_url(redis_server.url)
    r.flushall()
    try:
        yield r
    finally:
        r.close()


@pytest.fixture(scope="module")
def lanes(
    rdb: redis.Redis,
    redis_server: RedisServer,
    world: GitWorld,
    fake: FakeAnthropic,
    tmp_module: Path,
) -> Iterator[dict[str, WorkerProcess]]:
    env = worker_env(
        redis_server.url,
        world.repo,
        world.url,
        ANTHROPIC_API_KEY=API_KEY,
        ANTHROPIC_BASE_URL=fake.url,
        ASSISTANT_MODEL="claude-sonnet-4-6",
        AGENT_TURN_TIMEOUT_S="20",
        AGENT_REQUEST_TIMEOUT_S="10",
        TIMEZONE="Europe/Madrid",
    )
    procs = {
        "repo": WorkerProcess(env, tmp_module / "w", queues="repo", name="repo"),
        "agent": WorkerProcess(env, tmp_module / "w", queues="agent", name="agent"),
    }
    threads = [threading.Thread(target=p.start) for p in procs.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        yield procs
    finally:
        for p in procs.values():
            p.kill()


@pytest.fixture(scope="module")
def app(redis_server: RedisServer, world: GitWorld) -> Iterator[OrgCelery]:
    celery_app = create_celery_app(client_settings(redis_server.url, world.repo, world.url))
    try:
        yield celery_app
    finally:
        celery_app.close()


def follow(
    state: RedisAgentState, conversation: str, turn_id: str, after: str = "0-0", timeout: float = 30
) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry_id, event in state.events(conversation, after, 500):
            after = entry_id
            if event.get("turn_id") == turn_id:
                events.append(event)
                if event["type"] == "done":
                    return events
    raise AssertionError(f"no done event; got {events}")


def test_a_turn_runs_on_the_agent_lane_streams_and_changes_go_through_the_repo_lane(
    lanes: dict[str, WorkerProcess],
    app: OrgCelery,
    rdb: redis.Redis,
    world: GitWorld,
    fake: FakeAnthropic,
) -> None:
    fake.script(
        Msg([text("Adding it now."), tool_use("add_task", {"text": "Buy grout +house @errands"})]),
        Msg([text("Added: buy grout, for the bathroom.")]),
    )
    assert agent_worker_available(app)
    state = RedisAgentState(rdb)
    turn_id = enqueue_turn(app, "web-1", "add buy grout for the bathroom", "web")
    events = follow(state, "web-1", turn_id)
    kinds = [e["type"] for e in events]
    assert kinds.index("text") < kinds.index("tool") < kinds.index("done")
    assert "".join(e["text"] for e in events if e["type"] == "text").startswith("Adding it now.")
    done = TurnResult(
        **{k: v for k, v in events[-1].items() if k in TurnResult.__dataclass_fields__}
    )
    assert done.text == "Added: buy grout, for the bathroom." and done.mode == "model"
    assert (
        world.repo_file("todo.txt").decode().splitlines()[-1].endswith("Buy grout +house @errands")
    )
    log = run_git(world.repo, "log", "-3", "--format=%s%n%b")
    assert "add task: Buy grout +house @errands" in log
    assert client.wait_task(app, turn_id, 5)["text"] == done.text  # the Celery result too
    history = state.history("web-1")
    assert history[-1]["reply"] == done.text
    day = json.dumps(state.recent_turns(1))
    assert turn_id in day


def test_a_quick_edit_is_not_stuck_behind_a_slow_turn(
    lanes: dict[str, WorkerProcess],
    app: OrgCelery,
    rdb: redis.Redis,
    world: GitWorld,
    fake: FakeAnthropic,
) -> None:
    def slow(body: dict[str, Any]) -> Msg:
        time.sleep(2.5)
        return Msg([text("Thought about it.")])

    fake.script(slow)
    turn_id = enqueue_turn(app, "web-2", "think hard about my week", "web")
    time.sleep(0.5)
    started = time.monotonic()
    applied = client.apply_via_queue(app, AddTask(text="Quick one @phone", source="web"), 10)
    quick = time.monotonic() - started
    assert applied.result.data["raw"].endswith("Quick one @phone")
    events = follow(RedisAgentState(rdb), "web-2", turn_id)
    assert events[-1]["text"] == "Thought about it."
    print(f"quick edit during a slow turn applied in {quick:.2f}s")
    assert quick < 2.0


def test_confirmation_through_the_worker(
    lanes: dict[str, WorkerProcess],
    app: OrgCelery,
    rdb: redis.Redis,
    world: GitWorld,
    fake: FakeAnthropic,
) -> None:
    lines = world.repo_file("todo.txt").decode().splitlines()
    n = 1 + next(i for i, t in enumerate(lines) if "Four Thousand Weeks" in t)
    fake.script(Msg([tool_use("delete_task", {"line": n, "expect": "Four Thousand"})]))
    state = RedisAgentState(rdb)
    first = enqueue_turn(app, "web-3", "delete the book task", "web")
    held = follow(state, "web-3", first)[-1]
    assert held["status"] == "pending" and held["pending_id"]
    assert "Four Thousand Weeks" in world.repo_file("todo.txt").decode()
    second = enqueue_turn(app, "web-3", f"confirm {held['pending_id']}", "web")
    done = follow(state, "web-3", second)[-1]
    assert done["mode"] == "confirm" and done["text"].startswith("Done: delete task")
    assert "Four Thousand Weeks" not in world.repo_file("todo.txt").decode()


def test_a_turn_killed_mid_way_and_run_again_applies_each_change_once(
    lanes: dict[str, WorkerProcess],
    app: OrgCelery,
    rdb: redis.Redis,
    world: GitWorld,
    fake: FakeAnthropic,
) -> None:
    fake.script(
        Msg([tool_use("add_task", {"text": "Renew the library card @errands"})]),
        Hang(60),  # the worker is killed while the second model call hangs
        Msg([text("Added the library card task.")]),
    )
    state = RedisAgentState(rdb)
    turn_id = enqueue_turn(app, "web-4", "add renew the library card", "web")
    deadline = time.monotonic() + 20
    while len(fake.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert b"Renew the library card" in world.repo_file("todo.txt")
    lanes["agent"].kill()
    assert state.load_checkpoint(turn_id) is not None
    lanes["agent"].start()
    enqueue_turn(app, "web-4", "add renew the library card", "web", turn_id=turn_id)
    events = follow(state, "web-4", turn_id)
    assert events[-1]["text"] == "Added the library card task."
    assert world.repo_file("todo.txt").decode().count("Renew the library card") == 1
    # The crash came after the tool result was checkpointed: the resumed turn goes on from there.
    assert events[-1]["applied"] == []


def test_myorg_ask_runs_the_turn_on_the_agent_worker(
    lanes: dict[str, WorkerProcess],
    redis_server: RedisServer,
    rdb: redis.Redis,
    world: GitWorld,
    fake: FakeAnthropic,
) -> None:
    fake.script(
        Msg([text("Adding."), tool_use("add_task", {"text": "Water the ficus @home"})]),
        Msg([text("Added the ficus.")]),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "ORG_"))}
    env.update(
        REDIS_URL=redis_server.url,
        ORG_REPO_PATH=str(world.repo),
        TIMEZONE="UTC",
        PYTHONIOENCODING="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "cli", "ask", "--conversation", "cli-remote", "add water the ficus"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Adding.\nAdded the ficus.\n"
    assert world.repo_file("todo.txt").decode().splitlines()[-1].endswith("Water the ficus @home")
    assert RedisAgentState(rdb).recent_turns(1)[-1]["conversation_id"] == "cli-remote"


def test_undo_in_chat_reverts_the_last_change_through_the_repo_lane(
    lanes: dict[str, WorkerProcess],
    app: OrgCelery,
    rdb: redis.Redis,
    world: GitWorld,
    fake: FakeAnthropic,
) -> None:
    before = world.repo_file("todo.txt")
    client.apply_via_queue(app, AddTask(text="Undo me from the chat +house", source="web"), 10)
    assert b"Undo me from the chat" in world.repo_file("todo.txt")
    state = RedisAgentState(rdb)
    turn_id = enqueue_turn(app, "web-undo", "undo that", "discord")
    done = follow(state, "web-undo", turn_id)[-1]
    assert done["text"] == "Undone: add task: Undo me from the chat +house"
    assert done["mode"] == "builtin" and fake.requests == []  # a command: the model is not asked
    assert world.repo_file("todo.txt") == before
    log = run_git(world.repo, "log", "-1", "--format=%s").strip()
    assert log == "undo: add task: Undo me from the chat +house (via discord)"
