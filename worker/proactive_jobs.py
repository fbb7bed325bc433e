"""What each scheduled job does when its time comes: build a message and put it in the outbox.

A handler reads the repository fresh, builds deterministic content with :mod:`shared.briefing`
or :mod:`shared.reminders`, and publishes it with a dedupe key, so running a job twice (a
takeover after a crash) never sends twice. It returns an :class:`Outcome` for the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any

import redis

from shared.briefing import Briefing, evening_summary, morning_briefing
from shared.org_repo import OrgRepo
from shared.reminders import EventPrep, Reminder, deadline_warnings, waiting_followup
from shared.schedule import Slot, place
from shared.settings import Settings
from shared.today import RepoSnapshot
from worker.briefing_summary import personal_summary
from worker.completions import done_lines_since
from worker.lanes import GIT_SYNC, REPO_QUEUE
from worker.ledger import NOTHING, SENT
from worker.outbox import publish_once, was_published


@dataclass
class JobContext:
    """One run: ``now`` is when it starts (owner's zone), ``slot`` when it was planned."""

    job: str
    slot: Slot
    now: datetime
    late: bool
    entry_id: str
    client: redis.Redis
    repo: OrgRepo
    settings: Settings
    send_task: Callable[..., Any]


@dataclass
class Outcome:
    outcome: str
    reason: str = ""
    messages: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


def envelope(ctx: JobContext, kind: str, title: str, text: str, markdown: str,
             data: dict[str, Any], key: str) -> dict[str, Any]:
    """The message as the outbox holds it (JSON primitives only). ``text`` and ``markdown``
    are the body: the title is its own field. ``kind``: morning_briefing, evening_summary,
    deadline, waiting or event_prep."""
    if ctx.late:
        note = f"Sent late: planned for {ctx.slot.at:%H:%M}, when the scheduler was not running."
        title, text, markdown = f"{title} (late)", f"{note}\n\n{text}", f"_{note}_\n\n{markdown}"
    return {
        "key": key,
        "kind": kind,
        "job": ctx.job,
        "title": title,
        "text": text,
        "markdown": markdown,
        "data": data,
        "planned": ctx.slot.at.isoformat(),
        "created_at": ctx.now.isoformat(),
        "late": ctx.late,
    }


def _send_briefing(ctx: JobContext, briefing: Briefing) -> Outcome:
    existing = was_published(ctx.client, ctx.entry_id)
    if existing is not None:  # a takeover after a crash: no second summary, no second message
        return Outcome(SENT, "already in the outbox", [existing])
    briefing = replace(briefing, summary=personal_summary(ctx.settings, briefing.text))
    message = envelope(ctx, briefing.kind, briefing.title, briefing.body,
                       briefing.to_markdown(with_title=False), briefing.to_json(), ctx.entry_id)
    stream_id, new = publish_once(ctx.client, message, ctx.entry_id)
    return Outcome(SENT, "" if new else "already in the outbox", [stream_id])


def send_morning_briefing(ctx: JobContext) -> Outcome:
    return _send_briefing(ctx, morning_briefing(ctx.repo, ctx.now))


def send_evening_summary(ctx: JobContext) -> Outcome:
    midnight = place(datetime.combine(ctx.now.date(), time()), ctx.now.tzinfo)  # type: ignore[arg-type]
    history = done_lines_since(ctx.repo, midnight)
    return _send_briefing(ctx, evening_summary(ctx.repo, ctx.now, history))


def _send_reminders(ctx: JobContext, reminders: list[Reminder]) -> Outcome:
    sent: list[str] = []
    for reminder in reminders:
        ttl = (datetime.combine(reminder.keep_until, time()) - ctx.now.replace(tzinfo=None))
        message = envelope(ctx, reminder.kind, reminder.title, reminder.text, reminder.text,
                           reminder.data, reminder.key)
        stream_id, new = publish_once(ctx.client, message, reminder.key, _seconds(ttl))
        if new:
            sent.append(stream_id)
    if not sent:
        why = "no deadline reached a threshold" if ctx.job == "deadline_check" else "none due"
        already = f"{len(reminders)} already sent before" if reminders else why
        return Outcome(NOTHING, already)
    return Outcome(SENT, f"{len(sent)} message{'s' if len(sent) > 1 else ''}", sent)


def check_deadlines(ctx: JobContext) -> Outcome:
    snap = RepoSnapshot.load(ctx.repo, ctx.now)
    days = snap.config.reminders.deadline_days
    return _send_reminders(ctx, deadline_warnings(snap.tasks, ctx.now.date(), days))


def follow_up_waiting(ctx: JobContext) -> Outcome:
    snap = RepoSnapshot.load(ctx.repo, ctx.now)
    found = waiting_followup(snap.tasks, ctx.now.date(), snap.config.reminders.waiting_stale_days)
    if found is None:
        return Outcome(NOTHING, "no waiting-for item is stale")
    return _send_reminders(ctx, [found])


def sync_git(ctx: JobContext) -> Outcome:
    """Queue a sync on the repo lane (it commits pending edits, pulls, then pushes)."""
    task_id = f"sync-{ctx.slot.key}"
    ctx.send_task(GIT_SYNC, kwargs={"reason": "schedule"}, task_id=task_id, queue=REPO_QUEUE)
    return Outcome(SENT, "queued on the repo lane", detail={"task_id": task_id})


def send_event_prep(ctx: JobContext, prep: EventPrep) -> Outcome:
    return _send_reminders(ctx, [prep.reminder(ctx.now)])


def _seconds(delta: timedelta) -> int:
    return max(3600, int(delta.total_seconds()) + 24 * 3600)


HANDLERS: dict[str, Callable[[JobContext], Outcome]] = {
    "morning_briefing": send_morning_briefing,
    "evening_summary": send_evening_summary,
    "deadline_check": check_deadlines,
    "waiting_followup": follow_up_waiting,
    "git_sync": sync_git,
}
