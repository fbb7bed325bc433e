"""What to do next: open tasks ranked by urgency, priority and fit with time and energy."""

from __future__ import annotations

import re
from datetime import date

from shared.agent.render import task_line
from shared.queries import actionable
from shared.todo import Task

_EST_RE = re.compile(r"^(\d+(?:\.\d+)?)(m|h)$")
_PRIORITY_POINTS = {"A": 30, "B": 20, "C": 10}


def estimate_minutes(task: Task) -> int | None:
    """``est:30m`` → 30, ``est:2h`` → 120; None when absent or unreadable."""
    m = _EST_RE.match(task.attr("est") or "")
    if not m:
        return None
    return round(float(m.group(1)) * (60 if m.group(2) == "h" else 1))


def suggest(
    tasks: list[Task],
    today: date,
    context: str | None = None,
    minutes: int | None = None,
    energy: str | None = None,
) -> list[tuple[str, str]]:
    """(task line, why) for the best candidates first. Waiting-for items are never suggested."""
    scored: list[tuple[int, int, str, str]] = []
    for task in actionable(tasks, today):
        if task.is_waiting:
            continue
        if context and f"@{context.lstrip('@')}" not in task.contexts and task.contexts:
            continue
        est = estimate_minutes(task)
        if minutes is not None and est is not None and est > minutes:
            continue
        score, why = _score(task, today, est, energy)
        scored.append((-score, task.line, task_line(task, today), ", ".join(why) or "open"))
    scored.sort()
    return [(line, why) for _, _, line, why in scored]


def _score(task: Task, today: date, est: int | None, energy: str | None) -> tuple[int, list[str]]:
    score, why = _PRIORITY_POINTS.get(task.priority or "", 0), []
    if task.priority:
        why.append(f"priority {task.priority}")
    due = task.due
    if due is not None:
        days = (due - today).days
        if days < 0:
            score += 60 + min(-days, 30)
            why.append(f"overdue {-days}d")
        elif days <= 3:
            score += 40 - 5 * days
            why.append("due today" if days == 0 else f"due in {days}d")
        elif days <= 7:
            score += 15
            why.append(f"due in {days}d")
    level = task.attr("energy")
    if energy and level:
        if level == energy:
            score += 10
            why.append(f"{level} energy")
        elif energy == "low" and level == "high":
            score -= 15
    if est is not None and est <= 15:
        score += 5
        why.append("quick")
    return score, why
