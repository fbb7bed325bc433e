"""calendar.txt edits, as properties: any edit touches only its own lines."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from shared.calendar import DayLine, events_between, events_on, parse_calendar
from shared.calendar_edit import (
    CalendarEditError,
    add_event,
    move_event,
    remove_event,
)
from shared.lines import LineDoc


def doc_of(text: str) -> LineDoc:
    return LineDoc.from_bytes(text.encode())


# Properties ---------------------------------------------------------------------------

days = st.dates(date(2025, 12, 20), date(2026, 1, 20))
chars = st.characters(exclude_categories=("Cs",), exclude_characters="\n")
words = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\n\r."), min_size=1, max_size=12
)
times = st.sampled_from(["", "7 ", "17:30 ", "9-12 ", "14:15-16 ", "9:00-10:30 "])
event_texts = st.builds(lambda t, w: t + w, times, words).filter(lambda e: e.strip() != "")
junk = st.one_of(
    st.text(chars, max_size=30),
    st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"").decode("utf-8", "surrogateescape")),
    st.sampled_from(
        [
            "",
            "# comment",
            "2026  year",
            "2026-01  month",
            "2026-01-05 w02  week",
            "2026-01-05 w02 Mon  . .",
            "2026-02-30 w09 Mon  x",
        ]
    ),
)


def day_line(day: date, events: list[str], dot: bool) -> str:
    text = ". ".join(events) + ("." if dot and events else "")
    return f"{day} w{day.isocalendar().week:02d} {day:%a}  {text}"


valid_lines = st.builds(day_line, days, st.lists(event_texts, max_size=3), st.booleans())


@st.composite
def calendars(draw: st.DrawFn) -> LineDoc:
    lines = draw(st.lists(st.one_of(valid_lines, junk), max_size=12))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    data = newline.join(lines) + draw(st.sampled_from(["", newline]))
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return LineDoc.from_bytes(bom + data.encode("utf-8", "surrogateescape"))


def events_by_day(doc: LineDoc) -> dict[date, list[str]]:
    cal = parse_calendar(doc.to_bytes())
    found = events_between(cal, date.min, date.max)
    return {d: sorted(e.raw for e in evs) for d, evs in found.items()}


def assert_one_line_changed(before: LineDoc, after: LineDoc, index: int) -> None:
    assert after.bom == before.bom
    if len(after) == len(before):
        assert after.endings == before.endings
        assert [ln for i, ln in enumerate(after.lines) if i != index] == [
            ln for i, ln in enumerate(before.lines) if i != index
        ]
        return
    assert len(after) == len(before) + 1
    assert after.lines[:index] + after.lines[index + 1 :] == before.lines
    endings = after.endings[:index] + after.endings[index + 1 :]
    if index == len(before) and before.endings and not before.endings[-1]:
        # A file without a final newline gains one before the appended day.
        assert endings[:-1] == before.endings[:-1] and endings[-1] == after.newline
    else:
        assert endings == before.endings


@given(calendars(), days, st.text(max_size=20), st.one_of(st.none(), times, st.text(max_size=6)))
def test_add_event_changes_or_inserts_exactly_one_line(
    doc: LineDoc, day: date, text: str, time: str | None
) -> None:
    before = doc.copy()
    try:
        index = add_event(doc, day, text, time)
    except CalendarEditError:
        assert doc == before
        return
    assert_one_line_changed(before, doc, index)
    entry = parse_calendar(doc.to_bytes()).entries[index]
    assert isinstance(entry, DayLine) and entry.day == day
    old, new = events_by_day(before), events_by_day(doc)
    assert len(new.get(day, [])) == len(old.get(day, [])) + 1
    assert {d: e for d, e in new.items() if d != day} == {d: e for d, e in old.items() if d != day}


@given(calendars(), days, event_texts)
def test_add_then_remove_gives_back_the_same_events(doc: LineDoc, day: date, text: str) -> None:
    before = events_by_day(doc)
    add_event(doc, day, text)
    cal = parse_calendar(doc.to_bytes())
    added = events_on(cal, day)
    raw = text.strip()
    if sum(e.raw == raw for e in added) > 1:
        return  # the same event twice is ambiguous by design
    remove_event(doc, day, raw)
    assert {d: e for d, e in events_by_day(doc).items() if e} == before


@given(calendars(), st.data())
def test_remove_and_move_change_only_their_lines(doc: LineDoc, data: st.DataObject) -> None:
    found = events_between(parse_calendar(doc.to_bytes()), date.min, date.max)
    if not found:
        return
    day = data.draw(st.sampled_from(sorted(found)))
    event = data.draw(st.sampled_from(found[day]))
    before = doc.copy()
    try:
        index = remove_event(doc, day, event.raw)
    except CalendarEditError as err:
        assert "events on" in str(err) and doc == before  # the same raw text twice
        return
    assert_one_line_changed(before, doc, index)
    removed = sorted(events_by_day(before)[day])
    removed.remove(event.raw)
    assert events_by_day(doc).get(day, []) == removed
    target = data.draw(days)
    moved = before.copy()
    move_event(moved, day, event.raw, target)
    old_events = parse_calendar(before.to_bytes())
    new_events = parse_calendar(moved.to_bytes())
    keys = {day, target}
    assert {d: e for d, e in events_by_day(moved).items() if d not in keys} == {
        d: e for d, e in events_by_day(before).items() if d not in keys
    }
    assert sum(map(len, events_between(new_events, date.min, date.max).values())) == sum(
        map(len, events_between(old_events, date.min, date.max).values())
    )
    assert any(
        (e.start, e.end, e.text) == (event.start, event.end, event.text)
        for e in events_on(new_events, target)
    )


@given(
    st.lists(
        st.sampled_from(["# c", "", "2026  y", "2026-01  m", "2026-01-05 w02  w"]), max_size=6
    ),
    st.sets(days, max_size=8),
    days,
)
def test_inserted_days_stay_in_date_order(extra: list[str], present: set[date], day: date) -> None:
    lines = [day_line(d, ["x"], False) for d in sorted(present)]
    for i, line in enumerate(extra):
        lines.insert(i * 2 % (len(lines) + 1), line)
    doc = doc_of("\n".join(lines) + "\n")
    add_event(doc, day, "new")
    dates = [dl.day for dl in parse_calendar(doc.to_bytes()).day_lines]
    assert dates == sorted(dates)
    assert day in dates
