"""``myorg``: argument parsing and dispatch. Each subcommand lives in a small module, which
imports what its handlers need when they run: starting ``myorg`` costs only the one command.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from cli import (
    agent_commands,
    history_commands,
    read_commands,
    schedule_commands,
    write_commands,
)
from cli.context import build_context
from cli.errors import CliError


def _add_common(parser: argparse.ArgumentParser, unset: object = None) -> None:
    parser.add_argument(
        "--repo", metavar="DIR", default=unset, help="the org repository (default: settings)"
    )
    parser.add_argument("--now", metavar="ISO", default=unset, help="pretend it is this date/time")
    parser.add_argument(
        "--json",
        action="store_true",
        default=False if unset is None else unset,
        help="machine-readable output",
    )


def build_parser() -> argparse.ArgumentParser:
    """The options every command takes go before the command or after it (``myorg --repo DIR
    today`` and ``myorg today --repo DIR``): given after it, a command's own copy of an option
    must not reset what was given before it, so those copies leave the value alone when unset.
    """
    common = argparse.ArgumentParser(add_help=False)
    _add_common(common, unset=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="myorg", description="Your plain-text life, from the command line."
    )
    _add_common(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    read_commands.register(sub, common)
    write_commands.register(sub, common)
    history_commands.register(sub, common)
    agent_commands.register(sub, common)
    schedule_commands.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        # Text that is not UTF-8 in the owner's files is printed as its original bytes.
        sys.stdout.reconfigure(errors="surrogateescape")
    try:
        # Run as the program (``myorg``, ``python -m cli``: no ``argv``), the process ends with
        # the command: the collector stays paused, and what is left is frozen, since walking
        # every object the command made once more just before the exit would only delay it.
        interactive = getattr(args, "interactive", False)
        with _collector_paused(not interactive, resume=argv is not None):
            ctx = build_context(args)
            code = int(args.handler(ctx, args) or 0)
            sys.stdout.flush()
        return code
    except CliError as exc:
        print(f"myorg: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (``myorg tasks --json | head``): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130


@contextmanager
def _collector_paused(pause: bool, resume: bool = True) -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one command (not for ``myorg chat``).

    A command on a large repo builds a few hundred thousand small objects (a task, its tags and
    dates per line), which reference counting frees; the collector would walk them again and
    again while they are built, an eighth of ``myorg today``'s time on 10,000 tasks.
    """
    enabled = pause and gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled and resume:
            gc.enable()
        elif enabled:
            gc.freeze()
