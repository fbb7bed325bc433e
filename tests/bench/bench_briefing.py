"""The morning briefing and the evening summary, without a model, on a large repo.

The repo has 10,000 open tasks (and 200 done ones) in todo.txt, 5,000 archived tasks, a
calendar for every day of 2022–2026, 40 projects, this quarter's goals and assistant.toml
(``gen.write_repo``). "Cold" parses every file (a freshly started worker; most of its time is the
todo.txt parser); "cached" is what a running worker does when the files have not changed since
the last tick; the reminders figure
is one deadline check over the whole list.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from shared.briefing import evening_summary, morning_briefing
from shared.org_repo import OrgRepo
from shared.reminders import deadline_warnings
from shared.today import RepoSnapshot
from tests.bench.gen import ANCHOR, write_repo
from tests.bench.report import Goal
from tests.bench.results import work_dir
from tests.bench.timing import median_ms, once, once_ms, repeats, scaled

NOW = datetime(ANCHOR.year, ANCHOR.month, ANCHOR.day, 8, tzinfo=ZoneInfo("Europe/Madrid"))

GOALS = (
    Goal("briefing.morning_10k.ms", 200.0,
         "morning briefing (no model) on 10k open tasks + 5 years of calendar, under 200 ms"),
)


def run() -> dict[str, float]:
    root = _make_repo()
    runs = repeats(7)
    cold_runs = [once(lambda: morning_briefing(OrgRepo(root), NOW)) for _ in range(runs)]
    cold = [t.wall_ms for t in cold_runs]
    repo = OrgRepo(root)
    briefing = morning_briefing(repo, NOW)
    cached = [once_ms(lambda: morning_briefing(repo, NOW)) for _ in range(runs)]
    evening = [once_ms(lambda: evening_summary(repo, NOW.replace(hour=20))) for _ in range(runs)]
    snap = RepoSnapshot.load(repo, NOW)
    days = snap.config.reminders.deadline_days
    check = [once_ms(lambda: deadline_warnings(snap.tasks, NOW.date(), days))
             for _ in range(runs)]
    warnings = deadline_warnings(snap.tasks, NOW.date(), days)
    print(f"briefing: {len(snap.tasks):,} tasks; top {len(briefing.section('top').lines)}, "
          f"{len(briefing.section('deadlines').lines)} deadlines this week, "
          f"{len(warnings)} deadline warnings, {len(briefing.text):,} characters")
    return {
        "briefing.morning_10k.ms": median_ms(cold),
        "briefing.morning_10k.cpu.ms": median_ms([t.cpu_ms for t in cold_runs]),
        "briefing.morning_10k_cached.ms": median_ms(cached),
        "briefing.evening_10k_cached.ms": median_ms(evening),
        "briefing.deadline_check_10k.ms": median_ms(check),
    }


def _make_repo() -> Path:
    root = work_dir() / "briefing"
    shutil.rmtree(root, ignore_errors=True)
    write_repo(root, open_tasks=scaled(10_000), done_tasks=scaled(5_000))
    return root
