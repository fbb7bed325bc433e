"""Where the agent keeps conversation history, pending confirmations, usage and turn checkpoints.

:class:`AgentState` is what the turn needs; the worker stores it in Redis
(``worker.agent_store.RedisAgentState``). Here: :class:`MemoryState` for one process (tests,
``myorg chat`` without Redis) and :class:`FileState`, a locked JSON file beside the repo's private
bookkeeping, so ``myorg ask`` keeps history, budget and confirmations between runs.
"""

from __future__ import annotations

import fcntl
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from shared.agent.confirm import PENDING_TTL_S, PendingAction
from shared.agent.usage import Usage
from shared.atomic import write_atomic

HISTORY_TURNS = 12
HISTORY_TTL_S = 7 * 24 * 3600
RECENT_TURNS = 200


class AgentState(Protocol):
    def history(self, conversation_id: str) -> list[dict[str, Any]]: ...
    def append_history(self, conversation_id: str, turn: dict[str, Any]) -> None: ...
    def put_pending(self, pending: PendingAction) -> None: ...
    def take_pending(self, pending_id: str) -> PendingAction | None: ...
    def add_usage(self, day: str, record: dict[str, Any]) -> None: ...
    def usage_on(self, day: str) -> dict[str, Any]: ...
    def recent_turns(self, limit: int = 20) -> list[dict[str, Any]]: ...
    def first_time(self, key: str) -> bool: ...
    def save_checkpoint(self, turn_id: str, data: dict[str, Any]) -> None: ...
    def load_checkpoint(self, turn_id: str) -> dict[str, Any] | None: ...
    def drop_checkpoint(self, turn_id: str) -> None: ...


def empty_day() -> dict[str, Any]:
    return {"usage": Usage().to_dict(), "cost_usd": 0.0, "turns": 0}


class MemoryState:
    """All state in one dict (JSON-shaped, so :class:`FileState` can store it as it is)."""

    def __init__(
        self,
        history_turns: int = HISTORY_TURNS,
        history_ttl_s: float = HISTORY_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.history_turns = history_turns
        self.history_ttl_s = history_ttl_s
        self.clock = clock
        self._mem: dict[str, Any] = {}

    @contextmanager
    def _data(self) -> Iterator[dict[str, Any]]:
        yield self._mem

    def history(self, conversation_id: str) -> list[dict[str, Any]]:
        with self._data() as d:
            conv = d.get("history", {}).get(conversation_id)
            if not conv or conv["expires"] < self.clock():
                return []
            return list(conv["turns"])

    def append_history(self, conversation_id: str, turn: dict[str, Any]) -> None:
        with self._data() as d:
            convs = d.setdefault("history", {})
            now = self.clock()
            for key in [k for k, v in convs.items() if v["expires"] < now]:
                del convs[key]
            conv = convs.setdefault(conversation_id, {"turns": [], "expires": 0})
            conv["turns"] = [*conv["turns"], turn][-self.history_turns :]
            conv["expires"] = now + self.history_ttl_s

    def put_pending(self, pending: PendingAction) -> None:
        with self._data() as d:
            store = d.setdefault("pending", {})
            now = self.clock()
            for key in [k for k, v in store.items() if v["expires"] < now]:
                del store[key]
            store[pending.id] = {"expires": now + PENDING_TTL_S, "action": pending.to_dict()}

    def take_pending(self, pending_id: str) -> PendingAction | None:
        with self._data() as d:
            entry = d.setdefault("pending", {}).pop(pending_id, None)
        if entry is None or entry["expires"] < self.clock():
            return None
        return PendingAction.from_dict(entry["action"])

    def add_usage(self, day: str, record: dict[str, Any]) -> None:
        with self._data() as d:
            days = d.setdefault("usage", {})
            total = days.setdefault(day, empty_day())
            total["usage"] = (
                Usage.from_dict(total["usage"]) + Usage.from_dict(record.get("usage", {}))
            ).to_dict()
            total["cost_usd"] = round(total["cost_usd"] + float(record.get("cost_usd", 0)), 6)
            total["turns"] += 1
            for old in sorted(days)[:-62]:
                del days[old]
            d["turns"] = [*d.get("turns", []), record][-RECENT_TURNS:]

    def usage_on(self, day: str) -> dict[str, Any]:
        with self._data() as d:
            return dict(d.get("usage", {}).get(day) or empty_day())

    def recent_turns(self, limit: int = 20) -> list[dict[str, Any]]:
        with self._data() as d:
            return list(d.get("turns", [])[-limit:])

    def first_time(self, key: str) -> bool:
        with self._data() as d:
            flags = d.setdefault("flags", {})
            if key in flags:
                return False
            flags[key] = self.clock()
            return True

    def save_checkpoint(self, turn_id: str, data: dict[str, Any]) -> None:
        with self._data() as d:
            d.setdefault("checkpoints", {})[turn_id] = data

    def load_checkpoint(self, turn_id: str) -> dict[str, Any] | None:
        with self._data() as d:
            return d.get("checkpoints", {}).get(turn_id)

    def drop_checkpoint(self, turn_id: str) -> None:
        with self._data() as d:
            d.get("checkpoints", {}).pop(turn_id, None)


class FileState(MemoryState):
    """The same, kept in ``<dir>/agent-state.json`` under an exclusive file lock."""

    def __init__(self, directory: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = Path(directory) / "agent-state.json"

    @contextmanager
    def _data(self) -> Iterator[dict[str, Any]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data = json.loads(self.path.read_bytes()) if self.path.exists() else {}
            except (OSError, ValueError):
                data = {}  # a damaged state file only loses history and counters
            before = json.dumps(data, sort_keys=True)
            yield data
            after = json.dumps(data, sort_keys=True)
            if after != before:
                write_atomic(self.path, after.encode())
