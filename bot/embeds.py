"""Discord formatting: embeds for today, task lists, suggestions and briefings, short enough
for a phone. The owner's text is escaped (no accidental markdown) and never pings anyone (the
bot sends with no allowed mentions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import discord

from shared.agent.render import readable
from shared.briefing import Briefing
from shared.calendar import Event
from shared.suggest import Suggestion
from shared.today import TodayView
from shared.todo import Task

BLUE = discord.Colour.blurple()
GREEN = discord.Colour.green()
ORANGE = discord.Colour.orange()
RED = discord.Colour.red()
FIELD_MAX = 1024
DESCRIPTION_MAX = 4096
PRIORITY_MARKS = {"A": "🔴", "B": "🟠", "C": "🟡"}


def esc(text: str) -> str:
    return discord.utils.escape_markdown(readable(text))


def due_marker(task: Task, today: date) -> str:
    """``⚠️ 2d overdue``, ``📅 today``, ``📅 tomorrow``, ``📅 Fri 27``; empty without a due date."""
    due = task.due
    if due is None or task.done:
        return ""
    days = (due - today).days
    if days < 0:
        return f"⚠️ {-days}d overdue"
    if days == 0:
        return "📅 today"
    if days == 1:
        return "📅 tomorrow"
    return f"📅 {due:%a %d}" if days < 7 else f"📅 {due:%d %b}"


def task_line(task: Task, today: date) -> str:
    """```#12` 🔴 Call the plumber +house @phone · 📅 today`` (the number is for /done)."""
    mark = PRIORITY_MARKS.get(task.priority or "", f"({task.priority})" if task.priority else "")
    text = esc(task.description or task.text)
    tags = " ".join([*(f"+{p}" for p in task.projects), *task.contexts])
    parts = [f"`#{task.line}`", mark, text, esc(tags) if tags else ""]
    line = " ".join(p for p in parts if p)
    due = due_marker(task, today)
    return f"{line} · {due}" if due else line


def event_line(event: Event) -> str:
    when = event.time_text or "all day"
    return f"**{esc(when)}** {esc(event.text)}"


def fit(lines: Sequence[str], limit: int = FIELD_MAX, empty: str = "—") -> str:
    """Lines joined, as many as fit in ``limit`` characters, then ``… N more``."""
    out: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        more = f"… {len(lines) - index} more"
        if used + len(line) + 1 > limit - len(more) - 1:
            out.append(more)
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out) or empty


def within(days: int) -> str:
    return "Due tomorrow" if days == 1 else f"Due within {days} days"


def today_embed(view: TodayView) -> discord.Embed:
    today = view.now.date()
    embed = discord.Embed(title=f"Today — {today:%A %d %B}", colour=BLUE)
    embed.add_field(
        name="📆 Events",
        value=fit([event_line(e) for e in view.events], empty="No events."),
        inline=False,
    )
    seen: set[int] = set()
    sections = [("⚠️ Overdue", view.overdue), ("📌 Due today", view.due_today)]
    sections += [(f"🗓️ {within(n)}", ts) for n, ts in sorted(view.due_within.items())]
    sections.append(("⏳ Waiting too long", view.waiting_stale))
    for title, tasks in sections:
        fresh = [t for t in tasks if t.line not in seen]
        seen.update(t.line for t in fresh)
        if fresh:
            value = fit([task_line(t, today) for t in fresh])
            embed.add_field(name=title, value=value, inline=False)
    if view.stalled_projects:
        value = fit([esc(f"+{p}") for p in view.stalled_projects])
        embed.add_field(name="💤 Stalled projects", value=value, inline=False)
    goals = [f"{esc(str(g['title']))}: {g['done']}/{g['total']}" for g in view.goals]
    if goals:
        embed.add_field(name="🎯 Goals (key results done)", value=fit(goals), inline=False)
    if len(embed.fields) == 1 and not view.events:
        embed.description = "Nothing due, nothing late. 🎉"
    return embed


def tasks_embed(tasks: Sequence[Task], label: str, today: date) -> discord.Embed:
    count = len(tasks)
    title = f"{count} {label} task{'s' if count != 1 else ''}"
    embed = discord.Embed(title=title, colour=BLUE)
    embed.description = fit(
        [task_line(t, today) for t in tasks], DESCRIPTION_MAX, empty="Nothing here."
    )
    return embed


def suggest_embed(picks: Sequence[Suggestion], where: str) -> discord.Embed:
    embed = discord.Embed(title="What to do next", colour=GREEN)
    embed.description = where
    for rank, pick in enumerate(picks, 1):
        name = f"{rank}. {readable(pick.task.description or pick.task.text)}"[:256]
        why = esc(pick.reason_text) or "open task"
        embed.add_field(name=name, value=f"`#{pick.task.line}` · {why}"[:FIELD_MAX], inline=False)
    if not picks:
        embed.description = f"{where}\nNothing to suggest: no open task fits."
    return embed


def briefing_embed(briefing: Briefing) -> discord.Embed:
    embed = discord.Embed(title=briefing.title[:256], colour=ORANGE)
    if briefing.summary:
        embed.description = esc(briefing.summary)[:DESCRIPTION_MAX]
    for section in briefing.sections[:25]:
        lines = [f"• {esc(line)}" for line in section.lines]
        embed.add_field(
            name=section.heading[:256] or "—", value=fit(lines, empty=section.empty), inline=False
        )
    return embed
