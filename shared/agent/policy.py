"""The gate every mutating tool call passes: destructive, bulk or unasked-for changes wait for
the owner (what counts as asked for: :mod:`shared.agent.asked`).

The model never confirms anything itself. A held change is stored as a pending action; the turn
ends telling the owner what is waiting, and only the owner's own "confirm <id>" (typed in an
interface, or a confirm button) applies it. Text the model read from files cannot reach that path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.agent.tool_types import Change

BULK_LIMIT = 5  # writes a single request may make before the rest wait for confirmation
NOTE_KINDS = frozenset({"append_working_memory"})


@dataclass(frozen=True)
class Held:
    call_id: str
    summary: str
    reason: str
    ops: list[dict[str, object]]


@dataclass
class Gate:
    """Per-turn policy state: how many writes went through, and what is being held."""

    bulk_limit: int = BULK_LIMIT
    asked: set[str] | None = None  # op kinds the owner asked for (None: any)
    writes: int = 0
    held: list[Held] = field(default_factory=list)

    def reason_to_hold(self, change: Change) -> str | None:
        """None when ``change`` may go ahead now, else why the owner must confirm it."""
        if change.destructive:
            return change.destructive
        if self.asked is not None:
            unasked = sorted({op.kind for op in change.ops} - self.asked)
            if unasked:
                return f"you did not ask to {unasked[0].replace('_', ' ')}"
        if self.held:
            return "comes after a change that awaits confirmation"
        counted = [op for op in change.ops if op.kind not in NOTE_KINDS]
        if counted and self.writes + len(counted) > self.bulk_limit:
            return f"more than {self.bulk_limit} changes in one request"
        return None

    def allow(self, change: Change) -> None:
        self.writes += sum(op.kind not in NOTE_KINDS for op in change.ops)

    def hold(self, call_id: str, change: Change, reason: str) -> None:
        self.held.append(Held(call_id, change.summary, reason, [op.to_dict() for op in change.ops]))
