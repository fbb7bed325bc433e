"""``/add``, ``/done`` and ``/tasks``, and the "done" buttons under a task list."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import actions
from bot.access import OwnerItem
from bot.client import AssistantBot
from bot.embeds import tasks_embed
from bot.replies import followup
from bot.services import BotServices
from bot.task_pick import (
    add_choices,
    by_token,
    done_choices,
    find_open,
    known_tags,
    parse_filter,
    select,
    task_token,
)
from shared import operations as ops
from shared.agent.render import readable
from shared.projects import parse_projects
from shared.todo import Task
from shared.todo_edit import TaskEditError, new_task_line
from shared.todo_list import parse_tasks

log = logging.getLogger(__name__)

DONE_BUTTONS = 5


def read_tasks(services: BotServices) -> tuple[list[Task], date]:
    repo = services.repo
    return repo.parsed(repo.layout.todo, parse_tasks), services.now().date()


def read_tags(services: BotServices) -> tuple[list[str], list[str]]:
    repo = services.repo
    tasks = repo.parsed(repo.layout.todo, parse_tasks)
    slugs = [p.slug for p in repo.parsed(repo.layout.projects, parse_projects)]
    return known_tags(tasks, slugs)


def outcome_text(outcome: actions.Outcome, done_verb: str) -> str:
    if outcome.state != "applied" or outcome.result is None:
        return outcome.message
    data = outcome.result.data
    text = f"{done_verb} #{data.get('line')}: {readable(str(data.get('raw', '')))}"
    following = data.get("next")
    if isinstance(following, dict):
        text += f"\nNext one added as #{following.get('line')}: {following.get('raw')}"
    return text


class DoneButton(
    OwnerItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"myorg:done:(?P<token>\d{1,6}:[0-9a-f]{10})",
):
    """Marks the task it names done (if it is still there and still open)."""

    def __init__(self, token: str, label: str = "Done") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80], style=discord.ButtonStyle.success, custom_id=f"myorg:done:{token}"
            )
        )
        self.token = token

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> DoneButton:
        return cls(match["token"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(thinking=True)
        services: BotServices = interaction.client.services
        tasks, _ = await services.run(read_tasks, services)
        task = by_token(tasks, self.token)
        if task is None:
            await followup(interaction, "That task is no longer open (done, edited or removed).")
            return
        op = ops.CompleteTask(line=task.line, raw=task.raw, source=actions.SOURCE)
        outcome = await actions.apply(services, op)
        await followup(interaction, outcome_text(outcome, "Done"))


def done_view(tasks: list[Task]) -> discord.ui.View | None:
    if not tasks:
        return None
    view = discord.ui.View(timeout=None)
    for task in tasks[:DONE_BUTTONS]:
        view.add_item(DoneButton(task_token(task), f"✓ #{task.line}"))
    return view


class TasksCog(commands.Cog):
    def __init__(self, bot: AssistantBot) -> None:
        self.bot = bot
        self.services = bot.services

    @app_commands.command(
        name="add", description="Add a task (todo.txt text: +project @context due:fri)"
    )
    @app_commands.describe(task="The task, e.g. Call Ana about the contract +acme @phone due:fri")
    async def add(self, interaction: discord.Interaction[AssistantBot], task: str) -> None:
        await interaction.response.defer(thinking=True)
        _, today = await self.services.run(read_tasks, self.services)
        try:
            new_task_line(task, today)
        except TaskEditError as exc:
            await followup(
                interaction, f"Nothing added: {exc}. Example: `/add task: Call Ana @phone due:fri`"
            )
            return
        outcome = await actions.apply(
            self.services, ops.AddTask(text=task.strip(), source=actions.SOURCE)
        )
        await followup(interaction, outcome_text(outcome, "Added"))

    @add.autocomplete("task")
    async def add_autocomplete(
        self, interaction: discord.Interaction[AssistantBot], current: str
    ) -> list[app_commands.Choice[str]]:
        projects, contexts = await self.services.run(read_tags, self.services)
        return [
            app_commands.Choice(name=c, value=c) for c in add_choices(current, projects, contexts)
        ]

    @app_commands.command(name="done", description="Mark a task done")
    @app_commands.describe(task="Start typing to pick an open task (or give its number)")
    async def done(self, interaction: discord.Interaction[AssistantBot], task: str) -> None:
        await interaction.response.defer(thinking=True)
        tasks, today = await self.services.run(read_tasks, self.services)
        found = find_open(tasks, task)
        if not found:
            await followup(
                interaction,
                f"No open task matches “{task.strip()[:200]}”. Nothing changed; "
                "pick one from the list as you type, or see /tasks.",
            )
            return
        if len(found) > 1:
            embed = tasks_embed(found, "matching", today)
            await followup(
                interaction,
                "Several open tasks match: which one?",
                embed=embed,
                view=done_view(found),
            )
            return
        target = found[0]
        op = ops.CompleteTask(line=target.line, raw=target.raw, source=actions.SOURCE)
        outcome = await actions.apply(self.services, op)
        await followup(interaction, outcome_text(outcome, "Done"))

    @done.autocomplete("task")
    async def done_autocomplete(
        self, interaction: discord.Interaction[AssistantBot], current: str
    ) -> list[app_commands.Choice[str]]:
        tasks, today = await self.services.run(read_tasks, self.services)
        return [
            app_commands.Choice(name=n, value=v) for n, v in done_choices(tasks, current, today)
        ]

    @app_commands.command(name="tasks", description="List open tasks")
    @app_commands.describe(
        filter="@context, +project, (A) priority and/or words, e.g. @phone +house"
    )
    async def tasks(self, interaction: discord.Interaction[AssistantBot], filter: str = "") -> None:
        await interaction.response.defer(thinking=True)
        flt, label = parse_filter(filter)
        tasks, today = await self.services.run(read_tasks, self.services)
        found = select(tasks, flt, today)
        await followup(interaction, embed=tasks_embed(found, label, today), view=done_view(found))


async def setup(bot: AssistantBot) -> None:
    bot.add_dynamic_items(DoneButton)
    await bot.add_cog(TasksCog(bot))
