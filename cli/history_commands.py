"""``myorg history`` (recent changes, from every interface and by hand) and ``myorg undo``."""

from __future__ import annotations

import argparse
from typing import Any

from cli.context import Context
from cli.errors import CliError
from cli.render import console, escape, print_json

UNDO_TIMEOUT_S = 20.0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("history", parents=[common], help="recent changes to the repo")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="how many (default 20)")
    p.set_defaults(handler=cmd_history)

    p = sub.add_parser("undo", parents=[common], help="undo the assistant's most recent change")
    p.set_defaults(handler=cmd_undo)


def cmd_history(ctx: Context, args: argparse.Namespace) -> int:
    from shared.owner_time import local_stamp
    from worker.history import list_history

    if args.limit < 1:
        raise CliError("--limit must be 1 or more")
    entries = list_history(ctx.repo.root, args.limit)
    if ctx.json:
        print_json([e.to_dict() for e in entries])
        return 0
    out = console()
    for e in entries:
        who = ", ".join(e.sources) if e.by_assistant else f"by hand ({e.author})"
        when = local_stamp(e.when, ctx.zone)
        out.print(f"[dim]{e.sha[:8]} {when}[/] {escape(e.subject)}  [cyan]{escape(who)}[/]")
    if not entries:
        out.print("No changes yet.")
    return 0


def cmd_undo(ctx: Context, args: argparse.Namespace) -> int:
    from cli.queue import repo_worker

    app = repo_worker(ctx.settings, ctx.repo.root)
    if app is None:
        raise CliError(
            "undo runs in the repo worker, which is not reachable for this repository "
            "(start the system with `make run`, or set REDIS_URL and ORG_REPO_PATH)"
        )
    from worker import client
    from worker.history import undone_text

    try:
        import uuid

        task_id = client.enqueue_undo(app, "cli", uuid.uuid4().hex)
        value = client.wait_task(app, task_id, UNDO_TIMEOUT_S)
    except (client.QueueUnavailableError, client.ResultTimeoutError, client.TaskFailedError) as exc:
        raise CliError(str(exc)) from exc
    if not value.get("ok"):
        raise CliError(str(value.get("error", "undo failed")))
    if ctx.json:
        print_json(value)
    else:
        console().print(undone_text(value.get("summary")), markup=False)
    return 0
