from __future__ import annotations

from datetime import date

from shared.goals import parse_goals
from shared.progress import ProjectProgress, goal_progress, project_progress, stalled_projects
from shared.projects import parse_projects
from shared.todo_list import parse_tasks

TODAY = date(2026, 11, 23)

PROJECTS = parse_projects(
    b"+acme ACME relaunch status:active\n"
    b"+book The book status:active\n"
    b"+quiet Nothing done for long status:active\n"
    b"+fresh Started last week\n"
    b"+empty No tasks at all\n"
    b"+nodates Old tasks without dates\n"
    b"+paused On hold status:paused\n"
    b"+someday Maybe status:someday\n"
    b"+gone Finished status:done\n"
    b"+acme Duplicate line status:paused\n"
    b"Not a project line\n"
)

TODO = b"""(A) 2026-11-01 Launch +acme @computer
x 2026-11-23 2026-11-20 Today's fix +acme
x 2026-11-17 2026-11-10 Six days ago +acme
x 2026-11-16 2026-11-10 Seven days ago +acme
2026-11-18 Revise chapter 3 +book
2026-10-01 Call Bruno +quiet
2026-11-18 First step +fresh
2026-11-19 Second step +fresh
Something +nodates
2026-09-01 Wait +paused
2026-11-20 Task of an unlisted project +ghost
# a comment +acme
"""

DONE = b"""x 2026-10-27 2026-10-01 Twenty-seven days ago +acme
x 2026-10-26 2026-10-01 Twenty-eight days ago +acme
x 2026-11-10 2026-11-01 Thirteen days ago +book
x 2026-11-09 2026-09-01 Fourteen days ago +quiet
x Done without a date +nodates
"""

TASKS = parse_tasks(TODO) + parse_tasks(DONE)


def test_counts_and_windows() -> None:
    acme = project_progress(PROJECTS, TASKS, TODAY)["acme"]
    assert acme == ProjectProgress(
        slug="acme",
        done=5,
        total=6,
        done_7d=2,  # today and six days ago; seven days ago is outside
        done_28d=4,  # twenty-seven days ago is inside, twenty-eight is outside
        open=1,
        last_done=date(2026, 11, 23),
        stalled=False,
    )
    assert acme.percent == 83
    assert acme.to_json()["last_done"] == "2026-11-23"


def test_every_listed_project_once_in_file_order() -> None:
    progress = project_progress(PROJECTS, TASKS, TODAY)
    assert list(progress) == [
        "acme",
        "book",
        "quiet",
        "fresh",
        "empty",
        "nodates",
        "paused",
        "someday",
        "gone",
    ]
    assert progress["empty"].total == 0 and progress["empty"].percent is None


def test_stalled_boundary() -> None:
    progress = project_progress(PROJECTS, TASKS, TODAY)
    assert not progress["book"].stalled  # last done 13 days ago
    assert progress["quiet"].stalled  # last done 14 days ago
    assert progress["quiet"].stalled_reason == "no task done in 14 days"
    later = project_progress(PROJECTS, TASKS, date(2026, 11, 24))
    assert later["book"].stalled
    assert not project_progress(PROJECTS, TASKS, TODAY, stalled_days=15)["quiet"].stalled


def test_projects_that_never_had_a_completion() -> None:
    progress = project_progress(PROJECTS, TASKS, TODAY)
    assert not progress["fresh"].stalled  # oldest task five days old: still new
    assert progress["empty"].stalled and progress["empty"].stalled_reason == "no tasks"
    assert progress["nodates"].stalled
    assert progress["nodates"].stalled_reason == "no dated completion"
    assert progress["nodates"].done == 1 and progress["nodates"].last_done is None
    in_two_weeks = project_progress(PROJECTS, TASKS, date(2026, 12, 2))
    assert in_two_weeks["fresh"].stalled
    assert in_two_weeks["fresh"].stalled_reason == (
        "no task done since the first was created 14 days ago"
    )


def test_only_active_projects_stall() -> None:
    progress = project_progress(PROJECTS, TASKS, TODAY)
    for slug in ("paused", "someday", "gone"):
        assert not progress[slug].stalled, slug
    assert progress["paused"].open == 1


def test_stalled_projects() -> None:
    assert stalled_projects(PROJECTS, TASKS, TODAY) == ["quiet", "empty", "nodates"]
    assert stalled_projects(PROJECTS, TASKS, TODAY, stalled_days=30) == ["empty", "nodates"]
    assert stalled_projects([], TASKS, TODAY) == []


def test_goal_progress() -> None:
    quarter = parse_goals(
        b"# 2026 Q4\n## a: Alpha\n- [x] one\n- [ ] two\n- [X] three\n## b: Beta\nNo results yet\n"
    )
    assert goal_progress(quarter) == [
        {"id": "a", "title": "Alpha", "done": 2, "total": 3},
        {"id": "b", "title": "Beta", "done": 0, "total": 0},
    ]
    assert goal_progress(parse_goals(b"")) == []
