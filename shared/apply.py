"""Apply an :class:`~shared.operations.Operation` to the org repository, exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared import calendar_edit
from shared import operations as ops
from shared.activity import activity_note
from shared.agent.file_ops import append_file_change, write_file_change
from shared.journal import journal_of
from shared.line_splice import spliced_bytes
from shared.lines import LineDoc
from shared.org_repo import OrgRepo
from shared.projects import set_project_status
from shared.todo_edit import (
    add_task,
    archive_done,
    complete_task,
    delete_task,
    edit_task,
    prioritize_task,
)
from shared.todo_list import find_task
from shared.working_memory import append_memory

Change = tuple[dict[str, LineDoc], dict[str, Any]]


def apply_operation(repo: OrgRepo, op: ops.Operation, now: datetime) -> ops.OpResult:
    """Apply ``op`` (writing files atomically) unless its ``op_id`` was applied before.

    A significant change (see :mod:`shared.activity`) also appends its dated line to
    working-memory.txt, in the same journal entry: both are applied, or neither.
    Raises :class:`~shared.operations.OperationError` on bad input; then nothing changed.
    """
    journal = journal_of(repo)
    with journal.locked():
        journal.recover()
        previous = journal.applied(op.op_id)
        if previous is not None:
            result = ops.OpResult.from_dict(previous)
            result.duplicate = True
            return result
        handler = _HANDLERS.get(op.kind)
        if handler is None:
            raise ops.OperationError(f"no handler for operation {op.kind!r}")
        try:
            docs, data = handler(repo, op, now)
        except ops.OperationError:
            raise
        except ValueError as exc:
            raise ops.OperationError(str(exc)) from exc
        before: dict[str, bytes] = {}
        changed: dict[str, bytes] = {}
        for rel, doc in docs.items():
            old, original = repo.read_with_doc(rel)
            before[rel] = old
            new = spliced_bytes(original, old, doc)  # == doc.to_bytes(), from the changed lines
            if new != old:
                changed[rel] = new
        note = activity_note(op, data) if changed else None
        if note is not None:
            rel = repo.layout.working_memory
            if rel in docs:
                memory = docs[rel]
            else:
                before[rel], cached = repo.read_with_doc(rel)
                memory = cached.copy()
            line = append_memory(memory, now, note)
            docs = {**docs, rel: memory}
            changed[rel] = memory.to_bytes()
            data = {**data, "memory": memory.lines[line - 1]}
        result = ops.OpResult(op.op_id, op.kind, op.describe(), sorted(changed), data=data)
        journal.commit(op.op_id, changed, result.to_dict(), before=before)
        for rel in changed:  # the next operation starts from these, not from a reparse
            repo.prime(rel, LineDoc.from_bytes, docs[rel])
        return result


def recover_pending(repo: OrgRepo) -> int:
    """Finish or discard what a crash left half-applied; call when a writer starts."""
    journal = journal_of(repo)
    with journal.locked():
        return journal.recover()


def _todo(repo: OrgRepo) -> tuple[str, LineDoc]:
    rel = repo.layout.todo
    return rel, repo.read_doc(rel)


def _add_task(repo: OrgRepo, op: Any, now: datetime) -> Change:
    rel, doc = _todo(repo)
    index = add_task(doc, op.text, now.date())
    return {rel: doc}, {"line": index + 1, "raw": doc.lines[index]}


def _complete_task(repo: OrgRepo, op: Any, now: datetime) -> Change:
    rel, doc = _todo(repo)
    index = find_task(doc, op.line, op.raw)
    touched = complete_task(doc, index, now.date())
    data: dict[str, Any] = {"line": index + 1, "raw": doc.lines[index]}
    if len(touched) > 1:
        data["next"] = {"line": touched[1] + 1, "raw": doc.lines[touched[1]]}
    return {rel: doc}, data


def _edit_task(repo: OrgRepo, op: Any, now: datetime) -> Change:
    rel, doc = _todo(repo)
    index = find_task(doc, op.line, op.raw)
    before = doc.lines[index]
    edit_task(doc, index, op.new_text, now.date())
    return {rel: doc}, {"line": index + 1, "raw": doc.lines[index], "before": before}


def _delete_task(repo: OrgRepo, op: Any, now: datetime) -> Change:
    rel, doc = _todo(repo)
    index = find_task(doc, op.line, op.raw)
    raw = delete_task(doc, index)
    return {rel: doc}, {"line": index + 1, "raw": raw}


def _prioritize_task(repo: OrgRepo, op: Any, now: datetime) -> Change:
    rel, doc = _todo(repo)
    index = find_task(doc, op.line, op.raw)
    prioritize_task(doc, index, op.priority)
    return {rel: doc}, {"line": index + 1, "raw": doc.lines[index]}


def _archive_done(repo: OrgRepo, op: Any, now: datetime) -> Change:
    rel, todo = _todo(repo)
    done_rel = repo.layout.done
    done = repo.read_doc(done_rel)
    moved = archive_done(todo, done)
    if not moved:
        return {}, {"moved": 0}
    return {rel: todo, done_rel: done}, {"moved": len(moved)}


def _calendar(repo: OrgRepo) -> tuple[str, LineDoc]:
    rel = repo.layout.calendar
    return rel, repo.read_doc(rel)


def _add_event(repo: OrgRepo, op: Any, now: datetime) -> Change:
    rel, doc = _calendar(repo)
    index = calendar_edit.add_event(doc, ops.parse_day(op.day), op.text, op.time)
    return {rel: doc}, {"line": index + 1, "raw": doc.lines[index]}


def _move_event(repo: OrgRepo, op: Any, now: datetime) -> Change:
    rel, doc = _calendar(repo)
    day, to_day = ops.parse_day(op.day), ops.parse_day(op.to_day)
    index = calendar_edit.move_event(doc, day, op.event, to_day, op.to_time)
    return {rel: doc}, {"line": index + 1, "raw": doc.lines[index]}


def _remove_event(repo: OrgRepo, op: Any, now: datetime) -> Change:
    rel, doc = _calendar(repo)
    index = calendar_edit.remove_event(doc, ops.parse_day(op.day), op.event)
    return {rel: doc}, {"line": index + 1, "raw": doc.lines[index]}


def _set_project_status(repo: OrgRepo, op: Any, now: datetime) -> Change:
    rel = repo.layout.projects
    doc = repo.read_doc(rel)
    line = set_project_status(doc, op.project.lstrip("+"), op.status)
    return {rel: doc}, {"line": line, "raw": doc.lines[line - 1]}


def _append_working_memory(repo: OrgRepo, op: Any, now: datetime) -> Change:
    rel = repo.layout.working_memory
    doc = repo.read_doc(rel)
    line = append_memory(doc, now, op.text)
    return {rel: doc}, {"line": line, "raw": doc.lines[line - 1]}


_HANDLERS: dict[str, Callable[[OrgRepo, Any, datetime], Change]] = {
    ops.AddTask.kind: _add_task,
    ops.CompleteTask.kind: _complete_task,
    ops.EditTask.kind: _edit_task,
    ops.DeleteTask.kind: _delete_task,
    ops.PrioritizeTask.kind: _prioritize_task,
    ops.ArchiveDone.kind: _archive_done,
    ops.WriteFile.kind: write_file_change,
    ops.AppendToFile.kind: append_file_change,
    ops.AddEvent.kind: _add_event,
    ops.MoveEvent.kind: _move_event,
    ops.RemoveEvent.kind: _remove_event,
    ops.SetProjectStatus.kind: _set_project_status,
    ops.AppendWorkingMemory.kind: _append_working_memory,
}
