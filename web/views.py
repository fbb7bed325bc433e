"""Helpers every page uses: full page or HTMX fragment, display filters, the navigation."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, render_template, request, url_for
from flask_htmx import HTMX

from shared.lines import decode, encode
from shared.todo import Task
from web import app_settings
from web.security import has_password

NAV = (
    ("dashboard.index", "Today", "g d"),
    ("tasks.index", "Tasks", "g t"),
    ("calendar.index", "Calendar", "g c"),
    ("projects.index", "Projects", "g p"),
    ("review.index", "Review", "g r"),
    ("chat.index", "Chat", "g a"),
    ("history.index", "History", "g h"),
    ("schedule.index", "Schedule", "g s"),
    ("briefings.index", "Briefings", "g b"),
)

#: Task attributes shown as their own badge (the rest are listed quietly).
SHOWN_ATTRS = ("due", "who", "rec", "est", "t")


class BadInputError(ValueError):
    """A form or query value that cannot be used; the message is shown to the owner."""


def is_htmx() -> bool:
    """An HTMX request that wants a fragment (boosted links want the full page)."""
    htmx: HTMX = current_app.htmx  # type: ignore[attr-defined]
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def fragment_for(target: str, template: str) -> str | None:
    """``template`` when HTMX asks to refresh the element with id ``target``."""
    return template if request.headers.get("HX-Target") == target else None


def render_page(page: str, fragment: str | None = None, **context: Any) -> str:
    """The fragment for an HTMX request, else the full page."""
    if fragment is not None and is_htmx():
        return render_template(fragment, **context)
    return render_template(page, **context)


def shown(text: str | None) -> str:
    """Text from the owner's files as it can be shown: undecodable bytes become U+FFFD."""
    if text is None:
        return ""
    return encode(text).decode("utf-8", "replace")


def raw_token(raw: str) -> str:
    """The exact line text as a form value that survives any bytes (base64 of its UTF-8)."""
    return base64.urlsafe_b64encode(encode(raw)).decode("ascii")


def raw_from_token(token: str | None) -> str | None:
    if not token:
        return None
    try:
        data = base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadInputError("The task reference is damaged; reload the page.") from exc
    return decode(data)


def task_title(task: Task) -> str:
    return shown(task.description or task.text or task.raw)


def other_attrs(task: Task) -> list[tuple[str, str]]:
    return [(k, shown(v)) for k, v in task.attrs if k not in SHOWN_ATTRS]


def due_class(task: Task, today: date) -> str:
    due = task.due
    if due is None or task.done:
        return ""
    if due < today:
        return "overdue"
    if due == today:
        return "due-today"
    if (due - today).days <= 3:
        return "due-soon"
    return ""


def short_date(day: date | None, today: date) -> str:
    if day is None:
        return ""
    delta = (day - today).days
    names = {0: "today", 1: "tomorrow", -1: "yesterday"}
    if delta in names:
        return names[delta]
    if 1 < delta < 7:
        return day.strftime("%a")
    if day.year == today.year:
        return day.strftime("%-d %b")
    return day.isoformat()


def hhmm(value: datetime | None) -> str:
    return value.strftime("%H:%M") if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(shown=shown, raw_token=raw_token, hhmm=hhmm)
    app.jinja_env.globals.update(
        task_title=task_title,
        other_attrs=other_attrs,
        due_class=due_class,
        short_date=short_date,
        NAV=NAV,
    )

    @app.context_processor
    def _common() -> dict[str, Any]:
        return {
            "no_password": not has_password(app_settings(current_app)),
            "current_endpoint": request.endpoint or "",
            "tasks_url": url_for("tasks.index"),
        }
