"""The three-way merge by meaning of todo.txt, calendar.txt and line files."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.lines import LineDoc
from shared.merge import merge_calendar, merge_lines, merge_todo

BASE = (
    b"(A) 2026-11-20 Call the plumber +house\n"
    b"2026-11-18 Buy milk @store\n"
    b"2026-11-19 Pay rent due:2026-12-01\n"
)


def lines(data: bytes) -> list[str]:
    return data.decode().splitlines()


def test_a_completion_on_one_side_comes_out_completed_once() -> None:
    ours = BASE.replace(b"2026-11-18 Buy milk", b"x 2026-11-24 2026-11-18 Buy milk")
    theirs = BASE + b"2026-11-24 New on the laptop\n"
    result = merge_todo(BASE, ours, theirs)
    assert lines(result.data) == [
        "(A) 2026-11-20 Call the plumber +house",
        "x 2026-11-24 2026-11-18 Buy milk @store",
        "2026-11-19 Pay rent due:2026-12-01",
        "2026-11-24 New on the laptop",
    ]
    assert result.clean


def test_adjacent_completions_on_both_sides_do_not_duplicate() -> None:
    """git's merge=union would give four lines here (two open, two done)."""
    ours = BASE.replace(b"2026-11-18 Buy milk", b"x 2026-11-24 2026-11-18 Buy milk")
    theirs = BASE.replace(b"2026-11-19 Pay rent", b"x 2026-11-23 2026-11-19 Pay rent")
    result = merge_todo(BASE, ours, theirs)
    assert lines(result.data) == [
        "(A) 2026-11-20 Call the plumber +house",
        "x 2026-11-24 2026-11-18 Buy milk @store",
        "x 2026-11-23 2026-11-19 Pay rent due:2026-12-01",
    ]
    assert result.clean


def test_a_line_added_on_both_sides_appears_once() -> None:
    added = BASE + b"2026-11-24 Same idea\n"
    result = merge_todo(BASE, added + b"ours only\n", added + b"theirs only\n")
    assert lines(result.data)[3:] == ["2026-11-24 Same idea", "ours only", "theirs only"]


def test_deleted_on_one_side_and_edited_on_the_other_is_kept_as_edited() -> None:
    """merge=union would resurrect the deleted line next to the edited one, or drop the edit."""
    ours = b"(A) 2026-11-20 Call the plumber +house\n2026-11-19 Pay rent due:2026-12-01\n"
    theirs = BASE.replace(b"Buy milk @store", b"Buy oat milk @store")
    for result, kept in (
        (merge_todo(BASE, ours, theirs), "here"),
        (merge_todo(BASE, theirs, ours), ""),
    ):
        assert lines(result.data) == lines(theirs)
        assert len(result.notes) == 1 and "Buy oat milk" in result.notes[0]
        assert not result.conflicts
        assert kept in result.notes[0]


def test_deleted_on_one_side_and_untouched_on_the_other_stays_deleted() -> None:
    ours = b"(A) 2026-11-20 Call the plumber +house\n2026-11-19 Pay rent due:2026-12-01\n"
    theirs = BASE + b"added there\n"
    result = merge_todo(BASE, ours, theirs)
    assert lines(result.data) == [*lines(ours), "added there"]
    assert result.clean


def test_the_same_task_edited_differently_keeps_both_and_reports_it() -> None:
    ours = BASE.replace(b"(A) 2026-11-20 Call the plumber", b"(B) 2026-11-20 Call the plumber")
    theirs = BASE.replace(
        b"(A) 2026-11-20 Call the plumber +house",
        b"x 2026-11-24 2026-11-20 Call the plumber +house pri:A",
    )
    result = merge_todo(BASE, ours, theirs)
    assert lines(result.data)[:2] == [
        "(B) 2026-11-20 Call the plumber +house",
        "x 2026-11-24 2026-11-20 Call the plumber +house pri:A",
    ]
    assert len(result.conflicts) == 1
    assert result.conflicts[0].base == "(A) 2026-11-20 Call the plumber +house"
    assert b"<<<<<<<" not in result.data and b"=======" not in result.data


def test_a_task_completed_on_both_sides_on_different_days_is_done_once() -> None:
    ours = BASE.replace(b"2026-11-18 Buy milk", b"x 2026-11-24 2026-11-18 Buy milk")
    theirs = BASE.replace(b"2026-11-18 Buy milk", b"x 2026-11-23 2026-11-18 Buy milk")
    result = merge_todo(BASE, ours, theirs)
    assert lines(result.data)[1] == "x 2026-11-24 2026-11-18 Buy milk @store"
    assert len(lines(result.data)) == 3 and result.clean


