"""Slash commands that read (and the bad input ones), driven through the real discord.py client
against the fake Discord: each command defers first, then answers with embeds."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import redis

from tests.bot.bot_harness import BotThread
from tests.bot.fake_discord import FakeDiscord
from tests.bot.fake_state import buttons, wait_for
from tests.worker.worker_harness import GitWorld
from worker.context_override import OVERRIDE_KEY


def stray_keys(client: redis.Redis) -> list[bytes]:
    """Keys a command left in Redis (queued tasks, results...), besides the outbox group."""
    return [k for k in client.scan_iter() if not k.startswith(b"myorg:outbox")]


def ask(fake: FakeDiscord, name: str, options: dict[str, object] | None = None) -> str:
    record = fake.run_command(name, options)
    text = fake.wait_reply(record)
    assert record.callbacks[0]["type"] == 5, f"/{name} did not defer first"
    return text


def test_read_commands_answer_with_embeds(
    cloned: GitWorld,
    fake: FakeDiscord,
    run_bot: Callable[..., BotThread],
    redis_client: redis.Redis,
) -> None:
    run_bot()
    assert sorted(c["name"] for c in fake.commands[str(fake.guild_id)]) == sorted(
        [
            "add",
            "briefing",
            "context",
            "done",
            "help",
            "history",
            "review",
            "suggest",
            "tasks",
            "today",
            "undo",
        ]
    )
    assert "/add task:" in ask(fake, "help") and "/undo" in ask(fake, "help")

    today = ask(fake, "today")
    assert today.startswith("Today — Tuesday 24 November")
    assert "Call the plumber about the leak" in today and "📅 tomorrow" in today
    assert "Waiting too long" in today and "Ask Ana for the signed contract" in today

    record = fake.run_command("tasks", {"filter": "@phone"})
    listed = fake.wait_reply(record)
    assert listed.startswith("1 @phone task") and "`#1` 🔴 Call the plumber" in listed
    assert "Buy milk" not in listed
    (message,) = fake.replies(record)
    assert buttons(message)[0]["custom_id"].startswith("myorg:done:1:")

    briefing = ask(fake, "briefing")
    assert briefing.startswith("Good morning — Tue 24 Nov")
    assert "Top priorities" in briefing and "Deadlines in the next 7 days" in briefing

    history = ask(fake, "history")
    assert "seed (by Owner)" in history
    assert stray_keys(redis_client) == []  # reading changed nothing


def test_context_show_set_and_clear_and_suggest_uses_it(
    cloned: GitWorld,
    fake: FakeDiscord,
    run_bot: Callable[..., BotThread],
    redis_client: redis.Redis,
) -> None:
    run_bot()
    assert ask(fake, "context") == "Context **@work** — from the time: work hours."
    suggested = ask(fake, "suggest", {"minutes": 30, "energy": "low"})
    assert "not @work" in suggested and "Time: 30m." in suggested and "Energy: low." in suggested

    assert ask(fake, "context", {"name": "phone", "hours": 2}).startswith(
        "Context **@phone** — set by you until 12:00"
    )
    assert 7100 < redis_client.ttl(OVERRIDE_KEY) <= 7200
    suggested = ask(fake, "suggest")
    first = suggested.split("\n")[2]
    assert first == "1. Call the plumber about the leak" and "@phone" in suggested.split("\n")[3]

    assert ask(fake, "context", {"name": "two words"}).startswith(
        "Not changed: 'two words' is not a context"
    )
    assert redis_client.exists(OVERRIDE_KEY)
    assert ask(fake, "context", {"name": "auto"}).startswith("Override cleared. Context **@work**")
    assert not redis_client.exists(OVERRIDE_KEY)


def test_autocomplete_offers_open_tasks_and_known_tags(
    cloned: GitWorld, fake: FakeDiscord, run_bot: Callable[..., BotThread]
) -> None:
    run_bot()
    record = fake.run_command("done", {"task": ""}, focused="task")
    fake.wait_reply(record)
    names = [c["name"] for c in record.choices or []]
    assert names[0] == "#1 Call the plumber about the leak +house @phone due:2026-11-25"
    assert len(names) == 3 and all(len(n) <= 100 for n in names)
    record = fake.run_command("done", {"task": "ana"}, focused="task")
    fake.wait_reply(record)
    assert [c["name"] for c in record.choices or []] == [
        "#2 Ask Ana for the signed contract @waiting who:Ana +freelance"
    ]
    record = fake.run_command("add", {"task": "Pay the bill +h"}, focused="task")
    fake.wait_reply(record)
    assert [c["value"] for c in record.choices or []] == ["Pay the bill +house"]
    record = fake.run_command("add", {"task": "Pay the bill @"}, focused="task")
    fake.wait_reply(record)
    assert [c["value"] for c in record.choices or []] == [
        "Pay the bill @phone",
        "Pay the bill @store",
        "Pay the bill @waiting",
    ]


def test_bad_input_gets_a_clear_reply_and_changes_nothing(
    cloned: GitWorld,
    fake: FakeDiscord,
    run_bot: Callable[..., BotThread],
    redis_client: redis.Redis,
) -> None:
    before = cloned.repo_file("todo.txt")
    run_bot()
    assert ask(fake, "add", {"task": "   "}).startswith("Nothing added: the task text is empty.")
    assert ask(fake, "add", {"task": "Pay due:someday"}).startswith(
        "Nothing added: due:someday: not a date"
    )
    unknown = ask(fake, "done", {"task": "water the cactus"})
    assert unknown.startswith("No open task matches “water the cactus”. Nothing changed;")
    assert ask(fake, "done", {"task": "#99"}).startswith("No open task matches “#99”.")
    assert ask(fake, "done", {"task": "7:0123456789"}).startswith("No open task matches")
    assert cloned.repo_file("todo.txt") == before
    assert stray_keys(redis_client) == []  # nothing was queued


def test_heartbeat_file_is_touched_while_connected(
    cloned: GitWorld, fake: FakeDiscord, run_bot: Callable[..., BotThread], env: dict[str, str]
) -> None:
    heartbeat = Path(env["VAR_DIR"]) / "bot.heartbeat"
    started = time.time()
    run_bot()
    wait_for(heartbeat.exists, 5, "the heartbeat file")
    assert heartbeat.stat().st_mtime >= started - 1


def test_without_a_guild_commands_are_synced_globally_and_help_names_them_all(
    cloned: GitWorld, fake: FakeDiscord, run_bot: Callable[..., BotThread]
) -> None:
    run_bot(discord_guild_id="")
    names = [c["name"] for c in fake.commands[None]]
    assert len(names) == 11 and str(fake.guild_id) not in fake.commands
    help_text = ask(fake, "help")  # a global command, used in the guild
    assert [n for n in names if f"/{n}" not in help_text] == []
    assert "Today — Tuesday 24 November" in ask(fake, "today")
