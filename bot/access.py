"""Owner only: everyone not in ``DISCORD_ALLOWED_USER_IDS`` gets a polite refusal.

The check is the bot's own, by user id, for every interaction (slash commands, autocomplete,
buttons) and every message; it does not rely on Discord's command permissions, which a guild
admin can override, nor on where the command was used (guild, DM, user-installed app).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.client import AssistantBot

log = logging.getLogger(__name__)

REFUSAL = (
    "Sorry, this is a private assistant: it only works for its owner. Nothing was read or changed."
)


def owner_ids(client: Any) -> frozenset[int]:
    return frozenset(client.services.settings.discord_allowed_user_ids)


async def check_owner(interaction: discord.Interaction[Any]) -> bool:
    """True for the owner; anyone else is refused (privately) and False is returned."""
    if interaction.user.id in owner_ids(interaction.client):
        return True
    log.warning(
        "refused %s from user %s (guild %s)",
        interaction.type.name,
        interaction.user.id,
        interaction.guild_id,
    )
    if interaction.response.is_done():
        return False
    if interaction.type is discord.InteractionType.autocomplete:
        await interaction.response.autocomplete([])
    else:
        await interaction.response.send_message(REFUSAL, ephemeral=True)
    return False


class OwnerTree(app_commands.CommandTree["AssistantBot"]):
    """The command tree: every slash command and autocomplete passes :func:`check_owner`."""

    async def interaction_check(self, interaction: discord.Interaction[AssistantBot], /) -> bool:
        return await check_owner(interaction)

    async def on_error(
        self, interaction: discord.Interaction[AssistantBot], error: app_commands.AppCommandError, /
    ) -> None:
        name = interaction.command.qualified_name if interaction.command else "?"
        log.error("/%s failed", name, exc_info=error)
        text = f"Sorry, /{name} failed: {type(getattr(error, 'original', error)).__name__}."
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not report the failure of /%s", name)


class OwnerItem:
    """Mixin for buttons: only the owner may press them."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        return await check_owner(interaction)
