"""Proactive messages: the outbox consumer, posting to ``DISCORD_CHANNEL_ID`` (or a DM to the
owner). A message is acknowledged only after Discord accepted it; when Discord or Redis fails,
the bot waits (1 s, doubling up to a minute) and tries the same message again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import discord
import redis
from discord.ext import commands

from bot import outbox_delivery as od
from bot.client import AssistantBot
from bot.replies import TRANSIENT

log = logging.getLogger(__name__)

BLOCK_MS = 1000
BACKOFF_MAX_S = 60.0
STOP_GRACE_S = 5.0
FALLBACK_PARTS = 100  # part numbers of the plain-text fallback start here


class OutboxCog(commands.Cog):
    def __init__(self, bot: AssistantBot, consumer: str | None = None) -> None:
        self.bot = bot
        self.services = bot.services
        self.consumer = consumer or od.consumer_name()
        self.task: asyncio.Task[None] | None = None
        self.stopping = False
        self.delivered = 0

    async def cog_load(self) -> None:
        self.task = asyncio.create_task(self.run(), name="outbox")

    async def cog_unload(self) -> None:
        """On shutdown, let a delivery under way finish (a few seconds at most)."""
        if self.task is None:
            return
        self.stopping = True
        try:
            await asyncio.wait_for(asyncio.shield(self.task), STOP_GRACE_S)
        except (TimeoutError, asyncio.CancelledError):
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def destination(self) -> discord.abc.Messageable | None:
        settings = self.services.settings
        if settings.discord_channel_id is not None:
            return self.bot.get_partial_messageable(settings.discord_channel_id)
        if settings.discord_allowed_user_ids:
            return await self.bot.create_dm(discord.Object(settings.discord_allowed_user_ids[0]))
        return None

    async def run(self) -> None:
        """Started once logged in: posting needs only the REST API, not the gateway."""
        delay, recheck, last_claim = 1.0, True, float("-inf")
        while not (self.stopping or self.bot.is_closed()):
            try:
                if recheck or time.monotonic() - last_claim > self.services.outbox_claim_every_s:
                    entries = await self.services.run(self.leftovers)
                    last_claim, recheck = time.monotonic(), bool(entries)
                else:
                    entries = await self.services.run(
                        od.new_entries, self.services.redis, self.consumer, BLOCK_MS
                    )
                for entry in entries:
                    await self.deliver(entry)
                delay = 1.0
            except asyncio.CancelledError:
                raise
            except (discord.HTTPException, redis.RedisError, *TRANSIENT) as exc:
                log.warning("outbox delivery paused %.0f s: %s", delay, exc)
                await asyncio.sleep(delay)
                delay, recheck = min(delay * 2, BACKOFF_MAX_S), True
            except Exception:
                log.exception("outbox delivery failed; trying again in %.0f s", delay)
                await asyncio.sleep(delay)
                delay, recheck = min(delay * 2, BACKOFF_MAX_S), True

    def leftovers(self) -> list[od.Entry]:
        client = self.services.redis
        mine = od.own_pending(client, self.consumer)
        return mine or od.claim_stale(client, self.consumer, self.services.outbox_claim_idle_ms)

    async def deliver(self, entry: od.Entry) -> None:
        target = await self.destination()
        if target is None:
            raise RuntimeError("set DISCORD_CHANNEL_ID or DISCORD_ALLOWED_USER_IDS to deliver")
        try:
            await self.post(target, entry, od.render(entry), 0)
        except discord.HTTPException as exc:
            if exc.status != 400:
                raise
            log.warning("Discord refused outbox message %s (%s); sending it as text", entry.id, exc)
            try:
                await self.post(target, entry, od.plain(entry), FALLBACK_PARTS)
            except discord.HTTPException as again:
                if again.status != 400:
                    raise
                await self.services.run(od.dead_letter, self.services.redis, entry, str(again))
                log.error("outbox message %s refused by Discord; kept as a dead letter", entry.id)
                return
        await self.services.run(od.finish, self.services.redis, entry.id)
        self.delivered += 1

    async def post(
        self, target: discord.abc.Messageable, entry: od.Entry, parts: list[od.Part], first: int
    ) -> None:
        client = self.services.redis
        for number, part in enumerate(parts, first):
            if await self.services.run(od.was_posted, client, entry.id, number):
                continue
            kwargs: dict[str, Any] = {"content": part.content, "nonce": od.nonce(entry.id, number)}
            if part.embed:
                kwargs["embed"] = discord.Embed.from_dict(part.embed)
            sent = await target.send(**kwargs)
            await self.services.run(od.mark_posted, client, entry.id, number, sent.id)


async def setup(bot: AssistantBot) -> None:
    await bot.add_cog(OutboxCog(bot))
