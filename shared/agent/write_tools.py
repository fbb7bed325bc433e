"""Tools that change the repo. None of them writes: each checks its input against the current
files and returns a :class:`Change` (operations for the repo lane), marked destructive when the
owner must confirm it first (deleting a task or event, overwriting a file)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from shared import operations as ops
from shared.agent.file_ops import check_writable
from shared.agent.render import readable
from shared.agent.tool_types import Change, GitAction, Tool, ToolEnv, ToolError, ToolInput
from shared.calendar import events_on, parse_calendar
from shared.dates import resolve_date
from shared.todo import is_task_line, parse_task

_LINE = Field(ge=1, description="The task's line number (#N from search_tasks)")
_EXPECT = Field(description="A few words of the task's text, to make sure the line is right")


class TaskTextInput(ToolInput):
    text: str = Field(
        min_length=1,
        max_length=2000,
        description="One todo.txt line: text, +project, @context, due:YYYY-MM-DD (or due:fri)",
    )


def add_task(env: ToolEnv, args: TaskTextInput) -> Change:
    op = ops.AddTask(text=args.text, op_id=env.op_id(), source=env.source)
    return Change([op], f"add task: {args.text}", new_text=args.text)


class TaskRefInput(ToolInput):
    line: int = _LINE
    expect: str = _EXPECT


def _task_at(env: ToolEnv, line: int, expect: str) -> str:
    doc = env.repo.read_doc(env.repo.layout.todo)
    if not 1 <= line <= len(doc.lines) or not is_task_line(doc.lines[line - 1]):
        raise ToolError(f"no task on line {line} of todo.txt; search_tasks shows the numbers")
    raw = doc.lines[line - 1]
    words = [w for w in expect.casefold().split() if w]
    if not words or not all(w in readable(raw).casefold() for w in words):
        raise ToolError(f"line {line} holds {readable(raw)!r}, not {expect!r}; search again")
    return raw


def complete_task(env: ToolEnv, args: TaskRefInput) -> Change:
    raw = _task_at(env, args.line, args.expect)
    if parse_task(raw).done:
        raise ToolError(f"line {args.line} is already done")
    op = ops.CompleteTask(line=args.line, raw=raw, op_id=env.op_id(), source=env.source)
    return Change([op], f"complete task: {readable(raw)}")


class EditTaskInput(TaskRefInput):
    new_text: str = Field(min_length=1, max_length=2000, description="The whole new task line")


def edit_task(env: ToolEnv, args: EditTaskInput) -> Change:
    """An edit that keeps most of the task's words is an edit; one that drops most of them
    destroys what the owner wrote, and waits for confirmation like a delete."""
    raw = _task_at(env, args.line, args.expect)
    old = {w.casefold() for w in parse_task(raw).description.split()}
    kept = old & {w.casefold() for w in parse_task(args.new_text).description.split()}
    rewrite = len(old) >= 2 and len(kept) < len(old) / 2
    op = ops.EditTask(
        line=args.line, raw=raw, new_text=args.new_text, op_id=env.op_id(), source=env.source
    )
    summary = f"edit task #{args.line}: {readable(raw)} → {args.new_text}"
    return Change([op], summary, destructive="rewrites most of a task" if rewrite else None)


def delete_task(env: ToolEnv, args: TaskRefInput) -> Change:
    raw = _task_at(env, args.line, args.expect)
    op = ops.DeleteTask(line=args.line, raw=raw, op_id=env.op_id(), source=env.source)
    summary = f"delete task #{args.line}: {readable(raw)}"
    return Change([op], summary, destructive="deletes a task")


class EventInput(ToolInput):
    date: str = Field(description="YYYY-MM-DD, or today, tomorrow, fri, next week")
    text: str = Field(min_length=1, max_length=500, description="What happens")
    time: str | None = Field(None, description="17, 17:30, 9-12 or 14:15-16; empty: all day")


def _day(env: ToolEnv, text: str) -> str:
    day = resolve_date(text, env.now.date())
    if day is None:
        raise ToolError(f"{text!r} is not a date (use YYYY-MM-DD, today, tomorrow, fri…)")
    return day.isoformat()


def add_event(env: ToolEnv, args: EventInput) -> Change:
    day = _day(env, args.date)
    op = ops.AddEvent(
        day=day, text=args.text, time=args.time or None, op_id=env.op_id(), source=env.source
    )
    summary = f"add event {day} {args.time or ''} {args.text}".replace("  ", " ")
    return Change([op], summary, new_text=args.text)


class RemoveEventInput(ToolInput):
    date: str = Field(description="The event's day")
    event: str = Field(min_length=1, description="The event's text as get_events shows it")


def remove_event(env: ToolEnv, args: RemoveEventInput) -> Change:
    day = _day(env, args.date)
    cal = env.repo.parsed(env.repo.layout.calendar, parse_calendar)
    wanted = args.event.casefold()
    if not any(wanted in e.raw.casefold() for e in events_on(cal, date.fromisoformat(day))):
        raise ToolError(f"no event {args.event!r} on {day}; use get_events")
    op = ops.RemoveEvent(day=day, event=args.event, op_id=env.op_id(), source=env.source)
    return Change([op], f"remove event {day}: {args.event}", destructive="deletes an event")


class MemoryInput(ToolInput):
    text: str = Field(min_length=1, max_length=1000, description="One line about what happened")


def append_working_memory(env: ToolEnv, args: MemoryInput) -> Change:
    op = ops.AppendWorkingMemory(text=args.text, op_id=env.op_id(), source=env.source)
    return Change([op], f"working memory: {args.text}")


class WriteFileInput(ToolInput):
    path: str = Field(description="A .txt or .md file, relative to the repository root")
    content: str = Field(max_length=256_000, description="The whole new content")


def _writable(env: ToolEnv, path: str) -> str:
    try:
        return check_writable(env.repo, path)
    except ops.OperationError as exc:
        raise ToolError(str(exc)) from exc


def write_file(env: ToolEnv, args: WriteFileInput) -> Change:
    rel = _writable(env, args.path)
    op = ops.WriteFile(path=rel, content=args.content, op_id=env.op_id(), source=env.source)
    old = env.repo.read_bytes(rel)
    if old.strip():
        lines = old.count(b"\n") + (0 if old.endswith(b"\n") else 1)
        summary = f"overwrite {rel} ({lines} lines now)"
        return Change([op], summary, destructive="overwrites a file", new_text=args.content)
    return Change([op], f"write new file {rel}", new_text=args.content)


class AppendInput(ToolInput):
    path: str = Field(description="A .txt or .md file, relative to the repository root")
    text: str = Field(min_length=1, max_length=64_000, description="Lines to add at the end")


def append_to_file(env: ToolEnv, args: AppendInput) -> Change:
    rel = _writable(env, args.path)
    op = ops.AppendToFile(path=rel, text=args.text, op_id=env.op_id(), source=env.source)
    return Change([op], f"append to {rel}: {args.text[:80]}", new_text=args.text)


class NoInput(ToolInput):
    pass


def git_commit(env: ToolEnv, args: NoInput) -> GitAction:
    return GitAction("commit")


def git_pull(env: ToolEnv, args: NoInput) -> GitAction:
    return GitAction("pull")


def git_push(env: ToolEnv, args: NoInput) -> GitAction:
    return GitAction("push")


TOOLS = (
    Tool(
        "add_task",
        "Add a task to todo.txt (creation date added; due:fri becomes a date).",
        TaskTextInput,
        add_task,
        "write",
    ),
    Tool(
        "complete_task",
        "Mark a task done (a recurring one adds its next occurrence).",
        TaskRefInput,
        complete_task,
        "write",
    ),
    Tool("edit_task", "Replace a task's line with new text.", EditTaskInput, edit_task, "write"),
    Tool(
        "delete_task",
        "Delete a task line (the owner must confirm).",
        TaskRefInput,
        delete_task,
        "write",
    ),
    Tool("add_event", "Add an event to calendar.txt.", EventInput, add_event, "write"),
    Tool(
        "remove_event",
        "Remove an event from calendar.txt (the owner must confirm).",
        RemoveEventInput,
        remove_event,
        "write",
    ),
    Tool(
        "append_working_memory",
        "Note one line in working-memory.txt about what was done or decided.",
        MemoryInput,
        append_working_memory,
        "write",
    ),
    Tool(
        "write_file",
        "Write a whole .txt/.md file (overwriting needs the owner's "
        "confirmation). Prefer the task and event tools for todo.txt and calendar.txt.",
        WriteFileInput,
        write_file,
        "write",
    ),
    Tool(
        "append_to_file", "Append lines to a .txt/.md file.", AppendInput, append_to_file, "write"
    ),
    Tool(
        "git_commit",
        "Commit pending changes now (changes are committed automatically).",
        NoInput,
        git_commit,
        "git",
    ),
    Tool("git_pull", "Pull the owner's remote into the org repository.", NoInput, git_pull, "git"),
    Tool("git_push", "Push the org repository to the owner's remote.", NoInput, git_push, "git"),
)
