"""``/help``: what the bot does, with examples."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import AssistantBot
from bot.embeds import BLUE
from bot.replies import followup

COMMANDS = (
    ("/today", "Events, what is due or late, waiting-for items."),
    ("/briefing", "The morning briefing, now."),
    ("/tasks [filter]", "Open tasks. `/tasks filter: @phone` · `/tasks filter: +house (A)`"),
    ("/add task:", "`/add task: Call Ana about the contract +acme @phone due:fri`"),
    ("/done task:", "Start typing and pick the task; or `/done task: 12`."),
    (
        "/suggest [minutes] [energy]",
        "What to do next, with reasons. `/suggest minutes: 30 energy: low`",
    ),
    ("/context [name]", "Show where you are, or set it: `/context name: home` (`auto` to reset)."),
    ("/review", "The weekly review, step by step; ✓ applies a proposed change."),
    ("/history", "Recent changes, from here, the web, the agent and git."),
    ("/undo", "Undo the assistant's most recent change (refused if you edited those lines since)."),
    ("/help", "This list."),
)
CHAT = (
    "Or just write to me here or in a DM: “add call the plumber tomorrow @phone”, "
    "“done call the plumber”, “what's on today?”, “plan my afternoon”. "
    "Changes that delete or overwrite something wait for your ✓ Confirm."
)


def help_embed() -> discord.Embed:
    embed = discord.Embed(title="What I can do", colour=BLUE, description=CHAT)
    for name, text in COMMANDS:
        embed.add_field(name=name, value=text, inline=False)
    embed.set_footer(text="Slash commands work without the language model.")
    return embed


class HelpCog(commands.Cog):
    @app_commands.command(name="help", description="What the assistant can do, with examples")
    async def help(self, interaction: discord.Interaction[AssistantBot]) -> None:
        await interaction.response.defer(thinking=True)
        await followup(interaction, embed=help_embed())


async def setup(bot: AssistantBot) -> None:
    await bot.add_cog(HelpCog())
