"""Natural chat with a (fake) language model: the answer streams into a reply edited at most once
a second, a long answer is split under 2,000 characters, and a destructive change waits for the
owner's ✓ Confirm button. Real agent-lane and repo-lane workers; the model is the loopback fake
Anthropic API."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from bot.replies import split_message
from tests.agent.fake_anthropic import FakeAnthropic, Msg, text, tool_use
from tests.bot.bot_harness import BotThread
from tests.bot.fake_discord import FakeDiscord
from tests.bot.fake_state import buttons, wait_for
from tests.worker.worker_harness import GitWorld, WorkerProcess, run_git, worker_env
from worker.redis_server import RedisServer

pytestmark = pytest.mark.slow

API_KEY = "sk-ant-test-bot-0123456789"
LONG = "\n".join(
    f"{n:02d}. " + " ".join(f"step{n}-{w}" for w in range(9)) for n in range(60)
)  # about 5,000 characters over 60 lines


@pytest.fixture(scope="module")
def model() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> GitWorld:
    tmp = tmp_path_factory.mktemp("bot-agent")
    world = GitWorld.create(tmp)
    run_git(tmp, "clone", "-q", world.url, str(world.repo))
    return world


@pytest.fixture(scope="module")
def lanes(redis_server: RedisServer, world: GitWorld, model: FakeAnthropic) -> Iterator[None]:
    redis_server.resume()
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    env = worker_env(
        redis_server.url,
        world.repo,
        world.url,
        ANTHROPIC_API_KEY=API_KEY,
        ANTHROPIC_BASE_URL=model.url,
        ASSISTANT_MODEL="claude-sonnet-4-6",
        AGENT_TURN_TIMEOUT_S="20",
        AGENT_REQUEST_TIMEOUT_S="10",
    )
    work = world.repo.parent / "workers"
    procs = [WorkerProcess(env, work, queues=q, name=q) for q in ("repo", "agent")]
    threads = [threading.Thread(target=p.start) for p in procs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        yield
    finally:
        for p in procs:
            p.kill()


@pytest.fixture(autouse=True)
def clean_redis(model: FakeAnthropic) -> None:
    """Redis is cleaned once, before the module's workers start; the model's script each test."""
    model._script.clear()
    model.requests.clear()


def slow(reply: Msg, seconds: float) -> Callable[[dict[str, Any]], Msg]:
    def respond(body: dict[str, Any]) -> Msg:
        time.sleep(seconds)
        return reply

    return respond


def test_a_long_streamed_answer_is_edited_once_a_second_at_most_and_split(
    lanes: None, fake: FakeDiscord, model: FakeAnthropic, run_bot: Callable[..., BotThread]
) -> None:
    assert 4800 < len(LONG) < 5600
    model.script(
        Msg([text("Let me look at today first."), tool_use("get_todays_events", {})]),
        slow(Msg([text(LONG)]), 2.5),
    )
    run_bot()
    fake.send_message("plan my week in detail", fake.owner_id)
    wait_for(lambda: len(fake.channel_messages()) >= 3, 40, "the three parts of the answer")
    first, second, third = fake.channel_messages()
    expected = split_message(LONG)
    assert len(expected) == 3
    assert [m["content"] for m in (first, second, third)] == expected
    assert all(len(str(m["content"])) <= 2000 for m in (first, second, third))
    # The reply showed the first step's text, then the streamed answer, then its first part.
    moments = [first["created"], *first["edits"]]
    assert len(first["edits"]) >= 2
    gaps = [b - a for a, b in itertools.pairwise(moments)]
    assert min(gaps) >= 0.95, f"edits closer than a second apart: {gaps}"
    assert any(channel == fake.channel_id for channel, _ in fake.typing)
    print(f"streamed reply: {len(first['edits'])} edits, gaps {[round(g, 2) for g in gaps]} s")


def test_a_destructive_change_waits_for_the_confirm_button(
    lanes: None,
    world: GitWorld,
    fake: FakeDiscord,
    model: FakeAnthropic,
    run_bot: Callable[..., BotThread],
) -> None:
    model.script(Msg([tool_use("delete_task", {"line": 3, "expect": "Buy milk"})]))
    run_bot()
    fake.send_message("delete the milk task", fake.owner_id)
    wait_for(lambda: [b for m in fake.channel_messages() for b in buttons(m)], 30, "buttons")
    (held,) = fake.channel_messages()
    assert "Waiting for your confirmation" in str(held["content"])
    assert b"Buy milk" in world.repo_file("todo.txt")
    confirm, cancel = buttons(held)
    assert confirm["label"] == "✓ Confirm" and cancel["label"] == "✗ Cancel"

    stranger = fake.press(held["id"], confirm["custom_id"], user_id=fake.stranger_id)
    assert "private assistant" in fake.wait_reply(stranger)
    assert b"Buy milk" in world.repo_file("todo.txt")

    pressed = fake.press(held["id"], confirm["custom_id"])
    assert fake.wait_followup(pressed).startswith("Done: delete task")
    assert b"Buy milk" not in world.repo_file("todo.txt")
    assert buttons(fake.message(held["id"])) == []  # pressed once, gone

    model.script(Msg([tool_use("delete_task", {"line": 2, "expect": "Ana"})]))
    fake.send_message("delete the Ana task", fake.owner_id)
    wait_for(
        lambda: len(fake.channel_messages()) >= 2 and buttons(fake.channel_messages()[-1]),
        30,
        "the second question",
    )
    again = fake.channel_messages()[-1]
    pressed = fake.press(again["id"], buttons(again)[1]["custom_id"])
    assert fake.wait_followup(pressed).startswith("Cancelled: delete task")
    assert b"Ask Ana for the signed contract" in world.repo_file("todo.txt")
