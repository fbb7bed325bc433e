"""Pending actions: changes held by the gate until the owner confirms or cancels them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from shared import operations as ops
from shared.agent.policy import Held

PENDING_TTL_S = 24 * 3600


@dataclass
class PendingAction:
    id: str
    conversation_id: str
    turn_id: str
    created: str
    items: list[dict[str, Any]] = field(default_factory=list)  # summary, reason, ops

    @classmethod
    def from_held(
        cls, pending_id: str, conversation_id: str, turn_id: str, created: str, held: list[Held]
    ) -> PendingAction:
        items = [{"summary": h.summary, "reason": h.reason, "ops": h.ops} for h in held]
        return cls(pending_id, conversation_id, turn_id, created, items)

    def describe(self) -> str:
        """What the interface shows: every held change and how to confirm or cancel."""
        lines = [f"- {item['summary']} ({item['reason']})" for item in self.items]
        return (
            "Waiting for your confirmation:\n"
            + "\n".join(lines)
            + f'\nReply "confirm {self.id}" to do it, or "cancel {self.id}".'
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PendingAction:
        return cls(**data)


def apply_pending(
    pending: PendingAction, apply: Callable[[ops.Operation], ops.OpResult]
) -> tuple[list[ops.OpResult], str]:
    """Apply every held operation in order (each keeps the ``op_id`` it was given, so applying
    twice has the effect of once); stops at the first that fails. Returns results and a reply."""
    results: list[ops.OpResult] = []
    done: list[str] = []
    for item in pending.items:
        try:
            for data in item["ops"]:
                results.append(apply(ops.operation_from_dict(dict(data))))
        except ops.OperationError as exc:
            head = "Done: " + "; ".join(done) + ". " if done else ""
            return results, f"{head}Could not {item['summary']}: {exc}"
        done.append(str(item["summary"]))
    return results, "Done: " + "; ".join(done)
