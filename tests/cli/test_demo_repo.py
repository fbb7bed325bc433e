"""The demo org repository: consistent at its anchor date, moved by whole weeks to any other day."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import git
import pytest

from cli.demo_repo import ANCHOR, COMMIT_MESSAGE, DEMO_DIR, create_demo_repo, shift_calendar
from shared.todo import parse_task

DAY_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2}) w(\d{2})( (\w{3}))?  ")


def day_lines(text: str) -> list[tuple[date, int, str | None]]:
    out = []
    for line in text.splitlines():
        if m := DAY_LINE.match(line):
            out.append((date.fromisoformat(m[1]), int(m[2]), m[4]))
    return out


def assert_calendar_consistent(text: str) -> None:
    days = day_lines(text)
    assert len(days) > 30
    for day, week, weekday in days:
        assert week == day.isocalendar().week, day
        if weekday is not None:
            assert weekday == day.strftime("%a"), day
        else:
            assert day.weekday() == 0, f"week goal line {day} is not a Monday"


def test_anchor_is_a_monday_and_the_demo_is_consistent() -> None:
    assert ANCHOR.weekday() == 0
    assert_calendar_consistent((DEMO_DIR / "calendar.txt").read_text("utf-8"))
    tasks = [
        parse_task(line, n)
        for n, line in enumerate((DEMO_DIR / "todo.txt").read_text("utf-8").splitlines(), 1)
    ]
    assert 35 <= len(tasks) <= 50
    assert all(not t.problems for t in tasks), [t.raw for t in tasks if t.problems]
    blocker = [t for t in tasks if t.attr("id") == "1"]
    blocked_by = [t for t in tasks if t.attr("p") == "1" and not t.done]
    assert len(blocker) == 1 and len(blocked_by) >= 1
    open_due = [date.fromisoformat(d) for t in tasks if not t.done and (d := t.attr("due"))]
    assert any(d < ANCHOR for d in open_due), "no overdue task"
    assert any(d == ANCHOR for d in open_due), "nothing due today"
    assert any(t.attr("rec") for t in tasks) and any(t.attr("t") for t in tasks)
    waiting = [t for t in tasks if {"waiting", "@waiting"} & set(t.contexts) and t.attr("who")]
    assert len(waiting) >= 4
    assert any(t.done for t in tasks)


def test_created_at_the_anchor_keeps_every_byte(tmp_path: Path) -> None:
    repo_dir = create_demo_repo(tmp_path / "org", ANCHOR)
    for source in DEMO_DIR.rglob("*"):
        if source.is_file():
            copied = repo_dir / source.relative_to(DEMO_DIR)
            assert copied.read_bytes() == source.read_bytes(), source.name


def test_shifted_by_whole_weeks_with_weeks_and_quarter_recomputed(tmp_path: Path) -> None:
    today = date(2027, 1, 14)  # a Thursday, 7.4 weeks after the anchor
    repo_dir = create_demo_repo(tmp_path / "org", today)
    delta = timedelta(weeks=7)
    todo = (repo_dir / "todo.txt").read_text("utf-8").splitlines()
    source = (DEMO_DIR / "todo.txt").read_text("utf-8").splitlines()
    assert todo[0] == source[0].replace("2026-11-20", "2027-01-08").replace(
        "2026-11-23", (ANCHOR + delta).isoformat()
    )
    calendar = (repo_dir / "calendar.txt").read_text("utf-8")
    assert_calendar_consistent(calendar)
    assert f"{ANCHOR + delta} w02 Mon  9-9:30 ACME standup" in calendar
    assert not (repo_dir / "goals" / "2026-Q4.md").exists()
    goals = (repo_dir / "goals" / "2027-Q1.md").read_text("utf-8")
    assert goals.startswith("# 2027 Q1\n")
    assert "Long run of 10 km by 2027-01-24" in goals  # 2026-12-06 + 7 weeks
    lines = calendar.splitlines()
    dated = [line[:10] for line in lines if DAY_LINE.match(line)]
    assert dated == sorted(dated)


def test_calendar_goal_lines_follow_their_days() -> None:
    text = (
        "2026-11  month\n2026-11-30 w49 Mon  x\n2026-12  next\n2026-12-01 w49 Tue  y\n2027  year\n"
    )
    shifted = shift_calendar(text, timedelta(weeks=5))
    assert shifted == (
        "2027-01  month\n2027-01-04 w01 Mon  x\n2027-01  next\n2027-01-05 w01 Tue  y\n2027  year\n"
    )


def test_committed_pushed_and_idempotent(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    repo_dir = create_demo_repo(tmp_path / "org", ANCHOR, remote)
    with git.Repo(repo_dir) as repo:
        head = repo.head.commit
        assert repo.active_branch.name == "main"
        assert head.message.strip() == COMMIT_MESSAGE
        assert not repo.is_dirty(untracked_files=True)
        assert repo.active_branch.tracking_branch() is not None
    with git.Repo(remote) as bare:
        assert bare.bare and bare.commit("main").hexsha == head.hexsha
    (repo_dir / "todo.txt").write_text("mine\n", "utf-8")
    create_demo_repo(repo_dir, date(2027, 6, 1), remote)
    assert (repo_dir / "todo.txt").read_text("utf-8") == "mine\n"


@pytest.mark.parametrize("today", [date(2026, 11, 26), date(2026, 11, 20), date(2028, 2, 29)])
def test_weekdays_stay_right(tmp_path: Path, today: date) -> None:
    repo_dir = create_demo_repo(tmp_path / "org", today)
    assert_calendar_consistent((repo_dir / "calendar.txt").read_text("utf-8"))
    assert abs((today - (ANCHOR + timedelta(weeks=round((today - ANCHOR).days / 7)))).days) <= 3
