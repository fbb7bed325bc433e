"""What to do next: an explainable score for every open task, best first.

Never suggested: done tasks, tasks before their ``t:`` threshold, blocked tasks (all three via
:func:`shared.queries.actionable`) and ``@waiting`` items. Every other open task scores::

    urgency    overdue by d days:      due + overdue_per_day × min(d, overdue_cap_days)
               due in d days (0 ≤ d < due_horizon_days):  due × (1 − d / due_horizon_days)
    priority   priority × 3 for (A), × 2 for (B), × 1 for (C)
    goal       goal when its project serves a goal of the quarter, + goal_behind if one is behind
    stalled    stalled when its project is stalled (``progress``)
    context    + context when one of its @contexts is the current one,
               − context_mismatch when it has contexts and none is the current one
    effort     + effort_fit when ``est:`` fits the minutes available, − effort_misfit when not
    energy     + energy_fit when ``energy:`` is at most the energy available, − energy_misfit
    age        age_per_week × whole weeks since created, at most age_cap_weeks
    project    − inactive_project when its project is paused, someday or done

Each term that applies adds a reason ("due tomorrow · serves revenue-5k · 30m fits"). Ties go to
the earlier due date, then to file order, so a more urgent task never ranks below an otherwise
equal one. The weights are read from assistant.toml's ``[suggest]`` table
(:func:`weights_from_config`); each must be a number ≥ 0, a penalty being subtracted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime

from shared.assistant_config import AssistantConfig
from shared.goal_report import is_behind
from shared.goals import Quarter
from shared.progress import ProjectProgress
from shared.projects import Project, projects_by_slug
from shared.queries import actionable
from shared.todo import Task

DEFAULT_LIMIT = 5
ENERGY_LEVELS = {"low": 0, "med": 1, "medium": 1, "normal": 1, "high": 2}
_EST_RE = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+)m(?:in)?)?$")
_PRIORITY_STEPS = {"A": 3, "B": 2, "C": 1}


@dataclass(frozen=True)
class Weights:
    due: float = 40
    due_horizon_days: float = 14
    overdue_per_day: float = 3
    overdue_cap_days: float = 10
    priority: float = 10
    goal: float = 10
    goal_behind: float = 8
    stalled: float = 5
    context: float = 10
    context_mismatch: float = 25
    effort_fit: float = 8
    effort_misfit: float = 30
    energy_fit: float = 6
    energy_misfit: float = 15
    age_per_week: float = 1
    age_cap_weeks: float = 5
    inactive_project: float = 20


@dataclass(frozen=True)
class Suggestion:
    task: Task
    score: float
    reasons: list[str]

    @property
    def reason_text(self) -> str:
        return " · ".join(self.reasons)

    def to_json(self) -> dict[str, object]:
        return {
            "task": self.task.to_json(),
            "score": round(self.score, 1),
            "reasons": self.reasons,
            "reason_text": self.reason_text,
        }


def read_weights(table: object) -> tuple[Weights, list[str]]:
    """Weights from a ``[suggest]`` table: unknown keys and bad values are reported and ignored."""
    if table is None:
        return Weights(), []
    if not isinstance(table, dict):
        return Weights(), ["suggest should be a [suggest] table; using its defaults"]
    known = {f.name for f in fields(Weights)}
    values: dict[str, float] = {}
    problems = []
    for key, value in table.items():
        if key not in known:
            problems.append(f"suggest.{key} is not a known weight; ignored")
        elif isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and value >= 0
        ):
            problems.append(f"suggest.{key} = {value!r} should be a number ≥ 0; using default")
        elif key == "due_horizon_days" and value == 0:
            problems.append(f"suggest.{key} must be above 0; using default")
        else:
            values[key] = float(value)
    return replace(Weights(), **values), problems


def weights_from_config(config: AssistantConfig) -> Weights:
    """The ``[suggest]`` weights of assistant.toml (defaults for what is missing or invalid)."""
    return read_weights(config.extra.get("suggest"))[0]


def estimate_minutes(task: Task) -> int | None:
    """``est:30m`` → 30, ``est:2h`` → 120, ``est:1h30m`` → 90; None when absent or unreadable."""
    m = _EST_RE.match(task.attr("est") or "")
    if not m or not any(m.groups()):
        return None
    return round(float(m.group(1) or 0) * 60 + int(m.group(2) or 0))


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}m" if rest else f"{hours}h"


def suggest(
    tasks: Sequence[Task],
    *,
    now: datetime | date,
    context: str | None = None,
    minutes_available: int | None = None,
    energy: str | None = None,
    projects: Sequence[Project] = (),
    quarter: Quarter | None = None,
    progress: Mapping[str, ProjectProgress] | None = None,
    weights: Weights | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> list[Suggestion]:
    """The best ``limit`` open tasks to do now (all of them with ``limit=None``), best first."""
    today = now.date() if isinstance(now, datetime) else now
    w = weights or Weights()
    listed = projects_by_slug(list(projects))
    scorer = _Scorer(today, w, context, minutes_available, energy, listed, quarter, progress)
    picks = [scorer.score(t) for t in actionable(list(tasks), today) if not t.is_waiting]
    picks.sort(key=lambda s: (-s.score, s.task.due or date.max, s.task.line))
    return picks if limit is None else picks[: max(limit, 0)]


@dataclass
class _Scorer:
    today: date
    w: Weights
    context: str | None
    minutes: int | None
    energy: str | None
    listed: dict[str, Project]
    quarter: Quarter | None
    progress: Mapping[str, ProjectProgress] | None

    def score(self, task: Task) -> Suggestion:
        terms: list[tuple[float, str]] = []
        parts = (self._urgency, self._priority, self._project, self._context, self._effort,
                 self._energy, self._age)
        for part in parts:
            terms.extend(part(task))
        return Suggestion(task, float(sum(v for v, _ in terms)), [r for _, r in terms if r])

    def _urgency(self, task: Task) -> list[tuple[float, str]]:
        due, w = task.due, self.w
        if due is None:
            return []
        days = (due - self.today).days
        if days < 0:
            late = -days
            points = w.due + w.overdue_per_day * min(late, w.overdue_cap_days)
            return [(points, f"overdue {late} day{'s' if late > 1 else ''}")]
        if days >= w.due_horizon_days:
            return []
        when = {0: "due today", 1: "due tomorrow"}.get(days, f"due in {days} days")
        return [(w.due * (1 - days / w.due_horizon_days), when)]

    def _priority(self, task: Task) -> list[tuple[float, str]]:
        steps = _PRIORITY_STEPS.get(task.priority or "", 0)
        return [(self.w.priority * steps, f"priority {task.priority}")] if steps else []

    def _project(self, task: Task) -> list[tuple[float, str]]:
        project = next((self.listed[s] for s in task.projects if s in self.listed), None)
        if project is None:
            return []
        if not project.active:
            return [(-self.w.inactive_project, f"+{project.slug} {project.status}")]
        out: list[tuple[float, str]] = []
        goals = [g for gid in project.goals if self.quarter and (g := self.quarter.find(gid))]
        if goals:
            behind = [g for g in goals if is_behind(g, self.today)]
            shown = (behind or goals)[0].id
            out.append((self.w.goal, f"serves {shown}"))
            if behind:
                out[-1] = (self.w.goal + self.w.goal_behind, f"serves {shown} (behind)")
        state = self.progress.get(project.slug) if self.progress else None
        if state is not None and state.stalled:
            out.append((self.w.stalled, f"+{project.slug} stalled"))
        return out

    def _context(self, task: Task) -> list[tuple[float, str]]:
        if not self.context or not task.contexts:
            return []
        wanted = "@" + self.context.lstrip("@").casefold()
        if any(c.casefold() == wanted for c in task.contexts):
            return [(self.w.context, wanted)]
        return [(-self.w.context_mismatch, f"not {wanted}")]

    def _effort(self, task: Task) -> list[tuple[float, str]]:
        est = estimate_minutes(task)
        if self.minutes is None or est is None:
            return []
        if est <= self.minutes:
            return [(self.w.effort_fit, f"{format_minutes(est)} fits")]
        return [(-self.w.effort_misfit, f"needs {format_minutes(est)}")]

    def _energy(self, task: Task) -> list[tuple[float, str]]:
        have = ENERGY_LEVELS.get((self.energy or "").casefold())
        need_word = (task.attr("energy") or "").casefold()
        need = ENERGY_LEVELS.get(need_word)
        if have is None or need is None:
            return []
        if need <= have:
            return [(self.w.energy_fit, f"{need_word} energy")]
        return [(-self.w.energy_misfit, f"needs {need_word} energy")]

    def _age(self, task: Task) -> list[tuple[float, str]]:
        created = task.creation_date
        if created is None:
            return []
        weeks = (self.today - created).days // 7
        if weeks < 1:
            return []
        text = f"open {weeks} weeks" if weeks >= 2 else ""
        return [(self.w.age_per_week * min(weeks, self.w.age_cap_weeks), text)]
