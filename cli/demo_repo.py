"""Create the demo org repository from ``shared/demo/``, with its dates moved next to today.

The demo is written around :data:`ANCHOR` (a Monday). Every date is shifted by a whole number of
weeks so weekdays stay right; calendar week numbers are recomputed and the quarterly goals file is
renamed when the quarter changes.
"""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import git

import shared

ANCHOR = date(2026, 11, 23)
DEMO_DIR = Path(shared.__file__).parent / "demo"
COMMIT_MESSAGE = "Demo org repository"
AUTHOR = git.Actor("Marta Ruiz", "marta@example.org")

_DATE_RE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_CAL_WEEK_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}) w\d{2}\b")
_CAL_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})(?=\s|$)")
_CAL_YEAR_RE = re.compile(r"^(\d{4})(?=\s|$)")
_QUARTER_FILE_RE = re.compile(r"^(\d{4})-Q([1-4])\.md$")
_QUARTER_HEADING_RE = re.compile(r"^# (\d{4}) Q[1-4]$", re.MULTILINE)


def shift_for(today: date, anchor: date = ANCHOR) -> timedelta:
    """The whole-week shift that brings ``anchor`` closest to ``today``."""
    return timedelta(weeks=round((today - anchor).days / 7))


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def shift_dates(text: str, delta: timedelta) -> str:
    """Move every valid ``YYYY-MM-DD`` in ``text`` by ``delta``; other text is unchanged."""

    def move(match: re.Match[str]) -> str:
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return match[0]
        return (day + delta).isoformat()

    return _DATE_RE.sub(move, text)


def shift_calendar(text: str, delta: timedelta) -> str:
    """Shift a calendar.txt: dates and week numbers; a month or year goal line takes the month or
    year of the next day below it (so the file stays in order), or is shifted on its own."""
    lines = [shift_dates(line, delta) for line in text.splitlines(keepends=True)]
    next_day: date | None = None
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if week := _CAL_WEEK_RE.match(line):
            next_day = date.fromisoformat(week[1])
            lines[index] = f"{week[1]} w{next_day.isocalendar().week:02d}" + line[week.end() :]
        elif month := _CAL_MONTH_RE.match(line):
            mid = next_day or date(int(month[1]), int(month[2]), 15) + delta
            lines[index] = f"{mid:%Y-%m}" + line[month.end() :]
        elif year := _CAL_YEAR_RE.match(line):
            mid = next_day or date(int(year[1]), 7, 1) + delta
            lines[index] = f"{mid:%Y}" + line[year.end() :]
    return "".join(lines)


def _shift_goals_file(path: Path, delta: timedelta) -> None:
    match = _QUARTER_FILE_RE.match(path.name)
    if not match:
        return
    first = date(int(match[1]), 3 * int(match[2]) - 2, 1)
    quarter = quarter_of(first + timedelta(days=45) + delta)
    text = _QUARTER_HEADING_RE.sub(f"# {quarter.replace('-', ' ')}", path.read_text("utf-8"))
    path.write_text(text, "utf-8")
    if quarter != path.stem:
        path.rename(path.with_name(f"{quarter}.md"))


def write_demo_files(dest: Path, today: date) -> None:
    """Copy the demo files into ``dest`` with their dates moved next to ``today``."""
    delta = shift_for(today)
    shutil.copytree(DEMO_DIR, dest, dirs_exist_ok=True)
    for path in sorted(p for p in dest.rglob("*") if p.is_file() and ".git" not in p.parts):
        text = path.read_text("utf-8")
        shifted = (
            shift_calendar(text, delta) if path.name == "calendar.txt" else shift_dates(text, delta)
        )
        if shifted != text:
            path.write_text(shifted, "utf-8")
    for goals in sorted((dest / "goals").glob("*.md")):
        _shift_goals_file(goals, delta)


def create_demo_repo(dest: Path, today: date, remote: Path | None = None) -> Path:
    """Create the demo repository at ``dest`` (one commit on ``main``), pushed to a bare ``remote``.

    Does nothing when ``dest`` already is a git repository.
    """
    dest = Path(dest)
    if (dest / ".git").exists():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    write_demo_files(dest, today)
    with git.Repo.init(dest, initial_branch="main") as repo:
        repo.git.add(A=True)
        repo.index.commit(COMMIT_MESSAGE, author=AUTHOR, committer=AUTHOR)
        if remote is not None:
            remote = Path(remote)
            if not remote.exists():
                git.Repo.init(remote, bare=True, initial_branch="main").close()
            origin = repo.create_remote("origin", str(remote.resolve()))
            origin.push("main:main", set_upstream=True).raise_if_error()
    return dest
