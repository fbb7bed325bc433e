"""Row 21 of the reliability plan: Discord outages. Bursts of 429s (per route and global), 5xx
answers, and gateway reconnects (asked for, and a dropped connection) while commands run: no
command is left without a reply, and the bot adds no invalid requests of its own."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis

from tests.bot.bot_harness import BotThread
from tests.bot.fake_discord import FakeDiscord
from tests.bot.fake_state import Interaction, wait_for
from tests.worker.worker_harness import GitWorld
from worker import outbox

CALLBACK = r"^/interactions/\d+/[^/]+/callback$"
FOLLOWUP = r"^/webhooks/\d+/[^/]+$"
CHANNEL_POST = r"^/channels/\d+/messages$"
READ_COMMANDS = ["help", "today", "tasks", "briefing", "suggest", "history"]


def test_row21_commands_survive_429_bursts_5xx_and_gateway_reconnects(
    cloned: GitWorld, fake: FakeDiscord, run_bot: Callable[..., BotThread]
) -> None:
    run_bot()
    injected = [
        fake.add_fault("POST", CALLBACK, 429, times=3, retry_after=0.3),
        fake.add_fault("POST", FOLLOWUP, 429, times=3, retry_after=0.2),
        fake.add_fault("POST", FOLLOWUP, 500, times=2),
        fake.add_fault("POST", CALLBACK, 502, times=1),
        fake.add_fault("POST", FOLLOWUP, 429, times=1, retry_after=0.2, is_global=True),
    ]
    started = time.monotonic()
    sent: list[Interaction] = [fake.run_command(name) for name in READ_COMMANDS]
    fake.force_reconnect()  # Discord asks the bot to reconnect while those run
    sent += [fake.run_command(name) for name in READ_COMMANDS[:3]]
    wait_for(lambda: fake.resumes >= 1, 10, "the bot to resume after RECONNECT")
    fake.drop_gateway()  # the network drops: these arrive while the bot is away
    sent += [fake.run_command(name) for name in READ_COMMANDS[3:]]
    wait_for(lambda: all(fake.answered(r) for r in sent), 60, "every command answered")
    elapsed = time.monotonic() - started

    lost = [r.data["name"] for r in sent if not fake.reply_text(r)]
    assert lost == []
    assert fake.resumes >= 2 and fake.identifies == 1  # both reconnects resumed the session
    assert all(f.left == 0 for f in injected)
    invalid = [r for r in fake.requests() if r.status in (401, 403, 429)]
    faults_429 = sum(f.times for f in injected if f.status == 429)
    assert len(invalid) == faults_429  # every 4xx was injected: none came from the bot itself
    print(
        f"ROW21 commands {len(sent)} under {faults_429} injected 429s, 3 injected 5xx and 2 "
        f"gateway reconnects: lost without a reply {len(lost)}; invalid requests "
        f"{len(invalid)} (all injected, 0 added by the bot; Discord's limit 10,000 per 10 min); "
        f"all answered in {elapsed:.1f} s"
    )


def test_outbox_waits_out_a_discord_outage_and_posts_each_message_once(
    fake: FakeDiscord, run_bot: Callable[..., BotThread], redis_client: redis.Redis
) -> None:
    fake.add_fault("POST", CHANNEL_POST, 503, times=2)
    fake.add_fault("POST", CHANNEL_POST, 500, times=1)
    fake.add_fault("POST", CHANNEL_POST, 429, times=2, retry_after=0.2)
    names = [f"alert {n}" for n in range(12)]
    for name in names:
        outbox.publish(redis_client, {"kind": "alert", "title": name, "text": "!"})
    run_bot()
    wait_for(lambda: len(fake.channel_messages()) == len(names), 40, "every alert")
    assert [m["embeds"][0]["title"] for m in fake.channel_messages()] == names
    wait_for(
        lambda: redis_client.xpending(outbox.OUTBOX_STREAM, outbox.OUTBOX_GROUP)["pending"] == 0,
        10,
        "the acknowledgements",
    )
    statuses = [r.status for r in fake.requests("POST", CHANNEL_POST)]
    assert statuses.count(200) == len(names) and statuses.count(503) == 2
    # 12 posts against a bucket of 5 per window: the bot waited instead of going over it.
    assert statuses.count(429) == 2
