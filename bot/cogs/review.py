"""``/review``: the weekly review, one step at a time, each proposed change applied only when
the owner presses ✓ (through the repo worker, like any other change)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import actions
from bot.access import OwnerItem
from bot.client import AssistantBot
from bot.replies import followup, retrying
from bot.review_view import SHOWN_ACTIONS, step_embed
from bot.services import BotServices
from shared.review_state import (
    ReviewState,
    ReviewStateError,
    advance,
    current_step,
    decide,
    finish_note,
    start_review,
)
from shared.weekly_review import Review, load_review
from worker.review_store import clear_review_state, load_review_state, save_review_state

NO_REVIEW = "No weekly review is in progress: start one with /review."


class ReviewButton(
    OwnerItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"myorg:review:(?P<verb>do|skip|next|pass|stop)(?::(?P<arg>[\w.-]{1,80}))?",
):
    def __init__(self, verb: str, arg: str = "", label: str = "", row: int | None = None) -> None:
        style = {
            "do": discord.ButtonStyle.success,
            "skip": discord.ButtonStyle.secondary,
            "next": discord.ButtonStyle.primary,
            "stop": discord.ButtonStyle.danger,
        }.get(verb, discord.ButtonStyle.secondary)
        custom_id = f"myorg:review:{verb}:{arg}" if arg else f"myorg:review:{verb}"
        super().__init__(
            discord.ui.Button(label=label or verb, style=style, custom_id=custom_id, row=row)
        )
        self.verb, self.arg = verb, arg

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ReviewButton:
        return cls(match["verb"], match["arg"] or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer()
        services: BotServices = interaction.client.services
        note, state, review = await press(services, self.verb, self.arg)
        if state is not None and review is not None:
            embed, view = await render(services, state, review)
            kwargs: dict[str, Any] = {"embed": embed, "view": view}
            await retrying(
                "updating the review", lambda: interaction.edit_original_response(**kwargs)
            )
        elif self.verb == "stop":
            await retrying(
                "ending the review", lambda: interaction.edit_original_response(view=None)
            )
        if note:
            await followup(interaction, note)


def review_view(state: ReviewState, review: Review) -> discord.ui.View | None:
    step = current_step(state, review)
    if step is None:
        return None
    view = discord.ui.View(timeout=None)
    for number, action in enumerate(step.actions[:SHOWN_ACTIONS], 1):
        if state.decided(action.id):
            continue
        row = (number - 1) // 2
        view.add_item(ReviewButton("do", action.id, f"✓ {number}", row))
        view.add_item(ReviewButton("skip", action.id, f"✗ {number}", row))
    last = "Finish" if step.index + 1 >= len(review.steps) else "Next step ▶"
    view.add_item(ReviewButton("next", label=last, row=4))
    view.add_item(ReviewButton("pass", label="Skip this step", row=4))
    view.add_item(ReviewButton("stop", label="Stop", row=4))
    return view


async def render(
    services: BotServices, state: ReviewState, review: Review
) -> tuple[discord.Embed, discord.ui.View | None]:
    now = await services.run(services.now)
    embed = step_embed(review, state, current_step(state, review), now.date())
    return embed, review_view(state, review)


def open_review(services: BotServices, fresh: bool) -> tuple[ReviewState, Review, bool]:
    now = services.now()
    state = load_review_state(services.redis)
    resumed = state is not None and not state.finished and not fresh
    if not resumed:
        state = start_review(now)
        save_review_state(services.redis, state)
    assert state is not None
    return state, load_review(services.repo, state.review_id, now), resumed


def _load(services: BotServices) -> tuple[ReviewState, Review] | None:
    state = load_review_state(services.redis)
    if state is None:
        return None
    return state, load_review(services.repo, state.review_id, services.now())


def _store(services: BotServices, state: ReviewState) -> Review:
    save_review_state(services.redis, state)
    return load_review(services.repo, state.review_id, services.now())


async def press(
    services: BotServices, verb: str, arg: str
) -> tuple[str | None, ReviewState | None, Review | None]:
    """Carry out one button of the review; returns a note for the owner and the new state."""
    if verb == "stop":
        await services.run(clear_review_state, services.redis)
        return "Review stopped. /review starts a new one.", None, None
    loaded = await services.run(_load, services)
    if loaded is None:
        return NO_REVIEW, None, None
    state, review = loaded
    note = None
    try:
        if verb == "do":
            action = review.action(arg)
            new = decide(state, review, arg, confirm=True)
            assert action is not None
            outcome = await actions.apply(services, action.operation)
            if outcome.state == "failed":
                return outcome.message, state, review
            if outcome.state == "refused":
                new = replace(new, confirmed=state.confirmed, skipped=[*state.skipped, arg])
                note = f"{outcome.message} Skipped it."
            else:
                note = f"{action.label}: {outcome.message}"
        elif verb == "skip":
            new = decide(state, review, arg, confirm=False)
        else:
            new = advance(state, review, skip_step=verb == "pass")
            memo = finish_note(new, actions.SOURCE) if not state.finished else None
            if memo is not None:
                noted = await actions.apply(services, memo)
                if noted.state == "failed":
                    note = f"Review finished; its note was not saved: {noted.message}"
    except ReviewStateError as exc:
        return f"{exc}.", state, review
    review = await services.run(_store, services, new)
    return note, new, review


class ReviewCog(commands.Cog):
    def __init__(self, bot: AssistantBot) -> None:
        self.services = bot.services

    @app_commands.command(name="review", description="The weekly review, step by step")
    @app_commands.describe(fresh="Start over instead of resuming the review in progress")
    async def review(
        self, interaction: discord.Interaction[AssistantBot], fresh: bool = False
    ) -> None:
        await interaction.response.defer(thinking=True)
        state, review, resumed = await self.services.run(open_review, self.services, fresh)
        embed, view = await render(self.services, state, review)
        text = "Resuming your weekly review." if resumed else "Weekly review started."
        await followup(interaction, text, embed=embed, view=view)


async def setup(bot: AssistantBot) -> None:
    bot.add_dynamic_items(ReviewButton)
    await bot.add_cog(ReviewCog(bot))
