"""Discord API objects as the gateway and the REST API send them, for :mod:`fake_discord`.

Only the fields discord.py 2.x reads (or requires) are filled in; ids are snowflake strings.
"""

from __future__ import annotations

import itertools
from typing import Any

EPOCH_TS = "2026-11-24T09:00:00.000000+00:00"
ADMIN = str(1 << 3)  # the ADMINISTRATOR permission bit: every permission
ALL_TEXT = str((1 << 41) - 1)

# Option types of application commands.
STRING, INTEGER, BOOLEAN, NUMBER = 3, 4, 5, 10
# Interaction types and contexts.
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 2, 3, 4
GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2

_snowflakes = itertools.count(1_300_000_000_000_000_000)


def snowflake() -> str:
    return str(next(_snowflakes))


def user(user_id: int, bot: bool = False, name: str | None = None) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name or f"user{user_id}",
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": bot,
        "flags": 0,
        "public_flags": 0,
    }


def member(user_id: int | None, permissions: str = ADMIN, bot: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "roles": [],
        "joined_at": EPOCH_TS,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
        "permissions": permissions,
    }
    if user_id is not None:
        data["user"] = user(user_id, bot=bot)
    return data


def text_channel(channel_id: int, guild_id: int, name: str, position: int = 0) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def dm_channel(channel_id: int, *recipients: int) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 1,
        "recipients": [user(r) for r in recipients],
        "last_message_id": None,
    }


def guild(guild_id: int, bot_id: int, channels: list[dict[str, Any]]) -> dict[str, Any]:
    everyone = {
        "id": str(guild_id),
        "name": "@everyone",
        "permissions": ALL_TEXT,
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    return {
        "id": str(guild_id),
        "name": "Home",
        "icon": None,
        "owner_id": "1",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "system_channel_id": None,
        "system_channel_flags": 0,
        "roles": [everyone],
        "emojis": [],
        "stickers": [],
        "features": [],
        "channels": channels,
        "threads": [],
        "members": [member(bot_id, bot=True)],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "member_count": 3,
        "large": False,
        "unavailable": False,
        "joined_at": EPOCH_TS,
    }


def application(app_id: int, owner_id: int) -> dict[str, Any]:
    return {
        "id": str(app_id),
        "name": "myorg",
        "icon": None,
        "description": "",
        "rpc_origins": [],
        "bot_public": False,
        "bot_require_code_grant": False,
        "owner": user(owner_id),
        "summary": "",
        "verify_key": "0" * 64,
        "flags": 0,
        "team": None,
    }


def message(
    message_id: str,
    channel_id: int,
    author: dict[str, Any],
    body: dict[str, Any],
    guild_id: int | None = None,
) -> dict[str, Any]:
    """A message object from what a client sent (``content``, ``embeds``, ``components``...)."""
    data: dict[str, Any] = {
        "id": message_id,
        "channel_id": str(channel_id),
        "author": author,
        "content": body.get("content") or "",
        "timestamp": EPOCH_TS,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "pinned": False,
        "type": 0,
        "flags": int(body.get("flags") or 0),
    }
    if body.get("nonce") is not None:
        data["nonce"] = body["nonce"]
    if body.get("message_reference"):
        data["message_reference"] = body["message_reference"]
        data["type"] = 19
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    return data


def interaction(
    kind: int,
    app_id: int,
    token: str,
    user_id: int,
    data: dict[str, Any],
    *,
    guild_id: int | None,
    channel: dict[str, Any],
    context: int,
    installed_by_user: bool = False,
    permissions: str = ADMIN,
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    owners = {"1": str(user_id)} if installed_by_user else {"0": str(guild_id or 0)}
    payload: dict[str, Any] = {
        "id": snowflake(),
        "application_id": str(app_id),
        "type": kind,
        "token": token,
        "version": 1,
        "data": data,
        "channel_id": channel["id"],
        "channel": channel,
        "locale": "en-US",
        "app_permissions": ALL_TEXT,
        "entitlements": [],
        "authorizing_integration_owners": owners,
        "context": context,
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if guild_id is not None:
        payload["guild_id"] = str(guild_id)
        payload["guild_locale"] = "en-US"
        payload["member"] = member(user_id, permissions=permissions)
    else:
        payload["user"] = user(user_id)
    if message is not None:
        payload["message"] = message
    return payload
