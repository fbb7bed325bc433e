"""``myorg today --json`` on a large repo, as a whole process and in process.

The repo has 10,000 open tasks (and 200 done ones) in todo.txt, 5,000 archived tasks, a
calendar with a day line for every day of 2022–2026, 40 projects, this quarter's goals and
assistant.toml. The process runs the way a deployed install does: with its bytecode cached
(``PYTHONDONTWRITEBYTECODE`` is dropped so the warm-up run writes the cache), after one
warm-up run so the files are in the page cache.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cli.main import main as cli_main
from cli.render import print_json
from shared.org_repo import OrgRepo
from shared.today import build_today
from tests.bench.gen import ANCHOR, write_repo
from tests.bench.report import Goal
from tests.bench.results import ROOT, work_dir
from tests.bench.timing import Timing, median_ms, once, once_ms, repeats, scaled

NOW_ARG = f"{ANCHOR}T08:00"
LAST_DAY = date(2026, 12, 31)
CALENDAR_DAYS = (LAST_DAY - date(2022, 1, 1)).days

GOALS = (
    Goal("today.process_10k.ms", 300.0,
         "`myorg today --json`, 10k open tasks + 5 years of calendar, whole process, under 300 ms"),
)


def run() -> dict[str, float]:
    root = _make_repo()
    results: dict[str, float] = {}
    results.update(bench_process(root))
    results.update(bench_in_process(root))
    return results


def _make_repo() -> Path:
    root = work_dir() / "today"
    shutil.rmtree(root, ignore_errors=True)
    open_tasks = scaled(10_000)
    first_day = LAST_DAY - timedelta(days=scaled(CALENDAR_DAYS))
    write_repo(root, open_tasks=open_tasks, done_tasks=scaled(5_000), first_day=first_day,
               last_day=LAST_DAY)
    print(f"today: repo with {open_tasks:,} open tasks, calendar {first_day}..{LAST_DAY}")
    return root


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _timed_process(args: list[str]) -> tuple[Timing, subprocess.CompletedProcess[str]]:
    """Run ``args``; its wall time, and the CPU time (user + system) the child used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=_env(), capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall * 1000, cpu * 1000), done


def today_command(root: Path) -> list[str]:
    return [sys.executable, "-m", "cli", "today", "--repo", str(root), "--now", NOW_ARG, "--json"]


def bench_process(root: Path) -> dict[str, float]:
    command = today_command(root)
    _, warm = _timed_process(command)
    if warm.returncode != 0:
        raise RuntimeError(f"myorg today failed ({warm.returncode}): {warm.stderr.strip()[-500:]}")
    view = json.loads(warm.stdout)
    if view.get("date") != ANCHOR.isoformat():
        raise RuntimeError(f"myorg today answered for {view.get('date')!r}, not {ANCHOR}")
    runs = repeats(5)
    process = [_timed_process(command)[0] for _ in range(runs)]
    startup = median_ms([_timed_process([sys.executable, "-c", "pass"])[0].wall_ms
                         for _ in range(runs)])
    imported = [_timed_process([sys.executable, "-c", "import cli.main"])[0].wall_ms
                for _ in range(runs)]
    imports = import_times(root)
    print(f"today: {sum(len(v) for v in view['due_within'].values())} tasks due within 1/3/7 "
          f"days, {len(view['overdue'])} overdue, {len(view['events'])} events, "
          f"{len(warm.stdout) / 1e6:.1f} MB of JSON; process runs "
          + ", ".join(f"{t.wall_ms:.0f}" for t in process) + " ms")
    print("today: slowest imports (python -X importtime, cumulative ms, inflated by the "
          "tracing): " + ", ".join([f"{name} {ms:.0f}" for name, ms, depth in imports
                                    if depth <= 1][:10]))
    return {
        "today.process_10k.ms": median_ms([t.wall_ms for t in process]),
        "today.process_10k.cpu.ms": median_ms([t.cpu_ms for t in process]),
        "python.startup.ms": startup,
        "today.import_cli.ms": median_ms(imported) - startup,
    }


_IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)")


def import_times(root: Path) -> list[tuple[str, float, int]]:
    """Imports of ``myorg today`` from ``python -X importtime``, slowest first: module,
    cumulative milliseconds, depth (0 for a top-level import)."""
    args = [sys.executable, "-X", "importtime", *today_command(root)[1:]]
    _, done = _timed_process(args)
    found: list[tuple[str, float, int]] = []
    for line in done.stderr.splitlines():
        m = _IMPORT_LINE.match(line)
        if m:
            found.append((m.group(3), int(m.group(1)) / 1000, len(m.group(2)) // 2))
    return sorted(found, key=lambda item: -item[1])


def bench_in_process(root: Path) -> dict[str, float]:
    """What the process does after its imports: ``main()`` (settings, parse, queries, JSON),
    and the parts of it: ``build_today`` cold and with parsed files cached, the JSON output."""
    now = datetime.fromisoformat(NOW_ARG).replace(tzinfo=ZoneInfo("Europe/Madrid"))
    runs = repeats(5)
    args = today_command(root)[3:]
    main_runs = [once(partial(_quiet_main, args)) for _ in range(runs)]
    cold = [once_ms(lambda: build_today(OrgRepo(root), now)) for _ in range(runs)]
    repo = OrgRepo(root)
    view = build_today(repo, now)
    cached = [once_ms(lambda: build_today(repo, now)) for _ in range(runs)]
    output = [once_ms(partial(_quiet_json, view.to_json)) for _ in range(runs)]
    return {
        "today.main_10k.ms": median_ms([t.wall_ms for t in main_runs]),
        "today.main_10k.cpu.ms": median_ms([t.cpu_ms for t in main_runs]),
        "today.build_10k.ms": median_ms(cold),
        "today.build_10k_cached.ms": median_ms(cached),
        "today.json_output_10k.ms": median_ms(output),
    }


def _quiet_main(args: list[str]) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(args)
    if code != 0:
        raise RuntimeError(f"myorg {' '.join(args)} exited with {code}")


def _quiet_json(data: Callable[[], Any]) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        print_json(data())
