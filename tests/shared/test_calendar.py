"""calendar.txt parsing and queries (edits are in test_calendar_edit.py)."""

from __future__ import annotations

import time as clock
from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.calendar import (
    DayLine,
    Event,
    Goal,
    OtherLine,
    current_event,
    events_between,
    events_on,
    month_goal,
    parse_calendar,
    parse_calendar_line,
    parse_event,
    parse_time_range,
    render_day_line,
    week_goals,
    year_goal,
)
from shared.lines import LineDoc

CONTRACT = (
    b"2026-11-23 w48 Mon  9-10 standup. 12:30-13:30 lunch with Ana +freelance. 17 gym\n"
    b"2026-11-24 w48 Tue  \n"
    b"2026-11-24 w48  Ship the book draft\n"
    b"2026-12  Close Q4 goals\n"
    b"2027  The year of the move\n"
)
MON = date(2026, 11, 23)


def test_contract_example_lines_are_classified() -> None:
    cal = parse_calendar(CONTRACT)
    kinds = [type(e).__name__ for e in cal.entries]
    assert kinds == ["DayLine", "DayLine", "Goal", "Goal", "Goal"]
    assert [g.kind for g in cal.goals] == ["week", "month", "year"]
    assert [g.text for g in cal.goals] == [
        "Ship the book draft",
        "Close Q4 goals",
        "The year of the move",
    ]
    assert cal.problems == []
    monday, tuesday = cal.day_lines
    assert (monday.day, monday.week, monday.weekday, monday.line) == (MON, 48, "Mon", 1)
    assert tuesday.events == ()
    assert [e.line for e in cal.entries] == [1, 2, 3, 4, 5]


def test_contract_example_events() -> None:
    events = events_on(parse_calendar(CONTRACT), MON)
    assert [(e.start, e.end, e.text) for e in events] == [
        (time(9), time(10), "standup"),
        (time(12, 30), time(13, 30), "lunch with Ana +freelance"),
        (time(17), None, "gym"),
    ]
    lunch = events[1]
    assert lunch.raw == "12:30-13:30 lunch with Ana +freelance"
    assert lunch.projects == ("freelance",)
    assert lunch.time_text == "12:30-13:30"
    assert lunch.to_json() == {
        "start": "12:30",
        "end": "13:30",
        "text": "lunch with Ana +freelance",
        "day": "2026-11-23",
        "line": 1,
    }


@pytest.mark.parametrize(
    ("token", "start", "end"),
    [
        ("17", time(17), None),
        ("17:30", time(17, 30), None),
        ("9-12", time(9), time(12)),
        ("14:15-16", time(14, 15), time(16)),
        ("9:00-10:30", time(9), time(10, 30)),
        ("0", time(0), None),
        ("23:59", time(23, 59), None),
    ],
)
def test_time_forms(token: str, start: time, end: time | None) -> None:
    assert parse_time_range(token) == (start, end)
    event = parse_event(f"{token} meet Ana @town", MON)
    assert (event.start, event.end, event.text) == (start, end, "meet Ana @town")
    assert event.contexts == ("@town",)
    assert event.time_text == token


@pytest.mark.parametrize(
    "raw",
    [
        "2026 plans",
        "25 cars to wash",
        "9:60 x",
        "17h gym",
        "9-25 late",
        "24 x",
        "9:5 x",
        "17:30pm x",
        "-9 x",
        "9- x",
        "Birthday",
    ],
)
def test_leading_words_that_are_not_times(raw: str) -> None:
    event = parse_event(raw, MON)
    assert (event.start, event.end, event.text, event.all_day) == (None, None, raw, True)
    assert event.time_text is None


def test_a_small_leading_number_is_an_hour() -> None:
    # The format cannot tell "3 boxes" from "at 3": an hour 0-23 then a space is a time.
    event = parse_event("3 boxes to post", MON)
    assert (event.start, event.text) == (time(3), "boxes to post")


def test_an_event_may_be_only_a_time() -> None:
    (event,) = events_on(parse_calendar(b"2026-11-23 w48 Mon  9-10\n"), MON)
    assert (event.start, event.end, event.text, event.raw) == (time(9), time(10), "", "9-10")


@pytest.mark.parametrize(
    ("text", "raws"),
    [
        ("gym.", ["gym"]),
        ("a. b.", ["a", "b"]),
        ("a. b. ", ["a", "b"]),
        ("meet Dr. Smith", ["meet Dr", "Smith"]),
        ("a. . b", ["a", "b"]),
        ("a.. b", ["a.", "b"]),
        ("wait...", ["wait.."]),
        ("a.b 1.5 km", ["a.b 1.5 km"]),
        ("  ", []),
        (".", []),
    ],
)
def test_events_split_on_full_stop_and_space(text: str, raws: list[str]) -> None:
    entry = parse_calendar_line(f"2026-11-23 w48 Mon  {text}", 7)
    assert isinstance(entry, DayLine)
    assert [e.raw for e in entry.events] == raws
    assert all(e.line == 7 and e.day == MON for e in entry.events)


