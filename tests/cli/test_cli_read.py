"""The ``myorg`` CLI's read commands as a user runs them: tasks, today, projects, goals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shared.lines import LineDoc
from tests.cli.cli_harness import (
    PROJECT,
    TASK_KEYS,
    TODAY_KEYS,
    env,
    lines_of,
    run,
    run_in_process,
    run_json,
    todo_doc,
)

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
