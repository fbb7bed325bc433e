"""Goal alignment: task → ``+project`` → ``goal:`` → telos goal, and what breaks the chain.

Ids are matched without regard to case. A task with several projects follows the first one
listed in projects.txt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from shared.goals import Goal, Quarter
from shared.projects import Project, projects_by_slug
from shared.telos import Telos, TelosGoal
from shared.todo import Task


@dataclass(frozen=True)
class Chain:
    task: Task
    project: Project | None
    goals: list[Goal] = field(default_factory=list)
    telos_goals: list[TelosGoal] = field(default_factory=list)

    @property
    def aligned(self) -> bool:
        """True when the task reaches at least one quarterly goal."""
        return bool(self.goals)

    def to_json(self) -> dict[str, object]:
        return {
            "task": self.task.raw,
            "line": self.task.line,
            "project": self.project.slug if self.project else None,
            "goals": [{"id": g.id, "title": g.title} for g in self.goals],
            "telos_goals": [{"id": t.id, "text": t.text} for t in self.telos_goals],
        }


@dataclass(frozen=True)
class AlignmentReport:
    """What breaks the chain.

    ``projects_without_goal``: active projects with no ``goal:``.
    ``goals_without_project``: quarterly goals no active project points at.
    ``unknown_goals``: (slug, id) for a ``goal:`` of a not-done project that names no goal.
    ``unknown_telos``: (goal id, telos id) for a ``Supports:`` id missing from telos.md.
    ``unlisted_projects``: ``+slugs`` of open tasks that are not in projects.txt.
    """

    projects_without_goal: list[str] = field(default_factory=list)
    goals_without_project: list[str] = field(default_factory=list)
    unknown_goals: list[tuple[str, str]] = field(default_factory=list)
    unknown_telos: list[tuple[str, str]] = field(default_factory=list)
    unlisted_projects: list[str] = field(default_factory=list)
    open_tasks: int = 0
    aligned_tasks: int = 0

    @property
    def ok(self) -> bool:
        return not (
            self.projects_without_goal
            or self.goals_without_project
            or self.unknown_goals
            or self.unknown_telos
        )

    def to_json(self) -> dict[str, object]:
        return {
            "projects_without_goal": self.projects_without_goal,
            "goals_without_project": self.goals_without_project,
            "unknown_goals": [list(p) for p in self.unknown_goals],
            "unknown_telos": [list(p) for p in self.unknown_telos],
            "unlisted_projects": self.unlisted_projects,
            "open_tasks": self.open_tasks,
            "aligned_tasks": self.aligned_tasks,
        }


def alignment_chain(
    task: Task,
    projects: Sequence[Project],
    quarter_goals: Quarter | Sequence[Goal],
    telos: Telos,
) -> Chain:
    return _chain(task, projects_by_slug(list(projects)), _goals(quarter_goals), telos)


def _chain(task: Task, listed: dict[str, Project], goal_list: list[Goal], telos: Telos) -> Chain:
    project = next((listed[s] for s in task.projects if s in listed), None)
    if project is None:
        return Chain(task, None)
    goals = _resolve_goals(project, goal_list)
    telos_goals: list[TelosGoal] = []
    for goal in goals:
        for telos_id in goal.supports:
            item = telos.find(telos_id)
            if item is not None and item not in telos_goals:
                telos_goals.append(item)
    return Chain(task, project, goals, telos_goals)


def alignment_report(
    projects: Sequence[Project],
    goals: Quarter | Sequence[Goal],
    telos: Telos,
    tasks: Iterable[Task],
) -> AlignmentReport:
    goal_list = _goals(goals)
    listed = projects_by_slug(list(projects))
    goal_ids = {g.id.casefold() for g in goal_list}
    active = [p for p in listed.values() if p.active]
    targeted = {gid.casefold() for p in active for gid in p.goals}
    unknown_goals = [
        (p.slug, gid)
        for p in listed.values()
        if p.status != "done"
        for gid in p.goals
        if gid.casefold() not in goal_ids
    ]
    unknown_telos = [
        (g.id, tid) for g in goal_list for tid in g.supports if telos.find(tid) is None
    ]
    open_tasks = [t for t in tasks if not t.done]
    unlisted = list(dict.fromkeys(s for t in open_tasks for s in t.projects if s not in listed))
    aligned = sum(1 for t in open_tasks if _chain(t, listed, goal_list, telos).aligned)
    return AlignmentReport(
        projects_without_goal=[p.slug for p in active if not p.goals],
        goals_without_project=[g.id for g in goal_list if g.id.casefold() not in targeted],
        unknown_goals=unknown_goals,
        unknown_telos=list(dict.fromkeys(unknown_telos)),
        unlisted_projects=unlisted,
        open_tasks=len(open_tasks),
        aligned_tasks=aligned,
    )


def _goals(goals: Quarter | Sequence[Goal]) -> list[Goal]:
    return list(goals.goals) if isinstance(goals, Quarter) else list(goals)


def _resolve_goals(project: Project, goals: list[Goal]) -> list[Goal]:
    out: list[Goal] = []
    for goal_id in project.goals:
        goal = next((g for g in goals if g.id.casefold() == goal_id.casefold()), None)
        if goal is not None and goal not in out:
            out.append(goal)
    return out
