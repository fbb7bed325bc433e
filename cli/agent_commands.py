"""``myorg ask "…"`` (one turn), ``myorg chat`` (interactive) and ``myorg usage``.

Where a turn runs: on the agent lane when an agent worker is up (the CLI follows its event
stream); otherwise in this process, applying changes through the repo lane when a repo worker is
up, or directly to the repo (and committing) when none is — ``--local`` forces that. Without an
API key the built-in commands answer, so adding and completing tasks always works.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cli.context import Context, parse_now
from cli.render import console, print_json

if TYPE_CHECKING:
    from cli.agent_session import Session
    from shared.agent.turn import TurnResult

FOLLOW_SLACK_S = 30.0


def open_session(ctx: Context, local: bool, **kwargs: Any) -> Session:
    """Imported on use: a session loads the model SDK, Redis and Celery, which the other
    subcommands do not need (every ``myorg`` command would pay for them at start)."""
    from cli.agent_session import open_session as _open_session

    return _open_session(ctx, local, **kwargs)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    agent = argparse.ArgumentParser(add_help=False)
    agent.add_argument(
        "--conversation",
        default="cli",
        metavar="ID",
        help="conversation to continue (default: cli)",
    )
    agent.add_argument(
        "--local",
        action="store_true",
        help="run here and apply changes directly, even if workers are up",
    )

    p = sub.add_parser("ask", parents=[common, agent], help="ask the assistant one thing")
    p.add_argument("text", nargs="+", help='e.g. "add call Ana tomorrow +acme @phone"')
    p.set_defaults(handler=cmd_ask)

    p = sub.add_parser("chat", parents=[common, agent], help="talk with the assistant")
    p.set_defaults(handler=cmd_chat, interactive=True)

    p = sub.add_parser("usage", parents=[common], help="model tokens and cost, today and recent")
    p.add_argument("--days", type=int, default=7, metavar="N", help="days to show (default 7)")
    p.set_defaults(handler=cmd_usage)


def run_turn(
    ctx: Context, session: Session, conversation: str, text: str, now: datetime, stream: bool
) -> TurnResult:
    """One turn, printing its text as it arrives when ``stream``; returns the result."""
    from shared.agent.ids import new_turn_id
    from shared.agent.turn import TurnRequest, handle_message

    printer = _Printer(stream)
    turn_id = new_turn_id()
    if session.remote is not None:
        result = session.remote.run(
            conversation, turn_id, text, printer, ctx.settings.agent_turn_timeout_s + FOLLOW_SLACK_S
        )
    else:
        deps = session.deps(printer)
        result = handle_message(TurnRequest(conversation, turn_id, text, "cli"), now, deps)
    printer.finish(result.text)
    return result


def cmd_ask(ctx: Context, args: argparse.Namespace) -> int:
    session = open_session(ctx, args.local, fixed_now=bool(args.now))
    result = run_turn(
        ctx, session, args.conversation, " ".join(args.text), ctx.now, stream=not ctx.json
    )
    if ctx.json:
        print_json(result.to_dict())
    return 1 if result.status in ("error", "timeout") else 0


def cmd_chat(ctx: Context, args: argparse.Namespace) -> int:
    session = open_session(ctx, args.local, fixed_now=bool(args.now))
    out = console()
    out.print(f"[dim]{session.describe()} — empty line or Ctrl-D to quit[/]")
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            print()
            return 0
        if not text or text in ("quit", "exit"):
            return 0
        now = parse_now(args.now, ctx.zone) if args.now else datetime.now(ctx.zone)
        run_turn(ctx, session, args.conversation, text, now, stream=True)


def cmd_usage(ctx: Context, args: argparse.Namespace) -> int:
    state = open_session(ctx, local=False, need_workers=False).state
    days = []
    for n in range(max(args.days, 1)):
        day = datetime.fromtimestamp(ctx.now.timestamp() - n * 86400, ctx.zone).date()
        days.append({"day": day.isoformat(), **state.usage_on(day.isoformat())})
    recent = state.recent_turns(10)
    if ctx.json:
        print_json(
            {
                "days": days,
                "recent_turns": recent,
                "daily_budget": ctx.settings.agent_daily_token_budget,
            }
        )
        return 0
    from shared.agent.usage import Usage

    out = console()
    budget = ctx.settings.agent_daily_token_budget
    for row in days:
        u = Usage.from_dict(row["usage"])
        share = f" ({100 * u.budget_tokens / budget:.0f}% of budget)" if budget else ""
        out.print(
            f"{row['day']}  {row['turns']:>3} turns  in {u.input_tokens:>7}  cached "
            f"{u.cache_read_input_tokens:>7}  written {u.cache_creation_input_tokens:>6}  "
            f"out {u.output_tokens:>6}  ${row['cost_usd']:.4f}{share}",
            markup=False,
        )
    return 0


class _Printer:
    """Prints streamed text as it comes (each model step on its own line), tool problems as
    dim lines, and at the end whatever of the final answer was not streamed."""

    def __init__(self, stream: bool) -> None:
        self.stream = stream
        self.step_text = ""

    def __call__(self, event: dict[str, Any]) -> None:
        if not self.stream:
            return
        kind = event.get("type")
        if kind == "step" and self.step_text:
            print()
            self.step_text = ""
        elif kind == "text":
            self.step_text += event["text"]
            sys.stdout.write(event["text"])
            sys.stdout.flush()
        elif kind == "tool" and event.get("status") != "ok":
            sys.stderr.write(f"  · {event.get('tool')}: {event.get('status')}\n")
        elif kind == "notice":
            sys.stderr.write(f"  · {event.get('text')}\n")

    def finish(self, text: str) -> None:
        if not self.stream:
            return
        shown = self.step_text.strip()
        if shown and text.startswith(shown):
            rest = text[len(shown) :].strip()
            print(f"\n{rest}" if rest else "")
        else:
            if shown:
                print()
            print(text)
        sys.stdout.flush()
