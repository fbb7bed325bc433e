"""``/calendar.ics``: calendar.txt events and task due dates as an iCalendar feed.

A phone's calendar app cannot log in, so the feed is guarded by a secret token in its URL,
derived from the app's secret key (changing ``SECRET_KEY`` changes the URL).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, request, url_for

from shared.calendar import Event, events_between, parse_calendar
from shared.todo_list import parse_tasks
from web.services import services
from web.views import shown, task_title

if TYPE_CHECKING:
    from icalendar import Event as IEvent

bp = Blueprint("feed", __name__)

PAST_DAYS = 366
FUTURE_DAYS = 2 * 366
DEFAULT_MINUTES = 60
PRODID = "-//myorg-assistant//calendar feed//EN"


def feed_token() -> str:
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(secret, b"calendar-feed", hashlib.sha256).hexdigest()[:32]


def feed_url() -> str:
    return url_for("feed.calendar_ics", token=feed_token(), _external=True)


def _uid(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return f"{digest[:32]}@myorg"


def event_component(ev: Event, zone: ZoneInfo, uid: str, stamp: datetime) -> IEvent:
    from icalendar import Event as IEvent

    item = IEvent()
    item.add("uid", uid)
    item.add("dtstamp", stamp)
    item.add("summary", shown(ev.text) or "(event)")
    if ev.start is None:
        item.add("dtstart", ev.day)
        item.add("dtend", ev.day + timedelta(days=1))
        return item
    start = datetime.combine(ev.day, ev.start, zone)
    end = start + timedelta(minutes=DEFAULT_MINUTES)
    if ev.end is not None:
        end = datetime.combine(ev.day, ev.end, zone)
        if end <= start:
            end += timedelta(days=1)
    item.add("dtstart", start)
    item.add("dtend", end)
    return item


def build_feed(today: date) -> bytes:
    # Imported here: the web process loads icalendar when a phone first asks for the feed.
    from icalendar import Calendar as ICalendar
    from icalendar import Event as IEvent

    svc = services()
    zone = svc.zone()
    stamp = datetime.now(ZoneInfo("UTC")).replace(microsecond=0)
    cal = ICalendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "myorg")
    calendar = svc.repo.parsed(svc.repo.layout.calendar, parse_calendar)
    first, last = today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)
    for day, events in events_between(calendar, first, last).items():
        seen: dict[str, int] = {}
        for ev in events:
            n = seen[ev.raw] = seen.get(ev.raw, 0) + 1
            uid = _uid(day.isoformat(), ev.raw, str(n))
            cal.add_component(event_component(ev, zone, uid, stamp))
    for task in svc.repo.parsed(svc.repo.layout.todo, parse_tasks):
        due = task.due
        if task.done or due is None or not first <= due <= last:
            continue
        item = IEvent()
        item.add("uid", _uid("due", task.raw))
        item.add("dtstamp", stamp)
        item.add("summary", f"Due: {task_title(task)}")
        item.add("dtstart", due)
        item.add("dtend", due + timedelta(days=1))
        cal.add_component(item)
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data


@bp.get("/calendar.ics")
def calendar_ics() -> Response:
    given = request.args.get("token", "")
    if not hmac.compare_digest(given.encode("utf-8", "replace"), feed_token().encode("ascii")):
        abort(404)
    body = build_feed(services().now().date())
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="myorg.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )
