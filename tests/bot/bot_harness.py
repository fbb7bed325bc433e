"""Running the real bot against the fake Discord: in this process on its own thread (most tests),
or as a ``python -m bot`` subprocess that can be killed (``run_bot_process.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.client import AssistantBot
from bot.services import BotServices, build_services
from shared.settings import Settings
from tests.bot.fake_discord import FakeDiscord
from tests.bot.fake_state import wait_for
from tests.worker.worker_harness import FAST_ENV, ROOT

RUNNER = Path(__file__).with_name("run_bot_process.py")
LOOP_BLOCK_LIMIT_S = 0.25


def bot_env(fake: FakeDiscord, redis_url: str, repo: Path, var_dir: Path) -> dict[str, str]:
    """Environment variables for a bot (in a subprocess, or as the settings of one here)."""
    return {
        **FAST_ENV,
        "REDIS_URL": redis_url,
        "ORG_REPO_PATH": str(repo),
        "VAR_DIR": str(var_dir),
        "DISCORD_BOT_TOKEN": fake.token,
        "DISCORD_GUILD_ID": str(fake.guild_id),
        "DISCORD_CHANNEL_ID": str(fake.channel_id),
        "DISCORD_ALLOWED_USER_IDS": f"[{fake.owner_id}]",
        "AGENT_TURN_TIMEOUT_S": "20",
        "LOG_LEVEL": "INFO",
    }


def bot_settings(env: dict[str, str]) -> Settings:
    values: dict[str, Any] = {k.lower(): v for k, v in env.items()}
    values["discord_allowed_user_ids"] = json.loads(env["DISCORD_ALLOWED_USER_IDS"])
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class SlowCallbacks(logging.Handler):
    """asyncio's debug-mode reports of a callback that held the event loop too long."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Executing "):
            self.found.append(message)


class BotThread:
    """The real bot on its own event loop and thread; :meth:`call` runs a coroutine there.

    Once the bot is ready the loop runs in asyncio's debug mode: any callback that holds it for
    more than :data:`LOOP_BLOCK_LIMIT_S` (a blocking call on the loop) is recorded in
    :attr:`slow` and fails the test."""

    def __init__(self, services: BotServices, fake: FakeDiscord) -> None:
        self.fake = fake
        self.services = services
        self.loop = asyncio.new_event_loop()
        self.bot: AssistantBot | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)
        self.error: BaseException | None = None
        self.slow = SlowCallbacks()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported by stop()
            self.error = exc
        finally:
            # As asyncio.run does: end the worker threads, and with them the per-thread Celery
            # result backends (whose waits unsubscribe from Redis when they go).
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
            self.loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        self.bot = AssistantBot(self.services, guild_ready_timeout=0.1)
        task = asyncio.create_task(self.bot.start(self.fake.token))
        stopping = asyncio.create_task(self._stop.wait())
        await asyncio.wait([task, stopping], return_when=asyncio.FIRST_COMPLETED)
        await self.bot.close()
        stopping.cancel()
        await task

    def start(self) -> BotThread:
        syncs = self.fake.syncs
        self._thread.start()
        wait_for(
            lambda: self.error or (self.bot and self.bot.is_ready()), 20, "the bot to be ready"
        )
        if self.error is not None:
            raise self.error
        assert self.fake.syncs > syncs, "the bot did not sync its commands"
        logging.getLogger("asyncio").addHandler(self.slow)
        self.call(self._watch_loop())
        return self

    async def _watch_loop(self) -> None:
        self.loop.slow_callback_duration = LOOP_BLOCK_LIMIT_S
        self.loop.set_debug(True)

    def call(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        if self._stop is not None and not self.loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(self.loop.set_debug, False)
                self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)
        logging.getLogger("asyncio").removeHandler(self.slow)
        if self.error is not None:
            raise self.error


def start_bot(
    fake: FakeDiscord,
    env: dict[str, str],
    clock: Callable[[], datetime] | None = None,
    apply_wait_s: float | None = None,
) -> BotThread:
    services = build_services(bot_settings(env), clock)
    if apply_wait_s is not None:
        services.apply_wait_s = apply_wait_s
    return BotThread(services, fake).start()


class BotProcess:
    """``python -m bot`` (through ``run_bot_process.py``) in its own process group."""

    def __init__(self, fake: FakeDiscord, env: dict[str, str], log_path: Path) -> None:
        self.fake = fake
        self.env = {
            **os.environ,
            **env,
            "PYTHONPATH": str(ROOT),
            "FAKE_DISCORD_API": fake.api_base,
            "FAKE_DISCORD_GATEWAY": str(fake.gateway_url),
        }
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, wait: bool = True) -> BotProcess:
        identifies = self.fake.identifies
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(RUNNER)],
                env=self.env,
                cwd=self.log_path.parent,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if wait:
            wait_for(
                lambda: self._failed() or self.fake.identifies > identifies,
                30,
                "the bot process to connect",
            )
        return self

    def _failed(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"the bot exited early:\n{self.log()[-3000:]}")
        return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def terminate(self, timeout: float = 15.0) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
