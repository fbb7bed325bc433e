"""Subcommands that only read: tasks, today, projects, goals.

Each handler imports the domain modules it uses, so that starting ``myorg`` costs only what
the one subcommand it runs needs.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.context import Context
from cli.render import console, escape, print_json, task_table


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("tasks", parents=[common], help="list open tasks, filtered")
    p.add_argument("--all", action="store_true", help="include done, hidden and malformed lines")
    p.add_argument("--context", metavar="@C")
    p.add_argument("--project", metavar="+P")
    p.add_argument("--priority", metavar="A", type=_priority)
    p.add_argument("--due-within", metavar="N", type=_days)
    p.add_argument("--search", metavar="TEXT")
    p.set_defaults(handler=cmd_tasks)

    p = sub.add_parser("today", parents=[common], help="today's events, deadlines and follow-ups")
    p.set_defaults(handler=cmd_today)

    p = sub.add_parser("projects", parents=[common], help="projects with progress")
    p.set_defaults(handler=cmd_projects)

    p = sub.add_parser("goals", parents=[common], help="this quarter's goals")
    p.set_defaults(handler=cmd_goals)


def _priority(value: str) -> str:
    value = value.strip("()").upper()
    if len(value) != 1 or not "A" <= value <= "Z":
        raise argparse.ArgumentTypeError(f"{value!r} is not a priority A–Z")
    return value


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of days") from None
    if days < 0:
        raise argparse.ArgumentTypeError("days must be 0 or more")
    return days


def cmd_tasks(ctx: Context, args: argparse.Namespace) -> int:
    from shared import queries
    from shared.today import RepoSnapshot

    snap = RepoSnapshot.load(ctx.repo, ctx.now)
    today = ctx.now.date()
    flt = queries.TaskFilter(
        context=args.context,
        project=args.project,
        priority=args.priority,
        search=args.search,
        due_within=args.due_within,
        include_done=args.all,
    )
    tasks = queries.filter_tasks(snap.tasks, flt, today)
    if not args.all:
        tasks.sort(key=queries.sort_key)
    if ctx.json:
        print_json([t.to_json() for t in tasks])
    elif tasks:
        console().print(task_table(tasks, today))
    else:
        console().print("No tasks match.")
    return 0


def cmd_today(ctx: Context, args: argparse.Namespace) -> int:
    from shared.today import build_today

    view = build_today(ctx.repo, ctx.now)
    if ctx.json:
        print_json(view.to_json())
        return 0
    out = console()
    today = ctx.now.date()
    out.print(f"[bold]{today:%A %d %B %Y}[/]")
    if view.events:
        out.print("\n[bold]Events[/]")
        for e in view.events:
            when = e.to_json()
            span = f"{when['start']}-{when['end']}" if when["end"] else (when["start"] or "all day")
            out.print(f"  {span:>11}  {escape(e.text)}")
    sections = [
        ("Overdue", view.overdue),
        ("Due today", view.due_today),
        *[(f"Due within {n} day(s)", ts) for n, ts in view.due_within.items()],
        ("Waiting for (stale)", view.waiting_stale),
    ]
    shown: set[int] = set()
    for title, tasks in sections:
        fresh = [t for t in tasks if t.line not in shown]
        shown.update(t.line for t in fresh)
        if fresh:
            out.print()
            out.print(task_table(fresh, today, title=title))
    if view.stalled_projects:
        stalled = ", ".join(f"+{p}" for p in view.stalled_projects)
        out.print(f"\n[bold]Stalled projects[/]: {escape(stalled)}")
    if view.goals:
        out.print("\n[bold]Goals this quarter[/]")
        for g in view.goals:
            out.print(f"  {g['id']}: {escape(g['title'])}  {g['done']}/{g['total']}")
    if view.open_by_context:
        counts = ", ".join(f"{c} {n}" for c, n in view.open_by_context.items())
        out.print(f"\n[bold]Open by context[/]: {escape(counts)}")
    return 0


def cmd_projects(ctx: Context, args: argparse.Namespace) -> int:
    from shared.progress import project_progress
    from shared.today import RepoSnapshot

    snap = RepoSnapshot.load(ctx.repo, ctx.now)
    today = ctx.now.date()
    progress = project_progress(
        snap.projects, snap.tasks + snap.done_tasks, today, snap.config.projects.stalled_days
    )
    rows = []
    for p in snap.projects:
        prog = progress.get(p.slug)
        rows.append(
            {
                "slug": p.slug,
                "title": p.title,
                "status": p.status,
                "goals": list(p.goals),
                "due": p.due.isoformat() if p.due else None,
                "done": prog.done if prog else 0,
                "total": prog.total if prog else 0,
                "done_7d": prog.done_7d if prog else 0,
                "done_28d": prog.done_28d if prog else 0,
                "stalled": bool(prog and prog.stalled),
                "line": p.line,
            }
        )
    if ctx.json:
        print_json(rows)
        return 0
    out = console()
    for r in rows:
        flag = " [red]stalled[/]" if r["stalled"] else ""
        due = f" due {r['due']}" if r["due"] else ""
        out.print(
            f"+{escape(str(r['slug']))} {escape(str(r['title']))} [dim]{r['status']}{due}[/]"
            f"  {r['done']}/{r['total']} done, {r['done_7d']} this week{flag}"
        )
    return 0


def cmd_goals(ctx: Context, args: argparse.Namespace) -> int:
    from shared.today import RepoSnapshot

    snap = RepoSnapshot.load(ctx.repo, ctx.now)
    goals = [
        {
            "id": g.id,
            "title": g.title,
            "supports": list(g.supports),
            "key_results": [{"text": k.text, "done": k.done} for k in g.key_results],
            "done": sum(k.done for k in g.key_results),
            "total": len(g.key_results),
        }
        for g in snap.quarter.goals
    ]
    if ctx.json:
        print_json(goals)
        return 0
    out = console()
    if not goals:
        out.print("No goals for this quarter.")
    for goal in snap.quarter.goals:
        done = sum(k.done for k in goal.key_results)
        total = len(goal.key_results)
        out.print(f"[bold]{escape(goal.id)}[/]: {escape(goal.title)}  {done}/{total}")
        for k in goal.key_results:
            out.print(f"  [{'x' if k.done else ' '}] {k.text}", markup=False)
    return 0

