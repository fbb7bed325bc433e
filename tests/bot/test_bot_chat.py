"""Natural chat without a language model: the owner's message becomes a turn on a real agent-lane
worker (degraded mode: the built-in commands), its change goes through a real repo worker, and
the bot replies in the same place while showing "typing…"."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
import redis

from tests.bot.bot_harness import BotThread
from tests.bot.fake_discord import FakeDiscord
from tests.bot.fake_state import text_of, wait_for
from tests.worker.worker_harness import GitWorld, WorkerProcess, run_git, worker_env
from worker.redis_server import RedisServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> GitWorld:
    tmp = tmp_path_factory.mktemp("bot-chat")
    world = GitWorld.create(tmp)
    run_git(tmp, "clone", "-q", world.url, str(world.repo))
    return world


@pytest.fixture(scope="module")
def lanes(redis_server: RedisServer, world: GitWorld) -> Iterator[None]:
    """A repo-lane and an agent-lane worker (no model key: degraded mode) for the module."""
    redis_server.resume()
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    env = worker_env(redis_server.url, world.repo, world.url, ANTHROPIC_API_KEY="")
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
def clean_redis() -> None:
    """Redis is cleaned once, before the module's workers start (they keep their queues)."""


def bot_replies(fake: FakeDiscord, channel_id: int, count: int) -> list[dict[str, object]]:
    wait_for(lambda: len(fake.channel_messages(channel_id)) >= count, 30, f"{count} bot messages")
    return fake.channel_messages(channel_id)


def test_owner_chat_becomes_an_agent_turn_in_channel_dm_and_mention(
    lanes: None, world: GitWorld, fake: FakeDiscord, run_bot: Callable[..., BotThread]
) -> None:
    run_bot()
    asked = fake.send_message("add call the dentist tomorrow @phone", fake.owner_id)
    (reply,) = bot_replies(fake, fake.channel_id, 1)
    wait_for(lambda: "Added task" in str(fake.message(reply["id"])["content"]), 20, "the answer")
    reply = fake.message(reply["id"])
    assert str(reply["content"]).startswith("Added task #4: ")
    assert str(reply["message_reference"]["message_id"]) == asked  # a reply to the owner's message
    lines = world.repo_file("todo.txt").decode().splitlines()
    assert lines[3].endswith("call the dentist @phone due:" + lines[3].rsplit("due:", 1)[1])
    assert any(channel == fake.channel_id for channel, _ in fake.typing)

    dm = fake.dm_channel_for(fake.owner_id)
    fake.send_message("tasks @phone", fake.owner_id, dm=True)
    (answer,) = bot_replies(fake, dm, 1)
    wait_for(lambda: "@phone task(s)" in text_of(fake.message(answer["id"])), 20, "the DM answer")
    listed = text_of(fake.message(answer["id"]))
    assert "Call the plumber about the leak" in listed and "call the dentist" in listed

    fake.send_message("talking to friends here", fake.owner_id, channel_id=fake.other_channel_id)
    fake.send_message(
        "tasks @store", fake.owner_id, channel_id=fake.other_channel_id, mention_bot=True
    )
    (mentioned,) = bot_replies(fake, fake.other_channel_id, 1)
    wait_for(lambda: "Buy milk" in text_of(fake.message(mentioned["id"])), 20, "the answer")
    assert len(fake.channel_messages(fake.other_channel_id)) == 1  # the plain message: ignored


def test_bots_long_messages_and_empty_mentions_change_nothing(
    lanes: None,
    world: GitWorld,
    fake: FakeDiscord,
    run_bot: Callable[..., BotThread],
    redis_server: RedisServer,
) -> None:
    before = world.repo_file("todo.txt")
    client = redis.Redis.from_url(redis_server.url)
    turns_before = client.xlen(f"myorg:conv:discord-{fake.channel_id}")
    run_bot()
    fake.send_message("add feed the cat", 4242, bot=True)  # another bot: ignored
    fake.send_message("add " + "x" * 9996, fake.owner_id)  # 10,000 characters
    fake.send_message(f"<@{fake.bot_id}>", fake.owner_id, mention_bot=True)
    first, second = bot_replies(fake, fake.channel_id, 2)
    assert first["content"] == (
        "That message is 10,000 characters; I read at most 4,000. Nothing was done: please "
        "shorten it."
    )
    assert second["content"] == "Yes? Write what you need, or try /help."
    assert world.repo_file("todo.txt") == before
    assert client.xlen(f"myorg:conv:discord-{fake.channel_id}") == turns_before  # no turn ran
    client.close()
