"""``rec:`` as topydo defines it."""

from __future__ import annotations

from datetime import date

import pytest

from shared.lines import LineDoc
from shared.recurrence import RecurrenceError, next_occurrence
from shared.todo import parse_task
from shared.todo_edit import complete_task

DONE_ON = date(2026, 11, 23)  # a Monday


def nxt(raw: str, on: date = DONE_ON) -> str | None:
    return next_occurrence(parse_task(raw), on)


def test_no_rec_no_next() -> None:
    assert nxt("Plain task due:2026-11-20") is None


def test_plain_rec_counts_from_the_completion_day() -> None:
    # Completed three days late: the next one is a week after completion, not after the due date.
    line = nxt("Water plants rec:1w due:2026-11-20")
    assert line == "2026-11-23 Water plants rec:1w due:2026-11-30"


def test_strict_rec_counts_from_the_old_due_date() -> None:
    assert nxt("Pay rent rec:+1m due:2026-11-01") == "2026-11-23 Pay rent rec:+1m due:2026-12-01"


def test_strict_rec_without_due_counts_from_completion() -> None:
    assert nxt("Review rec:+2d") == "2026-11-23 Review rec:+2d due:2026-11-25"


def test_rec_without_due_adds_a_due_date() -> None:
    assert nxt("Stretch rec:1d") == "2026-11-23 Stretch rec:1d due:2026-11-24"


@pytest.mark.parametrize(
    ("rec", "due"),
    [("3d", "2026-11-26"), ("2w", "2026-12-07"), ("1m", "2026-12-23"), ("1y", "2027-11-23")],
)
def test_units(rec: str, due: str) -> None:
    assert nxt(f"Thing rec:{rec}") == f"2026-11-23 Thing rec:{rec} due:{due}"


def test_business_days_skip_the_weekend() -> None:
    friday = date(2026, 11, 27)
    assert nxt("Report rec:1b", friday) == "2026-11-27 Report rec:1b due:2026-11-30"
    assert nxt("Report rec:3b", friday) == "2026-11-27 Report rec:3b due:2026-12-02"


def test_strict_business_days_from_the_due_date() -> None:
    line = nxt("Report rec:+1b due:2026-11-20")  # Friday -> Monday
    assert line == "2026-11-23 Report rec:+1b due:2026-11-23"


def test_month_end_clamps() -> None:
    assert nxt("Invoice rec:+1m due:2026-01-31") == "2026-11-23 Invoice rec:+1m due:2026-02-28"
    assert nxt("Invoice rec:1m", date(2028, 1, 31)) == "2028-01-31 Invoice rec:1m due:2028-02-29"
    assert nxt("Leap rec:+1y due:2028-02-29") == "2026-11-23 Leap rec:+1y due:2029-02-28"


def test_threshold_keeps_its_offset_to_the_due_date() -> None:
    line = nxt("Taxes t:2026-11-18 due:2026-11-20 rec:+1w")
    assert line == "2026-11-23 Taxes t:2026-11-25 due:2026-11-27 rec:+1w"
    line = nxt("Taxes t:2026-11-18 due:2026-11-20 rec:1w")
    assert line == "2026-11-23 Taxes t:2026-11-28 due:2026-11-30 rec:1w"


def test_priority_is_kept_and_creation_date_is_the_completion_day() -> None:
    line = nxt("(B) 2026-01-01 Backup +admin @computer rec:1w due:2026-11-23")
    assert line == "(B) 2026-11-23 Backup +admin @computer rec:1w due:2026-11-30"
    task = parse_task(line or "")
    assert task.priority == "B" and task.creation_date == DONE_ON and not task.done


def test_other_attributes_are_kept_in_place() -> None:
    line = nxt("Call mum @phone est:15m rec:1w energy:low due:2026-11-22 who:Mum")
    assert line == "2026-11-23 Call mum @phone est:15m rec:1w energy:low due:2026-11-30 who:Mum"


def test_invalid_rec_is_an_error_and_completion_leaves_the_file() -> None:
    with pytest.raises(RecurrenceError, match="invalid recurrence rec:weekly"):
        nxt("Thing rec:weekly")
    doc = LineDoc.from_bytes(b"Thing rec:weekly\n")
    with pytest.raises(RecurrenceError):
        complete_task(doc, 0, DONE_ON)
    assert doc.to_bytes() == b"Thing rec:weekly\n"


def test_completing_in_a_file_marks_in_place_and_appends_next() -> None:
    doc = LineDoc.from_bytes(b"(A) 2026-11-01 Pay rent rec:+1m due:2026-11-01\nother\n")
    complete_task(doc, 0, DONE_ON)
    assert doc.to_bytes() == (
        b"x 2026-11-23 2026-11-01 Pay rent rec:+1m due:2026-11-01 pri:A\n"
        b"other\n"
        b"(A) 2026-11-23 Pay rent rec:+1m due:2026-12-01\n"
    )
