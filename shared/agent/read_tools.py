"""Tools that read the org repository: files, tasks, events, projects, goals, telos, git status.

Each returns compact text, cut with a note when large; the executor wraps it as data.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import git
from pydantic import Field

from shared.agent.render import event_line, limited, readable, task_lines
from shared.agent.tool_types import Read, Tool, ToolEnv, ToolError, ToolInput
from shared.agent.untrusted import truncate
from shared.calendar import events_between, events_on, parse_calendar
from shared.dates import resolve_date
from shared.goals import parse_goals, quarter_file
from shared.queries import TaskFilter, filter_tasks, sort_key
from shared.safe_paths import UnsafePathError
from shared.telos import parse_telos
from shared.today import RepoSnapshot

MAX_FILE_BYTES = 1_000_000
MAX_EVENT_DAYS = 62
_HIDDEN = (".git", ".myorg-state")


class ReadFileInput(ToolInput):
    path: str = Field(description="Path relative to the repository root, e.g. todo.txt")
    start_line: int = Field(1, ge=1, description="First line to show (1-based)")
    max_lines: int = Field(300, ge=1, le=2000, description="How many lines to show")


def read_file(env: ToolEnv, args: ReadFileInput) -> Read:
    path = _safe(env, args.path)
    if path.is_dir():
        raise ToolError(f"{args.path} is a folder; use list_files")
    if not path.is_file():
        raise ToolError(f"{args.path} does not exist; use list_files to see what does")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ToolError(f"{args.path} is larger than {MAX_FILE_BYTES} bytes; not read")
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ToolError(f"{args.path} is a binary file")
    lines = data.decode("utf-8", "replace").splitlines()
    first = args.start_line - 1
    shown = lines[first : first + args.max_lines]
    body = "\n".join(f"{first + i + 1}: {line}" for i, line in enumerate(shown))
    more = len(lines) - first - len(shown)
    if more > 0:
        body += f"\n[… {more} more lines; read again with start_line={first + len(shown) + 1}]"
    return Read(body or "(empty file)", args.path)


class ListFilesInput(ToolInput):
    directory: str = Field("", description="A folder relative to the root; empty for all files")


def list_files(env: ToolEnv, args: ListFilesInput) -> Read:
    rel = args.directory.strip()
    if rel in ("", ".", "/", "./"):
        rel = ""
    elif not _safe(env, rel).is_dir():
        raise ToolError(f"{args.directory} is not a folder")
    rows = []
    for name in env.repo.list_files(rel):
        if name.split("/")[0].startswith(_HIDDEN):
            continue
        try:
            path = env.repo.path(name)  # skips symlinks that lead out of the repo or into .git
        except UnsafePathError:
            continue
        rows.append(f"{name} ({path.stat().st_size} bytes)")
    return Read("\n".join(limited(rows, 300, "files")) or "(no files)", "list_files")


class SearchTasksInput(ToolInput):
    text: str | None = Field(None, description="Words the task must contain")
    context: str | None = Field(None, description="A context such as @phone")
    project: str | None = Field(None, description="A project such as +acme")
    priority: str | None = Field(None, pattern="^[A-Za-z]$", description="A priority letter")
    due_within_days: int | None = Field(None, ge=0, le=3650)
    include_done: bool = Field(False, description="Also done, hidden and malformed lines")
    limit: int = Field(30, ge=1, le=200)


def search_tasks(env: ToolEnv, args: SearchTasksInput) -> Read:
    snap = RepoSnapshot.load(env.repo, env.now)
    today = env.now.date()
    flt = TaskFilter(
        context=args.context,
        project=args.project,
        priority=args.priority,
        search=args.text,
        due_within=args.due_within_days,
        include_done=args.include_done,
    )
    found = sorted(filter_tasks(snap.tasks, flt, today), key=sort_key)
    if not found:
        return Read("No matching tasks.", "todo.txt")
    head = f"{len(found)} task(s) (#N is the line number in todo.txt):"
    return Read("\n".join([head, *task_lines(found, today, args.limit)]), "todo.txt")


class GetEventsInput(ToolInput):
    start: str = Field(description="First day: YYYY-MM-DD or today, tomorrow, fri, next week")
    end: str | None = Field(None, description="Last day (inclusive); default: the start day")


def get_events(env: ToolEnv, args: GetEventsInput) -> Read:
    today = env.now.date()
    start = _day(args.start, today)
    end = _day(args.end, today) if args.end else start
    if end < start:
        raise ToolError("end is before start")
    if (end - start).days > MAX_EVENT_DAYS:
        raise ToolError(f"ask for at most {MAX_EVENT_DAYS} days at a time")
    cal = env.repo.parsed(env.repo.layout.calendar, parse_calendar)
    days = events_between(cal, start, end)
    rows = [
        f"{d.isoformat()} {d:%a}: " + "; ".join(event_line(e) for e in evs)
        for d, evs in days.items()
        if evs
    ]
    return Read("\n".join(rows) or f"No events from {start} to {end}.", "calendar.txt")


class NoInput(ToolInput):
    pass


def get_todays_events(env: ToolEnv, args: NoInput) -> Read:
    today = env.now.date()
    cal = env.repo.parsed(env.repo.layout.calendar, parse_calendar)
    events = events_on(cal, today)
    head = f"Now: {env.now:%A %Y-%m-%d %H:%M}"
    return Read("\n".join([head, *(event_line(e) for e in events)]), "calendar.txt")


def get_active_projects(env: ToolEnv, args: NoInput) -> Read:
    from shared.progress import project_progress

    snap = RepoSnapshot.load(env.repo, env.now)
    progress = project_progress(
        snap.projects,
        snap.tasks + snap.done_tasks,
        env.now.date(),
        snap.config.projects.stalled_days,
    )
    rows = []
    for p in snap.projects:
        if not p.active:
            continue
        pr = progress.get(p.slug)
        line = f"+{p.slug} {readable(p.title)}"
        if pr:
            line += f" — {pr.done}/{pr.total} done, {pr.done_7d} this week"
            if pr.stalled:
                line += f", STALLED ({pr.stalled_reason})"
        if p.due:
            line += f", due {p.due}"
        if p.goals:
            line += ", goals: " + ", ".join(p.goals)
        rows.append(line)
    paused = [f"+{p.slug}" for p in snap.projects if not p.active]
    if paused:
        rows.append("Not active: " + ", ".join(paused))
    return Read("\n".join(rows) or "No projects in projects.txt.", "projects.txt")


class QuarterInput(ToolInput):
    quarter: str | None = Field(None, pattern=r"^\d{4}-Q[1-4]$", description="e.g. 2026-Q4")


def get_quarterly_goals(env: ToolEnv, args: QuarterInput) -> Read:
    rel = (
        f"{env.repo.layout.goals_dir}/{args.quarter}.md"
        if args.quarter
        else quarter_file(env.now.date(), env.repo.layout.goals_dir)
    )
    quarter = env.repo.parsed(rel, parse_goals)
    rows = []
    for g in quarter.goals:
        done = sum(kr.done for kr in g.key_results)
        supports = f" (supports {', '.join(g.supports)})" if g.supports else ""
        rows.append(f"{g.id}: {readable(g.title)} — {done}/{len(g.key_results)}{supports}")
        rows.extend(f"  [{'x' if kr.done else ' '}] {readable(kr.text)}" for kr in g.key_results)
    return Read("\n".join(rows) or f"No goals in {rel}.", rel)


def get_telos(env: ToolEnv, args: NoInput) -> Read:
    telos = env.repo.parsed(env.repo.layout.telos, parse_telos)
    return Read(truncate(readable(telos.text), 8000) or "telos.md is empty.", "telos.md")


def git_status(env: ToolEnv, args: NoInput) -> Read:
    if not env.repo.is_git:
        return Read("Not a git repository.", "git")
    with git.Repo(env.repo.root) as repo:
        branch = repo.head.ref.name if not repo.head.is_detached else "(detached)"
        rows = [f"branch: {branch}"]
        changed = sorted({d.a_path for d in repo.index.diff(None) if d.a_path})
        rows.append("uncommitted: " + (", ".join(changed) or "none"))
        untracked = repo.untracked_files
        if untracked:
            rows.append("untracked: " + ", ".join(untracked[:20]))
        if repo.head.is_valid():
            rows.extend(
                f"commit: {c.hexsha[:8]} {readable(str(c.summary))}"
                for c in repo.iter_commits(max_count=3)
            )
    return Read("\n".join(rows), "git")


def _safe(env: ToolEnv, rel: str) -> Path:
    try:
        return env.repo.path(rel)
    except UnsafePathError as exc:
        raise ToolError(str(exc)) from exc


def _day(text: str, today: date) -> date:
    day = resolve_date(text, today)
    if day is None:
        raise ToolError(f"{text!r} is not a date (use YYYY-MM-DD, today, tomorrow, fri…)")
    return day


TOOLS = (
    Tool(
        "read_file",
        "Read a text file of the org repository (path relative to its root). "
        "Returns numbered lines; long files are cut with a note.",
        ReadFileInput,
        read_file,
    ),
    Tool(
        "list_files",
        "List the files of the org repository, or of one folder.",
        ListFilesInput,
        list_files,
    ),
    Tool(
        "search_tasks",
        "Find tasks in todo.txt by words, @context, +project, priority or due "
        "date. Results start with #LINE, which complete_task and edit_task need.",
        SearchTasksInput,
        search_tasks,
    ),
    Tool(
        "get_events",
        "Calendar events from start to end (at most 62 days).",
        GetEventsInput,
        get_events,
    ),
    Tool("get_todays_events", "Today's events and the current time.", NoInput, get_todays_events),
    Tool(
        "get_active_projects",
        "Active projects with progress, due dates and goals.",
        NoInput,
        get_active_projects,
    ),
    Tool(
        "get_quarterly_goals",
        "This quarter's goals (or another quarter's) with key results.",
        QuarterInput,
        get_quarterly_goals,
    ),
    Tool(
        "get_telos",
        "The owner's telos.md: mission, problems, long-term goals, strategies.",
        NoInput,
        get_telos,
    ),
    Tool(
        "git_status",
        "The org repository's branch, uncommitted files and last commits.",
        NoInput,
        git_status,
    ),
)
