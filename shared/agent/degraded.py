"""Carry out a built-in command (see :mod:`shared.agent.intents`) without any model."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from shared import operations as ops
from shared.agent import intents as it
from shared.agent.ids import op_id_for
from shared.agent.render import readable, task_line, task_lines, today_text
from shared.agent.suggest import SuggestInput, ranked
from shared.agent.tool_types import ToolEnv
from shared.org_repo import OrgRepo
from shared.queries import TaskFilter, deadlines, filter_tasks, sort_key
from shared.today import build_today
from shared.todo import Task
from shared.todo_list import parse_tasks

Apply = Callable[[ops.Operation], ops.OpResult]

NO_KEY = "no_key"
ENDPOINT_DOWN = "endpoint_down"
BUDGET_SPENT = "budget_spent"

_REASONS = {
    NO_KEY: "No language model is configured. Set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for "
    "a LiteLLM or other Anthropic-compatible proxy) to enable it.",
    ENDPOINT_DOWN: "The language model is not reachable right now; try again in a while.",
    BUDGET_SPENT: "Today's token budget for the language model is spent; it is back tomorrow "
    "(or raise AGENT_DAILY_TOKEN_BUDGET).",
}
HELP = (
    'Without the model I understand: add a task ("add call Ana tomorrow +acme @phone"), '
    'complete one ("done 12", "done call Ana"), show today ("today"), what is due ("what\'s '
    'due this week", "overdue"), what to do next ("what should I do next?"), list tasks '
    '("tasks @phone", "tasks +acme"), add an event ("add event fri 10-11 dentist"), and undo '
    'the last change ("undo that"). '
    "The model adds questions about goals and projects, planning, and multi-step changes."
)
_STOP_WORDS = {"the", "a", "an", "my", "to", "task", "of"}


@dataclass
class Reply:
    text: str
    results: list[ops.OpResult] = field(default_factory=list)
    understood: bool = True


def unknown_reply(reason: str, detail: str | None = None) -> str:
    """Why the model cannot answer (``detail`` replaces the generic sentence), and what the
    built-in commands understand."""
    return f"{detail or _REASONS.get(reason, _REASONS[NO_KEY])}\n{HELP}"


def run_intent(
    intent: it.Intent, repo: OrgRepo, now: datetime, apply: Apply, turn_id: str, source: str
) -> Reply:
    """Do what ``intent`` says. Writes go through ``apply``; bad input gives a short reply."""
    try:
        return _run(intent, repo, now, apply, turn_id, source)
    except ops.OperationError as exc:
        return Reply(f"Nothing changed: {exc}")


def _run(
    intent: it.Intent, repo: OrgRepo, now: datetime, apply: Apply, turn_id: str, source: str
) -> Reply:
    today = now.date()
    op_id = op_id_for(turn_id, "intent")
    if isinstance(intent, it.AddTaskIntent):
        result = apply(ops.AddTask(text=intent.text, op_id=op_id, source=source))
        return Reply(f"Added task #{result.data.get('line')}: {result.data.get('raw')}", [result])
    if isinstance(intent, it.CompleteTaskIntent):
        return _complete(intent, repo, now, apply, op_id, source)
    if isinstance(intent, it.ShowTodayIntent):
        return Reply(today_text(build_today(repo, now)))
    if isinstance(intent, it.ShowDueIntent):
        return Reply(_due_text(intent, _tasks(repo), today))
    if isinstance(intent, it.SuggestIntent):
        env = ToolEnv(repo, now, turn_id, "suggest", source)
        picks = ranked(env, SuggestInput(context=intent.context))
        where = f" at @{intent.context}" if intent.context else ""
        if not picks:
            return Reply(f"Nothing to suggest{where}: no open task fits.")
        rows = [
            f"  {i}. {task_line(p.task, today)} — {p.reason_text or 'open'}"
            for i, p in enumerate(picks, 1)
        ]
        return Reply(f"Suggested now{where}:\n" + "\n".join(rows))
    if isinstance(intent, it.ListTasksIntent):
        flt = TaskFilter(context=intent.context, project=intent.project)
        tasks = sorted(filter_tasks(_tasks(repo), flt, today), key=sort_key)
        label = (
            " ".join(
                x
                for x in (
                    f"@{intent.context}" if intent.context else "",
                    f"+{intent.project}" if intent.project else "",
                )
                if x
            )
            or "open"
        )
        if not tasks:
            return Reply(f"No {label} tasks.")
        return Reply(f"{len(tasks)} {label} task(s):\n" + "\n".join(task_lines(tasks, today)))
    if isinstance(intent, it.AddEventIntent):
        op = ops.AddEvent(
            day=intent.day.isoformat(),
            text=intent.text,
            time=intent.time,
            op_id=op_id,
            source=source,
        )
        result = apply(op)
        when = f"{intent.day:%a %d %b}" + (f" {intent.time}" if intent.time else "")
        return Reply(f"Added to the calendar, {when}: {intent.text}", [result])
    if isinstance(intent, it.ClarifyIntent):
        return Reply(intent.message)
    return Reply(HELP, understood=False)


def _due_text(intent: it.ShowDueIntent, tasks: list[Task], today: date) -> str:
    """Overdue, due today and due within the asked days: open, visible, unblocked tasks."""
    found = deadlines(tasks, today, [intent.days])
    sections = [("Overdue", found.overdue)]
    if not intent.overdue_only:
        sections.append(("Due today", found.due_today))
        if intent.days == 1:
            sections.append(("Due tomorrow", found.due_within[1]))
        elif intent.days > 1:
            sections.append((f"Due in the next {intent.days} days", found.due_within[intent.days]))
    out = []
    for title, listed in sections:
        if listed:
            out.append(f"{title} ({len(listed)}):")
            out.extend("  " + line for line in task_lines(listed, today))
    if out:
        return "\n".join(out)
    if intent.overdue_only:
        return "Nothing is overdue."
    span = {0: "today", 1: "today or tomorrow"}.get(intent.days, f"in the next {intent.days} days")
    return f"Nothing is overdue, and nothing is due {span}."


def _tasks(repo: OrgRepo) -> list[Task]:
    return repo.parsed(repo.layout.todo, parse_tasks)


def _complete(
    intent: it.CompleteTaskIntent,
    repo: OrgRepo,
    now: datetime,
    apply: Apply,
    op_id: str,
    source: str,
) -> Reply:
    today = now.date()
    if intent.line is not None:
        result = apply(ops.CompleteTask(line=intent.line, op_id=op_id, source=source))
        return Reply(_done_text(result), [result])
    matches = matching_tasks(_tasks(repo), intent.query or "")
    if not matches:
        return Reply(f'No open task matches {intent.query!r}. Try "tasks" to see them.')
    if len(matches) > 1:
        listing = "\n".join(task_lines(matches, today, 10))
        return Reply(f'Several open tasks match; say "done N" with one of:\n{listing}')
    task = matches[0]
    result = apply(ops.CompleteTask(line=task.line, raw=task.raw, op_id=op_id, source=source))
    return Reply(_done_text(result), [result])


def matching_tasks(tasks: list[Task], query: str) -> list[Task]:
    """Open tasks whose text holds every word of ``query`` (case and accents as typed)."""
    words = [w for w in re.findall(r"[\w'+@-]+", query.casefold()) if w not in _STOP_WORDS]
    if not words:
        return []
    open_tasks = [t for t in tasks if not t.done and t.text]
    found = [t for t in open_tasks if all(w in readable(t.text).casefold() for w in words)]
    exact = [t for t in found if readable(t.description).casefold() == query.casefold().strip()]
    return exact or found


def _done_text(result: ops.OpResult) -> str:
    text = f"Done: {result.data.get('raw')}"
    nxt = result.data.get("next")
    if isinstance(nxt, dict):
        text += f"\nNext occurrence added as #{nxt.get('line')}: {nxt.get('raw')}"
    return text
