"""Natural conversation: the owner's message (in a DM, in ``DISCORD_CHANNEL_ID``, or mentioning
the bot) becomes an agent turn; the reply streams in, and a change the agent holds for
confirmation gets ✓ Confirm / ✗ Cancel buttons."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import defaultdict
from functools import partial
from typing import Any

import discord
import redis
from discord.ext import commands

from bot.access import REFUSAL, OwnerItem
from bot.client import AssistantBot
from bot.replies import retrying
from bot.services import BotServices
from bot.turns import LiveReply, conversation_id, enqueue_turn, follow_turn, keep_typing
from worker.client import QueueUnavailableError

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000
REFUSE_EVERY_S = 60.0
TURN_GRACE_S = 30.0
SOURCE = "discord"


def start_turn(services: BotServices, conv: str, text: str) -> tuple[str, str]:
    """(turn id, last event id before it): read the stream position first, then enqueue."""
    after = services.agent_state().last_event_id(conv)
    return enqueue_turn(services.celery, conv, text, SOURCE), after


async def run_turn(
    services: BotServices, conv: str, text: str, live: LiveReply
) -> dict[str, Any] | None:
    """Start a turn and stream it into ``live``; returns its ``done`` event (None: no answer)."""
    try:
        turn_id, after = await services.run(start_turn, services, conv, text)
    except (QueueUnavailableError, redis.RedisError, OSError) as exc:
        return {
            "text": f"Not sent: the task queue is unreachable ({type(exc).__name__}); "
            "try again in a moment.",
            "status": "error",
        }
    timeout = services.settings.agent_turn_timeout_s + TURN_GRACE_S
    return await follow_turn(services, conv, turn_id, after, live.update, timeout)


def answer_of(done: dict[str, Any] | None, timeout: float) -> tuple[str, str | None]:
    """The text to show and, when a change awaits confirmation, its pending id."""
    if done is None:
        return (
            f"No answer within {timeout:.0f} s: is the agent worker running? "
            "Your message is queued and will be read when it is."
        ), None
    text = str(done.get("text") or "(no answer)")
    pending = done.get("pending_id") if done.get("status") == "pending" else None
    return text, str(pending) if pending else None


class ConfirmButton(
    OwnerItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"myorg:pending:(?P<verb>confirm|cancel):(?P<id>[A-Za-z0-9]{4,32})",
):
    """Confirms or cancels a change the agent is holding (by sending "confirm <id>")."""

    def __init__(self, verb: str, pending_id: str) -> None:
        confirm = verb == "confirm"
        super().__init__(
            discord.ui.Button(
                label="✓ Confirm" if confirm else "✗ Cancel",
                style=discord.ButtonStyle.danger if confirm else discord.ButtonStyle.secondary,
                custom_id=f"myorg:pending:{verb}:{pending_id}",
            )
        )
        self.verb, self.pending_id = verb, pending_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ConfirmButton:
        return cls(match["verb"], match["id"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer()
        await retrying(
            "removing the buttons", partial(interaction.edit_original_response, view=None)
        )
        services: BotServices = interaction.client.services
        conv = conversation_id(interaction.channel, interaction.user.id)
        live = LiveReply(partial(interaction.followup.send, wait=True))
        done = await run_turn(services, conv, f"{self.verb} {self.pending_id}", live)
        text, _ = answer_of(done, services.settings.agent_turn_timeout_s)
        await live.finish(text)


def confirm_view(pending_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmButton("confirm", pending_id))
    view.add_item(ConfirmButton("cancel", pending_id))
    return view


class ChatCog(commands.Cog):
    def __init__(self, bot: AssistantBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.refused: dict[tuple[int, int], float] = {}

    def addressed(self, message: discord.Message) -> bool:
        if message.guild is None:
            return True
        if message.channel.id == self.services.settings.discord_channel_id:
            return True
        return self.bot.user is not None and self.bot.user in message.mentions

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if message.author.bot or message.webhook_id or (me and message.author.id == me.id):
            return
        if not self.addressed(message):
            return
        if not self.services.is_owner(message.author.id):
            await self.refuse(message)
            return
        text = re.sub(rf"<@!?{me.id if me else 0}>", "", message.content).strip()
        if not text:
            await self.say(message, "Yes? Write what you need, or try /help.")
        elif len(text) > MAX_MESSAGE_CHARS:
            await self.say(
                message,
                f"That message is {len(text):,} characters; I read at most "
                f"{MAX_MESSAGE_CHARS:,}. Nothing was done: please shorten it.",
            )
        else:
            await self.converse(message, text)

    async def say(self, message: discord.Message, text: str) -> None:
        await retrying("replying", partial(message.reply, text, mention_author=False))

    async def refuse(self, message: discord.Message) -> None:
        """Politely, at most once a minute per person and channel (no one can make it spam)."""
        now, key = time.monotonic(), (message.author.id, message.channel.id)
        if now - self.refused.get(key, float("-inf")) < REFUSE_EVERY_S:
            return
        self.refused[key] = now
        log.warning("refused a message from user %s", message.author.id)
        await self.say(message, REFUSAL)

    async def converse(self, message: discord.Message, text: str) -> None:
        conv = conversation_id(message.channel, message.author.id)
        live = LiveReply(partial(message.reply, mention_author=False))
        async with self.locks[conv]:  # one turn at a time per conversation, answers in order
            async with keep_typing(message.channel):
                done = await run_turn(self.services, conv, text, live)
            answer, pending = answer_of(done, self.services.settings.agent_turn_timeout_s)
            await live.finish(answer, confirm_view(pending) if pending else None)


async def setup(bot: AssistantBot) -> None:
    bot.add_dynamic_items(ConfirmButton)
    await bot.add_cog(ChatCog(bot))
