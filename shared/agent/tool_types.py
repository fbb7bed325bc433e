"""What a tool is: a typed input model, a plain function, and what the function returns.

Read tools return :class:`Read` (text from the repo). Mutating tools never write: they return a
:class:`Change`, the operations to apply, which the executor passes through the confirmation gate
and then to the repo lane. Git tools return a :class:`GitAction` for the worker to carry out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shared.agent.ids import op_id_for
from shared.operations import Operation
from shared.org_repo import OrgRepo


class ToolError(ValueError):
    """A tool call that cannot be done; the message goes back to the model as an error result."""


class ToolInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Read:
    text: str
    source: str


@dataclass(frozen=True)
class Change:
    ops: list[Operation]
    summary: str
    destructive: str | None = None  # why the owner must confirm, when they must
    new_text: str | None = None  # new free text it writes, checked for text copied from files


@dataclass(frozen=True)
class GitAction:
    action: Literal["commit", "pull", "push"]


@dataclass
class ToolEnv:
    """What a tool call sees: the repo (read directly), the time, and ids for its operations."""

    repo: OrgRepo
    now: datetime
    turn_id: str
    call_id: str
    source: str = "agent"
    notes: dict[str, Any] = field(default_factory=dict)

    def op_id(self, n: int = 0) -> str:
        return op_id_for(self.turn_id, self.call_id if n == 0 else f"{self.call_id}#{n}")


Outcome = Read | Change | GitAction
ToolFn = Callable[[ToolEnv, Any], Outcome]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    input_model: type[ToolInput]
    fn: ToolFn
    kind: Literal["read", "write", "git"] = "read"

    def definition(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": _without_titles(self.input_model.model_json_schema()),
        }


def _without_titles(schema: Any) -> Any:
    """Pydantic's ``title`` keys cost tokens and tell the model nothing."""
    if isinstance(schema, dict):
        return {
            k: _without_titles(v)
            for k, v in schema.items()
            if not (k == "title" and isinstance(v, str))
        }
    if isinstance(schema, list):
        return [_without_titles(v) for v in schema]
    return schema
