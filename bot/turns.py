"""Following an agent turn from Discord: its streamed text into a reply edited at most once a
second, a typing indicator meanwhile, and the finished answer split into messages.

The turn runs on the agent lane and publishes its events to the conversation's Redis stream
(:mod:`worker.agent_store`); this reads them on a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

import discord
import kombu.exceptions
import redis
from celery import Celery

from bot.replies import LIMIT, TRANSIENT, retrying, split_message
from bot.services import BotServices
from shared.agent.ids import check_id, new_turn_id
from worker.agent_store import RedisAgentState
from worker.client import QueueUnavailableError
from worker.lanes import AGENT_QUEUE

log = logging.getLogger(__name__)

#: The agent lane's task (``worker.agent_tasks.RUN_TURN``; that module is not imported here
#: because it loads the model SDK, which the bot never uses).
RUN_TURN = "myorg.agent.run_turn"
EDIT_INTERVAL_S = 1.0
TYPING_EVERY_S = 8.0  # Discord shows "typing…" for 10 s after each call
POLL_MS = 1000
_CUT = "\n…"


def conversation_id(channel: Any, user_id: int) -> str:
    """One conversation per guild channel, one per owner's DM."""
    if isinstance(channel, discord.DMChannel) or getattr(channel, "guild", None) is None:
        return f"discord-dm-{user_id}"
    return f"discord-{channel.id}"


def preview(text: str, limit: int = LIMIT) -> str:
    """What a reply shows while the answer is still streaming: its start, cut at a line."""
    if len(text) <= limit:
        return text
    head = text[: limit - len(_CUT)]
    if "\n" in head[limit // 2 :]:
        head = head[: head.rindex("\n")]
    return head + _CUT


@contextlib.asynccontextmanager
async def keep_typing(channel: discord.abc.Messageable) -> AsyncIterator[None]:
    """Show "typing…" until the block ends; a failure to show it never fails the block."""

    async def loop() -> None:
        while True:
            try:
                await channel.typing()  # awaited, it shows the indicator once
            except (discord.HTTPException, *TRANSIENT) as exc:
                log.debug("typing indicator failed: %s", exc)
            await asyncio.sleep(TYPING_EVERY_S)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class LiveReply:
    """A reply that grows while the answer streams in; edited at most once per ``interval``."""

    def __init__(
        self,
        send: Callable[[str], Awaitable[discord.Message]],
        interval: float = EDIT_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.send = send
        self.interval = interval
        self.clock = clock
        self.message: discord.Message | None = None
        self.shown = ""
        self.wanted = ""
        self.last = float("-inf")

    async def update(self, text: str) -> None:
        """Show ``text`` (the answer so far) now, or at the next call once the interval passed."""
        self.wanted = text
        shown = preview(text)
        if not text.strip() or shown == self.shown or self.clock() - self.last < self.interval:
            return
        try:
            await self._show(shown)
        except (discord.HTTPException, *TRANSIENT) as exc:
            log.warning("could not update the streamed reply: %s", exc)

    async def _show(self, text: str) -> None:
        if self.message is None:
            self.message = await self.send(text)
        else:
            await self.message.edit(content=text)
        self.shown, self.last = text, self.clock()

    async def finish(self, text: str, view: discord.ui.View | None = None) -> list[discord.Message]:
        """The finished answer: the first piece in the reply, the rest in new messages."""
        pieces = split_message(text) or ["(no answer)"]
        sent: list[discord.Message] = []
        for index, piece in enumerate(pieces):
            kwargs: dict[str, Any] = {"view": view} if view and index == len(pieces) - 1 else {}
            if index == 0 and self.message is not None:
                await asyncio.sleep(max(0.0, self.last + self.interval - self.clock()))
                if piece != self.shown or kwargs:
                    await retrying(
                        "editing the reply", partial(self.message.edit, content=piece, **kwargs)
                    )
                sent.append(self.message)
            elif index == 0:
                self.message = await retrying("replying", partial(self.send, piece, **kwargs))
                sent.append(self.message)
            else:
                channel = sent[0].channel
                sent.append(await retrying("replying", partial(channel.send, piece, **kwargs)))
            self.shown, self.last = piece, self.clock()
        return sent


def enqueue_turn(app: Celery, conv: str, text: str, source: str) -> str:
    """Start a turn on the agent lane; returns its id. :class:`QueueUnavailableError` when the
    queue cannot be reached (the message was not sent)."""
    turn_id = new_turn_id()
    check_id(conv, "conversation id")
    try:
        app.send_task(
            RUN_TURN, args=[conv, turn_id, text, source], task_id=turn_id, queue=AGENT_QUEUE
        )
    except (kombu.exceptions.OperationalError, redis.RedisError, OSError) as exc:
        raise QueueUnavailableError(
            f"not sent: the task queue is unreachable ({type(exc).__name__})"
        ) from exc
    return turn_id


def _read(state: RedisAgentState, conv: str, after: str) -> list[tuple[str, dict[str, Any]]]:
    return list(state.events(conv, after, POLL_MS))


async def follow_turn(
    services: BotServices,
    conv: str,
    turn_id: str,
    after: str,
    on_text: Callable[[str], Awaitable[None]],
    timeout: float,
) -> dict[str, Any] | None:
    """Wait for the turn's ``done`` event (None after ``timeout``), passing on streamed text."""
    state = services.agent_state()
    position, text = after, ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            events = await services.run(_read, state, conv, position)
        except (redis.RedisError, OSError) as exc:
            log.warning("reading the turn's events failed: %s", exc)
            await asyncio.sleep(1.0)
            continue
        for entry_id, event in events:
            position = entry_id
            if event.get("turn_id") != turn_id:
                continue
            if event.get("type") == "text":
                text += str(event.get("text", ""))
            elif event.get("type") == "done":
                return event
        await on_text(text)
    return None
