"""suggest: ranking and reasons on hand-built lists, weights, and the rules that never bend."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.assistant_config import parse_assistant_config
from shared.goals import parse_goals
from shared.progress import project_progress
from shared.projects import parse_projects
from shared.suggest import (
    Weights,
    estimate_minutes,
    format_minutes,
    read_weights,
    suggest,
    weights_from_config,
)
from shared.todo import parse_task
from shared.todo_list import parse_tasks

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30)
PROJECTS = parse_projects(
    b"+acme ACME relaunch status:active goal:q4-revenue\n"
    b"+book The book status:active goal:book-draft\n"
    b"+garden Garden shed status:someday\n"
)
QUARTER = parse_goals(
    b"# 2026 Q4\n"
    b"## q4-revenue: Reach 5k monthly revenue\n"
    b"## book-draft: Finish the draft\n- [x] Chapter 1\n- [ ] Chapter 2\n- [ ] Chapter 3\n"
)


def ranked(todo: bytes, **kwargs: Any) -> list[tuple[str, str]]:
    picks = suggest(
        parse_tasks(todo), now=NOW, projects=PROJECTS, quarter=QUARTER, limit=None, **kwargs
    )
    return [(s.task.description, s.reason_text) for s in picks]


def test_ranking_and_reasons_without_context() -> None:
    todo = (
        b"2026-11-20 Send the proposal +acme @computer due:2026-11-24 est:30m\n"
        b"(A) 2026-11-22 Call the bank @phone\n"
        b"2026-11-12 Finish the report +acme due:2026-11-21 est:2h\n"
        b"Plant tulips +garden est:20m\n"
        b"2026-11-23 Read a novel\n"
        b"2026-10-01 Sort the photos @home\n"
    )
    assert ranked(todo, minutes_available=45) == [
        ("Send the proposal", "due tomorrow · serves q4-revenue · 30m fits"),
        ("Call the bank", "priority A"),
        ("Finish the report", "overdue 2 days · serves q4-revenue · needs 2h"),
        ("Sort the photos", "open 7 weeks"),
        ("Read a novel", ""),
        ("Plant tulips", "+garden someday · 20m fits"),
    ]


def test_context_effort_and_energy() -> None:
    todo = (
        b"Draft chapter 4 +book @computer est:6h energy:high\n"
        b"Call mum @phone\n"
        b"Water the plants @home energy:high\n"
        b"Bleed the radiators @home est:30m energy:low\n"
    )
    assert ranked(todo, context="@home", minutes_available=60, energy="low") == [
        ("Bleed the radiators", "@home · 30m fits · low energy"),
        ("Water the plants", "@home · needs high energy"),
        ("Call mum", "not @home"),
        (
            "Draft chapter 4",
            "serves book-draft (behind) · not @home · needs 6h · needs high energy",
        ),
    ]
    # Without a context, minutes or energy, none of those terms applies.
    assert ranked(todo)[0] == ("Draft chapter 4", "serves book-draft (behind)")


def test_stalled_project_and_goal_behind() -> None:
    todo = b"2026-11-20 Write a page +book\n2026-11-20 Fix the shop +acme\n"
    done = b"x 2026-10-01 2026-09-01 Outline +book\n"
    progress = project_progress(PROJECTS, parse_tasks(todo + done), TODAY)
    assert progress["book"].stalled
    picks = ranked(todo, progress=progress)
    assert picks == [
        ("Write a page", "serves book-draft (behind) · +book stalled"),
        ("Fix the shop", "serves q4-revenue"),  # +acme started three days ago: not stalled
    ]


def test_never_suggested() -> None:
    todo = (
        b"Later +acme t:2026-11-24\n"
        b"Ask Ana for the contract @waiting who:Ana due:2026-11-23\n"
        b"x 2026-11-22 Done already\n"
        b"Parent waits for its child id:7 due:2026-11-23\n"
        b"Child step p:7\n"
        b"Visible from today t:2026-11-23\n"
        b"(A)\n"
    )
    assert [d for d, _ in ranked(todo)] == ["Child step", "Visible from today"]


def test_limit_and_json() -> None:
    todo = b"".join(f"Task {n} due:2026-11-{24 + n}\n".encode() for n in range(6))
    tasks = parse_tasks(todo)
    assert [s.task.text.split()[1] for s in suggest(tasks, now=NOW)] == list("01234")
    assert len(suggest(tasks, now=NOW, limit=2)) == 2
    assert suggest(tasks, now=NOW, limit=0) == []
    first = suggest(tasks, now=TODAY, limit=1)[0].to_json()
    assert first["reason_text"] == "due tomorrow" and first["score"] == 37.1
    assert first["task"]["line"] == 1  # type: ignore[index]


def test_weights_from_assistant_toml() -> None:
    config = parse_assistant_config(
        b"[suggest]\npriority = 100\ndue = -1\nbogus = 3\ngoal = true\ncontext = 2.5\n"
    )
    weights = weights_from_config(config)
    assert weights == Weights(priority=100, context=2.5)
    _, problems = read_weights(config.extra["suggest"])
    assert problems == [
        "suggest.due = -1 should be a number ≥ 0; using default",
        "suggest.bogus is not a known weight; ignored",
        "suggest.goal = True should be a number ≥ 0; using default",
    ]
    assert read_weights("nonsense")[1] == [
        "suggest should be a [suggest] table; using its defaults"
    ]
    assert weights_from_config(parse_assistant_config(b"")) == Weights()
    todo = b"(C) Low priority\nDue tomorrow due:2026-11-24\n"
    assert [d for d, _ in ranked(todo)] == ["Due tomorrow", "Low priority"]
    assert [d for d, _ in ranked(todo, weights=weights)] == ["Low priority", "Due tomorrow"]


@pytest.mark.parametrize(
    ("est", "minutes"),
    [("30m", 30), ("2h", 120), ("1h30m", 90), ("1.5h", 90), ("45min", 45), ("soon", None),
     ("", None), ("h", None)],
)
def test_estimate_minutes(est: str, minutes: int | None) -> None:
    task = parse_task(f"Something est:{est}" if est else "Something")
    assert estimate_minutes(task) == minutes


def test_format_minutes() -> None:
    assert [format_minutes(m) for m in (15, 60, 90, 125)] == ["15m", "1h", "1h30m", "2h05m"]


# Properties ------------------------------------------------------------------------------

CONTEXTS = ["@home", "@computer", "@phone", "@waiting"]
offset = st.integers(-40, 40)
weights_st = st.fixed_dictionaries(
    {
        f.name: st.floats(1 if f.name == "due_horizon_days" else 0, 60, allow_nan=False)
        for f in fields(Weights)
    }
).map(lambda kw: Weights(**kw))


@st.composite
def task_line(draw: st.DrawFn, n: int) -> str:
    words = [f"Task{n}"]
    if draw(st.booleans()):
        words.insert(0, f"({draw(st.sampled_from('ABCD'))})")
    if draw(st.booleans()):
        created = TODAY - timedelta(days=draw(st.integers(0, 90)))
        words.insert(1 if words[0].startswith("(") else 0, created.isoformat())
    for key in ("due", "t"):
        if draw(st.booleans()):
            words.append(f"{key}:{TODAY + timedelta(days=draw(offset))}")
    words += draw(st.lists(st.sampled_from(CONTEXTS), max_size=2))
    words += draw(st.lists(st.sampled_from(["+acme", "+book", "+garden"]), max_size=2))
    if draw(st.booleans()):
        words.append(f"est:{draw(st.integers(5, 300))}m")
    if draw(st.booleans()):
        words.append(f"energy:{draw(st.sampled_from(['low', 'med', 'high']))}")
    if draw(st.booleans()):
        words.append(f"id:{draw(st.integers(1, 3))}")
    if draw(st.booleans()):
        words.append(f"p:{draw(st.integers(1, 3))}")
    if draw(st.integers(0, 5)) == 0:
        words.insert(0, "x")
    return " ".join(words)


@st.composite
def todo_file(draw: st.DrawFn) -> list[str]:
    return [draw(task_line(n)) for n in range(draw(st.integers(0, 12)))]


options = st.fixed_dictionaries(
    {
        "context": st.sampled_from([None, "home", "@computer", "phone"]),
        "minutes_available": st.sampled_from([None, 15, 60, 240]),
        "energy": st.sampled_from([None, "low", "med", "high"]),
        "weights": weights_st,
    }
)


@settings(max_examples=150, deadline=None)
@given(lines=todo_file(), opts=options)
def test_hidden_waiting_blocked_and_done_never_show(lines: list[str], opts: dict) -> None:
    tasks = parse_tasks("\n".join(lines).encode())
    shown = suggest(tasks, now=NOW, projects=PROJECTS, quarter=QUARTER, limit=None, **opts)
    open_parents = {p for t in tasks if not t.done for p in t.attr_all("p")}
    for pick in shown:
        task = pick.task
        assert not task.done
        assert task.threshold is None or task.threshold <= TODAY
        assert "@waiting" not in task.contexts
        assert not any(i in open_parents for i in task.attr_all("id"))
    expected = [
        t for t in tasks
        if not t.done and t.visible_on(TODAY) and not t.is_waiting
        and not any(i in open_parents for i in t.attr_all("id"))
    ]
    assert sorted(t.line for t in expected) == sorted(s.task.line for s in shown)


@settings(max_examples=200, deadline=None)
@given(
    lines=todo_file(),
    base=task_line(99),
    sooner=offset,
    later=st.one_of(st.none(), offset),
    opts=options,
)
def test_more_urgent_due_never_ranks_lower(
    lines: list[str], base: str, sooner: int, later: int | None, opts: dict
) -> None:
    words = [w for w in base.split() if not w.startswith(("due:", "t:", "id:", "p:", "@waiting"))]
    if words[0] == "x":
        words.pop(0)
    if later is not None and later < sooner:
        sooner, later = later, sooner
    if later == sooner:
        later = sooner + 1
    urgent = " ".join([*words, f"due:{TODAY + timedelta(days=sooner)}"])
    relaxed = " ".join(words + ([f"due:{TODAY + timedelta(days=later)}"] if later is not None
                                else []))
    # The less urgent twin comes first in the file, so file order cannot rescue the other.
    tasks = parse_tasks("\n".join([relaxed, *lines, urgent]).encode())
    shown = suggest(tasks, now=NOW, projects=PROJECTS, quarter=QUARTER, limit=None, **opts)
    order = [s.task.line for s in shown]
    first, last = 1, len(lines) + 2
    assert order.index(last) < order.index(first)
