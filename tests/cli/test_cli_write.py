"""The ``myorg`` CLI's write commands and its answers to bad input, run as a user would."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.lines import LineDoc
from tests.cli.cli_harness import (
    FIXTURE,
    commits,
    git,
    last_commit,
    lines_of,
    run,
    run_json,
    state,
    todo_doc,
)

# --- writes ------------------------------------------------------------------------------------


def test_add_appends_one_line_and_commits_it(repo: Path) -> None:
    before = (repo / "todo.txt").read_bytes()
    count = commits(repo)
    done = run(repo, "add", "(B)", "Call", "the", "bank", "@phone", "due:fri")
    assert done.returncode == 0, done.stderr
    line = b"(B) 2026-11-23 Call the bank @phone due:2026-11-27"
    # The file had no final newline: the old last line gets one, the new line ends like the file.
    assert (repo / "todo.txt").read_bytes() == before + b"\n" + line + b"\n"
    assert "36" in done.stdout
    assert commits(repo) == count + 1
    subject, files = last_commit(repo)
    assert subject == "add task: (B) Call the bank @phone due:fri (via cli)"
    assert files == ["todo.txt"]
    assert git(repo, "status", "--porcelain") == ""


def test_add_json_reports_the_operation(repo: Path) -> None:
    result = run_json(repo, "add", "Water the ferns @home")
    assert result["kind"] == "add_task" and result["files"] == ["todo.txt"]
    assert result["data"] == {"line": 36, "raw": "2026-11-23 Water the ferns @home"}


def test_done_marks_in_place_and_keeps_every_other_byte(repo: Path) -> None:
    before = todo_doc(repo)
    count = commits(repo)
    done = run(repo, "done", "3")
    assert done.returncode == 0, done.stderr
    after = todo_doc(repo)
    expected = before.copy()
    expected.replace(
        2,
        "x 2026-11-23 2026-11-20 Call the plumber about the bathroom leak +house @phone "
        "due:2026-11-25 est:15m pri:A",
    )
    assert after.to_bytes() == expected.to_bytes()
    assert commits(repo) == count + 1
    subject, files = last_commit(repo)
    assert subject == f"complete task: {before.lines[2]} (via cli)"
    # The completion is noted in working memory, in the same commit.
    assert files == ["todo.txt", "working-memory.txt"]
    memory = (repo / "working-memory.txt").read_text("utf-8").splitlines()
    assert memory[-1] == "2026-11-23 09:00 Done: Call the plumber about the bathroom leak +house"


def test_done_on_a_recurring_task_adds_the_next_one(repo: Path) -> None:
    before = (repo / "todo.txt").read_bytes()
    done = run(repo, "done", "9")
    assert done.returncode == 0, done.stderr
    assert "Next occurrence on line 36" in done.stdout
    old = b"2026-11-02 Write 500 words before lunch +book @computer t:2026-11-23 rec:1d est:1h"
    new = (
        b"x 2026-11-23 2026-11-02 Write 500 words before lunch +book @computer t:2026-11-23 "
        b"rec:1d est:1h"
    )
    nxt = b"2026-11-23 Write 500 words before lunch +book @computer t:2026-11-24 rec:1d est:1h" \
          b" due:2026-11-24"
    assert (repo / "todo.txt").read_bytes() == before.replace(old, new) + b"\n" + nxt + b"\n"
    assert commits(repo) == 2


def test_done_unblocks_the_parent_task(repo: Path) -> None:
    assert run(repo, "done", "6").returncode == 0
    assert 5 not in lines_of(run_json(repo, "tasks"))
    assert run(repo, "done", "7").returncode == 0
    assert 5 in lines_of(run_json(repo, "tasks"))
    assert commits(repo) == 3


PLUMBER = (
    "(A) 2026-11-20 Call the plumber about the bathroom leak +house @phone due:2026-11-25 est:15m"
)


def changed_line_3(repo: Path, *args: str) -> tuple[str, str]:
    """Run ``args``; the new line 3 and the commit's subject. Every other line is unchanged."""
    before = todo_doc(repo)
    done = run(repo, *args)
    assert done.returncode == 0, done.stderr
    after = todo_doc(repo)
    assert before.lines[2] == PLUMBER
    assert after.lines[:2] == before.lines[:2] and after.lines[3:] == before.lines[3:]
    assert after.endings == before.endings
    return after.lines[2], last_commit(repo)[0]


def test_pri_sets_and_removes_the_priority(repo: Path) -> None:
    line, subject = changed_line_3(repo, "pri", "3", "c")
    assert line == PLUMBER.replace("(A)", "(C)", 1)
    assert subject == f"set priority C: {PLUMBER} (via cli)"
    done = run(repo, "pri", "3", "-")
    assert done.returncode == 0, done.stderr
    assert todo_doc(repo).lines[2] == PLUMBER.removeprefix("(A) ")


def test_append_adds_words_and_changes_a_due_date_in_place(repo: Path) -> None:
    line, subject = changed_line_3(repo, "append", "3", "due:fri", "@errands")
    # Friday after Monday 2026-11-23; the one due: changed where it stood, the rest added.
    assert line == PLUMBER.replace("due:2026-11-25", "due:2026-11-27") + " @errands"
    assert subject.startswith(f"edit task: {PLUMBER} -> ")


def test_edit_replaces_the_line_and_del_removes_it(repo: Path) -> None:
    line, _ = changed_line_3(repo, "edit", "3", "(B) Call the plumber again due:tomorrow")
    assert line == "(B) Call the plumber again due:2026-11-24"
    count = len(todo_doc(repo).lines)
    done = run(repo, "del", "3")
    assert done.returncode == 0, done.stderr
    assert "Deleted line 3: (B) Call the plumber again due:2026-11-24" in done.stdout
    assert len(todo_doc(repo).lines) == count - 1
    assert b"Call the plumber" not in (repo / "todo.txt").read_bytes()
    assert last_commit(repo) == (
        "delete task: (B) Call the plumber again due:2026-11-24 (via cli)",
        ["todo.txt"],
    )


def test_archive_moves_done_lines_to_done_txt(repo: Path) -> None:
    todo_before = todo_doc(repo)
    done_before = (repo / "done.txt").read_bytes()
    done = run(repo, "archive")
    assert done.returncode == 0, done.stderr
    moved_lines = [23, 32, 33, 34]
    moved = [todo_before.lines[n - 1] for n in moved_lines]
    expected = todo_before.copy()
    for n in reversed(moved_lines):
        expected.delete(n - 1)
    assert (repo / "todo.txt").read_bytes() == expected.to_bytes()
    newline = LineDoc.from_bytes(done_before).newline.encode()
    assert (repo / "done.txt").read_bytes() == done_before + b"".join(
        m.encode() + newline for m in moved
    )
    assert "Archived 4" in done.stdout
    subject, files = last_commit(repo)
    assert subject == "archive done tasks to done.txt (via cli)"
    assert files == ["done.txt", "todo.txt"]
    # Nothing left to archive: no change, no empty commit.
    head = git(repo, "rev-parse", "HEAD")
    again = run(repo, "archive")
    assert again.returncode == 0 and "Archived 0" in again.stdout
    assert git(repo, "rev-parse", "HEAD") == head


def test_event_add_to_an_existing_empty_day(repo: Path) -> None:
    before = LineDoc.from_bytes((repo / "calendar.txt").read_bytes())
    done = run(repo, "event", "add", "2026-11-25", "10:00", "Dentist", "@town")
    assert done.returncode == 0, done.stderr
    after = LineDoc.from_bytes((repo / "calendar.txt").read_bytes())
    expected = before.copy()
    expected.replace(9, "2026-11-25 w48 Wed  10:00 Dentist @town")
    assert after.to_bytes() == expected.to_bytes()
    subject, files = last_commit(repo)
    assert subject == "add event 2026-11-25 10:00: Dentist @town (via cli)"
    assert files == ["calendar.txt"]


def test_event_add_inserts_a_missing_day_in_order(repo: Path) -> None:
    before = LineDoc.from_bytes((repo / "calendar.txt").read_bytes())
    done = run(repo, "event", "add", "fri", "Pay", "the", "rent")
    assert done.returncode == 0, done.stderr
    after = LineDoc.from_bytes((repo / "calendar.txt").read_bytes())
    expected = before.copy()
    expected.insert(11, "2026-11-27 w48 Fri  Pay the rent")
    assert after.to_bytes() == expected.to_bytes()
    assert commits(repo) == 2
    events = run_json(repo, "today", now="2026-11-27T08:00")["events"]
    assert events == [{"start": None, "end": None, "text": "Pay the rent"}]


# --- bad input -----------------------------------------------------------------------------------


@pytest.fixture
def not_git(tmp_path: Path) -> Iterator[Path]:
    plain = tmp_path / "plain"
    shutil.copytree(FIXTURE, plain)
    yield plain


BAD = [
    (("done", "999"), "no task on line 999"),
    (("done", "1"), "no task on line 1"),
    (("done", "32"), "already done"),
    (("pri", "3", "AB"), "invalid priority"),
    (("pri", "32", "A"), "is done"),
    (("edit", "3", "  "), "empty"),
    (("del", "999"), "no task on line 999"),
    (("append", "1", "x"), "no task on line 1"),
    (("add", "   "), "empty"),
    (("add", "Pay", "due:someday"), "not a date"),
    (("event", "add", "2026-13-45", "Party"), "not a date"),
    (("event", "add", "someday", "Party"), "not a date"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    repo: Path, args: tuple[str, ...], message: str
) -> None:
    before = state(repo)
    done = run(repo, *args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("myorg: ") and message in done.stderr
    assert state(repo) == before
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize("args", [("tasks",), ("add", "x y")])
def test_repo_that_is_not_git_is_refused(not_git: Path, args: tuple[str, ...]) -> None:
    before = {p.name: p.read_bytes() for p in not_git.iterdir() if p.is_file()}
    done = run(not_git, *args)
    assert done.returncode == 2
    assert done.stderr.strip() == f"myorg: {not_git} is not a git repository"
    assert {p.name: p.read_bytes() for p in not_git.iterdir() if p.is_file()} == before
    assert not (not_git / ".git").exists()


def test_missing_repo_dir_is_refused(tmp_path: Path) -> None:
    done = run(tmp_path / "nowhere", "tasks")
    assert done.returncode == 2
    assert done.stderr.strip() == f"myorg: {tmp_path / 'nowhere'} is not a directory"


@pytest.mark.parametrize("now", ["yesterday-ish", "2026-11-23T25:00"])
def test_invalid_now(repo: Path, now: str) -> None:
    before = state(repo)
    done = run(repo, "add", "Something", now=now)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "--now" in done.stderr and "Traceback" not in done.stderr
    assert state(repo) == before


@pytest.mark.parametrize(
    "args",
    [
        ("done", "abc"),
        ("tasks", "--priority", "AA"),
        ("tasks", "--due-within", "-1"),
    ],
)
def test_argument_errors_exit_2_without_traceback(repo: Path, args: tuple[str, ...]) -> None:
    before = state(repo)
    done = run(repo, *args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("myorg")
    assert state(repo) == before
