"""Task edits on a LineDoc: each changes its own line(s) and nothing else."""

from __future__ import annotations

from datetime import date

import pytest

from shared.lines import LineDoc
from shared.todo import parse_task
from shared.todo_edit import (
    MAX_TASK_CHARS,
    TaskEditError,
    add_task,
    appended,
    archive_done,
    clean_text,
    complete_task,
    completed_line,
    delete_task,
    edit_task,
    new_task_line,
    prioritize_task,
    resolve_relative_dates,
)

TODAY = date(2026, 11, 23)  # a Monday
FILE = (
    b"\xef\xbb\xbf# my tasks  \r\n"
    b"(A) 2026-11-20 Call the plumber +house @telefon due:2026-11-25\r\n"
    b"\r\n"
    b"x 2026-11-22 2026-11-18 Send invoice +freelance\n"
    b"caf\xe9 latin-1 line   \n"
    b"Water plants rec:1w due:2026-11-23"
)


def doc() -> LineDoc:
    return LineDoc.from_bytes(FILE)


def other_lines_unchanged(before: LineDoc, after: LineDoc, touched: set[int]) -> None:
    for i, (line, end) in enumerate(zip(before.lines, before.endings, strict=True)):
        if i not in touched and i < len(after.lines):
            assert after.lines[i] == line, i
            if i < len(before.lines) - 1:
                assert after.endings[i] == end, i


def test_new_task_gets_todays_creation_date_after_its_priority() -> None:
    assert new_task_line("(B) Call Ana @phone", TODAY) == "(B) 2026-11-23 Call Ana @phone"
    assert new_task_line("Call Ana", TODAY) == "2026-11-23 Call Ana"


def test_new_task_keeps_a_given_creation_date_and_done_lines() -> None:
    assert new_task_line("2026-01-01 Old idea", TODAY) == "2026-01-01 Old idea"
    assert new_task_line("x 2026-11-20 Done already", TODAY) == "x 2026-11-20 Done already"


def test_new_task_resolves_relative_dates() -> None:
    line = new_task_line("Pay rent due:fri t:tomorrow", TODAY)
    assert line == "2026-11-23 Pay rent due:2026-11-27 t:2026-11-24"


def test_relative_date_that_is_not_a_date_is_an_error() -> None:
    with pytest.raises(TaskEditError, match="due:someday: not a date"):
        resolve_relative_dates("Pay due:someday", TODAY)
    assert resolve_relative_dates("see https://x.org est:2h", TODAY) == "see https://x.org est:2h"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("two\nlines", "line break"),
        ("cr\rline", "line break"),
        ("nul\x00", "NUL"),
        ("x" * (MAX_TASK_CHARS + 1), "too long"),
    ],
)
def test_clean_text_rejects_bad_text(text: str, message: str) -> None:
    with pytest.raises(TaskEditError, match=message):
        clean_text(text)


def test_add_appends_one_line_with_the_files_ending_and_terminates_the_last() -> None:
    d = doc()
    index = add_task(d, "New thing +p", TODAY)
    assert index == 6
    assert d.to_bytes() == FILE + b"\r\n2026-11-23 New thing +p\r\n"


def test_complete_moves_priority_to_pri_and_keeps_creation_date() -> None:
    d = doc()
    assert complete_task(d, 1, TODAY) == [1]
    expected = FILE.replace(
        b"(A) 2026-11-20 Call the plumber +house @telefon due:2026-11-25",
        b"x 2026-11-23 2026-11-20 Call the plumber +house @telefon due:2026-11-25 pri:A",
    )
    assert d.to_bytes() == expected


def test_complete_without_creation_date_or_priority() -> None:
    assert completed_line(parse_task("Call Ana"), TODAY) == "x 2026-11-23 Call Ana"


def test_complete_recurring_task_appends_next_occurrence() -> None:
    d = doc()
    before = d.copy()
    touched = complete_task(d, 5, TODAY)
    assert touched == [5, 6]
    assert d.lines[5] == "x 2026-11-23 Water plants rec:1w due:2026-11-23"
    assert d.lines[6] == "2026-11-23 Water plants rec:1w due:2026-11-30"
    other_lines_unchanged(before, d, {5, 6})


