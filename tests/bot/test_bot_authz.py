"""Row 20 of the reliability plan: only the owner is served. The same commands from a non-owner
in the guild (with administrator permissions, as if an admin had overridden the commands'
permissions), in a DM, and through a user-installed context are refused, and nothing is read
into a reply or changed; the owner's are all carried out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis

from bot.access import REFUSAL
from tests.bot.bot_harness import BotThread
from tests.bot.fake_discord import FakeDiscord
from tests.bot.fake_state import Interaction, buttons, wait_for
from tests.worker.worker_harness import GitWorld, WorkerFactory

pytestmark = pytest.mark.slow

PLACES = ("guild", "dm", "user_install")
COMMANDS: list[tuple[str, dict[str, object]]] = [
    ("help", {}),
    ("today", {}),
    ("briefing", {}),
    ("tasks", {"filter": "@phone"}),
    ("suggest", {"minutes": 20}),
    ("context", {"name": "home"}),
    ("history", {}),
    ("review", {}),
    ("add", {"task": "Sneaky task +house"}),
    ("done", {"task": "1"}),
    ("undo", {}),
]
# Tasks no command here touches: the /done commands sent just before complete line 1 (the
# plumber's task, +house) and /undo may take back the added "+house" task, so an autocomplete
# answered after them may have no open plumber task and no +house project left to offer.
AUTOCOMPLETE = [("done", {"task": "milk"}), ("add", {"task": "x +f"})]


def stray_keys(client: redis.Redis) -> list[bytes]:
    return [k for k in client.scan_iter() if not k.startswith(b"myorg:outbox")]


def run_all(fake: FakeDiscord, user_id: int) -> list[tuple[str, Interaction]]:
    """Every command and autocomplete in every place, as ``user_id``; waits for the answers."""
    sent = []
    for where in PLACES:
        for name, options in COMMANDS:
            sent.append(
                (
                    f"/{name} ({where})",
                    fake.run_command(name, options, user_id=user_id, where=where),
                )
            )
        for name, options in AUTOCOMPLETE:
            record = fake.run_command(name, options, user_id=user_id, where=where, focused="task")
            sent.append((f"/{name} autocomplete ({where})", record))
    for _, record in sent:
        fake.wait_reply(record)
    return sent


def executed(fake: FakeDiscord, label: str, record: Interaction) -> bool:
    if record.choices is not None:
        return bool(record.choices)
    return REFUSAL not in fake.reply_text(record)


def test_row20_only_the_owner_is_served(
    cloned: GitWorld,
    fake: FakeDiscord,
    run_bot: Callable[..., BotThread],
    redis_client: redis.Redis,
    workers: WorkerFactory,
) -> None:
    before = {name: cloned.repo_file(name) for name in ("todo.txt", "calendar.txt")}
    run_bot()
    listing = fake.run_command("tasks")  # the owner's list, with its "done" buttons
    fake.wait_reply(listing)
    (message,) = fake.replies(listing)
    done_button = buttons(message)[0]["custom_id"]
    typed_before = len(fake.typing)

    stranger = run_all(fake, fake.stranger_id)
    pressed = fake.press(message["id"], done_button, user_id=fake.stranger_id)
    stranger.append(("done button (guild)", pressed))
    fake.wait_reply(pressed)
    fake.send_message("add a task for me", fake.stranger_id)
    fake.send_message("what's on today?", fake.stranger_id, dm=True)
    dm = fake.dm_channel_for(fake.stranger_id)
    wait_for(
        lambda: fake.channel_messages(dm) and len(fake.channel_messages()) >= 1,
        10,
        "the refusals of the messages",
    )
    refusals = [m["content"] for m in fake.channel_messages() + fake.channel_messages(dm)]
    assert refusals == [REFUSAL, REFUSAL]

    bad = [label for label, record in stranger if executed(fake, label, record)]
    for label, record in stranger:
        if record.choices is None:
            assert fake.reply_text(record) == REFUSAL, label
            assert int(record.callbacks[0]["data"]["flags"]) & 64, f"{label}: not private"
    assert bad == []
    assert stray_keys(redis_client) == []  # nothing queued, no context set, no review started
    assert {name: cloned.repo_file(name) for name in before} == before
    assert len(fake.typing) == typed_before  # no turn was started for the messages

    workers.start()
    owner = run_all(fake, fake.owner_id)
    owner_done = [label for label, record in owner if executed(fake, label, record)]
    assert owner_done == [label for label, _ in owner]
    total = len(stranger) + 2
    assert "Sneaky task +house" in cloned.repo_file("todo.txt").decode()
    print(f"ROW20 non-owner executed {len(bad)}/{total}; owner {len(owner_done)}/{len(owner)}")
