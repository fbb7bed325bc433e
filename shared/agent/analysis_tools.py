"""Tools that analyse progress: one project in depth, and goals down their alignment chain."""

from __future__ import annotations

from pydantic import Field

from shared.agent.render import readable, task_lines
from shared.agent.tool_types import Read, Tool, ToolEnv, ToolError, ToolInput
from shared.alignment import alignment_report
from shared.progress import project_progress
from shared.projects import projects_by_slug
from shared.queries import sort_key
from shared.telos import parse_telos
from shared.today import RepoSnapshot


class ProjectInput(ToolInput):
    project: str = Field(description="The project's slug, e.g. +acme")


def analyze_project_progress(env: ToolEnv, args: ProjectInput) -> Read:
    snap = RepoSnapshot.load(env.repo, env.now)
    today = env.now.date()
    slug = args.project.lstrip("+")
    project = projects_by_slug(snap.projects).get(slug)
    tasks = [t for t in snap.tasks + snap.done_tasks if slug in t.projects]
    if project is None and not tasks:
        known = ", ".join(f"+{p.slug}" for p in snap.projects) or "none"
        raise ToolError(f"no project +{slug} (known: {known})")
    rows = []
    if project is not None:
        rows.append(
            f"+{slug} {readable(project.title)} status:{project.status}"
            + (f" due:{project.due}" if project.due else "")
            + (f" goals: {', '.join(project.goals)}" if project.goals else "")
        )
        pr = project_progress([project], tasks, today, snap.config.projects.stalled_days)[slug]
        rows.append(
            f"{pr.done}/{pr.total} done ({pr.percent or 0}%), {pr.done_7d} in 7 days, "
            f"{pr.done_28d} in 28 days; last done {pr.last_done or 'never'}"
            + (f"; STALLED: {pr.stalled_reason}" if pr.stalled else "")
        )
    else:
        rows.append(f"+{slug} is used by tasks but not listed in projects.txt")
    open_tasks = sorted((t for t in snap.tasks if slug in t.projects and not t.done), key=sort_key)
    rows.append(f"Open tasks ({len(open_tasks)}):")
    rows.extend("  " + line for line in task_lines(open_tasks, today, 20))
    recent = sorted(
        (t for t in tasks if t.done and t.completion_date),
        key=lambda t: t.completion_date or today,
        reverse=True,
    )[:5]
    if recent:
        rows.append("Recently done:")
        rows.extend(f"  {t.completion_date} {readable(t.text)}" for t in recent)
    return Read("\n".join(rows), "projects.txt")


class GoalInput(ToolInput):
    goal_id: str | None = Field(None, description="A quarterly goal id; empty for all goals")


def analyze_goal_progress(env: ToolEnv, args: GoalInput) -> Read:
    snap = RepoSnapshot.load(env.repo, env.now)
    today = env.now.date()
    telos = env.repo.parsed(env.repo.layout.telos, parse_telos)
    goals = snap.quarter.goals
    if args.goal_id:
        goals = [g for g in goals if g.id.casefold() == args.goal_id.casefold()]
        if not goals:
            known = ", ".join(g.id for g in snap.quarter.goals) or "none"
            raise ToolError(f"no goal {args.goal_id!r} this quarter (known: {known})")
    everything = snap.tasks + snap.done_tasks
    progress = project_progress(snap.projects, everything, today, snap.config.projects.stalled_days)
    rows = []
    for g in goals:
        done = sum(kr.done for kr in g.key_results)
        rows.append(
            f"{g.id}: {readable(g.title)} — key results {done}/{len(g.key_results)}"
            + (f", supports {', '.join(g.supports)}" if g.supports else "")
        )
        linked = [p for p in snap.projects if g.id.casefold() in (x.casefold() for x in p.goals)]
        for p in linked:
            pr = progress[p.slug]
            flag = f", STALLED ({pr.stalled_reason})" if pr.stalled else ""
            rows.append(
                f"  +{p.slug} [{p.status}] {pr.done}/{pr.total} tasks done, "
                f"{pr.done_7d} this week{flag}"
            )
        if not linked:
            rows.append("  no project points at this goal")
    report = alignment_report(snap.projects, snap.quarter, telos, snap.tasks)
    rows.append(f"Open tasks serving a goal: {report.aligned_tasks}/{report.open_tasks}")
    if report.projects_without_goal:
        rows.append(
            "Active projects with no goal: "
            + ", ".join(f"+{s}" for s in report.projects_without_goal)
        )
    return Read("\n".join(rows) or "No goals this quarter.", "goals")


TOOLS = (
    Tool(
        "analyze_project_progress",
        "One project in depth: progress, pace, stalled or not, open tasks, recent completions.",
        ProjectInput,
        analyze_project_progress,
    ),
    Tool(
        "analyze_goal_progress",
        "Quarterly goals with their key results, the projects that "
        "serve them and their pace, and how many open tasks serve any goal.",
        GoalInput,
        analyze_goal_progress,
    ),
)
