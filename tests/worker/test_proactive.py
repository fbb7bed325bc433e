"""The scheduler with real processes: two ``celery beat``, two tick workers, a real Redis.

Time is driven, not waited for: the workers run with ``MYORG_TEST_CLOCK=1`` and read "now" from
Redis, and the test moves that clock one hour at a time, each step waiting for a tick to have
run at the new time. Beat stays a real process ticking on real time (every 0.1 s here); only
the instant the tick evaluates is simulated — exactly the part a clock-patching library cannot
reach inside other processes. Reliability plan rows 8 and 9 print their figures as ``ROWn``.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.settings import Settings
from tests.worker.proactive_harness import (
    TICK_S,
    Scheduler,
    commit_date,
    make_repo,
    write_files,
)
from tests.worker.worker_harness import run_git, wait_until
from worker.lanes import GIT_SYNC, REPO_QUEUE
from worker.ledger import read_ledger
from worker.outbox import OUTBOX_STREAM
from worker.redis_server import RedisServer
from worker.scheduler import TICK_LOCK_KEY, tick_lock_ttl_s

pytestmark = pytest.mark.slow
MADRID = ZoneInfo("Europe/Madrid")
START = datetime(2026, 10, 20, 0, 0, tzinfo=MADRID)  # Tuesday; clocks go back on Sunday 25
END = datetime(2026, 10, 30, 0, 0, tzinfo=MADRID)

TOML = """timezone = "Europe/Madrid"
[schedule]
morning_briefing = "{morning}"
evening_summary = "0 20 * * 1-5"
deadline_check = "{deadline}"
waiting_followup = "0 9 * * 1"
git_sync = "0 */6 * * *"
event_prep_minutes = 60
grace_minutes = 120
[reminders]
deadline_days = [7, 3, 1]
waiting_stale_days = 7
"""
TODO = """# sim todo
(A) 2026-10-01 Send the tax form +admin due:2026-10-27
(B) 2026-10-10 Book the dentist @phone due:2026-10-22
2026-10-05 Renew the passport @errands due:2026-11-05
2026-10-12 Pay the plumber +house due:2026-10-19
2026-10-01 Quote for the roof @waiting who:Gil +house
2026-10-15 Plan the weekend @home
"""
CALENDAR = """2026-10-21 w43 Wed  10-11 dentist check. 15 call with Ana
2026-10-25 w43 Sun  3 early train to Oviedo
2026-10-27 w44 Tue  Holiday in Oviedo
2026-10-28 w44 Wed  9-10 standup +work
"""


def files(morning: str = "0 8 * * 1-5", deadline: str = "0 2 * * *") -> dict[str, str]:
    return {
        "assistant.toml": TOML.format(morning=morning, deadline=deadline),
        "todo.txt": TODO,
        "calendar.txt": CALENDAR,
    }


@pytest.fixture
def scheduler(redis_server: RedisServer, tmp_path: Path) -> Iterator[Scheduler]:
    repo = make_repo(tmp_path / "org", files())
    sched = Scheduler(redis_server.url, repo, tmp_path / "procs")
    try:
        yield sched
    finally:
        sched.stop_all()


def outbox(sched: Scheduler) -> list[dict[str, Any]]:
    return [json.loads(fields[b"message"]) for _, fields in sched.client.xrange(OUTBOX_STREAM)]


def local(message: dict[str, Any], key: str = "planned") -> str:
    return datetime.fromisoformat(message[key]).astimezone(MADRID).strftime("%a %d %H:%M %Z")


def queued_syncs(sched: Scheduler) -> list[str]:
    bodies = [json.loads(raw) for raw in sched.client.lrange(REPO_QUEUE, 0, -1)]
    assert all(b["headers"]["task"] == GIT_SYNC for b in bodies)
    return [b["headers"]["id"] for b in bodies]


def complete_dentist(sched: Scheduler, when: datetime) -> None:
    todo = TODO.replace(
        "(B) 2026-10-10 Book the dentist @phone due:2026-10-22",
        "x 2026-10-21 2026-10-10 Book the dentist @phone due:2026-10-22 pri:B",
    )
    write_files(sched.repo, {"todo.txt": todo})
    run_git(sched.repo, "commit", "-qam", "dentist booked", env=commit_date(when))


def edit_unrelated_lines(sched: Scheduler) -> None:
    todo = (sched.repo / "todo.txt").read_text()
    todo = todo.replace("# sim todo\n", "# sim todo\n(C) 2026-10-22 Water the plants @home\n")
    todo = todo.replace("Plan the weekend @home", "Plan the weekend @home est:1h")
    write_files(sched.repo, {"todo.txt": todo})


def test_ten_days_across_the_autumn_change_send_exactly_the_expected_messages(
    scheduler: Scheduler,
) -> None:
    sched = scheduler
    sched.start(workers=2, beats=2)
    sched.advance(START, timeout=60)
    hooks = {
        datetime(2026, 10, 21, 15, tzinfo=MADRID): lambda: complete_dentist(
            sched, datetime(2026, 10, 21, 15, tzinfo=MADRID)
        ),
        datetime(2026, 10, 22, 12, tzinfo=MADRID): lambda: edit_unrelated_lines(sched),
        datetime(2026, 10, 26, 12, tzinfo=MADRID): lambda: write_files(
            sched.repo, {"assistant.toml": files(morning="0 7 * * 1-5")["assistant.toml"]}
        ),
    }
    failover_s = None
    now, steps = START.astimezone(UTC), 0
    while now < END:
        now += timedelta(hours=1)
        steps += 1
        if steps == 120:  # kill -9 one of the two beats; the other carries on
            sched.beats[0].kill()
            killed = time.monotonic()
            sched.advance(now.astimezone(MADRID))
            failover_s = time.monotonic() - killed
            sched.start_beat()
        else:
            sched.advance(now.astimezone(MADRID))
        hook = hooks.get(now.astimezone(MADRID))
        if hook:
            hook()
    messages = outbox(sched)
    by_kind = Counter(m["kind"] for m in messages)

    # Exactly the expected set: 8 mornings, 8 evenings, 6 deadline warnings, 1 follow-up,
    # 4 event preparations — nothing twice, nothing late.
    assert by_kind == {"morning_briefing": 8, "evening_summary": 8, "deadline": 6,
                       "waiting": 1, "event_prep": 4}, by_kind
    keys = [m["key"] for m in messages]
    assert len(keys) == len(set(keys))
    assert not any(m["late"] for m in messages)

    mornings = [local(m) for m in messages if m["kind"] == "morning_briefing"]
    assert mornings == [
        "Tue 20 08:00 CEST", "Wed 21 08:00 CEST", "Thu 22 08:00 CEST", "Fri 23 08:00 CEST",
        "Mon 26 08:00 CET",  # the schedule changed at noon that day: 07:00 from Tuesday on
        "Tue 27 07:00 CET", "Wed 28 07:00 CET", "Thu 29 07:00 CET",
    ]
    evenings = [local(m) for m in messages if m["kind"] == "evening_summary"]
    assert [e[:6] for e in evenings] == ["Tue 20", "Wed 21", "Thu 22", "Fri 23", "Mon 26",
                                         "Tue 27", "Wed 28", "Thu 29"]
    assert all(e.endswith("20:00 CEST") or e.endswith("20:00 CET") for e in evenings)

    deadlines = [(local(m)[:6], m["title"]) for m in messages if m["kind"] == "deadline"]
    assert deadlines == [
        ("Tue 20", "Due in 2 days: Book the dentist @phone"),
        ("Tue 20", "Due in 7 days: Send the tax form +admin"),
        ("Wed 21", "Due tomorrow: Book the dentist @phone"),
        ("Sat 24", "Due in 3 days: Send the tax form +admin"),
        ("Mon 26", "Due tomorrow: Send the tax form +admin"),
        ("Thu 29", "Due in 7 days: Renew the passport @errands"),
    ]
    preps = [(local(m), m["title"]) for m in messages if m["kind"] == "event_prep"]
    assert preps == [
        ("Wed 21 09:00 CEST", "In 60 min: dentist check"),
        ("Wed 21 14:00 CEST", "In 60 min: call with Ana"),
        ("Sun 25 02:00 CET", "In 60 min: early train to Oviedo"),  # the second 02:00
        ("Wed 28 08:00 CET", "In 60 min: standup +work"),
    ]
    (waiting,) = [m for m in messages if m["kind"] == "waiting"]
    assert local(waiting) == "Mon 26 09:00 CET"
    assert "Gil: Quote for the roof @waiting +house" in waiting["text"]

    # Content comes from the repo as it was at that time.
    wednesday = next(m for m in messages if m["kind"] == "morning_briefing"
                     and local(m).startswith("Wed 21"))
    assert wednesday["title"] == "Good morning — Wed 21 Oct"
    assert "Today\n- 10:00–11:00 dentist check\n- 15:00 call with Ana" in wednesday["text"]
    tuesday = messages[[m["kind"] for m in messages].index("morning_briefing")]
    assert "Top priorities\n- Pay the plumber +house — overdue 1 day" in tuesday["text"]
    done = next(m for m in messages if m["kind"] == "evening_summary"
                and local(m).startswith("Wed 21"))
    assert "Done today (1)\n- Book the dentist @phone" in done["text"]

    # The 02:00 deadline check ran once on the day 02:00 happened twice; every job once a slot.
    runs = read_ledger(sched.client, limit=1000, with_delivery=False)
    checks = [r for r in runs if r["job"] == "deadline_check"]
    assert sorted(datetime.fromisoformat(r["planned"]).day for r in checks) == list(range(20, 30))
    ids = [r["id"] for r in runs]
    assert len(ids) == len(set(ids))
    assert all(r["outcome"] in ("sent", "nothing to say") for r in runs), [
        r for r in runs if r["outcome"] not in ("sent", "nothing to say")
    ]
    # Git sync at 00, 06, 12 and 18 every day, plus the final midnight: queued once each.
    syncs = queued_syncs(sched)
    assert len(syncs) == len(set(syncs)) == 10 * 4 + 1
    duplicates = len(keys) - len(set(keys)) + len(syncs) - len(set(syncs))
    print(
        f"ROW8 two beats (plus one kill -9 and restart) over {steps} simulated hours: "
        f"messages {len(messages)}, duplicate scheduled runs {duplicates}; failover after "
        f"kill -9 of one beat {failover_s:.2f} s (the other beat's next tick; no leader lock)"
    )

    # A tick killed while holding the lock leaves it behind until it expires: ticks resume
    # within the lock's TTL.
    ttl_s = tick_lock_ttl_s(Settings(_env_file=None, schedule_tick_s=float(TICK_S)))  # type: ignore[call-arg]
    sched.client.set(TICK_LOCK_KEY, "dead-holder", px=int(ttl_s * 1000))
    started = time.monotonic()
    sched.advance(END + timedelta(hours=1), timeout=ttl_s + 10)
    waited = time.monotonic() - started
    assert waited <= ttl_s + 1.5
    print(f"ROW8 failover after the tick holding the lock died: {waited:.1f} s (lock TTL "
          f"{ttl_s:g} s; redbeat's default lock timeout would be 1500 s)")


def restart_at(sched: Scheduler, when: datetime) -> None:
    """Everything down (beats and workers killed), the clock moves on, everything back up."""
    sched.stop_beats()
    for worker in sched.workers:
        worker.kill()
    sched.set_now(when)
    sched.start(workers=1, beats=1)
    wait_until(lambda: sched.ticked_at(when), 60, "the first tick after the restart")


def test_row9_restart_after_a_missed_briefing_sends_it_late_once(scheduler: Scheduler) -> None:
    sched = scheduler
    write_files(sched.repo, files(deadline="0 * * * *"))  # deadline checks every hour
    sched.start(workers=1, beats=1)
    monday = datetime(2026, 10, 26, 7, 0, tzinfo=MADRID)
    sched.advance(monday, timeout=60)
    sched.advance(monday + timedelta(minutes=30))
    before = outbox(sched)
    warnings_before = [m["key"] for m in before if m["kind"] == "deadline"]
    assert warnings_before  # the 07:00 check warned about the tax form (due tomorrow)

    # Down from 07:30 to 09:30: the 08:00 briefing, 08:00 and 09:00 deadline checks and the
    # 09:00 waiting-for follow-up all fall in the gap.
    restart_at(sched, monday + timedelta(hours=2, minutes=30))
    for hour in (10, 11):
        sched.advance(monday.replace(hour=hour))
    messages = outbox(sched)
    mornings = [m for m in messages if m["kind"] == "morning_briefing"]
    assert len(mornings) == 1
    late = mornings[0]
    assert late["late"] is True and late["title"] == "Good morning — Mon 26 Oct (late)"
    assert late["text"].startswith("Sent late: planned for 08:00")
    assert local(late) == "Mon 26 08:00 CET" and local(late, "created_at") == "Mon 26 09:30 CET"
    followups = [m for m in messages if m["kind"] == "waiting"]
    assert len(followups) == 1 and followups[0]["late"] is True
    warning_keys = [m["key"] for m in messages if m["kind"] == "deadline"]
    assert warning_keys == warnings_before  # checked 4 more times: nothing new, nothing twice
    runs = read_ledger(sched.client, limit=100, job="deadline_check", with_delivery=False)
    skipped = [r for r in runs if r["outcome"] == "skipped"]
    assert len(skipped) == 1 and "missed 1 run at Mon 26 Oct 08:00" in skipped[0]["reason"]

    # Beat down from 07:00 to 10:30 the next day: 08:00 is older than the 120-minute grace.
    tuesday = monday + timedelta(days=1)
    sched.advance(tuesday)
    sched.stop_beats()
    sched.set_now(tuesday + timedelta(hours=3, minutes=30))
    sched.start_beat()
    wait_until(lambda: sched.ticked_at(tuesday + timedelta(hours=3, minutes=30)), 60,
               "the first tick after beat came back")
    sched.advance(tuesday.replace(hour=11))
    tuesday_mornings = [m for m in outbox(sched)
                        if m["kind"] == "morning_briefing" and local(m).startswith("Tue 27")]
    assert tuesday_mornings == []
    (record,) = [r for r in read_ledger(sched.client, limit=100, job="morning_briefing")
                 if r["planned"].startswith("2026-10-27")]
    assert record["outcome"] == "skipped"
    assert "grace period (120 min) had passed" in record["reason"]
    print(
        f"ROW9 beat and workers down 07:30-09:30 over the 08:00 briefing: late briefings sent "
        f"{len(mornings)} (never more than 1), duplicated deadline warnings "
        f"{len(warning_keys) - len(set(warning_keys))}; beat down 07:00-10:30 (grace 120 min): "
        f"sent "
        f"{len(tuesday_mornings)}, recorded as skipped 1"
    )