def test_a_moved_and_edited_task_is_still_the_same_task() -> None:
    ours = (
        b"2026-11-19 Pay rent due:2026-12-01\n"
        b"(A) 2026-11-20 Call the plumber +house\n"
        b"2026-11-18 Buy milk @store\n"
    )
    theirs = BASE.replace(b"Pay rent due:2026-12-01", b"Pay rent due:2026-12-03")
    result = merge_todo(BASE, ours, theirs)
    assert lines(result.data)[0] == "2026-11-19 Pay rent due:2026-12-03"
    assert len(lines(result.data)) == 3


def test_line_endings_bom_and_unknown_bytes_survive() -> None:
    base = b"\xef\xbb\xbfone\r\ntwo \xff\xfe\r\nthree"
    ours = b"\xef\xbb\xbfone\r\ntwo \xff\xfe\r\nthree\r\nfour\r\n"
    theirs = b"\xef\xbb\xbfONE\r\ntwo \xff\xfe\r\nthree"
    result = merge_todo(base, ours, theirs)
    assert result.data == b"\xef\xbb\xbfONE\r\ntwo \xff\xfe\r\nthree\r\nfour\r\n"


def test_a_file_without_final_newline_gets_lines_appended_properly() -> None:
    base = b"a\nb"
    result = merge_lines(base, b"a\nb\nours\n", b"a\nb\ntheirs\n")
    assert result.data == b"a\nb\nours\ntheirs\n"
    result = merge_lines(base, b"A\nb", b"a\nb\ntheirs\n")
    assert result.data == b"A\nb\ntheirs\n"


def test_calendar_merges_events_added_to_the_same_day() -> None:
    base = b"2026-11-23 w48 Mon  9-10 standup\n2026-11-24 w48 Tue\n2026-12  Close Q4 goals\n"
    ours = base.replace(b"standup", b"standup. 12:30 lunch with Ana")
    theirs = (
        b"2026-11-23 w48 Mon  9-10 standup. 17 gym\n"
        b"2026-11-24 w48 Tue  8 dentist\n"
        b"2026-12  Close Q4 goals and plan Q1\n"
    )
    result = merge_calendar(base, ours, theirs)
    assert lines(result.data) == [
        "2026-11-23 w48 Mon  9-10 standup. 12:30 lunch with Ana. 17 gym",
        "2026-11-24 w48 Tue  8 dentist",
        "2026-12  Close Q4 goals and plan Q1",
    ]
    assert result.clean


def test_calendar_event_changed_differently_keeps_both_day_lines() -> None:
    base = b"2026-11-23 w48 Mon  9-10 standup\n"
    ours = b"2026-11-23 w48 Mon  10-11 standup\n"
    theirs = b"2026-11-23 w48 Mon  9-10 standup moved online\n"
    result = merge_calendar(base, ours, theirs)
    assert lines(result.data) == [ours.decode().strip(), theirs.decode().strip()]
    assert len(result.conflicts) == 1


def test_working_memory_lines_appended_on_both_sides_come_out_in_time_order() -> None:
    base = b"2026-11-23 09:00 start\n"
    result = merge_lines(
        base, base + b"2026-11-23 10:00 ours\n", base + b"2026-11-23 09:30 theirs\n"
    )
    assert lines(result.data) == [
        "2026-11-23 09:00 start",
        "2026-11-23 09:30 theirs",
        "2026-11-23 10:00 ours",
    ]


_line = st.text(alphabet="abcx (A)+@:-0123456789", min_size=0, max_size=12)
_doc = st.lists(_line, max_size=8).map(lambda xs: ("\n".join(xs) + "\n").encode() if xs else b"")


@settings(max_examples=200, deadline=None)
@given(_doc, _doc)
def test_a_side_that_did_not_change_takes_the_other(base: bytes, other: bytes) -> None:
    assert merge_todo(base, base, other).data == other
    assert merge_todo(base, other, base).data == other
    assert merge_todo(base, other, other).data == other


@settings(max_examples=300, deadline=None)
@given(_doc, _doc, _doc)
def test_merging_never_loses_a_line_either_side_added(
    base: bytes, ours: bytes, theirs: bytes
) -> None:
    result = merge_todo(base, ours, theirs)
    merged = LineDoc.from_bytes(result.data).lines
    base_lines = set(LineDoc.from_bytes(base).lines)
    for side in (ours, theirs):
        for line in LineDoc.from_bytes(side).lines:
            if line not in base_lines:
                assert line in merged
    assert b"<<<<<<<" not in result.data
