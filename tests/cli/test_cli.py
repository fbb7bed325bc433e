"""The ``myorg`` CLI as a user runs it: a real subprocess against a git copy of the fixture repo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.lines import LineDoc

PROJECT = Path(__file__).resolve().parents[2]
FIXTURE = PROJECT / "tests" / "fixtures" / "org"
NOW = "2026-11-23T09:00"
TASK_KEYS = {
    "line", "raw", "done", "priority", "completion_date", "creation_date", "text", "projects",
    "contexts", "attributes", "due", "threshold", "recurrence",
}
TODAY_KEYS = {
    "date", "events", "overdue", "due_today", "due_within", "waiting_stale", "stalled_projects",
    "goals", "open_by_context",
}
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Marta Ruiz",
    "GIT_AUTHOR_EMAIL": "marta@example.org",
    "GIT_COMMITTER_NAME": "Marta Ruiz",
    "GIT_COMMITTER_EMAIL": "marta@example.org",
}


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith(("ORG_", "TIMEZONE", "GIT_"))}
    # A strict UTF-8 stdout, as in a UTF-8 terminal: text that is not UTF-8 must not crash output.
    out.update(GIT_ENV, PYTHONIOENCODING="utf-8", TIMEZONE="UTC")
    return out


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "core.autocrlf=false", *args],
        cwd=repo, env=env(), capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture repo committed once; each test gets a copy of it (with its .git)."""
    root = tmp_path_factory.mktemp("template") / "org"
    shutil.copytree(FIXTURE, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Org repo as kept by hand")
    return root


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "org"
    shutil.copytree(template, dest, symlinks=True)
    return dest


def run(repo: Path | str, *args: str, now: str | None = NOW) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "cli", *args, "--repo", str(repo)]
    if now is not None:
        cmd += ["--now", now]
    return subprocess.run(
        cmd, cwd=PROJECT, env=env(), capture_output=True, text=True,
        encoding="utf-8", errors="surrogateescape", timeout=60,
    )


def run_json(repo: Path, *args: str, now: str = NOW) -> Any:
    done = run(repo, *args, "--json", now=now)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def tasks_now(template: Path) -> list[dict[str, Any]]:
    """``tasks --json`` on the untouched repo (read-only commands share one run)."""
    return run_json(template, "tasks")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def today_view(template: Path) -> dict[str, Any]:
    return run_json(template, "today")  # type: ignore[no-any-return]


