"""Time blocks: free slots between events in work hours, filled in order, written on approval."""

from __future__ import annotations

import shutil
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.apply import apply_operation
from shared.assistant_config import parse_work_hours
from shared.calendar import Event, events_on, parse_calendar, parse_event, parse_time_range
from shared.org_repo import OrgRepo
from shared.suggest import suggest
from shared.time_blocks import TimeBlockError, busy_ranges, free_slots, propose_blocks
from shared.todo_list import parse_tasks

ORG = Path(__file__).parents[1] / "fixtures" / "org"
MONDAY = date(2026, 11, 23)
WORK = parse_work_hours("Mon-Fri 09:00-18:00")
assert WORK is not None


def fixture_events(day: date = MONDAY) -> list[Event]:
    return events_on(parse_calendar((ORG / "calendar.txt").read_bytes()), day)


def test_free_slots_of_the_fixture_monday() -> None:
    # 9-9:30 standup, 10-13 chapter 3, 16:30 pick up Pablo (an hour), 19 gym (after work)
    slots = free_slots(fixture_events(), datetime(2026, 11, 23, 8, 0), WORK)
    assert slots == [(570, 600), (780, 990), (1050, 1080)]


def test_blocks_fill_the_earliest_gap_that_fits() -> None:
    tasks = parse_tasks(
        b"Fix the checkout bug +acme @computer est:2h\n"
        b"Call the plumber +house @phone est:15m\n"
        b"Revise chapter 3 +book est:3h\n"
        b"Invoice ACME +acme est:45m\n"
        b"Book the train tickets +christmas\n"
        b"Reply to Dr. Ruiz. Then file it est:30m\n"
    )
    blocks = propose_blocks(tasks, fixture_events(), now=datetime(2026, 11, 23, 8, 0),
                            work_hours="Mon-Fri 09:00-18:00", source="web")
    assert [(b.task.line, b.operation.time, b.operation.text) for b in blocks] == [
        (2, "9:30-9:45", "Call the plumber +house"),
        (1, "13:00-15:00", "Fix the checkout bug +acme"),
        (4, "15:00-15:45", "Invoice ACME +acme"),
        (5, "15:45-16:15", "Book the train tickets +christmas"),
        (6, "17:30-18:00", "Reply to Dr Ruiz Then file it"),
    ]  # the 3h revision fits nowhere; ". " would split a calendar event, so it goes
    assert all(b.operation.day == "2026-11-23" and b.operation.source == "web" for b in blocks)
    assert blocks[0].to_json()["start"] == "09:30"


def test_suggestions_can_be_given_directly() -> None:
    tasks = parse_tasks(b"Later est:30m\nFirst due:2026-11-23 est:1h\n")
    picks = suggest(tasks, now=MONDAY)
    blocks = propose_blocks(picks, fixture_events(), now=datetime(2026, 11, 23, 8, 0),
                            work_hours=WORK)
    assert [(b.task.text, b.operation.time) for b in blocks] == [
        ("Later est:30m", "9:30-10:00"),
        ("First due:2026-11-23 est:1h", "13:00-14:00"),
    ]


def test_now_and_gaps() -> None:
    tasks = parse_tasks(b"One est:30m\nTwo est:30m\n")
    blocks = propose_blocks(tasks, [], now=datetime(2026, 11, 23, 14, 7), work_hours=WORK,
                            gap_minutes=10)
    assert [b.operation.time for b in blocks] == ["14:15-14:45", "14:55-15:25"]
    late = propose_blocks(tasks, [], now=datetime(2026, 11, 23, 17, 40), work_hours=WORK)
    assert late == []


def test_no_blocks_outside_work_days_or_with_bad_hours() -> None:
    tasks = parse_tasks(b"Something est:30m\n")
    saturday = datetime(2026, 11, 28, 9, 0)
    assert propose_blocks(tasks, [], now=saturday, work_hours=WORK) == []
    with pytest.raises(TimeBlockError, match="not like"):
        propose_blocks(tasks, [], now=saturday, work_hours="whenever")


def test_event_edges() -> None:
    events = [
        parse_event("22-1 night shift", MONDAY),  # ends before it starts: runs to midnight
        parse_event("11 call", MONDAY),  # no end: an hour
        parse_event("Holiday", MONDAY),  # all day: takes no time
        parse_event("12-13 other day", MONDAY + timedelta(days=1)),
    ]
    assert busy_ranges(events, MONDAY) == [(660, 720), (1320, 1440)]
    assert busy_ranges(events, MONDAY, default_event_minutes=30) == [(660, 690), (1320, 1440)]


def test_approved_blocks_are_written_to_the_calendar(tmp_path: Path) -> None:
    root = tmp_path / "org"
    shutil.copytree(ORG, root)
    repo = OrgRepo(root)
    before = (root / "calendar.txt").read_bytes()
    tasks = parse_tasks(b"Call the plumber +house est:15m\nInvoice ACME +acme est:45m\n")
    now = datetime(2026, 11, 23, 8, 0)
    first, _ = propose_blocks(tasks, fixture_events(), now=now, work_hours=WORK)
    assert (root / "calendar.txt").read_bytes() == before  # proposing writes nothing
    apply_operation(repo, first.operation, now)
    day = [e.raw for e in events_on(parse_calendar((root / "calendar.txt").read_bytes()), MONDAY)]
    assert "9:30-9:45 Call the plumber +house" in day
    assert not any("Invoice" in raw for raw in day)  # the second was not approved
    lines = (root / "calendar.txt").read_bytes().split(b"\n")
    changed = [i for i, (a, b) in enumerate(zip(before.split(b"\n"), lines, strict=True)) if a != b]
    assert len(changed) == 1


clock = st.integers(0, 23 * 60 + 59)


@st.composite
def event(draw: st.DrawFn) -> Event:
    start = draw(clock)
    text = f"{start // 60}:{start % 60:02d}"
    if draw(st.booleans()):
        end = draw(clock)
        text += f"-{end // 60}:{end % 60:02d}"
    return parse_event(f"{text} something", MONDAY)


@settings(max_examples=200, deadline=None)
@given(
    events=st.lists(event(), max_size=8),
    now_min=clock,
    hours=st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda h: h[0] < h[1]),
    estimates=st.lists(st.integers(1, 240), max_size=8),
    gap=st.integers(0, 30),
)
def test_blocks_never_overlap_events_and_stay_in_work_hours(
    events: list[Event], now_min: int, hours: tuple[int, int], estimates: list[int], gap: int
) -> None:
    work = parse_work_hours(f"Mon-Sun {hours[0]}:00-{hours[1]}:00")
    assert work is not None
    now = datetime.combine(MONDAY, time(now_min // 60, now_min % 60))
    tasks = parse_tasks("\n".join(f"Task {i} est:{m}m" for i, m in enumerate(estimates)).encode())
    blocks = propose_blocks(tasks, events, now=now, work_hours=work, gap_minutes=gap)
    busy = busy_ranges(events, MONDAY)
    spans = []
    for block in blocks:
        start = block.start.hour * 60 + block.start.minute
        end = block.end.hour * 60 + block.end.minute
        assert parse_time_range(block.operation.time or "") == (block.start, block.end)
        assert end - start == int(block.task.attr("est")[:-1])  # type: ignore[index]
        assert start >= now_min and start >= hours[0] * 60
        assert end <= min(hours[1] * 60, 23 * 60 + 59)
        assert all(end <= b or start >= e for b, e in busy), (block, busy)
        spans.append((start, end))
    spans.sort()
    assert all(a[1] <= b[0] for a, b in pairwise(spans))
    assert len({b.task.line for b in blocks}) == len(blocks)
