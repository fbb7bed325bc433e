"""Queries: dependencies, due windows, thresholds, waiting-for items, contexts, filters."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared import queries
from shared.lines import LineDoc
from shared.todo import Task
from shared.todo_edit import complete_task
from shared.todo_list import parse_tasks, tasks_of

TODAY = date(2026, 11, 23)


def tasks(*lines: str) -> list[Task]:
    return parse_tasks("\n".join(lines).encode() + b"\n")


def texts(found: list[Task]) -> list[str]:
    return [t.description for t in found]


def test_task_with_an_open_child_is_blocked() -> None:
    ts = tasks("Pour concrete id:1", "Dig foundation p:1", "Independent")
    assert queries.blocked_ids(ts) == {"1"}
    assert texts(queries.actionable(ts, TODAY)) == ["Dig foundation", "Independent"]


def test_completing_the_child_unblocks_the_parent() -> None:
    doc = LineDoc.from_bytes(b"Pour concrete id:1\nDig foundation p:1\n")
    complete_task(doc, 1, TODAY)
    assert texts(queries.actionable(tasks_of(doc), TODAY)) == ["Pour concrete"]


def test_parent_waits_for_every_child() -> None:
    ts = tasks("Ship id:7", "x Write p:7", "Test p:7")
    assert "Ship" not in texts(queries.actionable(ts, TODAY))
    ts = tasks("Ship id:7", "x Write p:7", "x Test p:7")
    assert "Ship" in texts(queries.actionable(ts, TODAY))


def test_child_of_several_parents_and_parent_with_several_ids() -> None:
    ts = tasks("A id:1", "B id:2 id:3", "C p:1 p:3", "D")
    assert texts(queries.actionable(ts, TODAY)) == ["C", "D"]


def test_actionable_leaves_out_done_hidden_and_empty() -> None:
    ts = tasks("x done", "Later t:2026-11-24", "Now t:2026-11-23", "(A)", "Open")
    assert texts(queries.actionable(ts, TODAY)) == ["Now", "Open"]


def test_due_today_overdue_and_within() -> None:
    ts = tasks(
        "Yesterday due:2026-11-22",
        "Long ago due:2026-01-01",
        "Today due:2026-11-23",
        "Tomorrow due:2026-11-24",
        "In three due:2026-11-26",
        "In seven due:2026-11-30",
        "In eight due:2026-12-01",
        "x Done today due:2026-11-23",
        "Bad date due:2026-13-45",
        "No date",
    )
    assert texts(queries.overdue(ts, TODAY)) == ["Long ago", "Yesterday"]
    assert texts(queries.due_today(ts, TODAY)) == ["Today"]
    assert texts(queries.due_within(ts, TODAY, 1)) == ["Tomorrow"]
    assert texts(queries.due_within(ts, TODAY, 3)) == ["Tomorrow", "In three"]
    assert texts(queries.due_within(ts, TODAY, 7)) == ["Tomorrow", "In three", "In seven"]
    assert queries.due_within(ts, TODAY, 0) == []


_NEAR = st.dates(TODAY - timedelta(days=10), TODAY + timedelta(days=10)).map(date.isoformat)
_TASK_LINE = st.builds(
    "{}{}{} due:{} {} {}".format,
    st.sampled_from(["", "x ", "(A) ", "(B) "]),
    st.sampled_from(["task", "", "2026-11-01 task"]),
    st.sampled_from(["", " +p", " @c"]),
    _NEAR,
    st.sampled_from(["", "t:2026-11-25", "id:1", "id:2", "p:1", "p:2 p:1", "due:2026-11-23"]),
    st.sampled_from(["", "due:2026-13-45", "up:1", "ids:2"]),
)


@given(st.lists(st.one_of(_TASK_LINE, st.just("no date p:2")), max_size=30))
def test_deadlines_in_one_pass_are_the_due_queries(lines: list[str]) -> None:
    ts = tasks(*lines)
    found = queries.deadlines(ts, TODAY, (1, 3, 7, 0))
    assert found.overdue == queries.overdue(ts, TODAY)
    assert found.due_today == queries.due_today(ts, TODAY)
    assert found.due_within == {n: queries.due_within(ts, TODAY, n) for n in (1, 3, 7, 0)}


@given(st.lists(st.one_of(_TASK_LINE, st.just("x done p:1"), st.just("open p:2")), max_size=30))
def test_due_queries_are_the_actionable_tasks_by_date(lines: list[str]) -> None:
    # The queries pick by date first and check actionability on what is left; the answer must
    # be that of the definition: the actionable tasks of the whole list, then by date.
    ts = tasks(*lines)
    ready = queries.actionable(ts, TODAY)
    by_due = lambda t: (t.due, t.priority or "~", t.line)  # noqa: E731
    assert queries.overdue(ts, TODAY) == sorted(
        (t for t in ready if t.due and t.due < TODAY), key=by_due
    )
    assert queries.due_today(ts, TODAY) == sorted(
        (t for t in ready if t.due == TODAY), key=queries.sort_key
    )
    for n in (0, 1, 3, 7):
        last = TODAY + timedelta(days=n)
        assert queries.due_within(ts, TODAY, n) == sorted(
            (t for t in ready if t.due and TODAY < t.due <= last), key=by_due
        )
    assert queries.due_within(ready, TODAY, 7, ready=True) == queries.due_within(ts, TODAY, 7)


@given(st.lists(st.one_of(_TASK_LINE, st.just("no date p:2"), st.just("x done p:1")), max_size=30))
def test_actionable_is_open_visible_and_unblocked(lines: list[str]) -> None:
    ts = tasks(*lines)
    children = {v for t in ts if not t.done for k, v in t.attrs if k == "p"}
    assert queries.blocked_ids(ts) == children
    assert queries.actionable(ts, TODAY) == [
        t
        for t in ts
        if not t.done
        and t.text
        and t.visible_on(TODAY)
        and not any(k == "id" and v in children for k, v in t.attrs)
    ]


def test_due_queries_leave_out_hidden_and_blocked_tasks() -> None:
    ts = tasks("Hidden due:2026-11-23 t:2026-11-30", "Blocked due:2026-11-23 id:1", "Child p:1")
    assert queries.due_today(ts, TODAY) == []


def test_same_due_date_sorted_by_priority_then_line() -> None:
    ts = tasks("c due:2026-11-23", "(B) b due:2026-11-23", "(A) a due:2026-11-23")
    assert texts(queries.due_today(ts, TODAY)) == ["a", "b", "c"]


def test_threshold_hidden_and_shown_with_filter() -> None:
    ts = tasks("Later t:2026-12-01", "Visible")
    assert texts(queries.filter_tasks(ts, queries.TaskFilter(), TODAY)) == ["Visible"]
    flt = queries.TaskFilter(include_hidden=True)
    assert texts(queries.filter_tasks(ts, flt, TODAY)) == ["Later", "Visible"]
    assert not ts[0].visible_on(TODAY)


def test_waiting_and_stale_by_creation_date_or_since() -> None:
    ts = tasks(
        "2026-11-15 Eight days old @waiting who:Ana",
        "2026-11-16 Seven days old @waiting",
        "2026-11-01 Old but since recently @waiting since:2026-11-20",
        "2026-11-20 Recent but since long ago @waiting since:2026-10-01",
        "No date at all @waiting",
        "x 2026-11-22 2026-10-01 Done waiting @waiting",
        "2026-10-01 Not waiting @phone",
    )
    assert len(queries.waiting(ts)) == 5
    stale = queries.stale_waiting(ts, TODAY)
    assert texts(stale) == ["Recent but since long ago", "Eight days old"]
    assert texts(queries.stale_waiting(ts, TODAY, days=2)) == [
        "Recent but since long ago",
        "Eight days old",
        "Seven days old",
        "Old but since recently",
    ]


def test_invalid_since_falls_back_to_creation_date() -> None:
    ts = tasks("2026-10-01 Thing @waiting since:someday")
    assert queries.waiting_since(ts[0]) == date(2026, 10, 1)
    assert len(queries.stale_waiting(ts, TODAY)) == 1


def test_open_by_context_counts_each_context() -> None:
    ts = tasks(
        "Call Ana @phone @work",
        "Email Bob @work",
        "No context",
        "x Done @phone",
        "Twice @home @home",
    )
    assert queries.open_by_context(ts) == {"@home": 1, "@phone": 1, "@work": 2}


def test_filter_by_context_project_priority_search_due_within() -> None:
    ts = tasks(
        "(A) Call Ana +freelance @phone due:2026-11-24",
        "(B) Fix leak +house @home due:2026-12-20",
        "Buy milk @errands",
        "x Done +freelance @phone",
    )

    def run(**kw: object) -> list[str]:
        return texts(queries.filter_tasks(ts, queries.TaskFilter(**kw), TODAY))  # type: ignore[arg-type]

    assert run(context="@phone") == ["Call Ana"]
    assert run(context="phone") == ["Call Ana"]
    assert run(project="+house") == ["Fix leak"]
    assert run(project="house") == ["Fix leak"]
    assert run(priority="a") == ["Call Ana"]
    assert run(search="MILK") == ["Buy milk"]
    assert run(due_within=7) == ["Call Ana"]
    assert run(due_within=30) == ["Call Ana", "Fix leak"]
    assert run(project="freelance", include_done=True) == ["Call Ana", "Done"]


def test_include_done_keeps_malformed_lines() -> None:
    ts = tasks("(A)", "x", "Good", "Pay due:2026-13-45")
    everything = queries.filter_tasks(ts, queries.TaskFilter(include_done=True), TODAY)
    assert [t.raw for t in everything] == ["(A)", "x", "Good", "Pay due:2026-13-45"]
    default = queries.filter_tasks(ts, queries.TaskFilter(), TODAY)
    assert [t.raw for t in default] == ["Good", "Pay due:2026-13-45"]


def test_sort_key_priority_then_due_then_line() -> None:
    ts = tasks("c", "(B) b due:2026-12-01", "(B) a due:2026-11-30", "(A) z")
    assert [t.description for t in sorted(ts, key=queries.sort_key)] == ["z", "a", "b", "c"]
