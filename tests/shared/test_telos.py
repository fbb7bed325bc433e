from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.telos import Telos, TelosGoal, parse_telos, summary

TELOS = b"""# Telos

## Mission

Make useful, lasting things
and have time left over.

## Problems

- P1: Income swings from month to month.

## Goals

- G1: Publish the book by the end of 2027.
- **G2:** Earn a steady 5k a month.
* g3: Keep a calm home

## Strategies

- S1: Write first, before email (G1).

### G4: Stay strong and fit ###
"""


def test_goals_items_and_lines() -> None:
    telos = parse_telos(TELOS)
    assert telos.goals == [
        TelosGoal("G1", "Publish the book by the end of 2027.", 14, "Goals"),
        TelosGoal("G2", "Earn a steady 5k a month.", 15, "Goals"),
        TelosGoal("g3", "Keep a calm home", 16, "Goals"),
        TelosGoal("G4", "Stay strong and fit", 22, "Strategies"),
    ]
    assert [i.id for i in telos.items] == ["P1", "G1", "G2", "g3", "S1", "G4"]
    assert telos.problems == []


def test_mission_section() -> None:
    telos = parse_telos(TELOS)
    assert telos.mission == "Make useful, lasting things\nand have time left over."


def test_inline_mission_and_no_mission() -> None:
    assert parse_telos(b"Mission: Build calm things.\n- G1: x\n").mission == "Build calm things."
    assert parse_telos(b"- G1: x\n").mission is None


def test_items_under_a_goals_heading_count_as_goals_whatever_the_letter() -> None:
    telos = parse_telos(b"## Long-term goals\n- H1: Health\n## Values\n- V1: Honesty\n")
    assert [g.id for g in telos.goals] == ["H1"]
    assert telos.find("v1") == TelosGoal("V1", "Honesty", 4, "Values")


def test_find_is_case_insensitive_and_duplicates_are_flagged() -> None:
    telos = parse_telos(b"- G1: first\n- g1: second\n")
    assert telos.find("g1") == TelosGoal("G1", "first", 1, None)
    assert telos.problems == ["line 2: id g1 already used on line 1"]


def test_words_that_are_not_ids() -> None:
    telos = parse_telos(b"- Note: not an id\n- see https://example.org\n- 2026: a year\n")
    assert telos.items == []


def test_text_is_readable_and_keeps_the_whole_file() -> None:
    telos = parse_telos(b"\xef\xbb\xbf# T\r\nbad \xff byte\r\n")
    assert telos.text == "# T\nbad \ufffd byte"


def test_summary_has_mission_and_goals_within_budget() -> None:
    telos = parse_telos(TELOS)
    full = summary(telos, 10_000)
    assert full.startswith("Mission: Make useful, lasting things")
    assert "- G1: Publish the book by the end of 2027." in full
    assert "- G4: Stay strong and fit" in full
    assert "P1" not in full
    for budget in (0, 1, 5, 30, 80, 120, len(full) - 1):
        short = summary(telos, budget)
        assert len(short) <= budget
    assert summary(telos, 0) == ""
    assert summary(telos, 30).endswith("…")


def test_summary_falls_back_to_the_text() -> None:
    telos = parse_telos(b"Just some notes about my life.\n")
    assert summary(telos, 100) == "Just some notes about my life."
    assert summary(telos, 10) == "Just some…"
    assert summary(Telos(), 50) == ""


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.lists(
            st.sampled_from(
                [
                    b"#",
                    b"## ",
                    b"Mission",
                    b"G1:",
                    b"- ",
                    b"**",
                    b" ",
                    b"\n",
                    b"\r\n",
                    b"\xff",
                    b"goals",
                    b"text",
                    b":",
                    b"1. ",
                ]
            ),
            max_size=40,
        ).map(b"".join),
    ),
    st.integers(min_value=-5, max_value=200),
)
def test_parse_telos_and_summary_never_raise(data: bytes, budget: int) -> None:
    telos = parse_telos(data)
    assert len(summary(telos, budget)) <= max(budget, 0)
    for item in telos.items:
        assert telos.find(item.id) is not None


def test_huge_lines_parse_in_linear_time() -> None:

    spaces = b" " * 1_000_000
    start = time.monotonic()
    telos = parse_telos(b"- " + spaces + b"x\n## G1: Health" + spaces + b"#\n")
    assert time.monotonic() - start < 10
    assert telos.goals == [TelosGoal("G1", "Health", 2, None)]
