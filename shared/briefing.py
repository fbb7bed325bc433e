"""Morning briefing and evening summary: deterministic content from the repo at a given time.

Morning, in this order: today's events; the top priorities (due or overdue first, then by
priority, then goal-aligned — with the reasons :mod:`shared.suggest` gives); waiting-for items
to chase; deadlines in the next 7 days; one line on goal progress.

Evening: what was completed today (done lines and the day's git history, passed in); what
slipped (open tasks due today or earlier); tomorrow's first events and due tasks.

Every section is always present (with a short line when it is empty), so a reader — and the
tests — find the same shape every day. A model may add a personal ``summary`` on top; the
content never depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from shared import queries
from shared.calendar import Calendar, Event, events_on, parse_calendar
from shared.goal_report import is_behind
from shared.org_repo import OrgRepo
from shared.progress import project_progress
from shared.reminders import clean, day_label, task_identity, task_label
from shared.suggest import suggest, weights_from_config
from shared.today import RepoSnapshot
from shared.todo import Task, parse_task

TOP_TASKS = 5
DEADLINE_DAYS = 7
MAX_LINES = 12  # per section; a chat message stays readable (the rest is counted)
TOMORROW_EVENTS = 3
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\*_~|`>"})


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    lines: list[str]
    items: list[dict[str, Any]] = field(default_factory=list)
    empty: str = "Nothing."

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "heading": self.heading, "lines": self.lines,
                "items": self.items}


@dataclass(frozen=True)
class Briefing:
    kind: str  # morning_briefing, evening_summary
    title: str
    day: date
    sections: list[Section]
    summary: str | None = None

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    @property
    def text(self) -> str:
        """Plain text: the title, then :attr:`body`."""
        return f"{self.title}\n\n{self.body}"

    @property
    def body(self) -> str:
        """The summary if any, then each section as a list (for a message whose title is
        shown apart)."""
        parts = [self.summary] if self.summary else []
        for s in self.sections:
            lines = [f"- {line}" for line in s.lines] or [s.empty]
            parts.append("\n".join([s.heading, *lines]))
        return "\n\n".join(parts)

    def to_markdown(self, with_title: bool = True) -> str:
        """Discord-flavoured markdown; the owner's text is escaped."""
        parts = [f"**{self.title}**"] if with_title else []
        if self.summary:
            parts.append(f"_{_md(self.summary)}_")
        for s in self.sections:
            body = [f"- {_md(line)}" for line in s.lines] or [_md(s.empty)]
            parts.append("\n".join([f"**{s.heading}**", *body]))
        return "\n\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "date": self.day.isoformat(),
            "summary": self.summary,
            "sections": [s.to_json() for s in self.sections],
            "text": self.text,
        }


def _md(text: str) -> str:
    return text.translate(_MD_SPECIAL)


def load_calendar(repo: OrgRepo) -> Calendar:
    return repo.parsed(repo.layout.calendar, parse_calendar)


def morning_briefing(repo: OrgRepo, now: datetime) -> Briefing:
    return build_morning(RepoSnapshot.load(repo, now), load_calendar(repo), now)


def evening_summary(repo: OrgRepo, now: datetime, history_lines: Sequence[str] = ()) -> Briefing:
    """``history_lines``: done lines added to todo.txt/done.txt by today's commits."""
    snap = RepoSnapshot.load(repo, now)
    done = completed_today(snap.tasks, snap.done_tasks, history_lines, now.date())
    return build_evening(snap, load_calendar(repo), now, done)


def build_morning(snap: RepoSnapshot, calendar: Calendar, now: datetime) -> Briefing:
    today = now.date()
    ready = queries.actionable(snap.tasks, today)
    sections = [
        _events_section("events", "Today", events_on(calendar, today), "No events today."),
        _top_section(snap, now, ready),
        _waiting_section(snap, today),
        _tasks_section(
            "deadlines",
            f"Deadlines in the next {DEADLINE_DAYS} days",
            _due_between(ready, today + timedelta(days=1), today + timedelta(days=DEADLINE_DAYS)),
            "No deadlines this week.",
            show_day=True,
        ),
        _goals_section(snap, today),
    ]
    return Briefing("morning_briefing", f"Good morning — {day_label(today)}", today, sections)


def build_evening(
    snap: RepoSnapshot, calendar: Calendar, now: datetime, completed: Sequence[Task]
) -> Briefing:
    today = now.date()
    tomorrow = today + timedelta(days=1)
    ready = queries.actionable(snap.tasks, today)
    slipped = _due_between(ready, date.min, today)
    timed = [e for e in events_on(calendar, tomorrow) if not e.all_day]
    all_day = [e for e in events_on(calendar, tomorrow) if e.all_day]
    due_tomorrow = _due_between(ready, tomorrow, tomorrow)
    tomorrow_lines = _events_section("", "", all_day + timed[:TOMORROW_EVENTS], "")
    tomorrow_tasks = _tasks_section("", "", due_tomorrow, "")
    sections = [
        _tasks_section(
            "done", f"Done today ({len(completed)})", list(completed), "Nothing marked done today."
        ),
        _tasks_section("slipped", "Slipped", slipped, "Nothing slipped.", today=today),
        Section(
            "tomorrow",
            f"Tomorrow, {day_label(tomorrow)}",
            tomorrow_lines.lines + [f"due: {line}" for line in tomorrow_tasks.lines],
            tomorrow_lines.items + tomorrow_tasks.items,
            "No events and nothing due.",
        ),
    ]
    return Briefing("evening_summary", f"Evening summary — {day_label(today)}", today, sections)


