"""The weekly goal report: key results checked, and tasks done per goal this week and last.

A task counts for a goal when its alignment chain (task → ``+project`` → ``goal:``) reaches it.
Weeks run Monday to Sunday: "this week" holds today, "last week" is the one before.

A goal is *behind* when the share of its key results checked is below the share of the quarter
gone by (today included). A goal without key results is never behind: there is nothing to
measure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from shared.alignment import alignment_chain, alignment_report
from shared.assistant_config import DEFAULT_STALLED_DAYS
from shared.goals import Goal, Quarter, quarter_bounds
from shared.progress import project_progress
from shared.projects import Project
from shared.telos import Telos
from shared.todo import Task


def week_bounds(today: date) -> tuple[date, date]:
    """Monday and Sunday of the week holding ``today``."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def quarter_elapsed(today: date) -> float:
    """The share of ``today``'s quarter gone by, today included (0 < share ≤ 1)."""
    start, end = quarter_bounds(today)
    return ((today - start).days + 1) / ((end - start).days + 1)


def is_behind(goal: Goal, today: date) -> bool:
    total = len(goal.key_results)
    if not total:
        return False
    done = sum(1 for kr in goal.key_results if kr.done)
    return done / total < quarter_elapsed(today)


def behind_goals(quarter: Quarter, today: date) -> list[str]:
    """Ids of the quarter's goals that are behind, in file order."""
    return [g.id for g in quarter.goals if is_behind(g, today)]


@dataclass(frozen=True)
class GoalStatus:
    """One goal this week. ``projects``: active projects serving it; ``stalled``: those stalled;
    ``done_tasks``: the tasks for it completed this week."""

    id: str
    title: str
    kr_done: int
    kr_total: int
    behind: bool
    done_this_week: int
    done_last_week: int
    projects: tuple[str, ...] = ()
    stalled: tuple[str, ...] = ()
    done_tasks: tuple[Task, ...] = ()

    @property
    def trend(self) -> str:
        """``up``, ``down`` or ``same``: this week's done tasks against last week's."""
        if self.done_this_week == self.done_last_week:
            return "same"
        return "up" if self.done_this_week > self.done_last_week else "down"

    def line(self) -> str:
        """``revenue-5k: 1/4 key results (behind) · 2 tasks done this week (last week 0)``"""
        behind = " (behind)" if self.behind else ""
        parts = [
            f"{self.id}: {self.kr_done}/{self.kr_total} key results{behind}",
            f"{_tasks(self.done_this_week)} done this week (last week {self.done_last_week})",
        ]
        if not self.projects:
            parts.append("no active project")
        if self.stalled:
            parts.append("stalled: " + ", ".join(f"+{s}" for s in self.stalled))
        return " · ".join(parts)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "key_results_done": self.kr_done,
            "key_results_total": self.kr_total,
            "behind": self.behind,
            "done_this_week": self.done_this_week,
            "done_last_week": self.done_last_week,
            "trend": self.trend,
            "projects": list(self.projects),
            "stalled": list(self.stalled),
            "done_tasks": [t.raw for t in self.done_tasks],
        }


@dataclass(frozen=True)
class GoalReport:
    week_start: date
    week_end: date
    goals: list[GoalStatus] = field(default_factory=list)
    projects_without_goal: list[str] = field(default_factory=list)
    goals_without_project: list[str] = field(default_factory=list)
    stalled_projects: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as short lines of text, for a briefing or a chat message."""
        out = [f"Goals, week of {self.week_start.isoformat()}:"]
        out += [f"- {g.line()}" for g in self.goals]
        if self.projects_without_goal:
            out.append("Projects with no goal: " + _slugs(self.projects_without_goal))
        if self.stalled_projects:
            out.append("Stalled projects: " + _slugs(self.stalled_projects))
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "week_start": self.week_start.isoformat(),
            "week_end": self.week_end.isoformat(),
            "goals": [g.to_json() for g in self.goals],
            "projects_without_goal": self.projects_without_goal,
            "goals_without_project": self.goals_without_project,
            "stalled_projects": self.stalled_projects,
        }


def goal_report(
    quarter: Quarter,
    projects: Sequence[Project],
    tasks: Iterable[Task],
    today: date,
    stalled_days: int = DEFAULT_STALLED_DAYS,
) -> GoalReport:
    """The report for the week holding ``today``; ``tasks`` are todo.txt and done.txt together."""
    tasks = list(tasks)
    start, end = week_bounds(today)
    last_start = start - timedelta(days=7)
    this_week: dict[str, list[Task]] = {g.id: [] for g in quarter.goals}
    last_week: dict[str, int] = {g.id: 0 for g in quarter.goals}
    no_telos = Telos()
    for task in tasks:
        done_on = task.completion_date if task.done else None
        if done_on is None or not last_start <= done_on <= end:
            continue
        for goal in alignment_chain(task, projects, quarter, no_telos).goals:
            if done_on >= start:
                this_week[goal.id].append(task)
            else:
                last_week[goal.id] += 1
    progress = project_progress(list(projects), tasks, today, stalled_days)
    stalled = [slug for slug, p in progress.items() if p.stalled]
    alignment = alignment_report(projects, quarter, no_telos, tasks)
    statuses = []
    for goal in quarter.goals:
        serving = tuple(
            p.slug
            for p in projects
            if p.active and p.slug in progress and _serves(p, goal)
        )
        statuses.append(
            GoalStatus(
                id=goal.id,
                title=goal.title,
                kr_done=sum(1 for kr in goal.key_results if kr.done),
                kr_total=len(goal.key_results),
                behind=is_behind(goal, today),
                done_this_week=len(this_week[goal.id]),
                done_last_week=last_week[goal.id],
                projects=tuple(dict.fromkeys(serving)),
                stalled=tuple(s for s in dict.fromkeys(serving) if s in stalled),
                done_tasks=tuple(this_week[goal.id]),
            )
        )
    return GoalReport(
        week_start=start,
        week_end=end,
        goals=statuses,
        projects_without_goal=alignment.projects_without_goal,
        goals_without_project=alignment.goals_without_project,
        stalled_projects=stalled,
    )


def _serves(project: Project, goal: Goal) -> bool:
    return any(g.casefold() == goal.id.casefold() for g in project.goals)


def _tasks(n: int) -> str:
    return f"{n} task" if n == 1 else f"{n} tasks"


def _slugs(slugs: list[str]) -> str:
    return ", ".join(f"+{s}" for s in slugs)
