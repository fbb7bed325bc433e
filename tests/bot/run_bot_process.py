"""``python -m bot`` pointed at the fake Discord named by ``FAKE_DISCORD_API`` and
``FAKE_DISCORD_GATEWAY`` (the two module attributes discord.py reads its addresses from)."""

from __future__ import annotations

import os
import sys

import discord.gateway
import discord.http
import yarl

from bot.__main__ import main

if __name__ == "__main__":
    discord.http.Route.BASE = os.environ["FAKE_DISCORD_API"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_DISCORD_GATEWAY"])
    sys.exit(main())
