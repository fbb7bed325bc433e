"""The bot: a :class:`commands.Bot` holding its services, one cog per feature.

``setup_hook`` loads the cogs and syncs the slash commands — to ``DISCORD_GUILD_ID`` when it is
set (they show up at once), globally otherwise. Nothing has to run once in ``on_ready``, which
Discord may fire again after a reconnect.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from bot.access import OwnerTree
from bot.services import BotServices

log = logging.getLogger(__name__)

COGS = (
    "bot.cogs.tasks",
    "bot.cogs.today",
    "bot.cogs.context",
    "bot.cogs.review",
    "bot.cogs.history",
    "bot.cogs.help",
    "bot.cogs.chat",
    "bot.cogs.outbox",
    "bot.cogs.heartbeat",
)


def bot_intents() -> discord.Intents:
    intents = discord.Intents.default()
    intents.message_content = True  # privileged: enable it in the Developer Portal
    intents.members = False
    intents.presences = False
    return intents


class AssistantBot(commands.Bot):
    def __init__(self, services: BotServices, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            tree_cls=OwnerTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.services = services

    async def setup_hook(self) -> None:
        for name in COGS:
            await self.load_extension(name)
        await self.sync_commands()

    async def sync_commands(self) -> list[discord.app_commands.AppCommand]:
        guild_id = self.services.settings.discord_guild_id
        if guild_id is None:
            synced = await self.tree.sync()
            log.info("synced %d slash commands globally (may take a while to appear)", len(synced))
            return synced
        guild = discord.Object(id=guild_id)
        self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d slash commands to guild %s", len(synced), guild_id)
        return synced

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: messages are the chat cog's."""

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s (%s)", self.user, getattr(self.user, "id", "?"))

    async def close(self) -> None:
        await super().close()
        self.services.close()
