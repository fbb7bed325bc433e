"""Conversation history as the model sees it: earlier turns compacted, bounded, cache-marked.

A finished turn is kept as the owner's words, the reply, and a list of what was done; its tool
calls and results are dropped (the reply and the action list say what mattered). The oldest
turns go first when the history grows past its character budget.
"""

from __future__ import annotations

import copy
from typing import Any

MAX_HISTORY_CHARS = 16_000
MAX_TURN_CHARS = 4_000

Message = dict[str, Any]


def compact_turn(user: str, reply: str, actions: list[str], at: str) -> dict[str, Any]:
    return {
        "user": user[:MAX_TURN_CHARS],
        "reply": reply[:MAX_TURN_CHARS],
        "actions": [a[:300] for a in actions[:20]],
        "at": at,
    }


def history_messages(
    turns: list[dict[str, Any]], max_chars: int = MAX_HISTORY_CHARS
) -> list[Message]:
    """User/assistant message pairs for the newest turns that fit in ``max_chars``."""
    picked: list[list[Message]] = []
    used = 0
    for turn in reversed(turns):
        reply = turn.get("reply") or "(no reply)"
        if turn.get("actions"):
            reply += "\n(Done in that turn: " + "; ".join(turn["actions"]) + ")"
        pair = [
            {"role": "user", "content": str(turn.get("user") or "(empty)")},
            {"role": "assistant", "content": reply},
        ]
        size = sum(len(m["content"]) for m in pair)
        if used + size > max_chars:
            break
        picked.append(pair)
        used += size
    return [m for pair in reversed(picked) for m in pair]


def with_cache_breakpoint(messages: list[Message]) -> list[Message]:
    """A copy whose last content block carries the only message-level cache breakpoint, so each
    request reuses the prefix the previous one wrote (4 breakpoints at most per request)."""
    out = copy.deepcopy(messages)
    for msg in out:
        if isinstance(msg["content"], list):
            for block in msg["content"]:
                if isinstance(block, dict):
                    block.pop("cache_control", None)
    if out:
        last = out[-1]
        if isinstance(last["content"], str):
            last["content"] = [{"type": "text", "text": last["content"]}]
        if last["content"]:
            last["content"][-1]["cache_control"] = {"type": "ephemeral"}
    return out


def block_dict(block: Any) -> dict[str, Any]:
    """An SDK content block (or a dict) as the plain dict the next request sends back."""
    kind = getattr(block, "type", None) or (block.get("type") if isinstance(block, dict) else None)
    get = block.get if isinstance(block, dict) else lambda k, d=None: getattr(block, k, d)
    if kind == "text":
        return {"type": "text", "text": get("text", "")}
    if kind == "tool_use":
        raw = get("input", {})
        return {
            "type": "tool_use",
            "id": get("id"),
            "name": get("name"),
            "input": raw if isinstance(raw, dict) else {},
        }
    raise ValueError(f"unexpected content block type {kind!r}")