def run_in_process(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> Any:
    """The same entry point without a new interpreter, for a matrix of read-only variations."""
    from cli.main import main

    for key, value in env().items():
        monkeypatch.setenv(key, value)
    code = main([*args, "--json", "--repo", str(repo), "--now", NOW])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def lines_of(tasks: list[dict[str, Any]]) -> list[int]:
    return [t["line"] for t in tasks]


def todo_doc(repo: Path) -> LineDoc:
    return LineDoc.from_bytes((repo / "todo.txt").read_bytes())


def state(repo: Path) -> tuple[dict[str, bytes], str]:
    files = {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    return files, git(repo, "rev-parse", "HEAD")


def commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def last_commit(repo: Path) -> tuple[str, list[str]]:
    subject = git(repo, "log", "-1", "--format=%s")
    files = git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    return subject, sorted(files)


# --- tasks -------------------------------------------------------------------------------------


def test_tasks_json_keys_values_and_line_numbers(
    template: Path, tasks_now: list[dict[str, Any]]
) -> None:
    tasks = tasks_now
    doc = todo_doc(template)
    assert tasks
    for t in tasks:
        assert set(t) >= TASK_KEYS
        assert doc.lines[t["line"] - 1] == t["raw"]
        assert not t["done"]
    by_line = {t["line"]: t for t in tasks}
    plumber = by_line[3]
    assert plumber["priority"] == "A"
    assert plumber["creation_date"] == "2026-11-20"
    assert plumber["completion_date"] is None
    assert plumber["text"] == (
        "Call the plumber about the bathroom leak +house @phone due:2026-11-25 est:15m"
    )
    assert plumber["projects"] == ["house"] and plumber["contexts"] == ["@phone"]
    assert plumber["attributes"] == {"due": "2026-11-25", "est": "15m"}
    assert plumber["due"] == "2026-11-25" and plumber["threshold"] is None
    assert by_line[17]["recurrence"] == "1y"
    assert by_line[24]["attributes"]["due"] == ["2026-11-28", "2026-11-30"]
    assert by_line[25]["projects"] == ["family"]
    assert "https" not in by_line[11]["attributes"]
    assert by_line[19]["threshold"] == "2026-11-22"


def test_tasks_default_view_is_what_to_do_now(tasks_now: list[dict[str, Any]]) -> None:
    shown = set(lines_of(tasks_now))
    assert 5 not in shown  # id:1 is blocked by the open p:1 tasks on lines 6 and 7
    assert {6, 7} <= shown
    assert 16 not in shown  # t:2026-12-01 is in the future
    assert {9, 19} <= shown  # thresholds of today and yesterday
    assert not shown & {22, 23, 32, 33, 34}  # empty and done lines
    assert 21 in shown  # open, with a malformed due date


def test_tasks_sorted_by_priority_then_due_then_line(tasks_now: list[dict[str, Any]]) -> None:
    tasks = tasks_now
    keys = [(t["priority"] or "~", t["due"] or "9999", t["line"]) for t in tasks]
    assert keys == sorted(keys)
    assert lines_of(tasks)[:2] == [4, 3]


def test_tasks_all_includes_done_hidden_blocked_and_malformed(template: Path) -> None:
    tasks = run_json(template, "tasks", "--all")
    doc = todo_doc(template)
    task_lines = [n for n, raw in enumerate(doc.lines, 1) if raw.strip() and raw[0] != "#"]
    assert lines_of(tasks) == task_lines
    assert len(tasks) == 32
    by_line = {t["line"]: t for t in tasks}
    assert by_line[22]["priority"] == "A" and by_line[22]["text"] == ""
    assert by_line[22]["problems"]
    assert by_line[23]["done"] is True and by_line[23]["problems"]
    assert by_line[21]["attributes"] == {"due": "2026-13-45"} and by_line[21]["due"] is None
    assert by_line[21]["problems"]
    assert by_line[33]["done"] and by_line[33]["completion_date"] == "2026-11-21"
    assert by_line[33]["attributes"] == {"pri": "A"} and by_line[33]["priority"] is None
    assert by_line[34]["creation_date"] is None
    assert {5, 16} <= set(by_line)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--context", "@phone"), {3, 17, 31, 35}),
        (("--context", "phone"), {3, 17, 31, 35}),
        (("--project", "+house"), {3, 15, 17, 19, 24, 28}),
        (("--priority", "A"), {3, 4}),
        (("--priority", "b"), {6, 7, 10, 28}),
        (("--search", "ACME"), {4, 10, 11, 13, 14}),
        (("--search", "passport"), {21}),
        (("--due-within", "3"), {3, 4, 10, 11, 14, 35}),
        (("--due-within", "0"), {4, 10, 35}),
        (("--context", "@computer", "--project", "book"), {6, 7, 8, 9}),
        (("--all", "--project", "running"), {18, 32}),
    ],
)
def test_tasks_filters(
    template: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    expected: set[int],
) -> None:
    found = run_in_process(template, capsys, monkeypatch, "tasks", *args)
    assert set(lines_of(found)) == expected


def test_tasks_filter_in_a_real_process(template: Path) -> None:
    found = run_json(template, "tasks", "--project", "+house", "--priority", "A")
    assert lines_of(found) == [3]


def test_non_utf8_line_is_output_losslessly(repo: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cli", "tasks", "--search", "beans", "--json", "--repo", str(repo)],
        cwd=PROJECT, env=env(), capture_output=True, check=True,
    ).stdout
    (task,) = json.loads(out.decode("utf-8"))  # valid UTF-8 JSON, the odd byte escaped
    raw_bytes = (repo / "todo.txt").read_bytes().split(b"\n")[19]
    assert task["line"] == 20
    assert task["raw"].encode("utf-8", "surrogateescape") == raw_bytes
    table = run(repo, "tasks", "--search", "beans")
    assert table.returncode == 0, table.stderr
    assert "beans" in table.stdout


def test_table_output_shows_tasks(template: Path) -> None:
    done = run(template, "tasks", "--context", "@phone")
    assert done.returncode == 0, done.stderr
    assert "Call the plumber" in done.stdout and "Dentist" in done.stdout
    assert "Fix the checkout" not in done.stdout


def test_a_closed_pipe_is_not_a_traceback(repo: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "tasks", "--all", "--json", "--repo", str(repo)],
        cwd=PROJECT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `myorg tasks --json | head -0`
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=60)
    proc.stderr.close()
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "myorg"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=env())
    assert done.returncode == 0
    for command in ("tasks", "add", "done", "archive", "event", "today", "projects", "goals"):
        assert command in done.stdout


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
    assert files == ["todo.txt"]


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


# --- today, projects, goals --------------------------------------------------------------------


