"""Subcommands that change the repo: add, done, edit, append, pri, del, archive, event add."""

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

    line_commands: list[tuple[str, str, Any, tuple[tuple[str, dict[str, Any]], ...]]] = [
        ("done", "complete the task on LINE", cmd_done, ()),
        ("edit", "replace the task on LINE with TEXT", cmd_edit,
         (("text", {"nargs": "+", "help": "the whole new line, in todo.txt syntax"}),)),
        ("append", "add TEXT to the end of the task on LINE", cmd_append,
         (("text", {"nargs": "+", "help": "e.g. due:friday @phone"}),)),
        ("pri", "set the priority of the task on LINE", cmd_pri,
         (("priority", {"help": "a letter A-Z, or - to remove it"}),)),
        ("del", "delete the task on LINE", cmd_del, ()),
    ]  # fmt: skip
    for name, summary, handler, arguments in line_commands:
        p = sub.add_parser(name, parents=[common], help=summary)
        p.add_argument("line", type=_line_number, help="line number in todo.txt (see myorg tasks)")
        for argument, options in arguments:
            p.add_argument(argument, **options)
        _local(p)
        p.set_defaults(handler=handler)

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


def task_at(ctx: Context, line: int) -> str:
    """The text of the task on ``line`` now. It travels with the line number: if the file shifts
    before the worker applies the change, the same task is changed, not whatever then sits on
    that line."""
    from shared.todo_list import TaskNotFoundError, find_task

    doc = ctx.repo.read_doc(ctx.repo.layout.todo)
    try:
        return doc.lines[find_task(doc, line)]
    except TaskNotFoundError as exc:
        raise CliError(str(exc)) from exc


def cmd_done(ctx: Context, args: argparse.Namespace) -> int:
    from shared import operations as ops

    op = ops.CompleteTask(line=args.line, raw=task_at(ctx, args.line), source="cli")
    result = run_operation(ctx, op, args.local)
    text = f"Done: {result.data['raw']}"
    if "next" in result.data:
        following = result.data["next"]
        text += f"\nNext occurrence on line {following['line']}: {following['raw']}"
    return _report(ctx, result, text)


def _edit(ctx: Context, line: int, raw: str, new_text: str, local: bool) -> int:
    from shared import operations as ops

    if not new_text.strip():
        raise CliError("the new text is empty (to remove a task, use myorg del)")
    op = ops.EditTask(line=line, raw=raw, new_text=new_text, source="cli")
    result = run_operation(ctx, op, local)
    return _report(ctx, result, f"Line {result.data['line']}: {result.data['raw']}")


def cmd_edit(ctx: Context, args: argparse.Namespace) -> int:
    raw = task_at(ctx, args.line)
    return _edit(ctx, args.line, raw, " ".join(args.text), args.local)


def cmd_append(ctx: Context, args: argparse.Namespace) -> int:
    from shared.todo_edit import appended

    raw = task_at(ctx, args.line)
    return _edit(ctx, args.line, raw, appended(raw, " ".join(args.text)), args.local)


def cmd_pri(ctx: Context, args: argparse.Namespace) -> int:
    from shared import operations as ops

    raw = task_at(ctx, args.line)
    given = args.priority.strip().strip("()").upper()
    priority = None if given in ("-", "NONE", "") else given
    op = ops.PrioritizeTask(line=args.line, raw=raw, priority=priority, source="cli")
    result = run_operation(ctx, op, args.local)
    return _report(ctx, result, f"Line {result.data['line']}: {result.data['raw']}")


def cmd_del(ctx: Context, args: argparse.Namespace) -> int:
    from shared import operations as ops

    op = ops.DeleteTask(line=args.line, raw=task_at(ctx, args.line), source="cli")
    result = run_operation(ctx, op, args.local)
    return _report(ctx, result, f"Deleted line {result.data['line']}: {result.data['raw']}")


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
