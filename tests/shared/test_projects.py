from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.lines import LineDoc
from shared.projects import (
    ProjectError,
    parse_project,
    parse_projects,
    projects_by_slug,
    set_project_status,
)

CONTRACT = (
    b"+freelance ACME website relaunch status:active goal:q4-revenue due:2026-12-15 area:work\n"
    b"+house Fix the bathroom leak status:active goal:home-safe\n"
    b'+book Write "Plain Text Life" status:paused goal:write-book\n'
)


def test_contract_example() -> None:
    freelance, house, book = parse_projects(CONTRACT)
    assert freelance.slug == "freelance"
    assert freelance.title == "ACME website relaunch"
    assert freelance.status == "active"
    assert freelance.goals == ("q4-revenue",)
    assert freelance.due == date(2026, 12, 15)
    assert freelance.area == "work"
    assert freelance.line == 1
    assert freelance.raw == CONTRACT.decode().splitlines()[0]
    assert ("area", "work") in freelance.attrs
    assert house.goals == ("home-safe",) and house.line == 2 and house.active
    assert book.title == 'Write "Plain Text Life"'
    assert book.status == "paused" and not book.active
    assert all(not p.problems for p in (freelance, house, book))


def test_status_defaults_to_active_and_several_goals() -> None:
    p = parse_project("+garden Plant the roses goal:home goal:health goal:home", 3)
    assert p.status == "active"
    assert p.goals == ("home", "health")
    assert p.due is None and p.area is None
    assert p.line == 3


def test_invalid_status_is_a_problem_and_counts_as_active() -> None:
    p = parse_project("+x Something status:finished")
    assert p.status == "active"
    assert any("finished" in problem for problem in p.problems)


def test_status_is_case_insensitive() -> None:
    assert parse_project("+x Title status:Someday").status == "someday"


def test_urls_and_times_stay_in_the_title() -> None:
    p = parse_project("+site Relaunch https://acme.example/shop at 12:30 status:done")
    assert p.title == "Relaunch https://acme.example/shop at 12:30"
    assert p.status == "done"


def test_invalid_due_is_a_problem() -> None:
    p = parse_project("+x Title due:2026-13-40")
    assert p.due is None
    assert p.problems == ("invalid date in due:2026-13-40",)


def test_comments_blank_lines_and_malformed_lines() -> None:
    data = b"# my projects\n\n+a Alpha\nNotes about things\n+b Beta\n"
    projects = parse_projects(data)
    assert [(p.slug, p.line) for p in projects] == [("a", 3), ("", 4), ("b", 5)]
    assert projects[1].raw == "Notes about things"
    assert projects[1].problems == ("a project line must start with its +slug",)
    assert list(projects_by_slug(projects)) == ["a", "b"]


def test_duplicate_slug_is_flagged_and_first_wins() -> None:
    projects = parse_projects(b"+a First status:paused\n+a Second\n")
    assert not projects[0].problems
    assert projects[1].problems == ("duplicate project +a (first on line 1)",)
    assert projects_by_slug(projects)["a"].title == "First"


def test_crlf_bom_and_non_utf8_parse() -> None:
    data = b"\xef\xbb\xbf+caf\xc3\xa9 Caf\xc3\xa9 status:paused\r\n+bad T\xff\xfe\r\n"
    first, second = parse_projects(data)
    assert first.slug == "café" and first.status == "paused" and first.line == 1
    assert second.slug == "bad" and second.line == 2


# --- set_project_status -------------------------------------------------------------------


def _edit(data: bytes, slug: str, status: str) -> tuple[bytes, int]:
    doc = LineDoc.from_bytes(data)
    line = set_project_status(doc, slug, status)
    return doc.to_bytes(), line


def test_set_status_changes_only_the_status_word() -> None:
    out, line = _edit(CONTRACT, "house", "done")
    assert line == 2
    assert out == CONTRACT.replace(
        b"+house Fix the bathroom leak status:active", b"+house Fix the bathroom leak status:done"
    )
    assert parse_projects(out)[1].status == "done"


