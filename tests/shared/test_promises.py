"""Promises in chat messages: what is offered as a task, with which due date, and what is not."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import pytest

from shared.apply import apply_operation
from shared.org_repo import OrgRepo
from shared.promises import find_promise, find_promises

TODAY = date(2026, 11, 23)  # a Monday

PROMISES = [
    ("I'll send Ana the invoice on Friday", "Send Ana the invoice due:2026-11-27"),
    ("I will call the plumber tomorrow.", "Call the plumber due:2026-11-24"),
    ("I'm going to renew the passport next week", "Renew the passport due:2026-11-30"),
    ("I promise to review Bruno's proposal by Monday", "Review Bruno's proposal due:2026-11-30"),
    ("Tomorrow I'll book the train tickets to Oviedo",
     "Book the train tickets to Oviedo due:2026-11-24"),
    ("OK, I'll pay the electricity bill by 2026-12-01", "Pay the electricity bill due:2026-12-01"),
    ("Sure! I'll email Inés the chapter tonight.", "Email Inés the chapter due:2026-11-23"),
    ("I'll fix the checkout bug in 2 days", "Fix the checkout bug due:2026-11-25"),
    ("I'll make sure to water the plants this weekend", "Water the plants due:2026-11-28"),
    ("I am going to buy a CO detector on Saturday", "Buy a CO detector due:2026-11-28"),
    ("Sure, I'll ask Gil for the quote", "Ask Gil for the quote"),
    ("I'll call mum about Sunday lunch.", "Call mum about Sunday lunch"),
    ("I'll send the slides to Ana before Thursday", "Send the slides to Ana due:2026-11-25"),
    ("I'll finish the report by the end of the month", "Finish the report due:2026-11-30"),
    ("I'll post the parcel on 5 December", "Post the parcel due:2026-12-05"),
    ("I'll send Inés the notes by Dec 3rd", "Send Inés the notes due:2026-12-03"),
    ("Thanks for the reminder. I\u2019ll renew the car insurance on Wednesday.",
     "Renew the car insurance due:2026-11-25"),
    ("On Friday, I'll call the bank about the mortgage",
     "Call the bank about the mortgage due:2026-11-27"),
    ("Okay I'll book the physio for Pablo in a week", "Book the physio for Pablo due:2026-11-30"),
    ("I'll water the plants this week then", "Water the plants due:2026-11-27"),
    ("i will definitely renew the domain first thing tomorrow morning",
     "Renew the domain due:2026-11-24"),
    ("I'll book the dentist on 1 January", "Book the dentist due:2027-01-01"),
]

NOT_PROMISES = [
    "I'll be late tomorrow",
    "I'll think about it",
    "Ana will send the invoice on Friday",
    "I won't call him",
    "I will not send the report",
    "Will you send the invoice?",
    "Should I call Ana tomorrow?",
    "Maybe I'll go running tomorrow",
    "If it rains I'll stay home",
    "I'd send it if I could",
    "I sent the invoice yesterday",
    "I'll do it tomorrow",
    "I'll try to call the bank",
    "I'll let you know",
    "I'll probably call the bank on Monday",
    "I'll call you back",
    "I'll call Ana if she doesn't answer the email",
    "I'll call Ana once I'm back home",
    "Ana and I will paint the fence",
    "She said I'll get the keys on Friday",
    "What will I do on Friday?",
    "I'll get back to you this afternoon",
    "I'll always remember this",
    "Bill'll fix it",
    "",
]


@pytest.mark.parametrize(("message", "line"), PROMISES)
def test_promises_become_task_lines(message: str, line: str) -> None:
    found = find_promises(message, TODAY)
    assert [p.line for p in found] == [line]


@pytest.mark.parametrize("message", NOT_PROMISES)
def test_not_promises(message: str) -> None:
    assert find_promises(message, TODAY) == []
    assert find_promise(message, TODAY) is None


def test_several_sentences_and_json() -> None:
    message = "Sorry, busy day. I'll send Ana the invoice on Friday! Then I'll call Gil tomorrow."
    found = find_promises(message, TODAY)
    assert [p.line for p in found] == [
        "Send Ana the invoice due:2026-11-27",
        "Call Gil due:2026-11-24",
    ]
    assert found[0].sentence == "I'll send Ana the invoice on Friday!"
    assert found[1].to_json() == {
        "text": "Call Gil",
        "due": "2026-11-24",
        "line": "Call Gil due:2026-11-24",
        "sentence": "Then I'll call Gil tomorrow.",
    }


def test_a_weekday_said_on_that_weekday_is_next_week() -> None:
    friday = date(2026, 11, 27)
    next_week = find_promise("I'll send the invoice on Friday", friday)
    same_day = find_promise("I'll send the invoice today", friday)
    assert next_week is not None and next_week.due == date(2026, 12, 4)
    assert same_day is not None and same_day.due == friday


def test_long_and_odd_messages_are_read_quickly() -> None:
    started = time.monotonic()
    for filler in (",", ", ", "on ", "the ", "in 1 ", "I'll "):
        find_promises("I'll send " + filler * 20000 + " x", TODAY)
    assert time.monotonic() - started < 2


def test_the_offered_operation_adds_the_task(tmp_path: Path) -> None:
    (tmp_path / "todo.txt").write_bytes(b"(A) Existing task\n")
    promise = find_promise("I'll send Ana the invoice on Friday", TODAY)
    assert promise is not None
    op = promise.operation(source="discord")
    assert op.source == "discord"
    apply_operation(OrgRepo(tmp_path), op, datetime(2026, 11, 23, 10, 0))
    assert (tmp_path / "todo.txt").read_bytes() == (
        b"(A) Existing task\n2026-11-23 Send Ana the invoice due:2026-11-27\n"
    )
