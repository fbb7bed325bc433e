"""The weekly review, one step at a time: what the step looks at, and the changes it proposes,
each applied (through the repo worker) only when the owner confirms it.

Where the review stands is kept in Redis (:mod:`worker.review_store`), shared with Discord's
``/review``: a review started in one continues in the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_htmx import make_response as htmx_response

from shared.calendar import Event
from shared.goal_report import GoalReport
from shared.review_state import (
    ReviewState,
    ReviewStateError,
    advance,
    current_step,
    decide,
    finish_note,
    start_review,
)
from shared.suggest import Suggestion
from shared.todo import Task
from shared.weekly_review import DATA_TITLES, Review, Step, load_review
from web import actions
from web.flash import CHANGED_EVENT
from web.services import services
from web.views import fragment_for, is_htmx, render_page, shown
from worker.review_store import load_review_state, save_review_state

bp = Blueprint("review", __name__)

PARTIAL = "review/partials/step.html"


@dataclass(frozen=True)
class Section:
    """One kind of data a step shows: tasks (with a reason each, for suggestions), or lines."""

    title: str
    tasks: list[tuple[Task, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Note:
    """What the last press did: ``ok``, ``pending`` or ``error``."""

    level: str
    message: str


def sections(step: Step, today: date) -> list[Section]:
    out = []
    for key, value in step.data.items():
        section = _section(DATA_TITLES.get(key, key), value, today)
        if section.tasks or section.lines:
            out.append(section)
    return out


def _section(title: str, value: Any, today: date) -> Section:
    if isinstance(value, GoalReport):
        return Section(title, lines=[shown(line) for line in value.lines()[1:]])
    if isinstance(value, dict):
        return Section(title, lines=[f"+{shown(k)}: {shown(str(v))}" for k, v in value.items()])
    if not isinstance(value, Sequence) or isinstance(value, str):
        return Section(title, lines=[shown(str(value))] if value else [])
    tasks: list[tuple[Task, str]] = []
    lines: list[str] = []
    for item in value:
        if isinstance(item, Task):
            tasks.append((item, ""))
        elif isinstance(item, Suggestion):
            tasks.append((item.task, item.reason_text))
        elif isinstance(item, Event):
            when = f"{item.day:%a %-d %b}" + (f" {item.time_text}" if item.time_text else "")
            lines.append(f"{when} · {shown(item.text)}")
        else:
            lines.append(shown(str(item)))
    return Section(title, tasks, lines)


def _load() -> tuple[ReviewState, Review] | None:
    svc = services()
    state = load_review_state(svc.redis)
    if state is None:
        return None
    return state, load_review(svc.repo, state.review_id, svc.now())


def review_context(
    loaded: tuple[ReviewState, Review] | None, note: Note | None = None
) -> dict[str, Any]:
    today = services().now().date()
    context: dict[str, Any] = {"state": None, "review": None, "step": None, "note": note,
                               "today": today, "sections": [], "total": 0, "last": False}
    if loaded is None:
        return context
    state, review = loaded
    step = current_step(state, review)
    context.update(state=state, review=review, step=step, total=len(review.steps))
    if step is not None:
        context.update(
            sections=sections(step, today), last=step.index + 1 >= len(review.steps)
        )
    return context


def _answer(loaded: tuple[ReviewState, Review] | None, note: Note | None = None,
            status: int = 200, changed: bool = False) -> ResponseReturnValue:
    """The review as it now stands: the step for HTMX, else back to the page."""
    if not is_htmx():
        return redirect(url_for("review.index"))
    body = render_template(PARTIAL, **review_context(loaded, note))
    return htmx_response(body, status, trigger=CHANGED_EVENT if changed else None)


def _store(state: ReviewState) -> tuple[ReviewState, Review]:
    svc = services()
    save_review_state(svc.redis, state)
    return state, load_review(svc.repo, state.review_id, svc.now())


@bp.get("/review")
def index() -> str:
    fragment = fragment_for("review", PARTIAL)
    return render_page("review/index.html", fragment, **review_context(_load()))


@bp.post("/review/start")
def start() -> ResponseReturnValue:
    """A new review (starting over when one is in progress)."""
    return _answer(_store(start_review(services().now())))


class NoReviewError(LookupError):
    """A button of a review that is no longer saved (it expired, or was never started)."""


@bp.errorhandler(NoReviewError)
def no_review(exc: NoReviewError) -> ResponseReturnValue:
    return _answer(None, Note("error", "No weekly review is in progress: start one."), 409)


def _in_progress() -> tuple[ReviewState, Review]:
    loaded = _load()
    if loaded is None:
        raise NoReviewError
    return loaded


@bp.post("/review/actions/<action_id>/confirm")
def confirm(action_id: str) -> ResponseReturnValue:
    loaded = _in_progress()
    state, review = loaded
    try:
        new = decide(state, review, action_id, confirm=True)
    except ReviewStateError as exc:
        return _answer(loaded, Note("error", _sentence(str(exc))), 409)
    action = review.action(action_id)
    assert action is not None  # decide() checked it is in the current step
    outcome = actions.submit(action.operation)
    if outcome.state == "failed":
        return _answer(loaded, Note("error", f"{action.label}: {outcome.message}"), 422)
    level = "ok" if outcome.ok else "pending"
    return _answer(_store(new), Note(level, f"{action.label}: {outcome.message}"), changed=True)


@bp.post("/review/actions/<action_id>/skip")
def skip(action_id: str) -> ResponseReturnValue:
    loaded = _in_progress()
    state, review = loaded
    try:
        new = decide(state, review, action_id, confirm=False)
    except ReviewStateError as exc:
        return _answer(loaded, Note("error", _sentence(str(exc))), 409)
    return _answer(_store(new))


def _go_on(skip_step: bool) -> ResponseReturnValue:
    loaded = _in_progress()
    state, review = loaded
    new = advance(state, review, skip_step=skip_step)
    note = None
    memo = finish_note(new, actions.SOURCE) if not state.finished else None
    if memo is not None:
        outcome = actions.submit(memo)
        if outcome.state == "failed":
            note = Note("error", f"The review's note in working memory was not saved: "
                                 f"{outcome.message}")
    return _answer(_store(new), note, changed=memo is not None)


@bp.post("/review/next")
def next_step() -> ResponseReturnValue:
    """Go on: the step's undecided changes are skipped; after the last step, finish."""
    return _go_on(skip_step=False)


@bp.post("/review/skip-step")
def skip_step() -> ResponseReturnValue:
    return _go_on(skip_step=True)


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
