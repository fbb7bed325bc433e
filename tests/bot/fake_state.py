"""What the fake Discord holds: ids, messages the bot sent, interactions, faults, the request log;
and the thread-safe queries tests make of it."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tests.bot import fake_payloads as p

T = TypeVar("T")


@dataclass
class Fault:
    """The next ``times`` requests matching ``method`` and the ``path`` regex get ``status``."""

    method: str
    path: str
    status: int
    times: int = 1
    retry_after: float = 0.3
    is_global: bool = False
    left: int = field(init=False)

    def __post_init__(self) -> None:
        self.left = self.times


@dataclass(frozen=True)
class Logged:
    at: float
    method: str
    path: str
    status: int


@dataclass
class Interaction:
    """One interaction the fake sent and what the bot answered to it."""

    id: str
    token: str
    kind: int
    data: dict[str, Any]
    channel_id: int
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original: str | None = None
    followups: list[str] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    message_id: str | None = None  # the message a clicked button is on

    @property
    def message_ids(self) -> list[str]:
        return ([self.original] if self.original else []) + self.followups


class FakeState:
    app_id = 1_100_000_000_000_000_001
    bot_id = app_id
    guild_id = 1_100_000_000_000_000_002
    channel_id = 1_100_000_000_000_000_003
    other_channel_id = 1_100_000_000_000_000_004
    owner_id = 1_100_000_000_000_000_010
    stranger_id = 1_100_000_000_000_000_011

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.messages: dict[str, dict[str, Any]] = {}
        self.interactions: dict[str, Interaction] = {}
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.faults: list[Fault] = []
        self.log: list[Logged] = []
        self.typing: list[tuple[int, float]] = []
        self.syncs = 0
        self._tokens = itertools.count(1)

    # Storage (called by the server with the lock held) --------------------------------------

    def _store(
        self, channel_id: int, author: dict[str, Any], body: dict[str, Any], via: str = "channel"
    ) -> dict[str, Any]:
        msg = p.message(p.snowflake(), channel_id, author, body)
        msg["via"] = via  # channel: POST /channels/…/messages; interaction: a command's answer
        msg["created"] = time.monotonic()
        msg["edits"] = []
        self.messages[msg["id"]] = msg
        return msg

    def _update(self, msg: dict[str, Any], body: dict[str, Any]) -> None:
        for key in ("content", "embeds", "components", "flags"):
            if key in body and body[key] is not None:
                msg[key] = body[key]
        msg["edits"].append(time.monotonic())
        msg["edited_timestamp"] = p.EPOCH_TS

    def dm_channel_for(self, user_id: int) -> int:
        return user_id + 500

    # Queries for tests ---------------------------------------------------------------------

    def add_fault(
        self,
        method: str,
        path: str,
        status: int,
        times: int = 1,
        retry_after: float = 0.3,
        is_global: bool = False,
    ) -> Fault:
        fault = Fault(method, path, status, times, retry_after, is_global)
        with self.lock:
            self.faults.append(fault)
        return fault

    def command(self, name: str) -> dict[str, Any]:
        with self.lock:
            for commands in self.commands.values():
                for command in commands:
                    if command["name"] == name:
                        return dict(command)
        raise KeyError(f"no command /{name} was synced")

    def message(self, message_id: str) -> dict[str, Any]:
        with self.lock:
            return _copy(self.messages[message_id])

    def channel_messages(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot posted in a channel (default: the configured one), oldest first;
        answers to interactions are not counted (see :meth:`replies`)."""
        wanted = str(channel_id or self.channel_id)
        with self.lock:
            found = [
                _copy(m)
                for m in self.messages.values()
                if m["channel_id"] == wanted and m["via"] == "channel"
            ]
        return sorted(found, key=lambda m: int(m["id"]))

    def replies(self, record: Interaction) -> list[dict[str, Any]]:
        with self.lock:
            return [_copy(self.messages[i]) for i in record.message_ids if i in self.messages]

    def reply_text(self, record: Interaction) -> str:
        """Everything the bot answered to an interaction, as one text (content and embeds)."""
        return "\n".join(text_of(m) for m in self.replies(record))

    def answered(self, record: Interaction) -> bool:
        with self.lock:
            if record.choices is not None:
                return True
            msgs = [self.messages.get(i) for i in record.message_ids]
            if record.callbacks and record.callbacks[0].get("type") in (6, 7):
                return True
            return any(m is not None and not m.get("loading") for m in msgs)

    def wait_reply(self, record: Interaction, timeout: float = 20.0) -> str:
        wait_for(lambda: self.answered(record), timeout, f"a reply to interaction {record.token}")
        return self.reply_text(record)

    def wait_edit(self, message_id: str, edits: int, timeout: float = 20.0) -> dict[str, Any]:
        """The message once it has been edited more than ``edits`` times."""
        wait_for(
            lambda: len(self.message(message_id)["edits"]) > edits,
            timeout,
            f"an edit of message {message_id}",
        )
        return self.message(message_id)

    def wait_followup(self, record: Interaction, count: int = 1, timeout: float = 20.0) -> str:
        """The text of the interaction's followup messages, once there are ``count``."""
        wait_for(lambda: len(record.followups) >= count, timeout, f"followups to {record.token}")
        with self.lock:
            return "\n".join(text_of(self.messages[i]) for i in record.followups)

    def requests(self, method: str | None = None, path: str | None = None) -> list[Logged]:
        import re

        with self.lock:
            return [
                r
                for r in self.log
                if (method is None or r.method == method)
                and (path is None or re.search(path, r.path))
            ]


def text_of(msg: dict[str, Any]) -> str:
    parts = [msg.get("content") or ""]
    for embed in msg.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(x for x in parts if x)


def buttons(msg: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in msg.get("components") or [] for c in row.get("components", [])]


def wait_for(predicate: Callable[[], T], timeout: float, what: str, step: float = 0.02) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(step)


def _copy(msg: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in msg.items()}
