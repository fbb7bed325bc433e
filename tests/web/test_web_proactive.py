"""The web's briefings page and schedule ledger, fed by the scheduler's outbox and ledger."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import redis

from tests.web.conftest import ZONE, log_in, make_app, redis_db_url, web_settings
from worker import ledger
from worker.outbox import publish_once
from worker.redis_server import RedisServer


def test_briefings_and_ledger_are_shown(redis_server: RedisServer, org_dir: Path) -> None:
    url = redis_db_url(redis_server)
    client = redis.Redis.from_url(url)
    try:
        planned = datetime(2026, 11, 23, 8, tzinfo=ZONE)
        message = {"kind": "morning_briefing", "title": "Good morning — Mon 23 Nov",
                   "text": "Today\n- 09:00–09:30 ACME standup <b>+acme</b>",
                   "created_at": planned.isoformat()}
        stream_id, _ = publish_once(client, message, "morning_briefing|2026-11-23T07:00:00Z")
        run = ledger.Run("morning_briefing", planned.isoformat(), planned.isoformat(),
                         ledger.SENT, messages=[stream_id])
        ledger.record(client, ledger.entry_id("morning_briefing", "2026-11-23T07:00:00Z"), run,
                      planned)
    finally:
        client.close()
    web = make_app(web_settings(url, org_dir)).test_client()
    log_in(web)
    page = web.get("/briefings").get_data(as_text=True)
    assert "Good morning — Mon 23 Nov" in page
    assert "09:00–09:30 ACME standup &lt;b&gt;+acme&lt;/b&gt;" in page  # escaped
    assert "No briefing has been sent yet." not in page
    schedule = web.get("/schedule").get_data(as_text=True)
    assert "No run has been recorded yet." not in schedule
    assert "morning_briefing" in schedule and "sent" in schedule
