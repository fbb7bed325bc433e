"""The liveness file: ``VAR_DIR/bot.heartbeat`` touched every 30 s while the bot is connected
to Discord; the container's health check (:mod:`worker.probes`) reads its age."""

from __future__ import annotations

import logging
from pathlib import Path

from discord.ext import commands, tasks

from bot.client import AssistantBot
from worker.probes import BOT_HEARTBEAT_EVERY_S, BOT_HEARTBEAT_FILE

log = logging.getLogger(__name__)


def heartbeat_path(var_dir: Path) -> Path:
    return var_dir / BOT_HEARTBEAT_FILE


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


class HeartbeatCog(commands.Cog):
    def __init__(self, bot: AssistantBot) -> None:
        self.bot = bot
        self.path = heartbeat_path(bot.services.settings.var_dir)

    async def cog_load(self) -> None:
        self.beat.start()

    async def cog_unload(self) -> None:
        self.beat.cancel()

    def connected(self) -> bool:
        ws = self.bot.ws
        return self.bot.is_ready() and not self.bot.is_closed() and ws is not None and ws.open

    @tasks.loop(seconds=BOT_HEARTBEAT_EVERY_S)
    async def beat(self) -> None:
        if not self.connected():
            return
        try:
            await self.bot.services.run(touch, self.path)
        except OSError as exc:
            log.warning("cannot touch the heartbeat file %s: %s", self.path, exc)

    @beat.before_loop
    async def before_beat(self) -> None:
        await self.bot.wait_until_ready()

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        await self.beat()


async def setup(bot: AssistantBot) -> None:
    await bot.add_cog(HeartbeatCog(bot))
