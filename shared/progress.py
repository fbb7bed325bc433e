"""Project progress from tasks, stalled projects, and the key results of a quarter's goals.

A project's tasks are the tasks tagged ``+slug`` in todo.txt and done.txt together. Progress is
done / all, with the tasks completed in the last 7 and 28 days (today included).

Stalled: an active project is stalled when none of its tasks was completed in the last
``stalled_days`` days. A project that has never had a task completed is judged by its age, taken
from its oldest task's creation date: it is stalled once that is ``stalled_days`` old (or when
no task carries a creation date). An active project with no tasks at all is stalled too: nothing
can move it forward. Paused, someday and done projects are never stalled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from shared.assistant_config import DEFAULT_STALLED_DAYS
from shared.goals import Quarter
from shared.projects import Project, projects_by_slug


class ProjectTask(Protocol):
    """What progress reads of a task: a :class:`~shared.todo.Task`, or a
    :class:`~shared.todo_list.ProjectMark` of a file whose tasks are only counted."""

    @property
    def projects(self) -> tuple[str, ...]: ...

    @property
    def done(self) -> bool: ...

    @property
    def completion_date(self) -> date | None: ...

    @property
    def creation_date(self) -> date | None: ...


@dataclass(frozen=True)
class ProjectProgress:
    slug: str
    done: int
    total: int
    done_7d: int
    done_28d: int
    open: int
    last_done: date | None
    stalled: bool
    stalled_reason: str | None = None

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None

    def to_json(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "done": self.done,
            "total": self.total,
            "done_7d": self.done_7d,
            "done_28d": self.done_28d,
            "open": self.open,
            "percent": self.percent,
            "last_done": self.last_done.isoformat() if self.last_done else None,
            "stalled": self.stalled,
            "stalled_reason": self.stalled_reason,
        }


def project_progress(
    projects: list[Project],
    tasks: Iterable[ProjectTask],
    today: date,
    stalled_days: int = DEFAULT_STALLED_DAYS,
) -> dict[str, ProjectProgress]:
    """Progress of every project in projects.txt (file order), keyed by slug."""
    listed = projects_by_slug(projects)
    by_slug: dict[str, list[ProjectTask]] = {slug: [] for slug in listed}
    for task in tasks:
        for slug in task.projects:
            if slug in by_slug:
                by_slug[slug].append(task)
    return {slug: _progress(listed[slug], by_slug[slug], today, stalled_days) for slug in listed}


def stalled_projects(
    projects: list[Project],
    tasks: Iterable[ProjectTask],
    today: date,
    stalled_days: int = DEFAULT_STALLED_DAYS,
) -> list[str]:
    """Slugs of the stalled projects, in projects.txt order."""
    progress = project_progress(projects, tasks, today, stalled_days)
    return [slug for slug, p in progress.items() if p.stalled]


def goal_progress(quarter: Quarter) -> list[dict[str, object]]:
    """Key results done / total for each goal of the quarter, in file order."""
    return [
        {
            "id": goal.id,
            "title": goal.title,
            "done": sum(1 for kr in goal.key_results if kr.done),
            "total": len(goal.key_results),
        }
        for goal in quarter.goals
    ]


def _progress(
    project: Project, tasks: list[ProjectTask], today: date, stalled_days: int
) -> ProjectProgress:
    completions = [t.completion_date for t in tasks if t.done and t.completion_date]
    done = sum(1 for t in tasks if t.done)
    last_done = max(completions, default=None)
    reason = _stalled_reason(project, tasks, last_done, today, stalled_days)
    return ProjectProgress(
        slug=project.slug,
        done=done,
        total=len(tasks),
        done_7d=sum(1 for d in completions if 0 <= (today - d).days < 7),
        done_28d=sum(1 for d in completions if 0 <= (today - d).days < 28),
        open=len(tasks) - done,
        last_done=last_done,
        stalled=reason is not None,
        stalled_reason=reason,
    )


def _stalled_reason(
    project: Project,
    tasks: list[ProjectTask],
    last_done: date | None,
    today: date,
    stalled_days: int,
) -> str | None:
    if not project.active:
        return None
    if last_done is not None:
        idle = (today - last_done).days
        return f"no task done in {idle} days" if idle >= stalled_days else None
    if not tasks:
        return "no tasks"
    created = [t.creation_date for t in tasks if t.creation_date]
    if not created:
        return "no dated completion" if any(t.done for t in tasks) else "no task done yet"
    age = (today - min(created)).days
    return (
        f"no task done since the first was created {age} days ago" if age >= stalled_days else None
    )
