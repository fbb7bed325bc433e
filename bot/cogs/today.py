"""``/today`` (the day at a glance) and ``/briefing`` (the morning briefing, now)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import AssistantBot
from bot.embeds import briefing_embed, today_embed
from bot.replies import followup
from bot.services import BotServices
from shared.briefing import Briefing, morning_briefing
from shared.today import TodayView, build_today


def read_today(services: BotServices) -> TodayView:
    return build_today(services.repo, services.now())


def read_briefing(services: BotServices) -> Briefing:
    return morning_briefing(services.repo, services.now())


class TodayCog(commands.Cog):
    def __init__(self, bot: AssistantBot) -> None:
        self.services = bot.services

    @app_commands.command(name="today", description="Today: events, what is due or late, waiting")
    async def today(self, interaction: discord.Interaction[AssistantBot]) -> None:
        await interaction.response.defer(thinking=True)
        view = await self.services.run(read_today, self.services)
        await followup(interaction, embed=today_embed(view))

    @app_commands.command(name="briefing", description="The morning briefing, now")
    async def briefing(self, interaction: discord.Interaction[AssistantBot]) -> None:
        await interaction.response.defer(thinking=True)
        briefing = await self.services.run(read_briefing, self.services)
        await followup(interaction, embed=briefing_embed(briefing))


async def setup(bot: AssistantBot) -> None:
    await bot.add_cog(TodayCog(bot))
