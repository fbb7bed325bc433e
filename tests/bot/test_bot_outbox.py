"""Proactive delivery: the outbox stream read by the bot's consumer group, posted to the channel
(or the owner's DM), acknowledged only after Discord accepted; a bot killed in the middle of a
delivery and restarted posts each message exactly once (``test_bot_process.py``)."""

from __future__ import annotations

from collections.abc import Callable

import redis

from bot import outbox_delivery as od
from tests.bot.bot_harness import BotThread
from tests.bot.fake_discord import FakeDiscord
from tests.bot.fake_state import wait_for
from worker import outbox
from worker.changes import publish_alert, recent_alerts


def titles(fake: FakeDiscord, channel_id: int | None = None) -> list[str]:
    return [m["embeds"][0]["title"] for m in fake.channel_messages(channel_id) if m["embeds"]]


def pending(client: redis.Redis) -> int:
    return int(client.xpending(outbox.OUTBOX_STREAM, outbox.OUTBOX_GROUP)["pending"])


def publish(client: redis.Redis, *names: str) -> None:
    for name in names:
        outbox.publish(client, {"kind": "reminder", "title": name, "text": f"About {name}."})


def test_messages_are_posted_in_order_and_acknowledged(
    fake: FakeDiscord, run_bot: Callable[..., BotThread], redis_client: redis.Redis
) -> None:
    publish(redis_client, "one", "two", "three")
    run_bot()
    publish(redis_client, "four")
    briefing = {"kind": "morning_briefing", "title": "Good morning", "markdown": "**Today**\n- x"}
    outbox.publish(redis_client, briefing)
    wait_for(lambda: len(titles(fake)) == 5 and pending(redis_client) == 0, 20, "five messages")
    assert titles(fake) == ["one", "two", "three", "four", "Good morning"]
    last = fake.channel_messages()[-1]["embeds"][0]
    assert (
        last["description"] == "**Today**\n- x" and last["color"] == od.COLOURS["morning_briefing"]
    )
    assert all(m["nonce"] for m in fake.channel_messages())


def test_stale_messages_of_a_dead_consumer_are_claimed_and_posted_once(
    fake: FakeDiscord, run_bot: Callable[..., BotThread], redis_client: redis.Redis
) -> None:
    publish(redis_client, "alpha", "beta")
    taken = od.new_entries(redis_client, "bot-old-host", block_ms=100)
    assert [e.message["title"] for e in taken if e.message] == ["alpha", "beta"]
    bot = run_bot()
    bot.services.outbox_claim_idle_ms = 300
    bot.services.outbox_claim_every_s = 0.5
    wait_for(lambda: pending(redis_client) == 0, 20, "the claimed messages to be delivered")
    assert titles(fake) == ["alpha", "beta"]


def test_without_a_channel_the_owner_gets_a_direct_message(
    fake: FakeDiscord, run_bot: Callable[..., BotThread], redis_client: redis.Redis
) -> None:
    publish(redis_client, "private note")
    run_bot(discord_channel_id="")
    dm = fake.dm_channel_for(fake.owner_id)
    wait_for(lambda: titles(fake, dm) == ["private note"], 20, "the DM")
    assert pending(redis_client) == 0 and fake.channel_messages() == []


def test_a_message_discord_refuses_is_sent_as_text(
    fake: FakeDiscord, run_bot: Callable[..., BotThread], redis_client: redis.Redis
) -> None:
    fake.add_fault("POST", r"^/channels/\d+/messages$", 400)
    publish(redis_client, "odd one")
    run_bot()
    wait_for(lambda: pending(redis_client) == 0, 20, "the fallback")
    (message,) = fake.channel_messages()
    assert message["content"] == "odd one\nAbout odd one." and message["embeds"] == []


def test_an_alert_reaches_discord_once(
    fake: FakeDiscord, run_bot: Callable[..., BotThread], redis_client: redis.Redis
) -> None:
    text = "todo.txt: line 4 was edited on both sides; both versions are kept"
    publish_alert(redis_client, "sync_merge", text)
    publish_alert(redis_client, "sync_merge", text)  # the same alert again: not posted twice
    run_bot()
    wait_for(lambda: titles(fake) and pending(redis_client) == 0, 20, "the alert")
    publish(redis_client, "after")  # delivered after the alert, so nothing else is on its way
    wait_for(lambda: len(titles(fake)) == 2, 20, "the next message")
    assert titles(fake) == ["Both sides changed the same lines", "after"]
    embed = fake.channel_messages()[0]["embeds"][0]
    assert embed["description"] == text and embed["color"] == od.COLOURS["alert"]
    assert [a["message"] for a in recent_alerts(redis_client)] == [text, text]  # the web's list
