"""The calendar: month and week grids with events, due tasks and goals; adding an event."""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from shared import operations as ops
from shared.calendar import (
    Calendar,
    Event,
    Goal,
    events_between,
    month_goal,
    parse_calendar,
    week_goals,
    year_goal,
)
from shared.calendar_edit import CalendarEditError, normalize_time
from shared.todo import Task
from shared.todo_list import parse_tasks
from web import actions
from web.feed import feed_url
from web.flash import flash_outcome
from web.services import services
from web.views import BadInputError, fragment_for, render_page

bp = Blueprint("calendar", __name__)

MAX_EVENT_CHARS = 500
VIEWS = ("month", "week")
#: A month cell lists at most this many events and due tasks, then "+N more".
CELL_LIMIT = 5


@dataclass(frozen=True)
class Day:
    day: date
    events: list[Event]
    due: list[Task]
    in_month: bool = True


def current_calendar() -> Calendar:
    svc = services()
    cal: Calendar = svc.repo.parsed(svc.repo.layout.calendar, parse_calendar)
    return cal


def due_by_day(first: date, last: date) -> dict[date, list[Task]]:
    svc = services()
    out: dict[date, list[Task]] = {}
    for task in svc.repo.parsed(svc.repo.layout.todo, parse_tasks):
        due = task.due
        if due is not None and first <= due <= last and not task.done:
            out.setdefault(due, []).append(task)
    return out


def month_grid(anchor: date) -> tuple[date, date]:
    """The Monday before the month's first day through the Sunday after its last."""
    first = anchor.replace(day=1)
    last = anchor.replace(day=stdlib_calendar.monthrange(anchor.year, anchor.month)[1])
    return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())


def build_days(start: date, end: date, month: int | None) -> list[Day]:
    events = events_between(current_calendar(), start, end)
    due = due_by_day(start, end)
    count = (end - start).days + 1
    days = (start + timedelta(days=i) for i in range(count))
    return [
        Day(d, events.get(d, []), due.get(d, []), month is None or d.month == month) for d in days
    ]


def parse_anchor(value: str | None, today: date) -> tuple[date, str | None]:
    if not value:
        return today, None
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return today, f"Ignored the date {value[:20]!r}: use YYYY-MM-DD."


def calendar_context() -> dict[str, Any]:
    today = services().now().date()
    view = request.args.get("view", "month")
    notes: list[str] = []
    if view not in VIEWS:
        notes.append(f"Ignored view={view[:20]!r}.")
        view = "month"
    anchor, note = parse_anchor(request.args.get("date"), today)
    if note:
        notes.append(note)
    cal = current_calendar()
    if view == "month":
        start, end = month_grid(anchor)
        first = anchor.replace(day=1)
        prev_anchor = (first - timedelta(days=1)).replace(day=1)
        next_anchor = (first + timedelta(days=32)).replace(day=1)
        title = anchor.strftime("%B %Y")
        days = build_days(start, end, anchor.month)
    else:
        start = anchor - timedelta(days=anchor.weekday())
        end = start + timedelta(days=6)
        prev_anchor, next_anchor = start - timedelta(days=7), start + timedelta(days=7)
        title = f"Week {start.isocalendar().week}, {start:%-d %b} – {end:%-d %b %Y}"
        days = build_days(start, end, None)
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    goals: list[Goal] = [g for g in (year_goal(cal, anchor), month_goal(cal, anchor)) if g]
    return {
        "view": view,
        "anchor": anchor,
        "today": today,
        "title": title,
        "weeks": weeks,
        "week_goals": {w[0].day: week_goals(cal, w[0].day) for w in weeks},
        "goals": goals,
        "prev": prev_anchor,
        "next": next_anchor,
        "notes": notes,
        "weekdays": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "cell_limit": CELL_LIMIT,
    }


@bp.get("/calendar")
def index() -> str:
    fragment = fragment_for("cal", "calendar/partials/grid.html")
    return render_page("calendar/index.html", fragment, feed_url=feed_url(), **calendar_context())


@bp.post("/calendar/events")
def add_event() -> ResponseReturnValue:
    form = request.form
    try:
        day = ops.parse_day(form.get("day", "").strip())
    except ops.OperationError as exc:
        raise BadInputError(f"Invalid date {form.get('day', '')[:20]!r}: use YYYY-MM-DD.") from exc
    time_text = form.get("time", "").strip() or None
    if time_text is not None:
        try:
            time_text = normalize_time(time_text)
        except CalendarEditError as exc:
            raise BadInputError(_sentence(str(exc))) from exc
    text = " ".join(form.get("text", "").split())
    if not text:
        raise BadInputError("Write what the event is.")
    if len(text) > MAX_EVENT_CHARS:
        raise BadInputError(f"An event can be at most {MAX_EVENT_CHARS} characters.")
    op = ops.AddEvent(day=day.isoformat(), text=text, time=time_text, source=actions.SOURCE)
    return flash_outcome(actions.submit(op))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
