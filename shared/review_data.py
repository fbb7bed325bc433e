"""What the weekly review looks at, gathered once from the whole repo."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from shared import queries
from shared.calendar import Calendar, Event, events_between, parse_calendar
from shared.goal_report import GoalReport, goal_report, week_bounds
from shared.org_repo import OrgRepo
from shared.progress import project_progress
from shared.projects import projects_by_slug
from shared.suggest import Suggestion, suggest
from shared.today import RepoSnapshot
from shared.todo import Task

AHEAD_DAYS = 14
TOP_TASKS = 3


@dataclass(frozen=True)
class ReviewData:
    """``ready_to_archive``: done tasks still in todo.txt. ``inbox``: open tasks missing a
    ``+project`` or an ``@context``. ``no_next_action``: active projects without an actionable
    open task. ``stalled``: slug → why. ``top``: the best tasks for next week."""

    today: date
    stale_days: int
    done_this_week: list[Task] = field(default_factory=list)
    ready_to_archive: list[Task] = field(default_factory=list)
    overdue: list[Task] = field(default_factory=list)
    due_soon: list[Task] = field(default_factory=list)
    stale_waiting: list[Task] = field(default_factory=list)
    stalled: dict[str, str] = field(default_factory=dict)
    no_next_action: list[str] = field(default_factory=list)
    inbox: list[Task] = field(default_factory=list)
    invoices: list[Task] = field(default_factory=list)
    events_back: list[Event] = field(default_factory=list)
    events_ahead: list[Event] = field(default_factory=list)
    top: list[Suggestion] = field(default_factory=list)
    goals: GoalReport | None = None

    @property
    def goals_behind(self) -> list[str]:
        return [g.id for g in self.goals.goals if g.behind] if self.goals else []


def gather_review_data(snap: RepoSnapshot, calendar: Calendar, now: datetime) -> ReviewData:
    today = now.date()
    tasks, every = snap.tasks, snap.tasks + snap.done_tasks
    stalled_days = snap.config.projects.stalled_days
    week_start, _ = week_bounds(today)
    progress = project_progress(snap.projects, every, today, stalled_days)
    open_now = [t for t in queries.actionable(tasks, today) if not t.is_waiting]
    moving = {slug for t in open_now for slug in t.projects}
    stale_days = snap.config.reminders.waiting_stale_days
    top = suggest(
        tasks,
        now=today,
        projects=snap.projects,
        quarter=snap.quarter,
        progress=progress,
        limit=TOP_TASKS,
    )
    return ReviewData(
        today=today,
        stale_days=stale_days,
        done_this_week=[
            t for t in every
            if t.done and t.completion_date and week_start <= t.completion_date <= today
        ],
        ready_to_archive=[t for t in tasks if t.done],
        overdue=queries.overdue(tasks, today),
        due_soon=queries.due_today(tasks, today) + queries.due_within(tasks, today, AHEAD_DAYS),
        stale_waiting=queries.stale_waiting(tasks, today, stale_days),
        stalled={s: p.stalled_reason or "stalled" for s, p in progress.items() if p.stalled},
        no_next_action=[
            slug for slug, p in projects_by_slug(snap.projects).items()
            if p.active and slug not in moving
        ],
        inbox=[t for t in tasks if not t.done and t.text and not (t.projects and t.contexts)],
        invoices=[t for t in tasks if not t.done and "invoice" in t.text.casefold()],
        events_back=_events(calendar, today - timedelta(days=7), today - timedelta(days=1)),
        events_ahead=_events(calendar, today + timedelta(days=1), today + timedelta(AHEAD_DAYS)),
        top=top,
        goals=goal_report(snap.quarter, snap.projects, every, today, stalled_days),
    )


def load_review_data(repo: OrgRepo, now: datetime) -> ReviewData:
    snap = RepoSnapshot.load(repo, now)
    return gather_review_data(snap, repo.parsed(repo.layout.calendar, parse_calendar), now)


def _events(calendar: Calendar, start: date, end: date) -> list[Event]:
    return [e for events in events_between(calendar, start, end).values() for e in events]
