"""Projects: progress, stalled flags, linked tasks, and the chain task → project → goal → telos."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint

from shared import queries
from shared.alignment import alignment_report
from shared.goals import Goal, quarter_of
from shared.progress import ProjectProgress, project_progress
from shared.projects import Project
from shared.telos import Telos, TelosGoal, parse_telos
from shared.today import RepoSnapshot
from shared.todo import Task
from web.services import services
from web.views import fragment_for, render_page

bp = Blueprint("projects", __name__)

TASKS_SHOWN = 5


@dataclass(frozen=True)
class ProjectCard:
    project: Project
    progress: ProjectProgress
    goals: list[Goal]
    telos: list[TelosGoal]
    open_tasks: list[Task]


def project_cards(snap: RepoSnapshot, telos: Telos, progress: dict[str, ProjectProgress],
                  today_tasks: list[Task]) -> list[ProjectCard]:
    cards = []
    for project in snap.projects:
        goals = [g for gid in project.goals if (g := snap.quarter.find(gid)) is not None]
        linked: list[TelosGoal] = []
        for goal in goals:
            for tid in goal.supports:
                item = telos.find(tid)
                if item is not None and item not in linked:
                    linked.append(item)
        tasks = sorted(
            (t for t in today_tasks if project.slug in t.projects), key=queries.sort_key
        )
        cards.append(ProjectCard(project, progress[project.slug], goals, linked, tasks))
    return cards


def projects_context() -> dict[str, Any]:
    svc = services()
    now = svc.now()
    today = now.date()
    snap = RepoSnapshot.load(svc.repo, now)
    telos = svc.repo.parsed(svc.repo.layout.telos, parse_telos)
    progress = project_progress(
        snap.projects, snap.tasks + snap.done_tasks, today, snap.config.projects.stalled_days
    )
    open_tasks = [t for t in snap.tasks if not t.done and t.text]
    cards = project_cards(snap, telos, progress, open_tasks)
    return {
        "today": today,
        "quarter": quarter_of(today),
        "active": [c for c in cards if c.project.active],
        "others": [c for c in cards if not c.project.active],
        "goals": snap.quarter.goals,
        "report": alignment_report(snap.projects, snap.quarter, telos, snap.tasks),
        "telos": telos,
        "tasks_shown": TASKS_SHOWN,
    }


@bp.get("/projects")
def index() -> str:
    fragment = fragment_for("projects", "projects/partials/body.html")
    return render_page("projects/index.html", fragment, **projects_context())
