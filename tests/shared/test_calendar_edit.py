"""calendar.txt edits: add, remove and move events, touching only their own lines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.calendar import events_on, parse_calendar
from shared.calendar_edit import (
    CalendarEditError,
    add_event,
    move_event,
    normalize_time,
    remove_event,
)
from shared.lines import LineDoc

MON = date(2026, 11, 23)
TUE, WED, THU = (MON + timedelta(days=n) for n in (1, 2, 3))


def doc_of(text: str) -> LineDoc:
    return LineDoc.from_bytes(text.encode())


def text_of(doc: LineDoc) -> str:
    return doc.to_bytes().decode()


# add_event --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "after"),
    [
        ("2026-11-23 w48 Mon  9-10 standup", "2026-11-23 w48 Mon  9-10 standup. dentist"),
        ("2026-11-23 w48 Mon  9-10 standup.", "2026-11-23 w48 Mon  9-10 standup. dentist"),
        ("2026-11-23 w48 Mon  9-10 standup  ", "2026-11-23 w48 Mon  9-10 standup. dentist"),
        ("2026-11-23 w48 Mon  ", "2026-11-23 w48 Mon  dentist"),
        ("2026-11-23 w48 Mon", "2026-11-23 w48 Mon  dentist"),
        ("2026-11-23 w48 Mon   ", "2026-11-23 w48 Mon  dentist"),
        ("2026-11-23 w48 Mon  .", "2026-11-23 w48 Mon  dentist"),
        ("2026-11-23 w48 Mon gym", "2026-11-23 w48 Mon gym. dentist"),
        ("2026-11-23 w47 Tue  gym", "2026-11-23 w47 Tue  gym. dentist"),
    ],
)
def test_add_event_to_an_existing_day_line(line: str, after: str) -> None:
    doc = doc_of(f"# top\n{line}\n2026-11-24 w48 Tue  x \n")
    assert add_event(doc, MON, "dentist") == 1
    assert text_of(doc) == f"# top\n{after}\n2026-11-24 w48 Tue  x \n"


def test_add_event_keeps_a_final_full_stop_as_a_separator() -> None:
    doc = doc_of("2026-11-23 w48 Mon  a.. b.\n")
    add_event(doc, MON, "c")
    assert text_of(doc) == "2026-11-23 w48 Mon  a.. b. c\n"
    assert [e.raw for e in events_on(parse_calendar(doc.to_bytes()), MON)] == ["a.", "b", "c"]


@pytest.mark.parametrize(
    ("time", "written"),
    [
        ("17", "17"),
        ("9:00", "9:00"),
        ("09:00", "9:00"),
        ("9-10:30", "9-10:30"),
        (" 9:00 - 10:30 ", "9:00-10:30"),
        ("14:15-16", "14:15-16"),
        ("0-1", "0-1"),
    ],
)
def test_add_event_with_a_time(time: str, written: str) -> None:
    doc = doc_of("2026-11-23 w48 Mon  Bins out\n")
    add_event(doc, MON, "  dentist +health ", time)
    assert doc.lines == [f"2026-11-23 w48 Mon  Bins out. {written} dentist +health"]
    event = events_on(parse_calendar(doc.to_bytes()), MON)[1]
    assert (event.time_text, event.text, event.projects) == (
        written,
        "dentist +health",
        ("health",),
    )


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("25:00", "not a time of day"),
        ("9:60", "not a time of day"),
        ("10-9", "ends before it starts"),
        ("9-9", "ends before it starts"),
        ("noon", "not a time"),
        ("9.30", "not a time"),
        ("", "not a time"),
        ("9:5", "not a time"),
    ],
)
def test_bad_times_are_rejected(time: str, message: str) -> None:
    doc = doc_of("2026-11-23 w48 Mon  gym\n")
    with pytest.raises(CalendarEditError, match=message):
        add_event(doc, MON, "dentist", time)
    assert text_of(doc) == "2026-11-23 w48 Mon  gym\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("meet Dr. Smith", r"contains '\. '"),
        ("two\nlines", "single line"),
        ("two\rlines", "single line"),
        ("   ", "empty"),
        (".", "empty"),
        ("bad \udcff", "not valid text"),
    ],
)
def test_bad_text_is_rejected_and_nothing_changes(text: str, message: str) -> None:
    doc = doc_of("2026-11-23 w48 Mon  gym\n")
    with pytest.raises(CalendarEditError, match=message):
        add_event(doc, MON, text)
    with pytest.raises(CalendarEditError):
        add_event(doc, TUE, text)
    assert text_of(doc) == "2026-11-23 w48 Mon  gym\n"
    assert issubclass(CalendarEditError, ValueError)


def test_normalize_time() -> None:
    assert normalize_time("09:05-17") == "9:05-17"
    with pytest.raises(CalendarEditError, match="use 17, 17:30, 9-12"):
        normalize_time("5pm")


# Inserting a missing day --------------------------------------------------------------


def test_missing_day_is_inserted_between_its_neighbours() -> None:
    doc = doc_of("2026-11-23 w48 Mon  a\n2026-11-26 w48 Thu  c\n")
    assert add_event(doc, WED, "b", "9") == 1
    assert text_of(doc) == "2026-11-23 w48 Mon  a\n2026-11-25 w48 Wed  9 b\n2026-11-26 w48 Thu  c\n"


def test_missing_day_before_the_first_and_after_the_last() -> None:
    doc = doc_of("# My calendar\n\n2026-11-24 w48 Tue  b\n2026-11-25 w48 Wed  c\n# end")
    assert add_event(doc, MON, "a") == 2
    assert add_event(doc, THU, "d") == 5
    assert text_of(doc) == (
        "# My calendar\n\n2026-11-23 w48 Mon  a\n2026-11-24 w48 Tue  b\n2026-11-25 w48 Wed  c\n"
        "2026-11-26 w48 Thu  d\n# end"
    )


def test_a_file_without_day_lines_gets_the_day_appended() -> None:
    doc = doc_of("# calendar\n2026  The year\n2026-11  November")
    assert add_event(doc, MON, "a") == 3
    assert text_of(doc) == "# calendar\n2026  The year\n2026-11  November\n2026-11-23 w48 Mon  a\n"
    empty = LineDoc.from_bytes(b"")
    assert add_event(empty, date(2027, 1, 1), "New year") == 0
    assert empty.to_bytes() == b"2027-01-01 w53 Fri  New year\n"


DEMO = """\
# Calendar
2026  Year goal
2026-11  November goal
2026-11-16 w47  Week 47 goal
2026-11-16 w47 Mon  a
2026-11-18 w47 Wed  b

