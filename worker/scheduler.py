"""The scheduler: one beat entry, a *tick*, that runs whatever assistant.toml says is due.

Why a plain ``celery beat`` sending one tick every ``schedule_tick_s`` (30 s) rather than one beat
entry per job, or celery-redbeat:

- **Changes apply without a restart.** The tick reads assistant.toml (cached by mtime) every
  time, so a cron string edited by hand, pulled by git or changed by the agent counts from the
  next tick. Per-job beat entries would live in the beat process and need rebuilding.
- **Daylight saving.** The cron strings are evaluated by :mod:`shared.schedule` on the owner's
  wall clock with explicit rules for the skipped and the repeated hour, tested both ways.
- **Exactly once, with any number of beats.** Each run is claimed in the ledger, keyed by job and
  planned instant, before it starts; a second beat (a deploy overlap, a replica started by
  mistake) only sends extra ticks, which find the run claimed. An expiring Redis lock keeps two
  ticks from evaluating at the same time. redbeat's lock elects one beat but keeps no record of
  what ran, so a lock that expires during a stall can still fire a job twice.
- **Catch-up is a decision, not an accident.** Each job has a cursor (when it was last
  evaluated); after downtime the latest missed slot runs once, late, if within the grace period,
  and every other missed slot is written to the ledger as skipped, with the reason.

Beat is then a metronome: it holds no state that matters (its ``-s`` file only records when it
last sent a tick), and losing it loses ticks, which are idempotent.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import redis

from shared.assistant_config import parse_assistant_config, zone
from shared.briefing import load_calendar
from shared.org_repo import OrgRepo
from shared.reminders import EventPrep, event_preps
from shared.schedule import LATE_AFTER, Slot, due_runs, schedule_grace, utc
from shared.settings import Settings
from worker import ledger
from worker.ledger import FAILED, RUNNING, SKIPPED, Run, entry_id
from worker.proactive_jobs import HANDLERS, JobContext, Outcome, send_event_prep

log = logging.getLogger(__name__)

TICK_TASK = "myorg.proactive.tick"
TICK_LOCK_KEY = "myorg:schedule:tick-lock"
CURSOR_KEY = "myorg:schedule:cursor"
LAST_TICK_KEY = "myorg:schedule:last-tick"
PRUNED_KEY = "myorg:schedule:pruned"
TEST_NOW_KEY = "myorg:test:now"
EVENT_PREP = "event_prep"
FIRST_LOOKBACK = timedelta(minutes=2)

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_ADVANCE = """
for i, job in ipairs(ARGV) do
  if i % 2 == 1 then
    local cur = redis.call('hget', KEYS[1], job)
    if (not cur) or tonumber(cur) < tonumber(ARGV[i + 1]) then
      redis.call('hset', KEYS[1], job, ARGV[i + 1])
    end
  end