@pytest.mark.parametrize(
    "raw", ["2026-11-24 w48 Tue", "2026-11-24 w48 Tue  ", "2026-11-24 w48 Tue\t"]
)
def test_day_lines_without_events(raw: str) -> None:
    entry = parse_calendar_line(raw, 1)
    assert isinstance(entry, DayLine)
    assert (entry.day, entry.events, entry.problems) == (date(2026, 11, 24), (), ())


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("2026-11-23 w48 Tue  gym", "weekday Tue does not match 2026-11-23 (a Mon)"),
        ("2026-11-23 w47 Mon  gym", "week w47 does not match 2026-11-23 (w48)"),
        ("2026-11-23 w48 Mon gym", "expected two spaces between the weekday and the events"),
        ("2026-11-23 w47  goal", "week w47 does not match 2026-11-23 (w48)"),
        ("2027 one space", "expected two spaces before the goal"),
    ],
)
def test_problems_are_recorded_and_the_line_still_parses(raw: str, problem: str) -> None:
    cal = parse_calendar(raw.encode())
    (entry,) = cal.entries
    assert problem in entry.problems
    assert [(p.line, p.message) for p in cal.problems] == [(1, problem)]
    assert entry.raw == raw


def test_a_wrong_weekday_still_yields_events_for_the_date() -> None:
    cal = parse_calendar(b"2026-11-23 w48 Tue  gym\n")
    assert [e.text for e in events_on(cal, MON)] == ["gym"]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("2026-02-30 w09 Mon  x", "invalid date 2026-02-30"),
        ("2026-02-30 w09  goal", "invalid date 2026-02-30"),
        ("2026-13  goal", "invalid month or year 2026-13"),
        ("0000  goal", "invalid month or year 0000"),
        ("2026-11-23 Mon  no week", "starts with a date but is not a day or week goal line"),
        ("2026-11-23 w48 Monday  x", "starts with a date but is not a day or week goal line"),
        ("2026-11-23 w48 Ma  x", "starts with a date but is not a day or week goal line"),
    ],
)
def test_malformed_lines_are_kept_as_other_lines(raw: str, problem: str) -> None:
    entry = parse_calendar_line(raw, 3)
    assert isinstance(entry, OtherLine)
    assert (entry.raw, entry.line, entry.problems) == (raw, 3, (problem,))


@pytest.mark.parametrize(
    "raw", ["", "# a comment", "notes: call Ana", "   ", "2026: tbd", "\x00\udcff"]
)
def test_comments_blank_lines_and_notes_are_other_lines(raw: str) -> None:
    entry = parse_calendar_line(raw, 2)
    assert isinstance(entry, OtherLine)
    assert (entry.raw, entry.problems) == (raw, ())


def test_goal_lines() -> None:
    week = parse_calendar_line("2026-11-25 w48  Ship it", 1)
    month = parse_calendar_line("2026-12", 2)
    year = parse_calendar_line("2027\tThe move", 3)
    assert isinstance(week, Goal) and isinstance(month, Goal) and isinstance(year, Goal)
    assert (week.kind, week.day, week.start, week.text) == (
        "week",
        date(2026, 11, 25),
        MON,
        "Ship it",
    )
    assert (month.kind, month.day, month.text) == ("month", date(2026, 12, 1), "")
    assert (year.kind, year.day, year.text) == ("year", date(2027, 1, 1), "The move")
    assert week.to_json() == {"kind": "week", "day": "2026-11-25", "text": "Ship it", "line": 1}


def test_goal_queries() -> None:
    cal = parse_calendar(
        b"2026  Year one\n2026  Year two\n2026-12  December\n"
        b"2026-12-28 w53  Last week A\n2026-12-30 w53  Last week B\n2027-01-04 w01  First\n"
    )
    # ISO week 53 of 2026 runs into January 2027.
    assert [g.text for g in week_goals(cal, date(2027, 1, 2))] == ["Last week A", "Last week B"]
    assert [g.text for g in week_goals(cal, date(2027, 1, 4))] == ["First"]
    assert week_goals(cal, date(2026, 12, 20)) == []
    assert (g := month_goal(cal, date(2026, 12, 31))) is not None and g.text == "December"
    assert month_goal(cal, date(2027, 12, 1)) is None
    assert (y := year_goal(cal, date(2026, 5, 1))) is not None and y.text == "Year one"
    assert year_goal(cal, date(2027, 1, 2)) is None


def test_events_on_merges_lines_all_day_first_then_by_start() -> None:
    cal = parse_calendar(
        b"2026-11-23 w48 Mon  17 gym. Ana's birthday. 9-10 standup\n"
        b"# a comment\n"
        b"2026-11-23 w48 Mon  Bins out. 8:30 school run. 17 call mum\n"
    )
    assert [e.raw for e in events_on(cal, MON)] == [
        "Ana's birthday",
        "Bins out",
        "8:30 school run",
        "9-10 standup",
        "17 gym",
        "17 call mum",
    ]
    assert [e.line for e in events_on(cal, MON)] == [1, 3, 3, 1, 1, 3]
    assert events_on(cal, MON + timedelta(days=1)) == []