def test_today_json(today_view: dict[str, Any]) -> None:
    view = today_view
    assert set(view) == TODAY_KEYS
    assert view["date"] == "2026-11-23"
    assert view["events"] == [
        {"start": "09:00", "end": "09:30", "text": "ACME standup +acme"},
        {"start": "10:00", "end": "13:00", "text": "revise chapter 3 +book"},
        {"start": "16:30", "end": None, "text": "pick up Pablo"},
        {"start": "19:00", "end": None, "text": "gym"},
    ]
    assert lines_of(view["overdue"]) == [4]
    assert lines_of(view["due_today"]) == [10, 35]
    within = {n: set(lines_of(ts)) for n, ts in view["due_within"].items()}
    assert within == {
        "1": {11},
        "3": {11, 3, 14},
        "7": {11, 3, 14, 30, 28, 24, 18, 29},  # line 5 (due 11-27) is blocked
    }
    for tasks in view["due_within"].values():
        dues = [t["due"] for t in tasks]
        assert dues == sorted(dues)
    assert lines_of(view["waiting_stale"]) == [12, 13]
    for t in view["overdue"] + view["due_today"] + view["waiting_stale"]:
        assert set(t) >= TASK_KEYS
    assert view["stalled_projects"] == ["clients", "house"]
    assert view["goals"] == [
        {"id": "revenue-5k", "title": "Reach 5k monthly freelance revenue", "done": 1, "total": 4},
        {"id": "book-draft", "title": "Finish the first draft of chapters 1-6", "done": 1,
         "total": 4},
        {"id": "home-winter", "title": "Get the house ready for winter", "done": 1, "total": 4},
        {"id": "run-10k", "title": "Run 10 km under 55 minutes", "done": 1, "total": 4},
    ]


def test_today_open_by_context_counts_open_tasks_in_each_context(
    template: Path, today_view: dict[str, Any]
) -> None:
    view = today_view
    expected: dict[str, int] = {}
    for raw in todo_doc(template).lines:
        words = raw.split()
        if not words or raw.startswith("#") or words[0] == "x" or raw in ("(A)",):
            continue
        for ctx in {w for w in words if w.startswith("@") and len(w) > 1}:
            expected[ctx] = expected.get(ctx, 0) + 1
    assert view["open_by_context"] == expected
    assert view["open_by_context"]["@waiting"] == 4


def test_today_events_all_day_first_in_file_order_then_timed_by_start(repo: Path) -> None:
    cal = LineDoc.from_bytes((repo / "calendar.txt").read_bytes())
    cal.replace(
        7, "2026-11-23 w48 Mon  19 gym. Pay rent. 9-9:30 standup. Ana's birthday. 16:30 Pablo"
    )
    (repo / "calendar.txt").write_bytes(cal.to_bytes())
    events = run_json(repo, "today")["events"]
    assert events == [
        {"start": None, "end": None, "text": "Pay rent"},
        {"start": None, "end": None, "text": "Ana's birthday"},
        {"start": "09:00", "end": "09:30", "text": "standup"},
        {"start": "16:30", "end": None, "text": "Pablo"},
        {"start": "19:00", "end": None, "text": "gym"},
    ]


def test_now_is_read_in_the_owners_timezone(template: Path) -> None:
    # 23:30 UTC on the 23rd is already the 24th in Europe/Madrid (assistant.toml).
    view = run_json(template, "today", now="2026-11-23T23:30:00+00:00")
    assert view["date"] == "2026-11-24"
    assert [e["text"] for e in view["events"]] == [
        "staging walkthrough with Ana +acme",
        "physio @town",
    ]


def test_today_table_output(template: Path) -> None:
    done = run(template, "today")
    assert done.returncode == 0, done.stderr
    assert "Monday 23 November 2026" in done.stdout
    assert "ACME standup" in done.stdout and "Fix the checkout bug" in done.stdout


def test_projects_json(template: Path) -> None:
    projects = run_json(template, "projects")
    slugs = [p["slug"] for p in projects]
    assert slugs == ["acme", "clients", "book", "house", "running", "christmas", "garden",
                     "newsletter"]
    by_slug = {p["slug"]: p for p in projects}
    assert by_slug["house"]["status"] == "active"
    assert by_slug["newsletter"]["goals"] == ["book-draft", "revenue-5k"]
    assert by_slug["clients"]["stalled"] and not by_slug["acme"]["stalled"]
    assert by_slug["acme"]["due"] == "2026-12-15"


def test_goals_json(template: Path) -> None:
    goals = run_json(template, "goals")
    assert [g["id"] for g in goals] == ["revenue-5k", "book-draft", "home-winter", "run-10k"]
    assert goals[0]["supports"] == ["G2"] or goals[0]["supports"] == ["telos G2"]
    assert goals[0]["key_results"][0] == {
        "text": "Sign ACME for the shop relaunch (2026-09-15)",
        "done": True,
    }
    assert (goals[0]["done"], goals[0]["total"]) == (1, 4)


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
