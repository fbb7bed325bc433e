"""``myorg briefing morning|evening`` and ``myorg schedule [--log]``."""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cli.context import Context
from cli.errors import CliError
from cli.render import console, escape, print_json

if TYPE_CHECKING:
    from shared.briefing import Briefing

NEXT_RUNS = 3


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("briefing", parents=[common], help="the morning briefing or evening summary")
    p.add_argument("which", choices=("morning", "evening"))
    p.add_argument("--markdown", action="store_true", help="as sent to Discord")
    p.set_defaults(handler=cmd_briefing)

    p = sub.add_parser("schedule", parents=[common], help="scheduled jobs and their next runs")
    p.add_argument("--log", action="store_true", help="the ledger of past runs (needs Redis)")
    p.add_argument("--limit", type=int, default=30, metavar="N", help="runs to show (--log)")
    p.set_defaults(handler=cmd_schedule)


def build_briefing(ctx: Context, which: str) -> Briefing:
    from shared.briefing import evening_summary, morning_briefing
    from shared.schedule import place

    if which == "morning":
        return morning_briefing(ctx.repo, ctx.now)
    from worker.completions import done_lines_since

    midnight = place(datetime.combine(ctx.now.date(), datetime.min.time()), ctx.zone)
    return evening_summary(ctx.repo, ctx.now, done_lines_since(ctx.repo, midnight))


def cmd_briefing(ctx: Context, args: argparse.Namespace) -> int:
    briefing = build_briefing(ctx, args.which)
    if ctx.json:
        print_json(briefing.to_json())
    elif args.markdown:
        print(briefing.to_markdown())
    else:
        out = console()
        out.print(f"[bold]{escape(briefing.title)}[/]")
        for section in briefing.sections:
            out.print(f"\n[bold]{escape(section.heading)}[/]")
            for line in section.lines or [section.empty]:
                out.print(f"  {line}", markup=False)
    return 0


def cmd_schedule(ctx: Context, args: argparse.Namespace) -> int:
    return show_log(ctx, args.limit) if args.log else show_jobs(ctx)


def show_jobs(ctx: Context) -> int:
    from rich.table import Table

    from shared.assistant_config import parse_assistant_config
    from shared.schedule import next_runs, schedule_grace

    config = ctx.repo.parsed(ctx.repo.layout.assistant_toml, parse_assistant_config)
    grace, problem = schedule_grace(config.extra.get("schedule"))
    jobs: list[dict[str, Any]] = []
    for name, expr in config.schedule.items():
        runs = [s.at.isoformat() for s in next_runs(expr, ctx.zone, ctx.now, NEXT_RUNS)]
        jobs.append({"job": name, "cron": expr, "next_runs": runs})
    jobs.sort(key=lambda j: j["next_runs"][0] if j["next_runs"] else "~")
    problems = [*config.problems, *([problem] if problem else [])]
    data: dict[str, Any] = {
        "timezone": str(ctx.zone),
        "now": ctx.now.isoformat(),
        "jobs": jobs,
        "event_prep_minutes": config.event_prep_minutes,
        "grace_minutes": int(grace.total_seconds() // 60),
        "problems": problems,
    }
    if ctx.json:
        print_json(data)
        return 0
    out = console()
    out.print(f"Times in {ctx.zone} (now {ctx.now:%a %d %b %H:%M %Z}).")
    table = Table(show_edge=False, pad_edge=False)
    for column in ("job", "cron", "next runs"):
        table.add_column(column)
    for job in jobs:
        when = ", ".join(f"{datetime.fromisoformat(t):%a %d %b %H:%M}" for t in job["next_runs"])
        table.add_row(job["job"], escape(job["cron"]), when or "never")
    out.print(table)
    prep = config.event_prep_minutes
    out.print(f"Event prep: {prep} minutes before each timed event." if prep
              else "Event prep: off.")
    out.print(f"A missed run is sent late if at most {data['grace_minutes']} minutes late.")
    for line in problems:
        out.print(f"[yellow]assistant.toml: {escape(line)}[/]")
    return 0


def show_log(ctx: Context, limit: int) -> int:
    if not ctx.settings.redis_url:
        raise CliError("the schedule ledger is kept in Redis: set REDIS_URL to read it")
    import redis
    from rich.table import Table

    from worker.ledger import read_ledger
    from worker.scheduler import last_tick

    client = redis.Redis.from_url(
        ctx.settings.redis_url, socket_timeout=ctx.settings.redis_socket_timeout_s,
        socket_connect_timeout=ctx.settings.redis_socket_timeout_s,
    )
    try:
        runs = read_ledger(client, limit)
        tick = last_tick(client)
    except (redis.RedisError, OSError) as exc:
        raise CliError(f"cannot read the schedule ledger: Redis is unreachable ({exc})") from exc
    finally:
        client.close()
    if ctx.json:
        print_json({"last_tick": tick, "runs": runs})
        return 0
    out = console()
    if tick is None:
        out.print("[yellow]No scheduler tick recorded: is beat running?[/]")
    else:
        out.print(f"Last scheduler tick {time.time() - float(tick['at']):.0f} s ago.")
    if not runs:
        out.print("No run recorded yet.")
        return 0
    table = Table(show_edge=False, pad_edge=False)
    for column in ("planned", "job", "started", "outcome", "delivery"):
        table.add_column(column)
    for run in runs:
        planned = datetime.fromisoformat(run["planned"]).astimezone(ctx.zone)
        started = run.get("started")
        start = f"{datetime.fromisoformat(started).astimezone(ctx.zone):%H:%M}" if started else ""
        outcome = run["outcome"] + (" (late)" if run.get("late") else "")
        if run.get("reason"):
            outcome += f": {run['reason']}"
        table.add_row(f"{planned:%a %d %b %H:%M}", run["job"], start, escape(outcome),
                      run.get("delivery", ""))
    out.print(table)
    return 0
