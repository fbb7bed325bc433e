"""``python -m bot``: run the Discord bot until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import discord

from bot.client import AssistantBot
from bot.services import build_services
from shared.log_format import configure_logging
from shared.settings import Settings

log = logging.getLogger("bot")


async def run_bot(bot: AssistantBot, token: str) -> None:
    """Log in, connect and serve until the bot is closed (SIGTERM/SIGINT close it cleanly)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        await bot.start(token)


def main() -> int:
    settings = Settings()
    configure_logging(settings)
    token = settings.discord_bot_token.get_secret_value() if settings.discord_bot_token else ""
    if not token:
        print("bot: DISCORD_BOT_TOKEN is not set; the Discord bot is not started.", file=sys.stderr)
        return 2
    if not settings.discord_allowed_user_ids:
        log.warning("DISCORD_ALLOWED_USER_IDS is empty: the bot will refuse everyone")
    bot = AssistantBot(build_services(settings))
    try:
        asyncio.run(run_bot(bot, token))
    except discord.LoginFailure as exc:
        print(f"bot: Discord refused the token: {exc}", file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print(
            "bot: enable the Message Content intent for this bot in the Discord Developer Portal",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
