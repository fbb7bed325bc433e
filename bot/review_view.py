"""The weekly review in Discord: a step as an embed. Where the review stands is kept in Redis
(:mod:`worker.review_store`), shared with the web's Review page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import discord

from bot.embeds import BLUE, GREEN, esc, event_line, fit, task_line
from shared.calendar import Event
from shared.goal_report import GoalReport
from shared.review_state import ReviewState
from shared.suggest import Suggestion
from shared.todo import Task
from shared.weekly_review import DATA_TITLES, Review, Step

SHOWN_ACTIONS = 8


def _item_lines(value: Any, today: date) -> list[str]:
    if isinstance(value, GoalReport):
        return [esc(line) for line in value.lines()[1:]]
    if isinstance(value, dict):
        return [f"+{esc(k)}: {esc(str(v))}" for k, v in value.items()]
    if not isinstance(value, Sequence) or isinstance(value, str):
        return [esc(str(value))]
    out = []
    for item in value:
        if isinstance(item, Task):
            out.append(task_line(item, today))
        elif isinstance(item, Suggestion):
            out.append(task_line(item.task, today))
        elif isinstance(item, Event):
            out.append(f"{item.day:%a %d} " + event_line(item))
        else:
            out.append(esc(str(item)))
    return out


def step_embed(review: Review, state: ReviewState, step: Step | None, today: date) -> discord.Embed:
    total = len(review.steps)
    if step is None:
        done = len(state.confirmed)
        embed = discord.Embed(title="Weekly review — finished 🎉", colour=GREEN)
        embed.description = (
            f"{done} change{'s' if done != 1 else ''} confirmed, {len(state.skipped)} skipped."
        )
        return embed
    title = f"Weekly review — step {step.index + 1} of {total}"
    embed = discord.Embed(title=title, colour=BLUE, description=f"**{esc(step.text)}**")
    if step.section:
        embed.set_author(name=step.section[:256])
    for key, value in step.data.items():
        lines = _item_lines(value, today)
        if lines:
            embed.add_field(name=DATA_TITLES.get(key, key), value=fit(lines), inline=False)
    actions = step.actions[:SHOWN_ACTIONS]
    if actions:
        rows = []
        for number, action in enumerate(actions, 1):
            mark = (
                "✅" if action.id in state.confirmed else "⏭️" if action.id in state.skipped else "▫️"
            )
            rows.append(f"{mark} **{number}.** {esc(action.label)}")
        embed.add_field(name="Proposed changes", value=fit(rows), inline=False)
    embed.set_footer(text="✓ applies a change (through the repo worker), ✗ skips it.")
    return embed
