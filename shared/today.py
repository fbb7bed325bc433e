"""The "today" view: everything the owner needs to see this morning, from the whole repo."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared import queries
from shared.assistant_config import AssistantConfig, parse_assistant_config
from shared.calendar import Event
from shared.calendar_day_index import day_events, index_day_lines
from shared.goals import Quarter, parse_goals, quarter_file
from shared.org_repo import OrgRepo
from shared.progress import goal_progress, stalled_projects
from shared.projects import Project, parse_projects
from shared.todo import Task
from shared.todo_list import parse_project_marks, parse_tasks

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
        # A task in several sections (due within 1, 3 and 7 days) is converted once, and the
        # sections share its dict.
        made: dict[int, dict[str, object]] = {}

        def tasks(ts: list[Task]) -> list[dict[str, object]]:
            return [made.get(id(t)) or made.setdefault(id(t), t.to_json()) for t in ts]

        return {
            "date": self.now.date().isoformat(),
            "events": [
                {"start": e.to_json()["start"], "end": e.to_json()["end"], "text": e.text}
                for e in self.events
            ],
            "overdue": tasks(self.overdue),
            "due_today": tasks(self.due_today),
            "due_within": {str(n): tasks(ts) for n, ts in self.due_within.items()},
            "waiting_stale": tasks(self.waiting_stale),
            "stalled_projects": self.stalled_projects,
            "goals": self.goals,
            "open_by_context": self.open_by_context,
        }


def build_today(repo: OrgRepo, now: datetime) -> TodayView:
    """The view of ``now``'s day. It reads only what it shows: the calendar lines of the day,
    and of done.txt only what tells whether a project is stalled."""
    layout = repo.layout
    today = now.date()
    tasks = repo.parsed(layout.todo, parse_tasks)
    config = repo.parsed(layout.assistant_toml, parse_assistant_config)
    due = queries.deadlines(tasks, today, DUE_WINDOWS)
    return TodayView(
        now=now,
        events=day_events(repo.parsed(layout.calendar, index_day_lines), today),
        overdue=due.overdue,
        due_today=due.due_today,
        due_within=due.due_within,
        waiting_stale=queries.stale_waiting(tasks, today, config.reminders.waiting_stale_days),
        stalled_projects=stalled_projects(
            repo.parsed(layout.projects, parse_projects),
            [*tasks, *repo.parsed(layout.done, parse_project_marks)],
            today,
            config.projects.stalled_days,
        ),
        goals=goal_progress(repo.parsed(quarter_file(today, layout.goals_dir), parse_goals)),
        open_by_context=queries.open_by_context(tasks),
    )
