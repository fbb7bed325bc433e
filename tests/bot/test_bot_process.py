"""The bot as its own process (``python -m bot``): it refuses to start without a token, and a
bot killed with SIGKILL in the middle of an outbox delivery, then restarted, posts each message
exactly once; SIGTERM ends it cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from tests.bot.bot_harness import BotProcess
from tests.bot.fake_discord import FakeDiscord
from tests.bot.fake_state import wait_for
from tests.bot.test_bot_outbox import pending, publish, titles
from tests.worker.worker_harness import ROOT
from worker import outbox

pytestmark = pytest.mark.slow


def test_without_a_token_the_bot_says_so_and_does_not_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    env.update(PYTHONPATH=str(ROOT), DISCORD_BOT_TOKEN="", VAR_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip() == "bot: DISCORD_BOT_TOKEN is not set; the Discord bot is not started."
    )


def test_a_bot_killed_mid_delivery_posts_each_message_exactly_once(
    fake: FakeDiscord, env: dict[str, str], redis_client: redis.Redis, tmp_path: Path
) -> None:
    names = [f"message {n}" for n in range(1, 7)]
    publish(redis_client, *names)
    bot = BotProcess(fake, env, tmp_path / "bot.log")
    kills = 0
    for hold_after in (1, 2):
        fake.hold_message_posts(after=hold_after)
        bot.start()
        wait_for(fake.held.is_set, 30, "Discord to accept a message the bot never hears back of")
        bot.kill()  # SIGKILL: after Discord accepted the message, before the acknowledgement
        kills += 1
        fake.release()
    bot.start()
    wait_for(
        lambda: pending(redis_client) == 0 and len(titles(fake)) >= len(names),
        30,
        "every message delivered",
    )
    assert titles(fake) == names, bot.log()[-3000:]
    assert redis_client.xlen(outbox.OUTBOX_STREAM) == len(names)
    assert bot.terminate() == 0  # SIGTERM: a clean exit
    print(f"outbox: {len(names)} messages, bot killed {kills}× mid-delivery, each posted once")
