"""Planning tools: what to do next (with the reasons), and when today to do it.

Both only read: ``propose_time_blocks`` returns the blocks, and writing one is an ``add_event``
call the owner confirms as usual.
"""

from __future__ import annotations

from pydantic import Field

from shared.agent.render import task_line
from shared.agent.tool_types import Read, Tool, ToolEnv, ToolError, ToolInput
from shared.calendar import events_on, parse_calendar
from shared.progress import project_progress
from shared.suggest import Suggestion, suggest, weights_from_config
from shared.time_blocks import TimeBlockError, propose_blocks
from shared.today import RepoSnapshot


class SuggestInput(ToolInput):
    context: str | None = Field(None, description="Where the owner is, e.g. @home")
    minutes: int | None = Field(None, ge=1, le=1440, description="Time available")
    energy: str | None = Field(None, pattern="^(low|med|high)$")
    limit: int = Field(5, ge=1, le=20)


def ranked(env: ToolEnv, args: SuggestInput) -> list[Suggestion]:
    """The repo's open tasks scored by :func:`shared.suggest.suggest`, best first."""
    snap = RepoSnapshot.load(env.repo, env.now)
    progress = project_progress(
        snap.projects,
        snap.tasks + snap.done_tasks,
        env.now.date(),
        snap.config.projects.stalled_days,
    )
    return suggest(
        snap.tasks,
        now=env.now,
        context=args.context,
        minutes_available=args.minutes,
        energy=args.energy,
        projects=snap.projects,
        quarter=snap.quarter,
        progress=progress,
        weights=weights_from_config(snap.config),
        limit=args.limit,
    )


def suggest_tasks(env: ToolEnv, args: SuggestInput) -> Read:
    today = env.now.date()
    rows = [
        f"{task_line(s.task, today)} — {s.reason_text or 'open'}" for s in ranked(env, args)
    ]
    return Read("\n".join(rows) or "Nothing fits; try without filters.", "todo.txt")


class BlocksInput(SuggestInput):
    limit: int = Field(3, ge=1, le=10, description="How many suggested tasks to place")


def propose_time_blocks(env: ToolEnv, args: BlocksInput) -> Read:
    snap = RepoSnapshot.load(env.repo, env.now)
    calendar = env.repo.parsed(env.repo.layout.calendar, parse_calendar)
    try:
        blocks = propose_blocks(
            ranked(env, args),
            events_on(calendar, env.now.date()),
            now=env.now,
            work_hours=snap.config.work_hours,
            source=env.source,
        )
    except TimeBlockError as exc:
        raise ToolError(str(exc)) from exc
    if not blocks:
        return Read("No free time left today within work hours for these tasks.", "calendar.txt")
    day = env.now.date().isoformat()
    rows = [
        f"Proposed blocks for {day}; nothing is written. To keep one, once the owner agrees, "
        f"call add_event with date {day} and the block's time and text:"
    ]
    rows.extend(f"{b.operation.time} {b.operation.text} — for task #{b.task.line}" for b in blocks)
    return Read("\n".join(rows), "calendar.txt")


TOOLS = (
    Tool(
        "suggest_tasks",
        "Rank what to do next from open tasks, each with its reasons: overdue, due soon, "
        "priority, goals behind, context, fit with the time and energy available.",
        SuggestInput,
        suggest_tasks,
    ),
    Tool(
        "propose_time_blocks",
        "Propose calendar blocks in today's free time (within work hours) for the best "
        "suggested tasks. Writes nothing: to keep a block, call add_event with its day, time "
        "and text once the owner agrees.",
        BlocksInput,
        propose_time_blocks,
    ),
)