2026-11-23 w48  Week 48 goal
2026-11-24 w48 Tue  c
# note about Tuesday
2026-11-30 w49  Week 49 goal
2026-12  December goal
2026-12-02 w49 Wed  d
2027  Next year
2027-01-05 w02 Tue  e
"""


@pytest.mark.parametrize(
    ("day", "after_line"),
    [
        (date(2026, 11, 17), "2026-11-16 w47 Mon  a"),  # right after the earlier day
        (date(2026, 11, 22), "2026-11-18 w47 Wed  b"),  # before the blank line and w48 goal
        (MON, "2026-11-23 w48  Week 48 goal"),  # after its own week's goal
        (date(2026, 11, 29), "2026-11-24 w48 Tue  c"),  # right after the latest earlier day
        (date(2026, 11, 30), "2026-11-30 w49  Week 49 goal"),  # before the December goal
        (date(2026, 12, 1), "2026-12  December goal"),  # after week and month goals
        (date(2026, 12, 31), "2026-12-02 w49 Wed  d"),  # before next year's goal
        (date(2027, 1, 1), "2027  Next year"),
        (date(2027, 2, 1), "2027-01-05 w02 Tue  e"),
        (date(2026, 11, 1), "2026-11  November goal"),  # before the first day, after goals
        (date(2026, 10, 1), "2026  Year goal"),  # before the month goal it does not belong to
    ],
)
def test_insertion_order_with_goals_and_comments(day: date, after_line: str) -> None:
    doc = doc_of(DEMO)
    before = list(doc.lines)
    index = add_event(doc, day, "new")
    assert doc.lines[index] == f"{day} w{day.isocalendar().week:02d} {day:%a}  new"
    assert doc.lines[index - 1] == after_line
    assert doc.lines[:index] + doc.lines[index + 1 :] == before


def test_insertion_into_an_unsorted_file_goes_after_the_nearest_earlier_day() -> None:
    doc = doc_of("2026-11-26 w48 Thu  d\n2026-11-23 w48 Mon  a\n2026-11-27 w48 Fri  e\n")
    assert add_event(doc, TUE, "b") == 2
    assert add_event(doc, date(2026, 11, 20), "z") == 1


def test_an_inserted_day_keeps_crlf_bom_and_foreign_bytes() -> None:
    data = (
        b"\xef\xbb\xbf# caf\xe9\r\n2026-11-23 w48 Mon  caf\xe9 with Ana \r\n"
        b"2026-11-26 w48 Thu  x\r\n"
    )
    doc = LineDoc.from_bytes(data)
    add_event(doc, WED, "b")
    add_event(doc, MON, "gym", "17")
    assert doc.to_bytes() == (
        b"\xef\xbb\xbf# caf\xe9\r\n2026-11-23 w48 Mon  caf\xe9 with Ana. 17 gym\r\n"
        b"2026-11-25 w48 Wed  b\r\n2026-11-26 w48 Thu  x\r\n"
    )


def test_appending_to_a_file_without_a_final_newline() -> None:
    doc = LineDoc.from_bytes(b"2026-11-23 w48 Mon  a\r\n2026-11-24 w48 Tue  b")
    add_event(doc, WED, "c")
    assert (
        doc.to_bytes() == b"2026-11-23 w48 Mon  a\r\n2026-11-24 w48 Tue  b\r\n"
        b"2026-11-25 w48 Wed  c\r\n"
    )


# remove_event -------------------------------------------------------------------------

DAY = "2026-11-23 w48 Mon  9-10 standup. 12:30 lunch with Ana +freelance. 17 gym\n"


@pytest.mark.parametrize(
    ("wanted", "after"),
    [
        ("9-10 standup", "2026-11-23 w48 Mon  12:30 lunch with Ana +freelance. 17 gym"),
        ("standup", "2026-11-23 w48 Mon  12:30 lunch with Ana +freelance. 17 gym"),
        ("lunch with Ana +freelance", "2026-11-23 w48 Mon  9-10 standup. 17 gym"),
        (" gym. ", "2026-11-23 w48 Mon  9-10 standup. 12:30 lunch with Ana +freelance"),
    ],
)
def test_remove_event(wanted: str, after: str) -> None:
    doc = doc_of(f"# x\n{DAY}2026-11-24 w48 Tue  gym\n")
    assert remove_event(doc, MON, wanted) == 1
    assert text_of(doc) == f"# x\n{after}\n2026-11-24 w48 Tue  gym\n"


@pytest.mark.parametrize(
    ("line", "wanted", "after"),
    [
        ("2026-11-23 w48 Mon  a. b.", "b", "2026-11-23 w48 Mon  a."),
        ("2026-11-23 w48 Mon  a.. b", "b", "2026-11-23 w48 Mon  a.."),
        ("2026-11-23 w48 Mon  a. . b", "b", "2026-11-23 w48 Mon  a"),
        ("2026-11-23 w48 Mon  a.  b", "a", "2026-11-23 w48 Mon  b"),
        ("2026-11-23 w48 Mon  a. b  ", "a", "2026-11-23 w48 Mon  b  "),
        ("2026-11-23 w48 Mon  gym", "gym", "2026-11-23 w48 Mon  "),
        ("2026-11-23 w48 Mon  gym.", "gym", "2026-11-23 w48 Mon  "),
    ],
)
def test_remove_event_keeps_the_rest_of_the_line(line: str, wanted: str, after: str) -> None:
    doc = doc_of(line)
    remove_event(doc, MON, wanted)
    assert doc.lines == [after]
    assert doc.endings == [""]


def test_remove_event_on_a_day_spread_over_two_lines() -> None:
    doc = doc_of("2026-11-23 w48 Mon  a\n# c\n2026-11-23 w48 Mon  b. c\n")
    assert remove_event(doc, MON, "c") == 2
    assert text_of(doc) == "2026-11-23 w48 Mon  a\n# c\n2026-11-23 w48 Mon  b\n"


@pytest.mark.parametrize(
    ("text", "wanted", "message"),
    [
        ("2026-11-23 w48 Mon  9 gym. 17 gym\n", "gym", "2 events on 2026-11-23 match 'gym'"),
        ("2026-11-23 w48 Mon  gym\n2026-11-23 w48 Mon  gym\n", "gym", "2 events"),
        ("2026-11-23 w48 Mon  gym\n", "swim", r"no event 'swim' on 2026-11-23 \(there: gym\)"),
        ("2026-11-23 w48 Mon  \n", "gym", "there are no events on 2026-11-23"),
        ("# nothing\n", "gym", "there are no events on 2026-11-23"),
    ],
)
def test_remove_event_errors_leave_the_doc_unchanged(text: str, wanted: str, message: str) -> None:
    doc = doc_of(text)
    with pytest.raises(CalendarEditError, match=message):
        remove_event(doc, MON, wanted)
    assert text_of(doc) == text


def test_an_ambiguous_text_is_resolved_by_the_time() -> None:
    doc = doc_of("2026-11-23 w48 Mon  9 gym. 17 gym\n")
    remove_event(doc, MON, "17 gym")
    assert text_of(doc) == "2026-11-23 w48 Mon  9 gym\n"


# move_event ---------------------------------------------------------------------------


def test_move_event_keeps_its_time_and_inserts_the_target_day() -> None:
    doc = doc_of("2026-11-23 w48 Mon  9-10 standup. 17 gym\n2026-11-26 w48 Thu  x\n")
    assert move_event(doc, MON, "gym", WED) == 1
    assert text_of(doc) == (
        "2026-11-23 w48 Mon  9-10 standup\n2026-11-25 w48 Wed  17 gym\n2026-11-26 w48 Thu  x\n"
    )


def test_move_event_to_a_new_time_on_the_same_day() -> None:
    doc = doc_of("2026-11-23 w48 Mon  9-10 standup. 17 gym. Bins\n")
    assert move_event(doc, MON, "17 gym", MON, "18:30-19:30") == 0
    assert doc.lines == ["2026-11-23 w48 Mon  9-10 standup. Bins. 18:30-19:30 gym"]


def test_move_an_all_day_event_and_a_time_only_event() -> None:
    doc = doc_of("2026-11-23 w48 Mon  Bins. 9-10\n2026-11-24 w48 Tue  a\n")
    move_event(doc, MON, "Bins", TUE)
    move_event(doc, MON, "9-10", TUE, "11")
    assert text_of(doc) == "2026-11-23 w48 Mon  \n2026-11-24 w48 Tue  a. Bins. 11\n"


@pytest.mark.parametrize(("wanted", "to_time"), [("gym", "25"), ("swim", None)])
def test_move_event_errors_leave_the_doc_unchanged(wanted: str, to_time: str | None) -> None:
    text = "2026-11-23 w48 Mon  17 gym\n"
    doc = doc_of(text)
    with pytest.raises(CalendarEditError):
        move_event(doc, MON, wanted, TUE, to_time)
    assert text_of(doc) == text
