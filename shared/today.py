"""The "today" view: everything the owner needs to see this morning, from the whole repo."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared import queries
from shared.assistant_config import AssistantConfig, parse_assistant_config
from shared.calendar import Event, events_on, parse_calendar
from shared.goals import Quarter, parse_goals, quarter_file
from shared.org_repo import OrgRepo
from shared.progress import goal_progress, stalled_projects
from shared.projects import Project, parse_projects
from shared.todo import Task
from shared.todo_list import parse_tasks

DUE_WINDOWS = (1, 3, 7)


@dataclass
class RepoSnapshot:
    """Every parsed file of the repo (each cached by the OrgRepo until it changes)."""

    tasks: list[Task]
    done_tasks: list[Task]
    projects: list[Project]
    quarter: Quarter
    config: AssistantConfig

    @classmethod
    def load(cls, repo: OrgRepo, now: datetime) -> RepoSnapshot:
        layout = repo.layout
        return cls(
            tasks=repo.parsed(layout.todo, parse_tasks),
            done_tasks=repo.parsed(layout.done, parse_tasks),
            projects=repo.parsed(layout.projects, parse_projects),
            quarter=repo.parsed(quarter_file(now.date(), layout.goals_dir), parse_goals),
            config=repo.parsed(layout.assistant_toml, parse_assistant_config),
        )


@dataclass
class TodayView:
    now: datetime
    events: list[Event]
    overdue: list[Task]
    due_today: list[Task]
    due_within: dict[int, list[Task]]
    waiting_stale: list[Task]
    stalled_projects: list[str]
    goals: list[dict[str, Any]]
    open_by_context: dict[str, int]
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.now.date().isoformat(),
            "events": [{"start": e.to_json()["start"], "end": e.to_json()["end"], "text": e.text}
                       for e in self.events],
            "overdue": [t.to_json() for t in self.overdue],
            "due_today": [t.to_json() for t in self.due_today],
            "due_within": {str(n): [t.to_json() for t in ts] for n, ts in self.due_within.items()},
            "waiting_stale": [t.to_json() for t in self.waiting_stale],
            "stalled_projects": self.stalled_projects,
            "goals": self.goals,
            "open_by_context": self.open_by_context,
        }


def build_today(repo: OrgRepo, now: datetime) -> TodayView:
    snap = RepoSnapshot.load(repo, now)
    today = now.date()
    calendar = repo.parsed(repo.layout.calendar, parse_calendar)
    reminders = snap.config.reminders
    ready = queries.actionable(snap.tasks, today)
    return TodayView(
        now=now,
        events=events_on(calendar, today),
        overdue=queries.overdue(ready, today, ready=True),
        due_today=queries.due_today(ready, today, ready=True),
        due_within={n: queries.due_within(ready, today, n, ready=True) for n in DUE_WINDOWS},
        waiting_stale=queries.stale_waiting(snap.tasks, today, reminders.waiting_stale_days),
        stalled_projects=stalled_projects(
            snap.projects,
            snap.tasks + snap.done_tasks,
            today,
            snap.config.projects.stalled_days,
        ),
        goals=goal_progress(snap.quarter),
        open_by_context=queries.open_by_context(snap.tasks),
    )
