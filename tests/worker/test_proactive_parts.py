"""The scheduler's parts on a real Redis: outbox, ledger, tick lock, the beat schedule as data,
and the tick itself run in this process with the real clock moved by time-machine."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis
import time_machine

from shared.assistant_config import DEFAULT_SCHEDULE
from shared.org_repo import OrgRepo
from shared.settings import Settings
from tests.worker.proactive_harness import commit_date
from tests.worker.worker_harness import run_git
from worker import ledger, outbox
from worker.app import create_celery_app
from worker.completions import done_lines_since
from worker.context_override import current_context, get_override, set_override
from worker.lanes import DEFAULT_QUEUE, GIT_SYNC, TASK_ROUTES
from worker.ledger import Run
from worker.proactive_jobs import HANDLERS
from worker.redis_server import RedisServer
from worker.scheduler import (
    TEST_NOW_KEY,
    TICK_TASK,
    Tick,
    TickLock,
    beat_schedule,
    clock_now,
    run_tick,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "org"
MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture
def settings(redis_server: RedisServer, tmp_path: Path) -> Settings:
    return Settings(_env_file=None, redis_url=redis_server.url,  # type: ignore[call-arg]
                    org_repo_path=tmp_path / "org")


@pytest.fixture
def repo(settings: Settings) -> OrgRepo:
    shutil.copytree(FIXTURE, settings.org_repo_path)
    return OrgRepo(settings.org_repo_path)


@pytest.fixture
def client(redis_client: redis.Redis) -> Iterator[redis.Redis]:
    yield redis_client


def message(n: int) -> dict[str, Any]:
    return {"kind": "test", "title": f"Message {n}", "text": "Café ☕ at 9", "created_at": "x"}


def test_outbox_publishes_once_per_key_and_keeps_a_copy_for_the_web(client: redis.Redis) -> None:
    first, new = outbox.publish_once(client, message(1), "morning|2026-11-23")
    again, new_again = outbox.publish_once(client, message(1), "morning|2026-11-23")
    assert (again, new, new_again) == (first, True, False)
    other = outbox.publish(client, message(2))
    assert client.xlen(outbox.OUTBOX_STREAM) == 2
    recent = outbox.recent_briefings(client)
    assert [(r["title"], r["outbox_id"]) for r in recent] == [("Message 2", other),
                                                              ("Message 1", first)]
    assert recent[0]["text"] == "Café ☕ at 9"
    assert outbox.was_published(client, "morning|2026-11-23") == first


def test_outbox_delivery_status_follows_the_bot(client: redis.Redis) -> None:
    sent = outbox.publish(client, message(1))
    assert outbox.delivery_status(client, sent) == "queued"
    ((got, body),) = outbox.read_messages(client, "bot-1")
    assert got == sent and body["title"] == "Message 1"
    assert outbox.delivery_status(client, sent) == "delivering"
    # A bot that crashed before acknowledging finds the message pending on restart.
    pending = client.xpending_range(outbox.OUTBOX_STREAM, outbox.OUTBOX_GROUP, "-", "+", 10)
    assert [p["message_id"].decode() for p in pending] == [sent]
    outbox.ack(client, sent)
    assert outbox.delivery_status(client, sent) == "delivered"
    later = outbox.publish(client, message(2))
    assert outbox.delivery_status(client, later) == "queued"


def test_ledger_claims_once_and_takes_over_a_stuck_run(client: redis.Redis) -> None:
    planned = datetime(2026, 11, 23, 8, tzinfo=MADRID)
    run = Run("morning_briefing", planned.isoformat(), planned.isoformat(), ledger.RUNNING)
    eid = ledger.entry_id("morning_briefing", "2026-11-23T07:00:00Z")
    assert ledger.claim(client, eid, run, planned, stuck_after_s=60)
    assert not ledger.claim(client, eid, run, planned, stuck_after_s=60)
    assert ledger.claim(client, eid, run, planned, stuck_after_s=0)  # its worker died
    run.outcome, run.messages = ledger.SENT, [outbox.publish(client, message(1))]
    ledger.finish(client, eid, run)
    assert not ledger.claim(client, eid, run, planned, stuck_after_s=0)  # done: never again
    skipped = Run("morning_briefing", planned.isoformat(), None, ledger.SKIPPED, "missed")
    assert not ledger.record(client, eid, skipped, planned)
    (entry,) = ledger.read_ledger(client)
    assert (entry["outcome"], entry["delivery"]) == ("sent", "queued")


def test_ledger_reads_newest_first_filters_and_prunes(client: redis.Redis) -> None:
    base = datetime(2026, 11, 1, 8, tzinfo=UTC)
    for day in range(20):
        planned = base + timedelta(days=day)
        job = "git_sync" if day % 2 else "morning_briefing"
        run = Run(job, planned.isoformat(), None, ledger.SKIPPED, f"day {day}")
        assert ledger.record(client, ledger.entry_id(job, planned.isoformat()), run, planned)
    newest = ledger.read_ledger(client, limit=3)
    assert [e["reason"] for e in newest] == ["day 19", "day 18", "day 17"]
    assert [e["reason"] for e in ledger.read_ledger(client, 2, job="git_sync")] == [
        "day 19", "day 17"]
    assert ledger.prune(client, base + timedelta(days=40), keep_days=30) == 10
    assert len(ledger.read_ledger(client, 100)) == 10


def test_tick_lock_is_exclusive_and_expires(client: redis.Redis) -> None:
    first, second = TickLock(client, 0.3), TickLock(client, 0.3)
    assert first.acquire() and not second.acquire()
    time.sleep(0.4)
    assert second.acquire()
    first.release()  # a late release does not free the new holder's lock
    assert not TickLock(client, 0.3).acquire()
    second.release()
    assert TickLock(client, 0.3).acquire()


def test_the_beat_schedule_is_one_tick_that_points_at_a_real_task(settings: Settings) -> None:
    app = create_celery_app(settings)
    try:
        app.loader.import_default_modules()
        schedule = app.conf.beat_schedule
        assert list(schedule) == ["proactive-tick"]
        entry = schedule["proactive-tick"]
        assert entry["task"] == TICK_TASK and TICK_TASK in app.tasks
        assert entry["schedule"] == timedelta(seconds=settings.schedule_tick_s)
        assert app.amqp.router.route({}, TICK_TASK)["queue"].name == DEFAULT_QUEUE
        assert GIT_SYNC in app.tasks
    finally:
        app.close()
    # Every job assistant.toml can name has a handler, and nothing else does.
    assert set(HANDLERS) == set(DEFAULT_SCHEDULE)
    assert "myorg.proactive.*" in TASK_ROUTES
    assert beat_schedule(settings)["proactive-tick"]["options"]["expires"] >= 1


def test_test_clock_only_when_enabled(client: redis.Redis, settings: Settings) -> None:
    client.set(TEST_NOW_KEY, "2026-11-23T07:00:00+00:00")
    real = clock_now(settings, client)  # the stored time is ignored in production
    assert real is not None and abs((real - datetime.now(UTC)).total_seconds()) < 5
    enabled = settings.model_copy(update={"test_clock": True})
    assert clock_now(enabled, client) == datetime(2026, 11, 23, 7, tzinfo=UTC)
    client.delete(TEST_NOW_KEY)
    assert clock_now(enabled, client) is None


def tick(settings: Settings, client: redis.Redis, repo: OrgRepo, sent: list[Any]) -> dict[str, Any]:
    now = clock_now(settings, client)
    assert now is not None
    return run_tick(Tick(settings, client, repo, now, lambda *a, **k: sent.append(k)))


def test_in_process_days_with_time_travel_never_duplicate_a_warning(
    client: redis.Redis, settings: Settings, repo: OrgRepo
) -> None:
    """The production clock (datetime.now) moved by time-machine; a new OrgRepo and new app
    state halfway stand for a restart; todo.txt is edited by hand meanwhile."""
    sent: list[Any] = []
    toml = repo.path("assistant.toml")
    toml.write_text(toml.read_text().replace("*/15 * * * *", "0 * * * *"))  # hourly syncs
    start = datetime(2026, 11, 18, 0, 0, tzinfo=MADRID)
    with time_machine.travel(start, tick=False) as traveller:
        for hour in range(7 * 24):
            if hour == 3 * 24:
                repo = OrgRepo(settings.org_repo_path)  # restarted process
                todo = repo.path("todo.txt")
                todo.write_bytes(b"(A) 2026-11-21 A new first line @home\n" + todo.read_bytes())
            tick(settings, client, repo, sent)
            traveller.shift(timedelta(hours=1))
    messages = [json.loads(f[b"message"]) for _, f in client.xrange(outbox.OUTBOX_STREAM)]
    deadline_keys = [m["key"] for m in messages if m["kind"] == "deadline"]
    assert deadline_keys and len(deadline_keys) == len(set(deadline_keys))
    plumber = [m["title"] for m in messages if m["kind"] == "deadline" and "plumber" in m["title"]]
    assert plumber == ["Due in 7 days: Call the plumber about the bathroom leak +house @phone",
                       "Due in 3 days: Call the plumber about the bathroom leak +house @phone",
                       "Due tomorrow: Call the plumber about the bathroom leak +house @phone"]
    mornings = [m["planned"][:10] for m in messages if m["kind"] == "morning_briefing"]
    assert mornings == ["2026-11-18", "2026-11-19", "2026-11-20", "2026-11-23", "2026-11-24"]
    syncs = [k["task_id"] for k in sent]
    assert len(syncs) == len(set(syncs)) == 7 * 24
    assert not any(m["late"] for m in messages)


def test_a_failing_job_is_recorded_and_the_others_still_run(
    client: redis.Redis, settings: Settings, repo: OrgRepo
) -> None:
    calendar = repo.path("calendar.txt")
    calendar.unlink()
    calendar.mkdir()  # unreadable: the briefing fails
    sent: list[Any] = []
    client.set(TEST_NOW_KEY, datetime(2026, 11, 23, 8, tzinfo=MADRID).isoformat())
    enabled = settings.model_copy(update={"test_clock": True})
    report = tick(enabled, client, repo, sent)
    assert any("calendar.txt cannot be read" in p for p in report["problems"])
    runs = {r["job"]: r for r in ledger.read_ledger(client)}
    assert runs["morning_briefing"]["outcome"] == "failed"
    assert "IsADirectoryError" in runs["morning_briefing"]["reason"]
    assert runs["git_sync"]["outcome"] == "sent" and sent


def test_context_override_wins_until_it_expires(client: redis.Redis, repo: OrgRepo) -> None:
    now = datetime(2026, 11, 23, 9, 10, tzinfo=MADRID)
    assert current_context(client, repo, now).context == "@meeting"  # the standup
    set_override(client, "Errands", now + timedelta(minutes=30), now)
    override = get_override(client)
    assert override is not None and override.context == "@errands"
    assert current_context(client, repo, now).source == "override"
    assert current_context(client, repo, now + timedelta(minutes=31)).context == "@work"
    assert client.ttl("myorg:context:override") in range(1795, 1801)


def test_an_event_prep_missed_until_the_event_started_is_recorded_not_sent(
    client: redis.Redis, settings: Settings, repo: OrgRepo
) -> None:
    enabled = settings.model_copy(update={"test_clock": True})
    sent: list[Any] = []
    for hour, minute in ((8, 0), (9, 10), (9, 30)):  # down from 08:00 to 09:10
        client.set(TEST_NOW_KEY, datetime(2026, 11, 23, hour, minute, tzinfo=MADRID).isoformat())
        tick(enabled, client, repo, sent)
    preps = [r for r in ledger.read_ledger(client, 100) if r["job"] == "event_prep"]
    assert [(r["planned"][11:16], r["outcome"]) for r in preps] == [
        ("09:30", "sent"),  # 10:00 revise chapter 3: on time at 09:30
        ("08:30", "skipped"),  # 09:00 standup: the scheduler was down until 09:10
    ]
    assert "the event had started" in preps[1]["reason"]


def test_done_lines_come_from_the_days_commits(tmp_path: Path) -> None:
    root = tmp_path / "org"
    root.mkdir()
    run_git(root, "init", "-q", "-b", "main")
    for day, text in ((20, "Call Ana\nPay rent\n"), (21, "x 2026-10-21 Call Ana\nPay rent\n"),
                      (21, "Pay rent\n")):  # completed, then deleted by hand the same day
        (root / "todo.txt").write_text(text)
        run_git(root, "add", "-A")
        run_git(root, "commit", "-qm", f"day {day}",
                env=commit_date(datetime(2026, 10, day, 15, tzinfo=MADRID)))
    repo = OrgRepo(root)
    today = datetime(2026, 10, 21, tzinfo=MADRID)
    assert done_lines_since(repo, today) == ["x 2026-10-21 Call Ana"]
    assert done_lines_since(repo, datetime(2026, 10, 22, tzinfo=MADRID)) == []
    assert done_lines_since(OrgRepo(tmp_path), datetime(2026, 10, 21, tzinfo=MADRID)) == []


def test_the_grace_period_comes_from_assistant_toml(
    client: redis.Redis, settings: Settings, repo: OrgRepo
) -> None:
    toml = repo.path("assistant.toml")
    toml.write_text(toml.read_text().replace("event_prep_minutes", "grace_minutes = 30\n"
                                             "event_prep_minutes"))
    enabled = settings.model_copy(update={"test_clock": True})
    for hour, minute in ((7, 50), (8, 45)):  # down over 08:00, back 45 minutes later
        client.set(TEST_NOW_KEY, datetime(2026, 11, 23, hour, minute, tzinfo=MADRID).isoformat())
        tick(enabled, client, repo, [])
    (morning,) = ledger.read_ledger(client, 10, job="morning_briefing")
    assert morning["outcome"] == "skipped" and "grace period (30 min)" in morning["reason"]
    assert client.xlen(outbox.OUTBOX_STREAM) == 0 or all(
        json.loads(f[b"message"])["kind"] != "morning_briefing"
        for _, f in client.xrange(outbox.OUTBOX_STREAM)
    )
