"""The page's flash area: one message about the last action, swapped in by HTMX."""

from __future__ import annotations

from flask import Response, render_template
from flask_htmx import make_response as htmx_response

from web.actions import Outcome

#: Fired on the page after a change was applied: its live parts reload.
CHANGED_EVENT = "myorg:changed"


def flash(
    level: str, message: str, status: int = 200, *, task_id: str | None = None,
    changed: bool = False,
) -> Response:
    """``level``: ``ok``, ``pending`` (polls ``/ops/<task_id>``) or ``error``."""
    body = render_template("partials/flash.html", level=level, message=message, task_id=task_id)
    trigger = CHANGED_EVENT if changed else None
    return htmx_response(body, status, retarget="#flash", reswap="innerHTML", trigger=trigger)


def flash_outcome(outcome: Outcome) -> Response:
    """A change's outcome; once applied, the live parts of the page refresh."""
    if outcome.state == "failed":
        return flash("error", outcome.message, 422, changed=outcome.task_id is not None)
    if outcome.state == "pending":
        return flash("pending", outcome.message, 202, task_id=outcome.task_id)
    return flash("ok", outcome.message, changed=True)