def test_set_status_appends_when_absent_and_keeps_trailing_spaces() -> None:
    data = b"+a Alpha  goal:x   \r\n+b Beta"
    out, line = _edit(data, "a", "paused")
    assert line == 1
    assert out == b"+a Alpha  goal:x status:paused   \r\n+b Beta"
    out, line = _edit(data, "+b", "someday")
    assert line == 2
    assert out == b"+a Alpha  goal:x   \r\n+b Beta status:someday"


def test_set_status_keeps_every_other_byte() -> None:
    data = (
        b"\xef\xbb\xbf# projects \xe2\x80\x94 mine\r\n"
        b"\r\n"
        b"+a Caf\xc3\xa9\tstatus:active\tgoal:g  \r\n"
        b"+b Broken \xff bytes status:paused\n"
        b"+c Last status:someday"
    )
    out, line = _edit(data, "a", "done")
    assert line == 3
    before = LineDoc.from_bytes(data)
    after = LineDoc.from_bytes(out)
    assert after.bom and after.endings == before.endings
    changed = [i for i, (x, y) in enumerate(zip(before.lines, after.lines, strict=True)) if x != y]
    assert changed == [2]
    assert out == data.replace(b"\tstatus:active\t", b"\tstatus:done\t")
    out, _ = _edit(data, "c", "active")
    assert out == data.replace(b"+c Last status:someday", b"+c Last status:active")


def test_set_status_only_touches_the_first_status_word() -> None:
    out, _ = _edit(b"+a A status:paused status:done\n", "a", "active")
    assert out == b"+a A status:active status:done\n"


def test_set_status_unknown_slug_or_status_raises_and_changes_nothing() -> None:
    doc = LineDoc.from_bytes(CONTRACT)
    with pytest.raises(ProjectError, match=r"no project \+garden"):
        set_project_status(doc, "garden", "done")
    with pytest.raises(ProjectError, match="unknown project status 'finished'"):
        set_project_status(doc, "house", "finished")
    with pytest.raises(ProjectError):
        set_project_status(doc, "", "done")
    assert doc.to_bytes() == CONTRACT


def test_set_status_ignores_comment_lines() -> None:
    data = b"# +a Old status:done\n+a New\n"
    out, line = _edit(data, "a", "paused")
    assert line == 2
    assert out == b"# +a Old status:done\n+a New status:paused\n"


TOKENS = [
    b"+a",
    b"+b",
    b" ",
    b"\t",
    b"  ",
    b"\n",
    b"\r\n",
    b"\r",
    b"#",
    b"status:done",
    b"status:",
    b"status:bogus",
    b"goal:g",
    b"due:2026-02-30",
    b"area:x",
    b"https://x",
    b"\xff",
    b"\xc3\xa9",
    b"\xef\xbb\xbf",
    b"\x0b",
    b"\x1c",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"Title",
]
PROJECT_BYTES = st.one_of(
    st.binary(max_size=300), st.lists(st.sampled_from(TOKENS), max_size=40).map(b"".join)
)


@settings(max_examples=300, deadline=None)
@given(PROJECT_BYTES)
def test_parse_projects_never_raises(data: bytes) -> None:
    for p in parse_projects(data):
        assert p.line >= 1
        assert p.status in ("active", "paused", "someday", "done")


@settings(max_examples=300, deadline=None)
@given(PROJECT_BYTES, st.sampled_from(["active", "paused", "someday", "done"]))
def test_set_status_changes_one_line_or_raises(data: bytes, status: str) -> None:
    projects = [p for p in parse_projects(data) if p.slug]
    doc = LineDoc.from_bytes(data)
    if not projects:
        with pytest.raises(ProjectError):
            set_project_status(doc, "nothing-here", status)
        assert doc.to_bytes() == data
        return
    target = projects[0]
    line = set_project_status(doc, target.slug, status)
    after = LineDoc.from_bytes(doc.to_bytes())
    before = LineDoc.from_bytes(data)
    assert after.endings == before.endings
    for i, (x, y) in enumerate(zip(before.lines, after.lines, strict=True)):
        assert x == y or i == line - 1
    reparsed = {p.line: p for p in parse_projects(doc.to_bytes())}
    assert reparsed[line].status == status
