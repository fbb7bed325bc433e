"""``/history`` (recent changes, from every interface and from git) and ``/undo``."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import discord
import git
from discord import app_commands
from discord.ext import commands

from bot import actions
from bot.client import AssistantBot
from bot.embeds import BLUE, DESCRIPTION_MAX, esc, fit
from bot.replies import followup
from bot.services import BotServices
from shared.owner_time import local_stamp
from worker.history import HistoryEntry, list_history

SHOWN = 15


def history_line(entry: HistoryEntry, zone: ZoneInfo) -> str:
    """One change; its time in the owner's zone (a worker's commit carries its host's offset)."""
    when = local_stamp(entry.when, zone, "%d %b %H:%M")
    who = f"via {', '.join(entry.sources)}" if entry.by_assistant else f"by {entry.author}"
    mark = "↩️ " if entry.reverts else ""
    return f"`{entry.sha[:7]}` {when} — {mark}{esc(entry.subject[:150])} ({esc(who)})"


def history_embed(entries: list[HistoryEntry], zone: ZoneInfo) -> discord.Embed:
    embed = discord.Embed(title="Recent changes", colour=BLUE)
    lines = [history_line(e, zone) for e in entries]
    embed.description = fit(lines, DESCRIPTION_MAX, empty="No commits yet.")
    embed.set_footer(text="/undo reverts the assistant's most recent change.")
    return embed


class HistoryCog(commands.Cog):
    def __init__(self, bot: AssistantBot) -> None:
        self.services: BotServices = bot.services

    @app_commands.command(name="history", description="Recent changes to your files")
    async def history(self, interaction: discord.Interaction[AssistantBot]) -> None:
        await interaction.response.defer(thinking=True)
        try:
            entries = await self.services.run(list_history, self.services.repo.root, SHOWN)
        except (git.GitError, OSError, ValueError) as exc:
            await followup(interaction, f"The history cannot be read: {type(exc).__name__}.")
            return
        zone = await self.services.run(self.services.zone)
        await followup(interaction, embed=history_embed(entries, zone))

    @app_commands.command(name="undo", description="Undo the assistant's most recent change")
    async def undo(self, interaction: discord.Interaction[AssistantBot]) -> None:
        await interaction.response.defer(thinking=True)
        outcome = await actions.undo(self.services)
        await followup(interaction, outcome.message)


async def setup(bot: AssistantBot) -> None:
    await bot.add_cog(HistoryCog(bot))
