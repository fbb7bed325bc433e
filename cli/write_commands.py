"""Subcommands that change the repo: add, done, archive, event add."""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, Any

from cli.context import Context
from cli.errors import CliError
from cli.render import console, print_json

if TYPE_CHECKING:
    from shared.operations import Operation, OpResult

QUEUE_TIMEOUT_S = 15.0
_TIME_RE = re.compile(r"^\d{1,2}(:\d{2})?(-\d{1,2}(:\d{2})?)?$")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("add", parents=[common], help="add a task (todo.txt syntax)")
    p.add_argument("text", nargs="+", help="e.g. (A) Call Ana +freelance @phone due:friday")
    _local(p)
    p.set_defaults(handler=cmd_add)

    p = sub.add_parser("done", parents=[common], help="complete the task on LINE")
    p.add_argument("line", type=_line_number, help="line number in todo.txt (see myorg tasks)")
    _local(p)
    p.set_defaults(handler=cmd_done)

    p = sub.add_parser("archive", parents=[common], help="move done tasks to done.txt")
    _local(p)
    p.set_defaults(handler=cmd_archive)

    p = sub.add_parser("event", help="calendar events")
    events = p.add_subparsers(dest="event_command", metavar="ACTION", required=True)
    e = events.add_parser("add", parents=[common], help="add an event: DATE [TIME] TEXT")
    e.add_argument("date", help="YYYY-MM-DD, or today / tomorrow / fri")
    e.add_argument("words", nargs="+", help="[TIME] TEXT, e.g. 9:30-10 dentist")
    _local(e)
    e.set_defaults(handler=cmd_event_add)


def _local(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--local", action="store_true", help="apply directly, even when the repo worker runs"
    )


def _line_number(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a line number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("line numbers start at 1")
    return number


def run_operation(ctx: Context, op: Operation, local: bool = False) -> OpResult:
    """Apply ``op`` through the repo worker when it runs (saying so), else directly + commit."""
    from cli.local_commit import apply_and_commit
    from cli.queue import repo_worker
    from shared.operations import OperationError

    app = None if local else repo_worker(ctx.settings, ctx.repo.root)
    try:
        if app is None:
            return apply_and_commit(ctx.repo, op, ctx.now)[0]
        from worker import client

        try:
            applied = client.apply_via_queue(app, op, timeout=QUEUE_TIMEOUT_S)
        except (client.QueueUnavailableError, client.TaskFailedError) as exc:
            raise CliError(str(exc)) from exc
        except client.ResultTimeoutError as exc:
            raise CliError(f"{exc}; it will still be applied") from exc
        if not ctx.json:
            console().print("(applied by the repo worker)", style="dim")
        return applied.result
    except OperationError as exc:
        raise CliError(str(exc)) from exc


def _report(ctx: Context, result: OpResult, text: str) -> int:
    if ctx.json:
        print_json(result.to_dict())
    else:
        console().print(text, markup=False)
    return 0


def cmd_add(ctx: Context, args: argparse.Namespace) -> int:
    from shared import operations as ops

    result = run_operation(ctx, ops.AddTask(text=" ".join(args.text), source="cli"), args.local)
    return _report(ctx, result, f"Added on line {result.data['line']}: {result.data['raw']}")


def cmd_done(ctx: Context, args: argparse.Namespace) -> int:
    from shared import operations as ops
    from shared.todo_list import TaskNotFoundError, find_task

    doc = ctx.repo.read_doc(ctx.repo.layout.todo)
    try:
        index = find_task(doc, args.line)
    except TaskNotFoundError as exc:
        raise CliError(str(exc)) from exc
    # The text seen now travels with the line number: if the file shifts before the worker
    # applies it, the same task is completed, not whatever then sits on that line.
    op = ops.CompleteTask(line=args.line, raw=doc.lines[index], source="cli")
    result = run_operation(ctx, op, args.local)
    text = f"Done: {result.data['raw']}"
    if "next" in result.data:
        following = result.data["next"]
        text += f"\nNext occurrence on line {following['line']}: {following['raw']}"
    return _report(ctx, result, text)


def cmd_archive(ctx: Context, args: argparse.Namespace) -> int:
    from shared import operations as ops

    result = run_operation(ctx, ops.ArchiveDone(source="cli"), args.local)
    moved = result.data.get("moved", 0)
    return _report(ctx, result, f"Archived {moved} done task(s) to done.txt")


def cmd_event_add(ctx: Context, args: argparse.Namespace) -> int:
    from shared import operations as ops
    from shared.dates import resolve_date

    day = resolve_date(args.date, ctx.now.date())
    if day is None:
        raise CliError(f"{args.date!r} is not a date (use YYYY-MM-DD, today, tomorrow, fri…)")
    words = list(args.words)
    time = words.pop(0) if len(words) > 1 and _TIME_RE.match(words[0]) else None
    text = " ".join(words)
    op = ops.AddEvent(day=day.isoformat(), time=time, text=text, source="cli")
    result = run_operation(ctx, op, args.local)
    return _report(ctx, result, f"Added to {day}: {result.data.get('raw', text)}")
