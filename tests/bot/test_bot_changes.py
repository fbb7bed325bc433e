"""Commands that change the repo, end to end: the real bot, the fake Discord, Redis and a real
repo-lane worker; every assertion is on the repository's files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.bot.bot_harness import BotThread
from tests.bot.fake_discord import FakeDiscord
from tests.bot.fake_state import buttons, wait_for
from tests.worker.worker_harness import SEED_FILES, GitWorld, WorkerFactory, run_git
from worker.redis_server import RedisServer

pytestmark = pytest.mark.slow

GUIDE = b"""# Weekly review
## Get clear
- [ ] Archive done tasks to done.txt.
- [ ] Go through @waiting: chase anything older than a week.
## Plan
- [ ] Note the plan in working-memory.txt.
"""


@pytest.fixture
def world(tmp_path: Path) -> GitWorld:
    files = dict(SEED_FILES)
    files["todo.txt"] += b"x 2026-11-21 2026-11-02 Renew the passport @town\n"
    files["skills/weekly-review.md"] = GUIDE
    return GitWorld.create(tmp_path, files)


@pytest.fixture
def worker(cloned: GitWorld, workers: WorkerFactory) -> Iterator[None]:
    workers.start()
    yield


def todo(world: GitWorld) -> list[str]:
    return world.repo_file("todo.txt").decode().splitlines()


def ask(fake: FakeDiscord, name: str, options: dict[str, object] | None = None) -> str:
    return fake.wait_reply(fake.run_command(name, options))


def test_add_done_by_autocomplete_done_button_and_undo(
    worker: None, world: GitWorld, fake: FakeDiscord, run_bot: Callable[..., BotThread]
) -> None:
    run_bot()
    added = ask(fake, "add", {"task": "Pay the electricity bill +house @home due:2026-11-30"})
    assert added.startswith("Added #5: ") and added.endswith(
        "Pay the electricity bill +house @home due:2026-11-30"
    )
    assert todo(world)[4].endswith("Pay the electricity bill +house @home due:2026-11-30")

    record = fake.run_command("done", {"task": "electricity"}, focused="task")
    fake.wait_reply(record)
    (choice,) = record.choices or []
    done = ask(fake, "done", {"task": choice["value"]})
    assert done.startswith("Done #5: x ")
    assert todo(world)[4].startswith("x ") and "electricity" in todo(world)[4]

    listing = fake.run_command("tasks")
    fake.wait_reply(listing)
    (message,) = fake.replies(listing)
    plumber = next(b for b in buttons(message) if b["label"] == "✓ #1")
    pressed = fake.press(message["id"], plumber["custom_id"])
    assert fake.wait_reply(pressed).startswith("Done #1: x ")
    assert todo(world)[0].startswith("x ") and "Call the plumber" in todo(world)[0]
    again = fake.press(message["id"], plumber["custom_id"])
    assert fake.wait_reply(again) == "That task is no longer open (done, edited or removed)."

    undone = ask(fake, "undo")
    assert undone.startswith("Undone: complete task: (A) 2026-11-20 Call the plumber")
    assert todo(world)[0] == SEED_FILES["todo.txt"].decode().splitlines()[0]
    wait_for(
        lambda: "undo: complete task" in run_git(world.repo, "log", "-3", "--format=%s"),
        10,
        "the undo commit",
    )
    assert "via discord" in ask(fake, "history")


def test_weekly_review_step_by_step_applies_only_what_is_confirmed(
    worker: None,
    world: GitWorld,
    fake: FakeDiscord,
    run_bot: Callable[..., BotThread],
    redis_server: RedisServer,
) -> None:
    run_bot()
    record = fake.run_command("review")
    text = fake.wait_reply(record)
    assert text.startswith("Weekly review started.\nWeekly review — step 1 of 3")
    assert "Archive 1 done task to done.txt" in text and "Renew the passport" in text
    (message,) = fake.replies(record)
    ids = [b["custom_id"] for b in buttons(message)]
    assert ids[0].startswith("myorg:review:do:archive-") and ids[-3:] == [
        "myorg:review:next",
        "myorg:review:pass",
        "myorg:review:stop",
    ]

    note = press(fake, message["id"], ids[0], note=True)
    assert note == "Archive 1 done task to done.txt: archive done tasks to done.txt"
    assert b"Renew the passport" in world.repo_file("done.txt")
    assert all("Renew the passport" not in line for line in todo(world))
    message = fake.message(message["id"])
    assert buttons(message)[0]["custom_id"] == "myorg:review:next"

    press(fake, message["id"], "myorg:review:next")
    message = fake.message(message["id"])
    assert "step 2 of 3" in message["embeds"][0]["title"] and "Chase Ana" in str(message["embeds"])
    skip = next(b["custom_id"] for b in buttons(message) if ":skip:" in b["custom_id"])
    press(fake, message["id"], skip)

    resumed = ask(fake, "review")
    assert resumed.startswith("Resuming your weekly review.\nWeekly review — step 2 of 3")
    press(fake, message["id"], "myorg:review:next")
    message = fake.message(message["id"])
    memo = next(b["custom_id"] for b in buttons(message) if ":do:memory-" in b["custom_id"])
    assert press(fake, message["id"], memo, note=True).startswith("Note in working-memory.txt")
    assert b"Weekly review done." in world.repo_file("working-memory.txt")
    press(fake, message["id"], "myorg:review:next")
    final = fake.message(message["id"])
    assert final["embeds"][0]["title"] == "Weekly review — finished 🎉"
    assert final["embeds"][0]["description"] == "2 changes confirmed, 1 skipped."
    assert buttons(final) == []
    assert all("Chase Ana" not in line for line in todo(world))  # skipped: not added
    # The note step wrote the review's line: finishing adds no second one.
    assert world.repo_file("working-memory.txt").count(b"Weekly review") == 1


def press(fake: FakeDiscord, message_id: str, custom_id: str, note: bool = False) -> str:
    """Press a review button; wait for the review message's edit (and the note, if any)."""
    edits = len(fake.message(message_id)["edits"])
    record = fake.press(message_id, custom_id)
    fake.wait_edit(message_id, edits)
    return fake.wait_followup(record) if note else ""
