"""goal_report: key results, tasks done per goal this week and last, goals behind, flags."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from shared.goal_report import (
    behind_goals,
    goal_report,
    is_behind,
    quarter_elapsed,
    week_bounds,
)
from shared.goals import parse_goals
from shared.projects import parse_projects
from shared.todo_list import parse_tasks

ORG = Path(__file__).parents[1] / "fixtures" / "org"
TODAY = date(2026, 11, 27)  # a Friday: this week is 23-29 November, last week 16-22

QUARTER = parse_goals(
    b"# 2026 Q4\n"
    b"## revenue: More revenue\n- [x] Sign ACME\n- [x] Launch\n- [ ] Two clients\n"
    b"## book: The draft\n- [x] Chapter 1\n- [ ] Chapter 2\n- [ ] Chapter 3\n"
    b"## health: Run\n"
    b"## lonely: No project points here\n- [ ] Something\n"
)
PROJECTS = parse_projects(
    b"+acme ACME status:active goal:revenue\n"
    b"+newsletter Newsletter status:active goal:revenue goal:BOOK\n"
    b"+book Book status:active goal:book\n"
    b"+run Running status:paused goal:health\n"
    b"+family Family things status:active\n"
)
TASKS = parse_tasks(
    b"x 2026-11-23 2026-11-01 Ship the staging site +acme\n"
    b"x 2026-11-27 2026-11-20 Send the November issue +newsletter\n"
    b"x 2026-11-22 2026-11-10 Fix the cart +acme\n"
    b"x 2026-11-16 2026-11-10 Write the intro +book\n"
    b"x 2026-11-15 2026-11-10 Too old to count +acme\n"
    b"x 2026-11-25 Not aligned +family\n"
    b"x Done without a date +acme\n"
    b"2026-11-01 Open task +acme\n"
    b"2026-10-01 Chapter 2 +book\n"
)


def test_weeks_and_quarter_share() -> None:
    assert week_bounds(TODAY) == (date(2026, 11, 23), date(2026, 11, 29))
    assert week_bounds(date(2026, 11, 23)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert week_bounds(date(2026, 11, 29)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert quarter_elapsed(date(2026, 10, 1)) == 1 / 92
    assert quarter_elapsed(date(2026, 12, 31)) == 1.0
    assert round(quarter_elapsed(TODAY), 3) == round(58 / 92, 3)


def test_behind_means_fewer_key_results_than_time_gone() -> None:
    revenue, book, health, _ = QUARTER.goals
    assert not is_behind(revenue, TODAY)  # 2/3 done, 63% of the quarter gone
    assert is_behind(book, TODAY)  # 1/3
    assert not is_behind(health, TODAY)  # no key results: nothing to measure
    assert not is_behind(book, date(2026, 10, 20))  # 1/3 done, 22% gone
    assert behind_goals(QUARTER, TODAY) == ["book", "lonely"]


def test_tasks_done_per_goal_this_week_and_last() -> None:
    report = goal_report(QUARTER, PROJECTS, TASKS, TODAY)
    by_id = {g.id: g for g in report.goals}
    revenue, book = by_id["revenue"], by_id["book"]
    assert (revenue.kr_done, revenue.kr_total, revenue.behind) == (2, 3, False)
    assert (revenue.done_this_week, revenue.done_last_week) == (2, 1)
    assert [t.text for t in revenue.done_tasks] == [
        "Ship the staging site +acme",
        "Send the November issue +newsletter",
    ]
    assert revenue.trend == "up"
    # +newsletter serves both goals; a task follows its project to each of them.
    assert (book.done_this_week, book.done_last_week, book.trend) == (1, 1, "same")
    assert revenue.projects == ("acme", "newsletter")
    assert by_id["health"].projects == ()  # +run is paused
    assert by_id["lonely"].done_this_week == 0


def test_flags_and_text() -> None:
    report = goal_report(QUARTER, PROJECTS, TASKS, TODAY, stalled_days=7)
    assert report.projects_without_goal == ["family"]
    assert report.goals_without_project == ["health", "lonely"]
    assert report.stalled_projects == ["book"]  # last done 16 November, 11 days ago
    assert report.lines() == [
        "Goals, week of 2026-11-23:",
        "- revenue: 2/3 key results · 2 tasks done this week (last week 1)",
        "- book: 1/3 key results (behind) · 1 task done this week (last week 1) · stalled: +book",
        "- health: 0/0 key results · 0 tasks done this week (last week 0) · no active project",
        "- lonely: 0/1 key results (behind) · 0 tasks done this week (last week 0)"
        " · no active project",
        "Projects with no goal: +family",
        "Stalled projects: +book",
    ]
    data = json.loads(json.dumps(report.to_json()))
    assert data["week_start"] == "2026-11-23"
    assert data["goals"][0]["trend"] == "up"


def test_fixture_repo_report() -> None:
    quarter = parse_goals((ORG / "goals" / "2026-Q4.md").read_bytes())
    projects = parse_projects((ORG / "projects.txt").read_bytes())
    tasks = parse_tasks((ORG / "todo.txt").read_bytes()) + parse_tasks(
        (ORG / "done.txt").read_bytes()
    )
    report = goal_report(quarter, projects, tasks, date(2026, 11, 23))
    assert [(g.id, g.done_this_week, g.done_last_week) for g in report.goals] == [
        ("revenue-5k", 0, 1),  # Send Ana the revised sitemap, 21 November
        ("book-draft", 0, 1),  # Outline chapter 4, 20 November
        ("home-winter", 0, 0),
        ("run-10k", 0, 1),  # Long run, 22 November
    ]
    assert all(g.behind for g in report.goals)
    assert report.stalled_projects == ["clients", "house"]
    assert report.projects_without_goal == ["christmas"]
