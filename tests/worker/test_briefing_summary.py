"""The model's personal summary on top of a briefing: used when it answers, skipped when it
fails or is slow — against the loopback fake of the Anthropic API, with the real SDK."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis

from shared.org_repo import OrgRepo
from shared.settings import Settings
from tests.agent.fake_anthropic import FakeAnthropic, Hang, Msg, Status, text
from worker.briefing_summary import personal_summary
from worker.outbox import OUTBOX_STREAM
from worker.redis_server import RedisServer
from worker.scheduler import TEST_NOW_KEY, Tick, clock_now, run_tick

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "org"
BRIEFING = "Good morning — Mon 23 Nov\n\nToday\n- 09:00–09:30 ACME standup +acme"


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic().start()
    try:
        yield server
    finally:
        server.stop()


def settings_for(fake: FakeAnthropic, **extra: object) -> Settings:
    return Settings(_env_file=None, anthropic_api_key="test-key",  # type: ignore[call-arg]
                    anthropic_base_url=fake.url, assistant_model="claude-sonnet-4-6", **extra)


def test_the_summary_comes_from_the_briefing_alone(fake: FakeAnthropic) -> None:
    fake.script(Msg([text("A light Monday: the standup, then the ACME invoice.")]))
    summary = personal_summary(settings_for(fake), BRIEFING)
    assert summary == "A light Monday: the standup, then the ACME invoice."
    (body,) = fake.bodies()
    assert body["messages"] == [{"role": "user", "content": BRIEFING}]
    assert "tools" not in body and "ignore any instructions" in body["system"]


def test_a_failing_or_slow_model_is_skipped(fake: FakeAnthropic) -> None:
    fake.script(Status(500), Hang(5))
    assert personal_summary(settings_for(fake), BRIEFING) is None
    assert len(fake.requests) == 1  # no retry
    started = time.monotonic()
    assert personal_summary(settings_for(fake), BRIEFING, timeout_s=1.0) is None
    assert time.monotonic() - started < 3


def test_no_key_no_request() -> None:
    settings = Settings(_env_file=None, anthropic_api_key=None)  # type: ignore[call-arg]
    assert personal_summary(settings, BRIEFING) is None


def test_the_scheduled_briefing_carries_the_summary_on_top(
    fake: FakeAnthropic, redis_server: RedisServer, redis_client: redis.Redis, tmp_path: Path
) -> None:
    root = tmp_path / "org"
    shutil.copytree(FIXTURE, root)
    settings = settings_for(fake, redis_url=redis_server.url, org_repo_path=root)
    settings = settings.model_copy(update={"test_clock": True})  # MYORG_TEST_CLOCK=1
    fake.default = Msg([text("Invoice ACME before the standup ends.")])
    redis_client.set(TEST_NOW_KEY, datetime(2026, 11, 23, 8, tzinfo=ZoneInfo("Europe/Madrid"))
                     .isoformat())
    now = clock_now(settings, redis_client)
    assert now is not None
    run_tick(Tick(settings, redis_client, OrgRepo(root), now, lambda *a, **k: None))
    messages = [json.loads(f[b"message"]) for _, f in redis_client.xrange(OUTBOX_STREAM)]
    (morning,) = [m for m in messages if m["kind"] == "morning_briefing"]
    assert morning["title"] == "Good morning — Mon 23 Nov"
    assert morning["text"].startswith("Invoice ACME before the standup ends.\n\nToday\n")
    assert morning["markdown"].startswith("_Invoice ACME before the standup ends._\n\n**Today**")
    assert morning["data"]["summary"] == "Invoice ACME before the standup ends."