def completed_today(
    tasks: Iterable[Task], done_tasks: Iterable[Task], history_lines: Iterable[str], today: date
) -> list[Task]:
    """Tasks completed today: done lines dated today in todo.txt and done.txt, plus done lines
    the day's commits added (an undated ``x`` line, or one deleted since), each task once."""
    seen: set[str] = set()
    out: list[Task] = []
    candidates = [t for t in (*tasks, *done_tasks) if t.done and t.completion_date == today]
    for raw in history_lines:
        task = parse_task(raw)
        if task.done and task.text and task.completion_date in (today, None):
            candidates.append(task)
    for task in candidates:
        identity = task_identity(task)
        if identity and identity not in seen:
            seen.add(identity)
            out.append(task)
    return out


def _events_section(key: str, heading: str, events: Sequence[Event], empty: str) -> Section:
    lines = [f"{_event_time(e)} {clean(e.text)}" for e in events]
    items = [{"kind": "event", **e.to_json(), "text": clean(e.text)} for e in events]
    return Section(key, heading, lines, items, empty)


def _event_time(event: Event) -> str:
    if event.start is None:
        return "all day:"
    start = event.start.strftime("%H:%M")
    return f"{start}–{event.end:%H:%M}" if event.end is not None else start


def _task_item(task: Task, **extra: Any) -> dict[str, Any]:
    return {"kind": "task", "line": task.line, "raw": clean(task.raw), "text": task_label(task),
            "due": task.due.isoformat() if task.due else None, **extra}


def _tasks_section(
    key: str,
    heading: str,
    tasks: Sequence[Task],
    empty: str,
    *,
    show_day: bool = False,
    today: date | None = None,
) -> Section:
    """One line per task (at most :data:`MAX_LINES`, then how many more)."""
    shown = tasks[:MAX_LINES]
    lines = []
    for task in shown:
        label = task_label(task)
        if show_day and task.due:
            label = f"{day_label(task.due)}: {label}"
        elif today is not None and task.due:
            late = (today - task.due).days
            label = f"{label} (due today)" if late == 0 else f"{label} (overdue {late}d)"
        lines.append(label)
    if len(tasks) > len(shown):
        lines.append(f"…and {len(tasks) - len(shown)} more")
    return Section(key, heading, lines, [_task_item(t) for t in shown], empty)


def _due_between(ready: Iterable[Task], first: date, last: date) -> list[Task]:
    """Tasks due from ``first`` to ``last``: nearest deadline first, then priority, file order."""
    found = [t for t in ready if (due := t.due) is not None and first <= due <= last]
    return sorted(found, key=lambda t: (t.due, t.priority or "~", t.line))


def top_tasks(
    snap: RepoSnapshot, today: date, ready: list[Task] | None = None, limit: int = TOP_TASKS
) -> list[Task]:
    """Open tasks to do today, best first: due or overdue first, then by priority, then those
    whose project serves a goal of the quarter, then the nearest deadline, then file order.
    Waiting-for items, blocked tasks and tasks before their threshold are left out."""
    goal_ids = {g.id.casefold() for g in snap.quarter.goals}
    serving = {p.slug for p in snap.projects
               if p.active and any(g.casefold() in goal_ids for g in p.goals)}

    def key(task: Task) -> tuple[object, ...]:
        due = task.due
        return (
            0 if due is not None and due <= today else 1,
            task.priority or "~",
            0 if any(slug in serving for slug in task.projects) else 1,
            due or date.max,
            task.line,
        )

    if ready is None:
        ready = queries.actionable(snap.tasks, today)
    return sorted((t for t in ready if not t.is_waiting), key=key)[:limit]


def _top_section(snap: RepoSnapshot, now: datetime, ready: list[Task]) -> Section:
    today = now.date()
    top = top_tasks(snap, today, ready)
    # The reasons, in the words of "what next" (shared.suggest), scored for these tasks only.
    progress = project_progress(
        snap.projects, snap.tasks + snap.done_tasks, today, snap.config.projects.stalled_days
    )
    scored = suggest(top, now=now, projects=snap.projects, quarter=snap.quarter,
                     progress=progress, weights=weights_from_config(snap.config), limit=None)
    reasons = {s.task.line: s.reasons for s in scored}
    lines, items = [], []
    for task in top:
        why = reasons.get(task.line, [])
        label = task_label(task)
        lines.append(f"{label} — {' · '.join(why)}" if why else label)
        items.append(_task_item(task, reasons=why))
    return Section("top", "Top priorities", lines, items, "Nothing pressing: pick freely.")


def _waiting_section(snap: RepoSnapshot, today: date) -> Section:
    stale = queries.stale_waiting(snap.tasks, today, snap.config.reminders.waiting_stale_days)
    lines = []
    for task in stale[:MAX_LINES]:
        since = queries.waiting_since(task)
        who = task.attr("who")
        days = f" ({(today - since).days} days)" if since else ""
        lines.append(f"{clean(who) + ': ' if who else ''}{task_label(task)}{days}")
    if len(stale) > MAX_LINES:
        lines.append(f"…and {len(stale) - MAX_LINES} more")
    items = [_task_item(t, who=t.attr("who")) for t in stale[:MAX_LINES]]
    return Section("waiting", "Waiting for — time to chase", lines, items, "Nobody to chase.")


def _goals_section(snap: RepoSnapshot, today: date) -> Section:
    parts, items = [], []
    for goal in snap.quarter.goals:
        done = sum(1 for kr in goal.key_results if kr.done)
        behind = is_behind(goal, today)
        parts.append(f"{goal.id} {done}/{len(goal.key_results)}{' (behind)' if behind else ''}")
        items.append({"kind": "goal", "id": goal.id, "done": done,
                      "total": len(goal.key_results), "behind": behind})
    lines = [clean(" · ".join(parts))] if parts else []
    return Section("goals", "Goals", lines, items, "No goals for this quarter.")
