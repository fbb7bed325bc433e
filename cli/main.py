"""``myorg``: argument parsing and dispatch. Each subcommand lives in a small module."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from cli import (
    agent_commands,
    history_commands,
    read_commands,
    schedule_commands,
    write_commands,
)
from cli.context import build_context
from cli.errors import CliError
from shared.settings import Settings


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--repo", metavar="DIR", help="the org repository (default: settings)")
    common.add_argument("--now", metavar="ISO", help="pretend it is this date/time")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="myorg", description="Your plain-text life, from the command line."
    )
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
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"myorg: invalid setting {first['loc'][0]}: {first['msg']}", file=sys.stderr)
        return 2
    try:
        ctx = build_context(args, settings)
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