def test_events_between_is_inclusive_and_skips_empty_days() -> None:
    cal = parse_calendar(
        b"2026-11-22 w47 Sun  a\n2026-11-23 w48 Mon  b\n2026-11-24 w48 Tue  \n"
        b"2026-11-26 w48 Thu  c. d\n2026-11-27 w48 Fri  e\n"
    )
    found = events_between(cal, MON, date(2026, 11, 26))
    assert list(found) == [MON, date(2026, 11, 26)]
    assert [e.text for e in found[date(2026, 11, 26)]] == ["c", "d"]
    assert events_between(cal, date(2026, 11, 27), MON) == {}


def test_events_between_follows_dates_not_file_order() -> None:
    cal = parse_calendar(b"2026-11-27 w48 Fri  e\n2026-11-23 w48 Mon  b\n")
    assert list(events_between(cal, MON, date(2026, 11, 30))) == [MON, date(2026, 11, 27)]


def _timed(raw: str) -> Event:
    return parse_event(raw, MON)


def test_current_event() -> None:
    events = [
        _timed("Birthday"),
        _timed("9-12 writing"),
        _timed("10:30-11 call"),
        _timed("17 gym"),
        _timed("22-1 night train"),
    ]
    assert current_event(events, time(8, 59)) is None
    assert current_event(events, time(9)) == events[1]
    assert current_event(events, time(10, 45)) == events[2]  # the latest started
    assert current_event(events, time(11)) == events[1]
    assert current_event(events, time(12)) is None
    assert current_event(events, time(17, 59)) == events[3]  # no end: an hour
    assert current_event(events, time(18)) is None
    assert current_event(events, time(18), default_minutes=90) == events[3]
    assert current_event(events, time(23, 30)) == events[4]  # runs to midnight
    assert current_event([], time(12)) is None


def test_render_day_line() -> None:
    assert render_day_line(MON) == "2026-11-23 w48 Mon  "
    assert render_day_line(date(2027, 1, 1), "x") == "2027-01-01 w53 Fri  x"
    assert render_day_line(date(2026, 1, 1)) == "2026-01-01 w01 Thu  "


@pytest.mark.parametrize(
    "data",
    [
        CONTRACT.replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + CONTRACT,
        b"2026-11-23 w48 Mon  caf\xe9 with Ana. 17 gym\n# \xff\xfe junk\n",
        CONTRACT.rstrip(b"\n"),
        b"\n\n\r\n",
    ],
)
def test_every_line_is_kept_byte_for_byte(data: bytes) -> None:
    doc = LineDoc.from_bytes(data)
    cal = parse_calendar(data)
    assert [e.raw for e in cal.entries] == doc.lines
    assert doc.to_bytes() == data


def test_non_utf8_event_text_survives() -> None:
    cal = parse_calendar(b"2026-11-23 w48 Mon  caf\xe9 with Ana\n")
    (event,) = events_on(cal, MON)
    assert event.text.encode("utf-8", "surrogateescape") == b"caf\xe9 with Ana"


def test_a_bom_inside_the_first_line_is_tolerated() -> None:
    cal = parse_calendar(b"\xef\xbb\xbf\xef\xbb\xbf2026-11-23 w48 Mon  gym\n")
    assert [e.text for e in events_on(cal, MON)] == ["gym"]


@given(st.binary())
def test_parsing_never_raises_and_keeps_every_line(data: bytes) -> None:
    cal = parse_calendar(data)
    assert [e.raw for e in cal.entries] == LineDoc.from_bytes(data).lines
    for entry in cal.day_lines:
        assert all(ev.day == entry.day for ev in entry.events)
    assert isinstance(cal.problems, list)


line_chars = st.characters(exclude_characters="\n")


@given(
    st.lists(
        st.one_of(
            st.text(line_chars, max_size=40),
            st.builds(
                lambda d, t: f"{d.isoformat()} w{d.isocalendar().week:02d} {d.strftime('%a')}  {t}",
                st.dates(),
                st.text(line_chars, max_size=40),
            ),
        )
    )
)
def test_parsing_text_lines_never_raises(lines: list[str]) -> None:
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    cal = parse_calendar(data)
    days = {dl.day for dl in cal.day_lines}
    for day in days:
        assert {e.line for e in events_on(cal, day)} <= {dl.line for dl in cal.day_lines}
    assert len(cal.entries) == len(LineDoc.from_bytes(data))


def test_five_years_parse(capsys: pytest.CaptureFixture[str]) -> None:
    lines, day = [], date(2022, 1, 1)
    while day < date(2027, 1, 1):
        lines.append(render_day_line(day, "9-10 standup +work. 12:30 lunch @town. Birthday"))
        day += timedelta(days=1)
    data = ("\n".join(lines) + "\n").encode()
    started = clock.perf_counter()
    cal = parse_calendar(data)
    year = events_between(cal, date(2026, 1, 1), date(2026, 12, 31))
    elapsed = clock.perf_counter() - started
    with capsys.disabled():
        print(f"\n5-year calendar ({len(lines)} lines): parse + one year's events {elapsed:.4f}s")
    assert len(cal.day_lines) == 1826
    assert len(year) == 365 and all(len(evs) == 3 for evs in year.values())
