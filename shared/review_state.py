"""Where the owner is in a weekly review, kept as JSON so a review survives a restart.

The state records the current step, the actions confirmed and skipped, and the steps skipped.
It never applies anything: whoever confirms an action sends its operation to the repo lane.
Going on from a step skips its actions that were left undecided, so the record is complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from shared import operations as ops
from shared.atomic import write_atomic
from shared.org_repo import OrgRepo
from shared.weekly_review import Review, Step

STATE_FILE = "weekly-review.json"


class ReviewStateError(ValueError):
    """A review decision that cannot be made, or a state file that cannot be read."""


@dataclass(frozen=True)
class ReviewState:
    review_id: str
    started: str
    step: int = 0
    confirmed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    skipped_steps: list[int] = field(default_factory=list)
    finished: bool = False

    def decided(self, action_id: str) -> bool:
        return action_id in self.confirmed or action_id in self.skipped

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> ReviewState:
        if not isinstance(data, dict):
            raise ReviewStateError("a review state must be a JSON object")
        try:
            state = cls(**data)
        except TypeError as exc:
            raise ReviewStateError(f"not a review state: {exc}") from exc
        lists = (state.confirmed, state.skipped, state.skipped_steps)
        if not (
            isinstance(state.review_id, str)
            and isinstance(state.started, str)
            and isinstance(state.step, int)
            and isinstance(state.finished, bool)
            and all(isinstance(v, list) for v in lists)
            and all(isinstance(a, str) for a in state.confirmed + state.skipped)
            and all(isinstance(i, int) for i in state.skipped_steps)
        ):
            raise ReviewStateError("a review state has a field of the wrong type")
        return state


def start_review(now: datetime) -> ReviewState:
    """A new review; its id is the minute it started (``2026-11-27T17:00``)."""
    stamp = now.replace(tzinfo=None).isoformat(timespec="minutes")
    return ReviewState(review_id=stamp, started=stamp)


def decide(state: ReviewState, review: Review, action_id: str, confirm: bool) -> ReviewState:
    """Record the owner's answer to one action of the current step."""
    if state.finished:
        raise ReviewStateError("this review is finished")
    step = current_step(state, review)
    if step is None or all(a.id != action_id for a in step.actions):
        raise ReviewStateError(f"no action {action_id} in the current step")
    if state.decided(action_id):
        what = "confirmed" if action_id in state.confirmed else "skipped"
        raise ReviewStateError(f"that action was already {what}")
    if confirm:
        return replace(state, confirmed=[*state.confirmed, action_id])
    return replace(state, skipped=[*state.skipped, action_id])


def current_step(state: ReviewState, review: Review) -> Step | None:
    """The step to show now, or None once the review is finished."""
    if state.finished or state.step >= len(review.steps):
        return None
    return review.steps[state.step]


def advance(state: ReviewState, review: Review, skip_step: bool = False) -> ReviewState:
    """Go on to the next step (``skip_step``: the owner skipped this one); finish after the last."""
    step = current_step(state, review)
    if step is None:
        return replace(state, finished=True)
    open_ids = [a.id for a in step.actions if not state.decided(a.id)]
    skipped_steps = [*state.skipped_steps, step.index] if skip_step else state.skipped_steps
    following = state.step + 1
    return replace(
        state,
        step=following,
        skipped=[*state.skipped, *open_ids],
        skipped_steps=skipped_steps,
        finished=following >= len(review.steps),
    )


def finish_note(state: ReviewState, source: str) -> ops.AppendWorkingMemory | None:
    """The working-memory line for a finished review, unless its own note step already wrote
    one. Its ``op_id`` comes from the review id: finishing on two interfaces notes it once."""
    if not state.finished or any(a.split("-")[0] == "memory" for a in state.confirmed):
        return None
    done, skipped = len(state.confirmed), len(state.skipped)
    text = (
        f"Weekly review finished: {done} change{'s' if done != 1 else ''} confirmed, "
        f"{skipped} skipped."
    )
    op_id = hashlib.sha256(f"{state.review_id}|finished".encode()).hexdigest()[:32]
    return ops.AppendWorkingMemory(text=text, op_id=op_id, source=source)


def state_path(repo: OrgRepo) -> Path:
    return repo.state_dir / STATE_FILE


def save_state(repo: OrgRepo, state: ReviewState) -> None:
    data = json.dumps(state.to_json(), indent=1, sort_keys=True).encode()
    write_atomic(state_path(repo), data + b"\n")


def load_state(repo: OrgRepo) -> ReviewState | None:
    """The saved review, or None when none was saved; a damaged file raises ReviewStateError."""
    try:
        text = state_path(repo).read_bytes()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReviewStateError(f"the saved weekly review is not valid JSON: {exc}") from exc
    return ReviewState.from_json(data)


def clear_state(repo: OrgRepo) -> None:
    with contextlib.suppress(FileNotFoundError):
        state_path(repo).unlink()
