"""projects.txt: one project per line, in todo.txt style.

``+slug Title words status:active goal:q4-revenue due:2026-12-15 area:work``

Parsing never fails: a line that is not understood still yields a :class:`Project` whose
``problems`` say why (blank and ``#`` comment lines are not projects). Editing changes only the
one word it is about, so every other byte of the file stays as the owner wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from shared.lines import LineDoc
from shared.todo import is_attribute, is_task_line, parse_date

STATUSES = ("active", "paused", "someday", "done")
DEFAULT_STATUS = "active"
_WORD_RE = re.compile(r"\S+")


class ProjectError(ValueError):
    """A project edit that cannot be made; the document is unchanged."""


@dataclass(frozen=True)
class Project:
    """One line of projects.txt. ``line`` is 1-based; ``raw`` is the exact line text."""

    slug: str
    title: str
    status: str = DEFAULT_STATUS
    goals: tuple[str, ...] = ()
    due: date | None = None
    area: str | None = None
    attrs: tuple[tuple[str, str], ...] = ()
    line: int = 0
    raw: str = ""
    problems: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.status == "active"

    def to_json(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "title": self.title,
            "status": self.status,
            "goals": list(self.goals),
            "due": self.due.isoformat() if self.due else None,
            "area": self.area,
            "attrs": [list(kv) for kv in self.attrs],
            "line": self.line,
            "raw": self.raw,
            "problems": list(self.problems),
        }


def parse_project(raw: str, line: int = 0) -> Project:
    """One projects.txt line. A line without a leading ``+slug`` gets slug ``""`` and a problem."""
    words = raw.lstrip("\ufeff").split()
    problems: list[str] = []
    slug = ""
    if words and len(words[0]) > 1 and words[0].startswith("+"):
        slug = words.pop(0)[1:]
    else:
        problems.append("a project line must start with its +slug")
    title_words: list[str] = []
    attrs: list[tuple[str, str]] = []
    for word in words:
        kv = is_attribute(word)
        if kv is None:
            title_words.append(word)
        else:
            attrs.append(kv)
    statuses = [v for k, v in attrs if k == "status"]
    status = DEFAULT_STATUS
    if statuses:
        wanted = statuses[0].lower()
        if wanted in STATUSES:
            status = wanted
        else:
            problems.append(
                f"unknown status {statuses[0]!r} (use {', '.join(STATUSES)}); treated as active"
            )
        if len(set(statuses)) > 1:
            problems.append("several status: attributes; the first one counts")
    due = None
    due_values = [v for k, v in attrs if k == "due"]
    if due_values:
        due = parse_date(due_values[0])
        if due is None:
            problems.append(f"invalid date in due:{due_values[0]}")
    areas = [v for k, v in attrs if k == "area"]
    return Project(
        slug=slug,
        title=" ".join(title_words),
        status=status,
        goals=tuple(dict.fromkeys(v for k, v in attrs if k == "goal")),
        due=due,
        area=areas[0] if areas else None,
        attrs=tuple(attrs),
        line=line,
        raw=raw,
        problems=tuple(problems),
    )


def parse_projects(data: bytes) -> list[Project]:
    """Every project in projects.txt, in file order; a repeated slug is flagged on later lines."""
    doc = LineDoc.from_bytes(data)
    out: list[Project] = []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(doc.lines, 1):
        if not is_task_line(raw):
            continue
        project = parse_project(raw, number)
        if project.slug:
            if project.slug in first_line:
                problem = (
                    f"duplicate project +{project.slug} (first on line {first_line[project.slug]})"
                )
                project = _with_problem(project, problem)
            else:
                first_line[project.slug] = number
        out.append(project)
    return out


def projects_by_slug(projects: list[Project]) -> dict[str, Project]:
    """Slug → project; the first line wins when a slug repeats; slugless lines are left out."""
    out: dict[str, Project] = {}
    for project in projects:
        if project.slug and project.slug not in out:
            out[project.slug] = project
    return out


def set_project_status(doc: LineDoc, slug: str, status: str) -> int:
    """Set the status of project ``+slug`` in place; returns the 1-based line changed.

    Only the first ``status:`` word of that line changes (or `` status:x`` is added after the
    line's last word). Raises :class:`ProjectError` for an unknown slug or status.
    """
    slug = slug.strip().removeprefix("+")
    wanted = status.strip().lower()
    if wanted not in STATUSES:
        raise ProjectError(f"unknown project status {status!r}; use one of {', '.join(STATUSES)}")
    for index, raw in enumerate(doc.lines):
        if not slug or not is_task_line(raw) or parse_project(raw).slug != slug:
            continue
        doc.replace(index, _with_status(raw, wanted))
        return index + 1
    raise ProjectError(f"no project +{slug} in projects.txt")


def _with_status(raw: str, status: str) -> str:
    for m in _WORD_RE.finditer(raw):
        kv = is_attribute(m.group())
        if kv and kv[0] == "status":
            return f"{raw[: m.start()]}status:{status}{raw[m.end() :]}"
    content = raw.rstrip()
    return f"{content} status:{status}{raw[len(content) :]}"


def _with_problem(project: Project, problem: str) -> Project:
    return replace(project, problems=(*project.problems, problem))
