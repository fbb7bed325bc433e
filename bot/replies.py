"""Sending to Discord: long text split at line boundaries, and retries when Discord fails.

discord.py itself waits out 429s (obeying ``retry_after``) and retries some 5xx; what still
fails with a server error or a dropped connection is tried again here a few times, so a reply
is not lost to a short outage.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

import aiohttp
import discord

log = logging.getLogger(__name__)

T = TypeVar("T")

LIMIT = 2000
RETRY_DELAYS_S = (1.0, 3.0, 8.0)
TRANSIENT = (discord.DiscordServerError, aiohttp.ClientError, asyncio.TimeoutError, OSError)
_FENCE = "```"


def split_message(text: str, limit: int = LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line ends where possible; a
    code block cut in two is closed and reopened so both pieces render."""
    if len(text) <= limit:
        return [text] if text else []
    room = limit - len(_FENCE) - 1  # space to close a code block at the end of a piece
    pieces: list[str] = []
    current = ""
    in_code = False
    for line in _lines(text, room):
        if current and len(current) + len(line) > room:
            pieces.append(current + (_FENCE if in_code else ""))
            current = (_FENCE + "\n") if in_code else ""
        current += line
        if line.lstrip().startswith(_FENCE):
            in_code = not in_code
    if current.strip():
        pieces.append(current)
    return [p.rstrip("\n") for p in pieces if p.strip()]


def _lines(text: str, room: int) -> list[str]:
    """The lines of ``text`` with their newlines; a line longer than ``room`` is cut at spaces."""
    room -= len(_FENCE) + 1  # a piece may start by reopening a code block
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        while len(line) > room:
            cut = line.rfind(" ", room // 2, room)
            cut = cut + 1 if cut > 0 else room
            out.append(line[:cut] + "\n")
            line = line[cut:]
        out.append(line)
    return out


async def retrying(what: str, action: Callable[[], Awaitable[T]]) -> T:
    """``action()``, tried again after a server error or a network failure."""
    for delay in (*RETRY_DELAYS_S, None):
        try:
            return await action()
        except TRANSIENT as exc:
            if delay is None:
                raise
            log.warning("%s failed (%s); trying again in %.0f s", what, _describe(exc), delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return f"HTTP {exc.status}"
    return type(exc).__name__


async def send_text(
    send: Callable[..., Awaitable[Any]],
    text: str,
    *,
    view: discord.ui.View | None = None,
    **kwargs: Any,
) -> list[Any]:
    """Send ``text`` in as many messages as it needs; ``view`` goes on the last one."""
    pieces = split_message(text) or ["(empty)"]
    sent = []
    for index, piece in enumerate(pieces):
        extra = dict(kwargs)
        if view is not None and index == len(pieces) - 1:
            extra["view"] = view
        sent.append(await retrying("sending a reply", partial(send, piece, **extra)))
    return sent


async def followup(
    interaction: discord.Interaction[Any],
    text: str = "",
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    ephemeral: bool = False,
) -> None:
    """The answer to a deferred command or button: ``text`` with ``embed`` in one message when
    it fits, else the embed first and the text after it; ``view`` goes on the last message."""
    send = interaction.followup.send
    if embed is not None:
        fits = len(text) <= LIMIT
        kwargs: dict[str, Any] = {"embed": embed, "ephemeral": ephemeral}
        if fits and text:
            kwargs["content"] = text
        if view is not None and (fits or not text):
            kwargs["view"] = view
        await retrying("answering", partial(send, **kwargs))
        if fits or not text:
            return
    await send_text(send, text, view=view, ephemeral=ephemeral)
