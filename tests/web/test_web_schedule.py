"""The Schedule page's next runs are the scheduler's: the same slots across daylight saving."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from shared.assistant_config import parse_assistant_config, zone
from shared.schedule import next_runs
from tests.web.conftest import ZONE, log_in, web_settings
from web import create_app
from worker.redis_server import RedisServer

ROW = re.compile(r"<tr><td>([a-z ]+)</td><td><code>([^<]+)</code></td>\s*<td>(.*?)</td></tr>", re.S)
TIMES = re.compile(r'<time datetime="([^"]+)">')

SCHEDULE = """timezone = "Europe/Madrid"

[schedule]
git_sync = "30 2 * * *"
deadline_check = "*/30 * * * *"
"""


def schedule_page(redis_server: RedisServer, org_dir: Path, now: datetime) -> str:
    app = create_app(web_settings(redis_server.url, org_dir), clock=lambda: now)
    app.config.update(TESTING=True)
    client = app.test_client()
    log_in(client)
    return client.get("/schedule").get_data(as_text=True)


def page_runs(redis_server: RedisServer, org_dir: Path, now: datetime) -> dict[str, list[str]]:
    page = schedule_page(redis_server, org_dir, now)
    rows = {name.replace(" ", "_"): TIMES.findall(times) for name, _, times in ROW.findall(page)}
    assert rows, page
    return rows


@pytest.mark.parametrize(
    ("now", "job", "expected_first"),
    [
        # clocks go forward at 02:00 on 28 March 2027: 02:30 does not exist and runs at 03:30
        (datetime(2027, 3, 27, 12, 0, tzinfo=ZONE), "git_sync", "2027-03-28T03:30:00+02:00"),
        # clocks go back at 03:00 on 25 October 2026: the repeated hour runs once
        (datetime(2026, 10, 25, 2, 50, tzinfo=ZONE), "deadline_check", "2026-10-25T03:00:00+01:00"),
    ],
)
def test_next_runs_across_a_dst_change_are_the_schedulers(
    redis_server: RedisServer, org_dir: Path, now: datetime, job: str, expected_first: str
) -> None:
    (org_dir / "assistant.toml").write_text(SCHEDULE, "utf-8")
    shown = page_runs(redis_server, org_dir, now)

    config = parse_assistant_config((org_dir / "assistant.toml").read_bytes())
    owner = zone(config, "UTC")
    assert set(shown) == set(config.schedule)
    for name, expr in config.schedule.items():
        expected = [s.at.isoformat() for s in next_runs(expr, owner, now)]
        assert shown[name] == expected, name
    assert shown[job][0] == expected_first


def test_a_schedule_that_never_fires_shows_never(redis_server: RedisServer, org_dir: Path) -> None:
    (org_dir / "assistant.toml").write_text('[schedule]\ngit_sync = "0 0 31 2 *"\n', "utf-8")
    page = schedule_page(redis_server, org_dir, datetime(2026, 11, 23, 9, 10, tzinfo=ZONE))
    row = next(r for r in ROW.findall(page) if r[0] == "git sync")
    assert row[1] == "0 0 31 2 *" and "never" in row[2]
