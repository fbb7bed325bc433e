"""Operations: small serializable values that change the org repository.

Every interface builds an operation (a dict across process boundaries, see
:func:`operation_from_dict`) and the repo lane applies it with :func:`apply_operation`.
Applying the same ``op_id`` twice has the effect of once (see :mod:`shared.journal`).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any, ClassVar


class OperationError(ValueError):
    """Bad input or a precondition that does not hold: nothing was changed."""


@dataclass(frozen=True)
class Operation:
    kind: ClassVar[str] = ""
    op_id: str = field(default_factory=lambda: uuid.uuid4().hex, kw_only=True)
    source: str = field(default="cli", kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind
        return data

    def describe(self) -> str:
        """A short human description, used in commit messages and history."""
        return self.kind


@dataclass(frozen=True)
class AddTask(Operation):
    kind: ClassVar[str] = "add_task"
    text: str = ""

    def describe(self) -> str:
        return f"add task: {self.text}"


@dataclass(frozen=True)
class CompleteTask(Operation):
    """Tasks are addressed by 1-based ``line`` plus, optionally, the ``raw`` text seen there;
    if the file changed meanwhile the task is found by its exact text instead."""

    kind: ClassVar[str] = "complete_task"
    line: int = 0
    raw: str | None = None

    def describe(self) -> str:
        return f"complete task: {self.raw or f'line {self.line}'}"


@dataclass(frozen=True)
class EditTask(Operation):
    kind: ClassVar[str] = "edit_task"
    line: int = 0
    raw: str | None = None
    new_text: str = ""

    def describe(self) -> str:
        return f"edit task: {self.raw or f'line {self.line}'} -> {self.new_text}"


@dataclass(frozen=True)
class DeleteTask(Operation):
    kind: ClassVar[str] = "delete_task"
    line: int = 0
    raw: str | None = None

    def describe(self) -> str:
        return f"delete task: {self.raw or f'line {self.line}'}"


@dataclass(frozen=True)
class PrioritizeTask(Operation):
    kind: ClassVar[str] = "prioritize_task"
    line: int = 0
    raw: str | None = None
    priority: str | None = None

    def describe(self) -> str:
        return f"set priority {self.priority or 'none'}: {self.raw or f'line {self.line}'}"


@dataclass(frozen=True)
class ArchiveDone(Operation):
    kind: ClassVar[str] = "archive_done"

    def describe(self) -> str:
        return "archive done tasks to done.txt"


@dataclass(frozen=True)
class AddEvent(Operation):
    kind: ClassVar[str] = "add_event"
    day: str = ""
    text: str = ""
    time: str | None = None

    def describe(self) -> str:
        when = f"{self.day} {self.time}" if self.time else self.day
        return f"add event {when}: {self.text}"


@dataclass(frozen=True)
class MoveEvent(Operation):
    kind: ClassVar[str] = "move_event"
    day: str = ""
    event: str = ""
    to_day: str = ""
    to_time: str | None = None

    def describe(self) -> str:
        return f"move event {self.day} '{self.event}' to {self.to_day}"


@dataclass(frozen=True)
class RemoveEvent(Operation):
    kind: ClassVar[str] = "remove_event"
    day: str = ""
    event: str = ""

    def describe(self) -> str:
        return f"remove event {self.day}: {self.event}"


@dataclass(frozen=True)
class SetProjectStatus(Operation):
    kind: ClassVar[str] = "set_project_status"
    project: str = ""
    status: str = ""

    def describe(self) -> str:
        return f"set project +{self.project.lstrip('+')} status:{self.status}"


@dataclass(frozen=True)
class AppendWorkingMemory(Operation):
    kind: ClassVar[str] = "append_working_memory"
    text: str = ""

    def describe(self) -> str:
        return f"working memory: {self.text}"


@dataclass(frozen=True)
class WriteFile(Operation):
    """Replace a plain-text file's content (the agent's ``write_file``; confirmed by the owner
    when it overwrites). Allowed paths: :func:`shared.agent.file_ops.check_writable`."""

    kind: ClassVar[str] = "write_file"
    path: str = ""
    content: str = ""

    def describe(self) -> str:
        return f"write file {self.path}"


@dataclass(frozen=True)
class AppendToFile(Operation):
    kind: ClassVar[str] = "append_to_file"
    path: str = ""
    text: str = ""

    def describe(self) -> str:
        return f"append to {self.path}"


OPERATIONS: dict[str, type[Operation]] = {
    cls.kind: cls
    for cls in (
        AddTask,
        CompleteTask,
        EditTask,
        DeleteTask,
        PrioritizeTask,
        ArchiveDone,
        AddEvent,
        MoveEvent,
        RemoveEvent,
        SetProjectStatus,
        AppendWorkingMemory,
        WriteFile,
        AppendToFile,
    )
}


def operation_from_dict(data: dict[str, Any]) -> Operation:
    """Rebuild an operation from its JSON form; unknown kinds or fields → OperationError."""
    if not isinstance(data, dict):
        raise OperationError("an operation must be a JSON object")
    kind = data.get("kind")
    cls = OPERATIONS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise OperationError(f"unknown operation kind {kind!r}")
    allowed = {f.name for f in fields(cls)}
    args = {k: v for k, v in data.items() if k != "kind"}
    unknown = set(args) - allowed
    if unknown:
        raise OperationError(f"unknown field(s) for {kind}: {', '.join(sorted(unknown))}")
    try:
        return cls(**args)
    except TypeError as exc:
        raise OperationError(str(exc)) from exc


@dataclass
class OpResult:
    """What an applied operation did. ``files`` are the repo-relative paths it changed."""

    op_id: str
    kind: str
    summary: str
    files: list[str] = field(default_factory=list)
    duplicate: bool = False
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OpResult:
        return cls(**data)


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise OperationError(f"invalid date {value!r}: use YYYY-MM-DD") from exc


def now_date(now: datetime) -> date:
    return now.date()
