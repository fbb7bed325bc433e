"""Terminal output with rich, and JSON output for scripts.

rich is imported when a table or console is made: ``--json`` output does not need it, and it
is a noticeable part of a short command's start-up.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from shared.todo import Task


def console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def escape(text: str) -> str:
    """``text`` with rich's markup characters escaped, to print literally."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


_LONE_SURROGATE_RE = re.compile("[\udc80-\udcff]")


def print_json(data: Any) -> None:
    # Indented for a person at a terminal; compact (and much faster) for a pipe or a script.
    indent = 2 if sys.stdout.isatty() else None
    text = json.dumps(data, ensure_ascii=False, indent=indent, default=str)
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        # A byte that is not UTF-8 (decoded as a lone surrogate) is written as a \udcXX escape,
        # so the output stays valid UTF-8 and json.loads gives back the exact text.
        text = _LONE_SURROGATE_RE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
        encoded = None
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    if encoded is not None and indent is None and buffer is not None and _utf8(out.encoding):
        # The bytes just made, written as they are: print would encode the text once more.
        out.flush()
        buffer.write(encoded)
        buffer.write(b"\n")
    else:
        print(text)


def _utf8(encoding: str | None) -> bool:
    try:
        return encoding is not None and codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def due_label(task: Task, today: date) -> str:
    due = task.due
    if due is None:
        return ""
    days = (due - today).days
    if days < 0:
        return f"[bold red]{due} ({-days}d late)[/]"
    if days == 0:
        return f"[bold yellow]{due} today[/]"
    if days == 1:
        return f"[yellow]{due} tomorrow[/]"
    return f"{due} (in {days}d)"


def task_table(tasks: Iterable[Task], today: date, title: str | None = None) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("pri")
    table.add_column("task", overflow="fold")
    table.add_column("due")
    for t in tasks:
        pri = f"[bold]({t.priority})[/]" if t.priority else ""
        text = escape(t.text) if not t.done else f"[dim strike]{escape(t.text)}[/]"
        if t.malformed:
            text += f" [red]⚠ {escape('; '.join(t.problems))}[/]"
        table.add_row(str(t.line), pri, text, due_label(t, today))
    return table
