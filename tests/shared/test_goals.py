from __future__ import annotations

import time
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.goals import (
    KeyResult,
    parse_goals,
    parse_supports,
    quarter_bounds,
    quarter_file,
    quarter_of,
)

CONTRACT = b"""# 2026 Q4

## q4-revenue: Reach 5k monthly freelance revenue
Supports: telos G2
- [x] Sign ACME
- [ ] Two more clients

## write-book: Finish the book draft
Supports: telos G1
- [ ] Chapters 1-5
"""


def test_contract_example() -> None:
    quarter = parse_goals(CONTRACT)
    assert quarter.title == "2026 Q4"
    assert quarter.problems == []
    revenue, book = quarter.goals
    assert (revenue.id, revenue.title, revenue.line) == (
        "q4-revenue",
        "Reach 5k monthly freelance revenue",
        3,
    )
    assert revenue.supports == ("G2",)
    assert revenue.key_results == [
        KeyResult("Sign ACME", True, 5),
        KeyResult("Two more clients", False, 6),
    ]
    assert (book.id, book.supports, book.line) == ("write-book", ("G1",), 8)
    assert book.key_results == [KeyResult("Chapters 1-5", False, 10)]
    assert quarter.find("WRITE-BOOK") is book
    assert quarter.find("nope") is None


def test_supports_forms() -> None:
    assert parse_supports("telos G1, G2") == ("G1", "G2")
    assert parse_supports("G1") == ("G1",)
    assert parse_supports("telos G1 and G3 (health); G1") == ("G1", "G3")
    assert parse_supports("nothing here") == ()
    data = b"## a: A\nSupports: G1\n**Supports:** telos G2\n- supports: g3\n"
    assert parse_goals(data).goals[0].supports == ("G1", "G2", "g3")


def test_checklist_variants_and_scope() -> None:
    data = (
        b"- [x] before any goal is not a key result\n"
        b"## a: Alpha\n"
        b"* [X] Upper-case done\n"
        b"+ [ ] Plus marker\n"
        b"1. [ ] Numbered\n"
        b"    - [x] Nested\n"
        b"- [ ]\n"
        b"- [y] not a checkbox\n"
        b"### Notes inside the goal\n"
        b"- [ ] Still alpha\n"
        b"# Appendix\n"
        b"- [ ] not a key result\n"
    )
    (alpha,) = parse_goals(data).goals
    assert [(kr.text, kr.done, kr.line) for kr in alpha.key_results] == [
        ("Upper-case done", True, 3),
        ("Plus marker", False, 4),
        ("Numbered", False, 5),
        ("Nested", True, 6),
        ("", False, 7),
        ("Still alpha", False, 10),
    ]


def test_heading_without_id_is_a_problem_and_ends_the_goal() -> None:
    data = b"## a: Alpha\n- [ ] one\n## Reflections\n- [ ] not alpha's\n## b:\n"
    quarter = parse_goals(data)
    assert [g.id for g in quarter.goals] == ["a", "b"]
    assert len(quarter.goals[0].key_results) == 1
    assert quarter.problems == [
        "line 3: heading 'Reflections' is not '## id: title'",
        "line 5: goal b has no title",
    ]


def test_duplicate_goal_ids_are_flagged() -> None:
    quarter = parse_goals(b"## a: One\n## A: Two\n")
    assert len(quarter.goals) == 2
    assert quarter.problems == ["line 2: goal id A already used on line 1"]
    assert quarter.find("a") is quarter.goals[0]


def test_crlf_bom_and_bad_bytes() -> None:
    data = b"\xef\xbb\xbf# T\r\n## a: Caf\xc3\xa9 \xff\r\n- [x] done\r\n"
    quarter = parse_goals(data)
    assert quarter.title == "T"
    (goal,) = quarter.goals
    assert goal.title == "Café \ufffd"
    assert goal.key_results == [KeyResult("done", True, 3)]


def test_empty_file() -> None:
    quarter = parse_goals(b"")
    assert quarter.title is None and quarter.goals == [] and quarter.problems == []


def test_quarter_of_and_file() -> None:
    assert quarter_of(date(2026, 11, 23)) == "2026-Q4"
    assert quarter_of(date(2026, 1, 1)) == "2026-Q1"
    assert quarter_of(date(2026, 3, 31)) == "2026-Q1"
    assert quarter_of(date(2026, 4, 1)) == "2026-Q2"
    assert quarter_of(date(2026, 9, 30)) == "2026-Q3"
    assert quarter_file(date(2026, 11, 23)) == "goals/2026-Q4.md"
    assert quarter_file(date(2027, 5, 2), "plans/goals/") == "plans/goals/2027-Q2.md"


def test_quarter_bounds() -> None:
    assert quarter_bounds(date(2026, 11, 23)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_bounds(date(2026, 2, 14)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_bounds(date(2024, 8, 1)) == (date(2024, 7, 1), date(2024, 9, 30))


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.lists(
            st.sampled_from(
                [
                    b"#",
                    b"## ",
                    b"a:",
                    b" ",
                    b"\n",
                    b"\r\n",
                    b"- [x] ",
                    b"- [ ]",
                    b"Supports: ",
                    b"G1",
                    b",",
                    b"\xff",
                    b"title",
                    b"\xef\xbb\xbf",
                    b"*",
                    b"1.",
                ]
            ),
            max_size=40,
        ).map(b"".join),
    )
)
def test_parse_goals_never_raises(data: bytes) -> None:
    quarter = parse_goals(data)
    for goal in quarter.goals:
        assert goal.line >= 1
        assert all(kr.line > goal.line for kr in goal.key_results)


def test_huge_lines_parse_in_linear_time() -> None:

    spaces = b" " * 1_000_000
    start = time.monotonic()
    quarter = parse_goals(b"## a: " + spaces + b"x\n##" + spaces + b"#\nSupports:" + spaces + b"G1")
    assert time.monotonic() - start < 10
    assert quarter.goals[0].title == "x"
