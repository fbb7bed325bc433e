"""The line working-memory.txt gets after a significant change, whichever interface made it.

A significant change is one the owner would want the assistant to remember: a task completed, a
project's status changed. The line is written by the same operation as the change (see
:func:`shared.apply.apply_operation`), so both land in one commit or neither does.
"""

from __future__ import annotations

from typing import Any

from shared import operations as ops
from shared.todo import parse_task

MAX_TEXT = 120


def activity_note(op: ops.Operation, data: dict[str, Any]) -> str | None:
    """The working-memory text for ``op`` once applied (``data``: its result), or None."""
    if isinstance(op, ops.CompleteTask):
        task = parse_task(str(data.get("raw", "")))
        what = task.description or task.text
        if not what:
            return None
        tags = " ".join(f"+{p}" for p in task.projects)
        return " ".join(f"Done: {_short(what)} {tags}".split())
    if isinstance(op, ops.SetProjectStatus):
        return f"Project +{op.project.lstrip('+')} is now {op.status.strip().lower()}."
    return None


def _short(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"