def test_complete_twice_is_refused() -> None:
    d = doc()
    with pytest.raises(TaskEditError, match="already done"):
        complete_task(d, 3, TODAY)
    assert d.to_bytes() == FILE


def test_edit_replaces_only_its_line() -> None:
    d = doc()
    edit_task(d, 4, "  café edited due:tomorrow ", TODAY)
    edited = "café edited due:2026-11-24".encode()
    assert d.to_bytes() == FILE.replace(b"caf\xe9 latin-1 line   ", edited)


def test_delete_removes_only_its_line() -> None:
    d = doc()
    raw = delete_task(d, 1)
    assert raw.startswith("(A) 2026-11-20 Call")
    assert d.to_bytes() == FILE.replace(
        b"(A) 2026-11-20 Call the plumber +house @telefon due:2026-11-25\r\n", b""
    )


@pytest.mark.parametrize(
    ("priority", "line"),
    [
        ("B", "(B) 2026-11-20 Call the plumber +house @telefon due:2026-11-25"),
        ("(c)", "(C) 2026-11-20 Call the plumber +house @telefon due:2026-11-25"),
        (None, "2026-11-20 Call the plumber +house @telefon due:2026-11-25"),
        ("", "2026-11-20 Call the plumber +house @telefon due:2026-11-25"),
    ],
)
def test_prioritize(priority: str | None, line: str) -> None:
    d = doc()
    before = d.copy()
    prioritize_task(d, 1, priority)
    assert d.lines[1] == line
    other_lines_unchanged(before, d, {1})
    assert d.endings == before.endings


def test_prioritize_adds_priority_to_a_plain_task() -> None:
    d = LineDoc.from_bytes(b"Call Ana\n")
    prioritize_task(d, 0, "a")
    assert d.to_bytes() == b"(A) Call Ana\n"


@pytest.mark.parametrize("priority", ["AB", "1", "ä"])
def test_prioritize_rejects_bad_priority(priority: str) -> None:
    d = doc()
    with pytest.raises(TaskEditError, match="invalid priority"):
        prioritize_task(d, 1, priority)
    assert d.to_bytes() == FILE


def test_prioritize_a_done_task_is_refused() -> None:
    with pytest.raises(TaskEditError, match="is done"):
        prioritize_task(doc(), 3, "A")


def test_archive_moves_done_lines_in_order_to_done_file() -> None:
    todo = LineDoc.from_bytes(b"# keep\r\nx 2026-11-01 one\r\nopen\r\nx two\r\n\r\nx\r\nlast open")
    done = LineDoc.from_bytes(b"x 2026-10-01 old\n")
    moved = archive_done(todo, done)
    assert moved == ["x 2026-11-01 one", "x two", "x"]
    assert todo.to_bytes() == b"# keep\r\nopen\r\n\r\nlast open"
    assert done.to_bytes() == b"x 2026-10-01 old\nx 2026-11-01 one\nx two\nx\n"


def test_archive_with_nothing_done_changes_nothing() -> None:
    todo = LineDoc.from_bytes(b"open\n")
    done = LineDoc.from_bytes(b"")
    assert archive_done(todo, done) == []
    assert todo.to_bytes() == b"open\n" and done.to_bytes() == b""


def test_appended_changes_a_due_date_the_task_has_and_adds_the_rest() -> None:
    raw = "(A) 2026-11-20 Call the plumber +house due:2026-11-25 est:15m   "
    assert appended(raw, "due:fri @phone") == (
        "(A) 2026-11-20 Call the plumber +house due:fri est:15m @phone"
    )
    assert appended("Call Ana t:2026-01-01", "t:mon rec:1w") == "Call Ana t:mon rec:1w"
    assert appended("Call Ana", "due:fri") == "Call Ana due:fri"
    assert appended("Read https://x.example/a:b", "see:notes") == (
        "Read https://x.example/a:b see:notes"
    )
