from __future__ import annotations

from shared.alignment import alignment_chain, alignment_report
from shared.goals import parse_goals
from shared.projects import parse_projects
from shared.telos import parse_telos
from shared.todo import parse_task
from shared.todo_list import parse_tasks

TELOS = parse_telos(
    b"# Telos\n## Goals\n- G1: Publish the book\n- G2: Steady freelance income\n- G3: Calm home\n"
)
QUARTER = parse_goals(
    b"# 2026 Q4\n"
    b"## q4-revenue: Reach 5k monthly revenue\nSupports: telos G2\n- [x] Sign ACME\n"
    b"## write-book: Finish the draft\nSupports: telos G1, G9\n- [ ] Chapters 1-5\n"
    b"## health: Run 10k\nSupports: telos G4\n"
    b"## both: Write about freelancing\nSupports: G1, g2\n"
)
PROJECTS = parse_projects(
    b"+freelance ACME relaunch status:active goal:q4-revenue\n"
    b"+book Write the book status:active goal:WRITE-BOOK goal:both\n"
    b"+house Fix the leak status:active\n"
    b"+old Last quarter's thing status:done goal:q3-thing\n"
    b"+ideas Someday things status:someday goal:missing-goal\n"
    b"+blog A blog status:paused goal:both\n"
)


def test_chain_from_task_to_telos() -> None:
    task = parse_task("(A) Send the invoice +freelance @computer", 1)
    chain = alignment_chain(task, PROJECTS, QUARTER, TELOS)
    assert chain.project is not None and chain.project.slug == "freelance"
    assert [g.id for g in chain.goals] == ["q4-revenue"]
    assert [t.id for t in chain.telos_goals] == ["G2"]
    assert chain.aligned
    assert chain.to_json() == {
        "task": "(A) Send the invoice +freelance @computer",
        "line": 1,
        "project": "freelance",
        "goals": [{"id": "q4-revenue", "title": "Reach 5k monthly revenue"}],
        "telos_goals": [{"id": "G2", "text": "Steady freelance income"}],
    }


def test_chain_with_several_goals_dedupes_telos_goals_and_skips_unknown_ids() -> None:
    chain = alignment_chain(parse_task("Draft chapter 4 +book"), PROJECTS, QUARTER.goals, TELOS)
    assert [g.id for g in chain.goals] == ["write-book", "both"]
    assert [t.id for t in chain.telos_goals] == ["G1", "G2"]  # G9 is not in telos.md


def test_chain_follows_the_first_listed_project() -> None:
    chain = alignment_chain(parse_task("Mixed +ghost +house +book"), PROJECTS, QUARTER, TELOS)
    assert chain.project is not None and chain.project.slug == "house"
    assert chain.goals == [] and chain.telos_goals == [] and not chain.aligned


def test_chain_without_a_listed_project() -> None:
    for text in ("Buy milk @errands", "Something +ghost"):
        chain = alignment_chain(parse_task(text), PROJECTS, QUARTER, TELOS)
        assert chain.project is None and chain.goals == [] and chain.telos_goals == []


def test_report() -> None:
    tasks = parse_tasks(
        b"Invoice +freelance\nChapter +book\nLeak +house\nStray +ghost\nMilk\n"
        b"x 2026-11-01 Done +ghost2\n"
    )
    report = alignment_report(PROJECTS, QUARTER, TELOS, tasks)
    assert report.projects_without_goal == ["house"]
    assert report.goals_without_project == ["health"]
    assert report.unknown_goals == [("ideas", "missing-goal")]  # done projects are not checked
    assert report.unknown_telos == [("write-book", "G9"), ("health", "G4")]
    assert report.unlisted_projects == ["ghost"]
    assert (report.open_tasks, report.aligned_tasks) == (5, 2)
    assert not report.ok
    assert report.to_json()["unknown_goals"] == [["ideas", "missing-goal"]]


def test_report_on_an_aligned_repo() -> None:
    projects = parse_projects(b"+book Book goal:write-book\n")
    quarter = parse_goals(b"## write-book: Draft\nSupports: telos G1\n")
    report = alignment_report(projects, quarter, TELOS, parse_tasks(b"Write +book\n"))
    assert report.ok
    assert (report.open_tasks, report.aligned_tasks) == (1, 1)


def test_report_on_empty_files() -> None:
    report = alignment_report([], parse_goals(b""), parse_telos(b""), [])
    assert report.ok and report.open_tasks == 0
