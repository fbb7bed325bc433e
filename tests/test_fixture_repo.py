"""The fixture org repository holds the edge cases tests/fixtures/README.md says it holds."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from shared.lines import LineDoc
from shared.todo import parse_task

FIXTURES = Path(__file__).parent / "fixtures"
ORG = FIXTURES / "org"


def test_todo_edge_cases_are_where_the_readme_says() -> None:
    data = (ORG / "todo.txt").read_bytes()
    doc = LineDoc.from_bytes(data)
    assert doc.to_bytes() == data
    assert len(doc) == 35
    assert [n for n, end in enumerate(doc.endings, 1) if end == "\r\n"] == [7]
    assert doc.endings[-1] == ""
    bad = [n for n, line in enumerate(data.split(b"\n"), 1) if not _is_utf8(line)]
    assert bad == [20]
    assert doc.lines[0].startswith("#") and doc.lines[1] == "" and doc.lines[25] == ""
    assert doc.lines[5].endswith("   ")
    assert (doc.lines[21], doc.lines[22]) == ("(A)", "x")
    assert "due:2026-13-45" in doc.lines[20]
    assert "https://" in doc.lines[10]
    tasks = [parse_task(line, n) for n, line in enumerate(doc.lines, 1)]
    assert tasks[4].attr("id") == "1"
    assert [t.line for t in tasks if t.attr("p") == "1"] == [6, 7]


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_calendar_has_a_wrong_weekday_and_missing_days() -> None:
    lines = (ORG / "calendar.txt").read_text("utf-8").splitlines()
    assert len(lines) == 18
    day_lines = [line for line in lines if line[:4].isdigit() and line[11:12] == "w"]
    wrong = [
        line
        for line in day_lines
        if line[15:18].isalpha() and date.fromisoformat(line[:10]).strftime("%a") != line[15:18]
    ]
    assert wrong == [lines[10]]
    assert "2026-11-27" not in "\n".join(lines)
    assert lines[6] == "2026-11-23 w48  Ship ACME staging and send chapter 3"


def test_git_keeps_the_fixture_bytes() -> None:
    out = subprocess.run(
        ["git", "check-attr", "text", "--", "org/todo.txt"],
        cwd=FIXTURES,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "org/todo.txt: text: unset"
