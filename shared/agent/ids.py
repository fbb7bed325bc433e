"""Identifiers of turns, pending confirmations, and the operations a turn makes.

An operation's ``op_id`` is derived from the turn and the tool call that asked for it, so a turn
replayed after a crash produces the same ``op_id`` and the repo lane applies it once.
"""

from __future__ import annotations

import hashlib
import re
import secrets

_SAFE_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def new_turn_id() -> str:
    return secrets.token_hex(12)


def new_pending_id() -> str:
    """Short enough to type ("confirm 7f3k9q"), unguessable enough for a day's lifetime."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def op_id_for(turn_id: str, call_id: str) -> str:
    """The deterministic ``op_id`` of the operation made by tool call ``call_id`` in a turn."""
    digest = hashlib.sha256(f"agent\x00{turn_id}\x00{call_id}".encode()).hexdigest()
    return f"agent-{digest[:32]}"


def check_id(value: str, what: str = "id") -> str:
    """Ids come from clients and end up in Redis keys: refuse anything unusual."""
    if not isinstance(value, str) or not _SAFE_RE.match(value):
        raise ValueError(f"invalid {what}: use letters, digits and -_.: (at most 128)")
    return value
