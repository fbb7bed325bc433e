"""The task list: live filtering, quick add, and complete / edit / prioritize in place."""

from __future__ import annotations

import re

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_htmx import make_response as htmx_response

from shared import operations as ops
from shared.todo import Task
from shared.todo_edit import TaskEditError, clean_text
from shared.todo_list import parse_tasks
from web import actions
from web.flash import CHANGED_EVENT, flash, flash_outcome
from web.services import services
from web.task_filter import DUE_CHOICES, PAGE_SIZE, SHOW_CHOICES, ListFilter
from web.views import BadInputError, fragment_for, is_htmx, raw_from_token, render_page, shown

bp = Blueprint("tasks", __name__)

_PRIORITY_RE = re.compile(r"^[A-Z]?$")


def current_tasks() -> list[Task]:
    svc = services()
    tasks: list[Task] = svc.repo.parsed(svc.repo.layout.todo, parse_tasks)
    return tasks


def find_current(tasks: list[Task], line: int, raw: str | None) -> Task | None:
    """The task the page showed: at ``line`` if it still reads ``raw``, else found by its text."""
    at_line = next((t for t in tasks if t.line == line), None)
    if raw is None or (at_line is not None and at_line.raw == raw):
        return at_line
    same = [t for t in tasks if t.raw == raw]
    return same[0] if len(same) == 1 else None


def list_context(flt: ListFilter) -> dict[str, object]:
    svc = services()
    today = svc.now().date()

    def build() -> tuple[list[Task], list[str], list[str]]:
        tasks = current_tasks()
        open_tasks = [t for t in tasks if not t.done]
        projects = sorted({p for t in open_tasks for p in t.projects}, key=str.casefold)
        contexts = sorted({c[1:] for t in open_tasks for c in t.contexts}, key=str.casefold)
        return flt.pool(tasks, today), projects, contexts

    pool, projects, contexts = svc.memo(
        f"task-pool:{flt.show}", (svc.repo_signature(), today), build
    )
    found = flt.select(pool, today)
    return {
        "flt": flt,
        "tasks": found[:PAGE_SIZE],
        "total": len(found),
        "today": today,
        "projects": projects,
        "contexts": contexts,
        "due_choices": DUE_CHOICES,
        "show_choices": SHOW_CHOICES,
    }


@bp.get("/tasks")
def index() -> ResponseReturnValue:
    flt = ListFilter.from_args(request.args)
    fragment = fragment_for("task-list", "tasks/partials/list.html")
    body = render_page("tasks/index.html", fragment, **list_context(flt))
    if fragment is None or not is_htmx():
        return body
    # The address bar follows the filter, so a filtered view can be bookmarked.
    qs = flt.query_string()
    return htmx_response(body, replace_url=url_for("tasks.index") + (f"?{qs}" if qs else ""))


@bp.post("/tasks")
def add() -> Response:
    text = request.form.get("text", "")
    try:
        text = clean_text(text)
    except TaskEditError as exc:
        raise BadInputError(_sentence(str(exc))) from exc
    outcome = actions.submit(ops.AddTask(text=text, source=actions.SOURCE))
    return flash_outcome(outcome)


class TaskGoneError(LookupError):
    """The task a page showed is no longer where (or what) it was."""


def target_task(line: int) -> Task:
    """The task a row stands for: its line number plus the exact text the page showed."""
    if line < 1:
        raise BadInputError("There is no task on that line.")
    raw = raw_from_token(request.values.get("raw"))
    task = find_current(current_tasks(), line, raw)
    if task is None:
        raise TaskGoneError("This task is no longer in todo.txt as shown (changed meanwhile?).")
    return task


def render_row(task: Task, *, editing: bool = False, error: str | None = None) -> str:
    return render_template(
        "tasks/partials/row.html",
        t=task,
        today=services().now().date(),
        editing=editing,
        error=error,
    )


@bp.errorhandler(TaskGoneError)
def gone(exc: TaskGoneError) -> Response:
    return flash("error", str(exc), 409, changed=True)


@bp.get("/tasks/<int:line>/row")
def row(line: int) -> str:
    return render_row(target_task(line))


@bp.get("/tasks/<int:line>/edit")
def edit_form(line: int) -> str:
    return render_row(target_task(line), editing=True)


def _apply_to_row(line: int, op: ops.Operation, *, editing_on_error: bool = False) -> Response:
    """Queue ``op`` for the task the row shows and answer with the row as it now reads."""
    task = target_task(line)
    outcome = actions.submit(op)
    if outcome.state == "failed":
        body = render_row(task, editing=editing_on_error, error=outcome.message)
        return htmx_response(body, 422)
    if outcome.state == "pending":
        body = render_template(
            "tasks/partials/row_pending.html", t=task, message=outcome.message,
            task_id=outcome.task_id,
        )
        return htmx_response(body, 202)
    data = outcome.result.data if outcome.result else {}
    updated = find_current(current_tasks(), int(data.get("line", line)), data.get("raw"))
    if updated is None:
        return flash_outcome(outcome)
    return htmx_response(render_row(updated), 200, trigger=CHANGED_EVENT)


def _raw() -> str | None:
    return raw_from_token(request.form.get("raw"))


@bp.post("/tasks/<int:line>/complete")
def complete(line: int) -> Response:
    return _apply_to_row(line, ops.CompleteTask(line=line, raw=_raw(), source=actions.SOURCE))


@bp.post("/tasks/<int:line>/edit")
def edit(line: int) -> Response:
    task = target_task(line)
    try:
        text = clean_text(request.form.get("text", ""))
    except TaskEditError as exc:
        return htmx_response(render_row(task, editing=True, error=_sentence(str(exc))), 400)
    op = ops.EditTask(line=line, raw=_raw(), new_text=text, source=actions.SOURCE)
    return _apply_to_row(line, op, editing_on_error=True)


@bp.post("/tasks/<int:line>/priority")
def prioritize(line: int) -> Response:
    priority = request.form.get("priority", "").strip().upper()
    if not _PRIORITY_RE.match(priority):
        raise BadInputError(f"“{shown(priority[:20])}” is not a priority: use a letter A–Z.")
    op = ops.PrioritizeTask(
        line=line, raw=_raw(), priority=priority or None, source=actions.SOURCE
    )
    return _apply_to_row(line, op)


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
