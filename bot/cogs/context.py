"""``/context`` (show or set where the owner is) and ``/suggest`` (what to do next)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import AssistantBot
from bot.embeds import suggest_embed
from bot.replies import followup
from bot.services import BotServices
from shared.context_infer import ContextError, Inferred
from shared.progress import project_progress
from shared.suggest import Suggestion, format_minutes, suggest, weights_from_config
from shared.today import RepoSnapshot
from worker.context_override import DEFAULT_HOURS, clear_override, current_context, set_override

Energy = Literal["low", "med", "high"]
#: Names that clear the override: back to the calendar and the time.
CLEAR_WORDS = frozenset({"auto", "clear", "none", "off", "reset"})


def describe(found: Inferred) -> str:
    if found.context is None:
        return f"No particular context ({found.reason}): every task counts."
    if found.source == "override":
        until = f" until {found.until:%H:%M}" if found.until else ""
        return f"Context **{found.context}** — set by you{until}."
    return f"Context **{found.context}** — from the {found.source}: {found.reason}."


def show_context(services: BotServices) -> Inferred:
    return current_context(services.redis, services.repo, services.now())


def change_context(services: BotServices, name: str, hours: float) -> str:
    """Set the override the web shows too (``myorg:context:override``), or clear it."""
    if name.strip().lower() in CLEAR_WORDS:
        clear_override(services.redis)
        return "Override cleared. " + describe(show_context(services))
    now = services.now()
    set_override(services.redis, name, now + timedelta(hours=hours), now)
    return describe(show_context(services))


def pick_next(
    services: BotServices, minutes: int | None, energy: str | None
) -> tuple[list[Suggestion], Inferred]:
    now = services.now()
    found = current_context(services.redis, services.repo, now)
    snap = RepoSnapshot.load(services.repo, now)
    progress = project_progress(
        snap.projects, snap.tasks + snap.done_tasks, now.date(), snap.config.projects.stalled_days
    )
    picks = suggest(
        snap.tasks,
        now=now,
        context=found.context,
        minutes_available=minutes,
        energy=energy,
        projects=snap.projects,
        quarter=snap.quarter,
        progress=progress,
        weights=weights_from_config(snap.config),
    )
    return picks, found


class ContextCog(commands.Cog):
    def __init__(self, bot: AssistantBot) -> None:
        self.services = bot.services

    @app_commands.command(name="context", description="Show the current context, or set it")
    @app_commands.describe(
        name="A context like home, @office or phone; 'auto' goes back to calendar and time",
        hours="How long a context you set holds (default 4 hours)",
    )
    async def context(
        self,
        interaction: discord.Interaction[AssistantBot],
        name: str | None = None,
        hours: app_commands.Range[float, 0.25, 72.0] = DEFAULT_HOURS,
    ) -> None:
        await interaction.response.defer(thinking=True)
        if name is None or not name.strip():
            found = await self.services.run(show_context, self.services)
            await followup(interaction, describe(found))
            return
        try:
            text = await self.services.run(change_context, self.services, name, hours)
        except ContextError as exc:
            await followup(interaction, f"Not changed: {exc}.")
            return
        await followup(interaction, text)

    @app_commands.command(name="suggest", description="What to do next, with reasons")
    @app_commands.describe(minutes="Time you have, in minutes", energy="Your energy right now")
    async def suggest(
        self,
        interaction: discord.Interaction[AssistantBot],
        minutes: app_commands.Range[int, 1, 1440] | None = None,
        energy: Energy | None = None,
    ) -> None:
        await interaction.response.defer(thinking=True)
        picks, found = await self.services.run(pick_next, self.services, minutes, energy)
        where = [describe(found)]
        if minutes:
            where.append(f"Time: {format_minutes(minutes)}.")
        if energy:
            where.append(f"Energy: {energy}.")
        await followup(interaction, embed=suggest_embed(picks, " ".join(where)))


async def setup(bot: AssistantBot) -> None:
    await bot.add_cog(ContextCog(bot))
