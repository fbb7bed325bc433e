"""Briefings on the fixture repo at fixed times: what must be in them, and in what order."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared.briefing import completed_today, evening_summary, morning_briefing
from shared.org_repo import OrgRepo
from shared.todo import parse_task

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "org"
MADRID = ZoneInfo("Europe/Madrid")
MONDAY_8 = datetime(2026, 11, 23, 8, 0, tzinfo=MADRID)


@pytest.fixture
def repo(tmp_path: Path) -> OrgRepo:
    root = tmp_path / "org"
    shutil.copytree(FIXTURE, root)
    return OrgRepo(root)


def test_morning_sections_in_order(repo: OrgRepo) -> None:
    b = morning_briefing(repo, MONDAY_8)
    assert b.kind == "morning_briefing"
    assert b.title == "Good morning — Mon 23 Nov"
    assert [s.key for s in b.sections] == ["events", "top", "waiting", "deadlines", "goals"]
    assert b.section("events").lines == [
        "09:00–09:30 ACME standup +acme",
        "10:00–13:00 revise chapter 3 +book",
        "16:30 pick up Pablo",
        "19:00 gym",
    ]


def test_morning_top_priorities_due_and_overdue_first(repo: OrgRepo) -> None:
    top = morning_briefing(repo, MONDAY_8).section("top")
    labels = [item["text"] for item in top.items]
    assert len(labels) == 5
    assert labels[:3] == [
        "Fix the checkout bug on ACME staging +acme @computer",  # overdue, (A)
        "Invoice ACME for the November milestone +acme @computer",  # due today, (B)
        "Call mum about Sunday lunch @phone",  # due today
    ]
    assert labels[3] == "Call the plumber about the bathroom leak +house @phone"  # (A), in 2 days
    assert top.lines[0] == (
        "Fix the checkout bug on ACME staging +acme @computer — overdue 2 days · priority A · "
        "serves revenue-5k (behind)"
    )
    texts = " ".join(labels)
    for never in ("@waiting", "Revise chapter 3", "Send chapter 3", "portfolio", "Long run, 8"):
        assert never not in texts  # waiting, blocked, hidden by threshold, done


def test_morning_waiting_deadlines_and_goals(repo: OrgRepo) -> None:
    b = morning_briefing(repo, MONDAY_8)
    assert b.section("waiting").lines == [
        "Bruno: Intro to the CTO of Hilo Studio @waiting +clients (34 days)",
        "Ana: Signed contract amendment @waiting +acme (18 days)",
    ]
    assert b.section("deadlines").lines == [
        "Tue 24 Nov: Read the brief at https://acme.example.com/brief?id=42&v=2 before the call "
        "+acme @computer",
        "Wed 25 Nov: Call the plumber about the bathroom leak +house @phone",
        "Wed 25 Nov: New product photos @waiting +acme",
        "Fri 27 Nov: Weekly review @home",
        "Sat 28 Nov: Buy a carbon monoxide detector +house @errands",
        "Sat 28 Nov: Tidy the garage +house @home",
        "Sun 29 Nov: Long run, 9 km easy +running @town",
        "Mon 30 Nov: Book train tickets to Oviedo for Christmas +christmas @computer",
    ]
    assert b.section("goals").lines == [
        "revenue-5k 1/4 (behind) · book-draft 1/4 (behind) · home-winter 1/4 (behind) · "
        "run-10k 1/4 (behind)"
    ]


def test_morning_text_and_markdown(repo: OrgRepo) -> None:
    b = morning_briefing(repo, MONDAY_8)
    text = b.text
    order = ["Good morning", "Today", "Top priorities", "Waiting for", "Deadlines in the next 7",
             "Goals"]
    positions = [text.index(h) for h in order]
    assert positions == sorted(positions)
    md = b.to_markdown()
    assert md.startswith("**Good morning — Mon 23 Nov**\n\n**Today**\n- 09:00–09:30 ACME")
    assert "brief?id=42&v=2" in md
    assert b.to_json()["sections"][0]["key"] == "events"
    assert morning_briefing(repo, MONDAY_8) == b  # deterministic


def test_a_quiet_day_still_has_every_section(repo: OrgRepo) -> None:
    b = morning_briefing(repo, datetime(2026, 11, 25, 8, tzinfo=MADRID))
    assert b.section("events").lines == []
    assert "Today\nNo events today." in b.text


def test_markdown_escapes_the_owners_text(repo: OrgRepo) -> None:
    todo = repo.path("todo.txt")
    todo.write_bytes(todo.read_bytes() + b"\n(A) Ship *the* _draft_ due:2026-11-23")
    md = morning_briefing(repo, MONDAY_8).to_markdown()
    assert "Ship \\*the\\* \\_draft\\_" in md


def test_evening_summary(repo: OrgRepo) -> None:
    b = evening_summary(repo, datetime(2026, 11, 23, 20, tzinfo=MADRID))
    assert b.title == "Evening summary — Mon 23 Nov"
    assert [s.key for s in b.sections] == ["done", "slipped", "tomorrow"]
    assert b.section("done").heading == "Done today (0)"
    assert "Nothing marked done today." in b.text
    assert b.section("slipped").lines == [
        "Fix the checkout bug on ACME staging +acme @computer (overdue 2d)",
        "Invoice ACME for the November milestone +acme @computer (due today)",
        "Call mum about Sunday lunch @phone (due today)",
    ]
    assert b.section("tomorrow").heading == "Tomorrow, Tue 24 Nov"
    assert b.section("tomorrow").lines == [
        "10:00–11:00 staging walkthrough with Ana +acme",
        "15:30–16:30 physio @town",
        "due: Read the brief at https://acme.example.com/brief?id=42&v=2 before the call "
        "+acme @computer",
    ]


def test_evening_counts_done_lines_and_the_days_history(repo: OrgRepo) -> None:
    history = [
        "x 2026-11-22 2026-11-15 Long run, 8 km easy +running @town due:2026-11-22 rec:+1w",
        "x 2026-11-22 Call the bank about the card @phone",  # deleted since
        "x Water the plants @home",  # undated
        "x 2026-11-02 Archived today, done long ago",
    ]
    b = evening_summary(repo, datetime(2026, 11, 22, 20, tzinfo=MADRID), history)
    assert b.section("done").heading == "Done today (3)"
    assert b.section("done").lines == [
        "Long run, 8 km easy +running @town",
        "Call the bank about the card @phone",
        "Water the plants @home",
    ]


def test_completed_today_dedupes_by_task() -> None:
    files = [parse_task("x 2026-11-23 Send the invoice +acme pri:A")]
    history = ["x 2026-11-23 Send the invoice +acme pri:A", "x 2026-11-23 Send the invoice +acme"]
    done = completed_today([], files, history, date(2026, 11, 23))
    assert [t.text for t in done] == ["Send the invoice +acme pri:A"]


def test_long_sections_are_cut_with_a_count(repo: OrgRepo) -> None:
    todo = repo.path("todo.txt")
    extra = "".join(f"\nErrand number {n} @errands due:2026-11-24" for n in range(15))
    todo.write_bytes(todo.read_bytes() + extra.encode())
    deadlines = morning_briefing(repo, MONDAY_8).section("deadlines")
    assert len(deadlines.lines) == 13 and deadlines.lines[-1] == "…and 11 more"
    assert len(deadlines.items) == 12


def test_body_leaves_the_title_to_the_message(repo: OrgRepo) -> None:
    b = morning_briefing(repo, MONDAY_8)
    assert b.body.startswith("Today\n- 09:00")
    assert b.text == f"{b.title}\n\n{b.body}"
    assert b.to_markdown(with_title=False).startswith("**Today**\n")