end
return 1
"""


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """The whole beat schedule: one tick. A tick not started within two periods is dropped."""
    period = settings.schedule_tick_s
    return {
        "proactive-tick": {
            "task": TICK_TASK,
            "schedule": timedelta(seconds=period),
            "options": {"expires": max(2 * period, 1.0)},
        }
    }


def tick_lock_ttl_s(settings: Settings) -> float:
    """Two tick periods (at least 2 s, at most the task time limit + 1 s). The lock only saves
    work: exactly-once comes from the ledger claims, so a tick outliving its lock is harmless,
    and a tick killed while holding it delays the next ones by this much at most."""
    return min(max(2 * settings.schedule_tick_s, 2.0), settings.task_time_limit_s + 1.0)


@dataclass
class TickLock:
    client: redis.Redis
    ttl_s: float
    token: str | None = None

    def acquire(self) -> bool:
        token = uuid.uuid4().hex
        if self.client.set(TICK_LOCK_KEY, token, nx=True, px=int(self.ttl_s * 1000)):
            self.token = token
            return True
        return False

    def release(self) -> None:
        if self.token is not None:
            self.client.eval(_RELEASE, 1, TICK_LOCK_KEY, self.token)
            self.token = None


def clock_now(settings: Settings, client: redis.Redis) -> datetime | None:
    """Now (UTC). With ``MYORG_TEST_CLOCK=1``, the instant stored at ``myorg:test:now``, or
    None until a test has set it (real and simulated time never mix)."""
    if not settings.test_clock:
        return datetime.now(UTC)
    raw = client.get(TEST_NOW_KEY)
    if raw is None:
        return None
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    return utc(datetime.fromisoformat(text))


@dataclass
class Tick:
    settings: Settings
    client: redis.Redis
    repo: OrgRepo
    now: datetime
    send_task: Callable[..., Any]


def run_tick(tick: Tick) -> dict[str, Any]:
    """Run every job and event preparation due at ``tick.now``; returns what happened."""
    config = tick.repo.parsed(tick.repo.layout.assistant_toml, parse_assistant_config)
    owner = zone(config, tick.settings.timezone)
    now = tick.now.astimezone(owner)
    grace, problem = schedule_grace(config.extra.get("schedule"))
    cursors = _read_cursors(tick.client)
    first_look = utc(now) - FIRST_LOOKBACK
    report: dict[str, Any] = {"now": now.isoformat(), "ran": [], "skipped": [],
                              "problems": [*config.problems, *([problem] if problem else [])]}
    for job, expr in config.schedule.items():
        due = due_runs(expr, owner, cursors.get(job, first_look), now, grace)
        if due.missed:
            report["skipped"].append(_record_missed(tick, job, due.missed, due.run, grace))
        if due.run is not None:
            done = _run(tick, job, due.run, due.late, now, "", HANDLERS[job])
            if done:
                report["ran"].append(done)
    advanced = list(config.schedule)
    try:
        calendar = load_calendar(tick.repo)
    except OSError as exc:  # the preparations wait until calendar.txt can be read again
        report["problems"].append(f"calendar.txt cannot be read: {exc}")
    else:
        last = cursors.get(EVENT_PREP, first_look)
        preps = event_preps(calendar, owner, last, now, config.event_prep_minutes)
        _run_event_preps(tick, preps, now, grace, report)
        advanced.append(EVENT_PREP)
    _advance(tick.client, advanced, now)
    _housekeeping(tick.client, now, report)
    return report


def _run_event_preps(
    tick: Tick, preps: list[EventPrep], now: datetime, grace: timedelta, report: dict[str, Any]
) -> None:
    """Each preparation runs once, before its event starts; one the scheduler missed until the
    event had started is recorded as skipped."""
    for prep in preps:
        slot = Slot(prep.at, prep.at.replace(tzinfo=None))
        age = utc(now) - utc(prep.at)
        if utc(now) < utc(prep.starts) and age <= grace:
            done = _run(tick, EVENT_PREP, slot, age > LATE_AFTER, now, prep.key,
                        partial(send_event_prep, prep=prep))
            if done:
                report["ran"].append(done)
            continue
        reason = "missed: the event had started when the scheduler ran again"
        detail = {"event": prep.key}
        run = Run(EVENT_PREP, prep.at.isoformat(), None, SKIPPED, reason, detail=detail)
        if ledger.record(tick.client, entry_id(EVENT_PREP, slot.key, prep.key), run, prep.at):
            report["skipped"].append(f"{EVENT_PREP} {prep.key}")


def _run(
    tick: Tick,
    job: str,
    slot: Slot,
    late: bool,
    now: datetime,
    sub: str,
    handler: Callable[[JobContext], Outcome],
) -> str | None:
    eid = entry_id(job, slot.key, sub)
    run = Run(job, slot.at.isoformat(), now.isoformat(), RUNNING, late=late)
    if not ledger.claim(tick.client, eid, run, slot.at, ledger.STUCK_AFTER_S):
        return None
    ctx = JobContext(job, slot, now, late, eid, tick.client, tick.repo, tick.settings,
                     tick.send_task)
    try:
        outcome = handler(ctx)
    except redis.RedisError:
        raise  # the ledger cannot be written either; the claim is taken over when it is stuck
    except Exception as exc:  # one job's failure is recorded; the others still run
        log.exception("scheduled job %s (%s) failed", job, slot.at.isoformat())
        outcome = Outcome(FAILED, f"{type(exc).__name__}: {exc}")
    run.outcome, run.reason = outcome.outcome, outcome.reason
    run.messages, run.detail = outcome.messages, outcome.detail
    ledger.finish(tick.client, eid, run)
    log.info("scheduled job %s for %s: %s %s", job, slot.at.isoformat(), run.outcome, run.reason)
    return f"{eid}: {run.outcome}"


def _record_missed(
    tick: Tick, job: str, missed: list[Slot], ran: Slot | None, grace: timedelta
) -> str:
    first, last = missed[0], missed[-1]
    count = len(missed)
    span = f"at {_hm(first)}" if count == 1 else f"from {_hm(first)} to {_hm(last)}"
    if ran is not None:
        why = f"the scheduler was not running; only the latest, {_hm(ran)}, was run"
    else:
        minutes = int(grace.total_seconds() // 60)
        why = f"the scheduler was not running and the grace period ({minutes} min) had passed"
    reason = f"missed {count} run{'s' if count > 1 else ''} {span}: {why}"
    detail = {"count": count, "first": first.at.isoformat(), "last": last.at.isoformat()}
    run = Run(job, last.at.isoformat(), None, SKIPPED, reason, detail=detail)
    ledger.record(tick.client, entry_id(job, last.key), run, last.at)
    log.warning("scheduled job %s: %s", job, reason)
    return f"{job}: {reason}"


def _hm(slot: Slot) -> str:
    return f"{slot.at:%a %d %b %H:%M}"


def _read_cursors(client: redis.Redis) -> dict[str, datetime]:
    out = {}
    for job, value in client.hgetall(CURSOR_KEY).items():
        name = job.decode() if isinstance(job, bytes) else str(job)
        out[name] = datetime.fromtimestamp(float(value), UTC)
    return out


def _advance(client: redis.Redis, jobs: list[str], now: datetime) -> None:
    """Move each job's cursor to ``now``, never backwards."""
    args: list[Any] = []
    for job in jobs:
        args += [job, repr(now.timestamp())]
    client.eval(_ADVANCE, 1, CURSOR_KEY, *args)


def _housekeeping(client: redis.Redis, now: datetime, report: dict[str, Any]) -> None:
    if client.set(PRUNED_KEY, "1", nx=True, ex=3600):
        ledger.prune(client, now)
    record = {"now": report["now"], "at": time.time(), "problems": report["problems"]}
    client.set(LAST_TICK_KEY, json.dumps(record))


def last_tick(client: redis.Redis) -> dict[str, Any] | None:
    raw = client.get(LAST_TICK_KEY)
    return json.loads(raw) if raw else None
