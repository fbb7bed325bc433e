"""``myorg briefing`` and ``myorg schedule`` on a git copy of the fixture repo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis
import time_machine

from worker import ledger
from worker.redis_server import RedisServer

PROJECT = Path(__file__).resolve().parents[2]
FIXTURE = PROJECT / "tests" / "fixtures" / "org"
MADRID = ZoneInfo("Europe/Madrid")


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items()
           if not k.startswith(("ORG_", "TIMEZONE", "GIT_", "REDIS_", "MYORG_"))}
    out.update({"PYTHONIOENCODING": "utf-8", "TIMEZONE": "UTC", "REDIS_URL": "", **extra})
    return out


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "org"
    shutil.copytree(FIXTURE, root)
    git_env = {**env(), "GIT_AUTHOR_NAME": "M", "GIT_AUTHOR_EMAIL": "m@example.org",
               "GIT_COMMITTER_NAME": "M", "GIT_COMMITTER_EMAIL": "m@example.org"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "seed"]):
        subprocess.run(["git", *args], cwd=root, env=git_env, check=True, capture_output=True)
    return root


def run(repo: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args, "--repo", str(repo)], cwd=PROJECT, env=env(**extra),
        capture_output=True, text=True, encoding="utf-8", timeout=60,
    )


def in_process(repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
               *args: str, **extra: str) -> tuple[int, str, str]:
    from cli.main import main

    for key, value in env(**extra).items():
        monkeypatch.setenv(key, value)
    code = main([*args, "--repo", str(repo)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_briefing_morning_json(repo: Path) -> None:
    done = run(repo, "briefing", "morning", "--now", "2026-11-23T08:00", "--json")
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    assert data["kind"] == "morning_briefing" and data["date"] == "2026-11-23"
    assert [s["key"] for s in data["sections"]] == ["events", "top", "waiting", "deadlines",
                                                    "goals"]
    assert data["sections"][0]["lines"][0] == "09:00–09:30 ACME standup +acme"


def test_briefing_evening_text_and_markdown(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = in_process(repo, capsys, monkeypatch, "briefing", "evening",
                                "--now", "2026-11-23T20:00")
    assert code == 0, err
    assert out.splitlines()[0] == "Evening summary — Mon 23 Nov"
    assert "Slipped" in out and "Call mum about Sunday lunch @phone (due today)" in out
    code, out, _ = in_process(repo, capsys, monkeypatch, "briefing", "morning", "--markdown",
                              "--now", "2026-11-23T08:00")
    assert code == 0 and out.startswith("**Good morning — Mon 23 Nov**")


def test_schedule_lists_next_runs_in_the_owners_timezone(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    friday = datetime(2026, 10, 23, 9, 5, tzinfo=MADRID)  # clocks go back on Sunday
    with time_machine.travel(friday, tick=False):
        code, out, err = in_process(repo, capsys, monkeypatch, "schedule", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["timezone"] == "Europe/Madrid" and data["now"].startswith("2026-10-23T09:05")
    jobs = {j["job"]: j for j in data["jobs"]}
    assert jobs["morning_briefing"]["next_runs"] == [
        "2026-10-26T08:00:00+01:00", "2026-10-27T08:00:00+01:00", "2026-10-28T08:00:00+01:00",
    ]
    assert jobs["git_sync"]["next_runs"][0] == "2026-10-23T09:15:00+02:00"
    assert data["jobs"][0]["job"] == "git_sync"  # soonest first
    assert data["event_prep_minutes"] == 30 and data["grace_minutes"] == 120
    done = run(repo, "schedule", "--now", "2026-10-23T09:05")
    assert done.returncode == 0, done.stderr
    assert "Mon 26 Oct 08:00" in done.stdout and "Event prep: 30 minutes" in done.stdout


def test_schedule_log_reads_the_ledger(repo: Path, redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    try:
        client.flushall()
        planned = datetime(2026, 11, 23, 8, tzinfo=MADRID)
        run_ = ledger.Run("morning_briefing", planned.isoformat(), None, ledger.SKIPPED,
                          "missed 1 run at Mon 23 Nov 08:00: the scheduler was not running")
        ledger.record(client, ledger.entry_id("morning_briefing", "x"), run_, planned)
        later = planned + timedelta(hours=1)
        sent = ledger.Run("deadline_check", later.isoformat(), later.isoformat(), ledger.SENT,
                          "2 messages")
        ledger.record(client, ledger.entry_id("deadline_check", "y"), sent, later)
    finally:
        client.close()
    done = run(repo, "schedule", "--log", REDIS_URL=redis_server.url)
    assert done.returncode == 0, done.stderr
    assert "No scheduler tick recorded" in done.stdout
    assert done.stdout.index("deadline_check") < done.stdout.index("morning_briefing")
    assert "skipped: missed 1 run" in done.stdout
    data = json.loads(run(repo, "schedule", "--log", "--json", REDIS_URL=redis_server.url).stdout)
    assert [r["outcome"] for r in data["runs"]] == ["sent", "skipped"]
    missing = run(repo, "schedule", "--log")
    assert missing.returncode == 2 and "set REDIS_URL" in missing.stderr
    cleanup = redis.Redis.from_url(redis_server.url)
    cleanup.flushall()  # leave the shared Redis as found
    cleanup.close()
