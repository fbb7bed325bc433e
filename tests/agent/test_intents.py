"""Built-in command understanding: a table of real phrasings and what each must mean.

Today is Monday 2026-11-23 (the demo repo's anchor)."""

from __future__ import annotations

from datetime import date

import pytest

from shared.agent.intents import (
    AddEventIntent,
    AddTaskIntent,
    ClarifyIntent,
    CompleteTaskIntent,
    ConfirmIntent,
    Intent,
    ListTasksIntent,
    ShowDueIntent,
    ShowTodayIntent,
    SuggestIntent,
    UndoIntent,
    UnknownIntent,
    parse_intent,
)

TODAY = date(2026, 11, 23)
CONTEXTS = ["phone", "computer", "home", "errands", "waiting", "town"]
PROJECTS = ["acme", "book", "house", "running", "clients", "christmas", "taxes"]


def task(text: str) -> AddTaskIntent:
    return AddTaskIntent(text)


def event(day: str, text: str, time: str | None = None) -> AddEventIntent:
    return AddEventIntent(date.fromisoformat(day), text, time)


PHRASES: list[tuple[str, Intent]] = [
    # Add a task: +project, @context, due: kept; spoken dates become due:YYYY-MM-DD.
    ("add call mom tomorrow", task("call mom due:2026-11-24")),
    ("add task buy milk @errands", task("buy milk @errands")),
    ("todo: renew passport +admin due friday", task("renew passport +admin due:2026-11-27")),
    ("remind me to call the plumber tomorrow", task("call the plumber due:2026-11-24")),
    ('add "send invoice +acme" due next week', task("send invoice +acme due:2026-11-30")),
    ("new task: pay rent due:2026-12-01", task("pay rent due:2026-12-01")),
    (
        "I need to email Ana +acme @computer by friday",
        task("email Ana +acme @computer due:2026-11-27"),
    ),
    ("add (A) fix checkout bug +acme due:fri", task("(A) fix checkout bug +acme due:fri")),
    ("Task: water the plants @home", task("water the plants @home")),
    ("add buy sun cream to my list", task("buy sun cream")),
    (
        "please add book the dentist for Pablo tomorrow @phone",
        task("book the dentist for Pablo @phone due:2026-11-24"),
    ),
    ("add a task to call the bank on wednesday", task("call the bank due:2026-11-25")),
    ("remember to back up the laptop next week", task("back up the laptop due:2026-11-30")),
    ("add pay the gestor priority A +taxes", task("(A) pay the gestor +taxes")),
    (
        "add send the Q4 report by 3 dec +clients",
        task("send the Q4 report +clients due:2026-12-03"),
    ),
    (
        "don't forget to buy a CO detector @errands in 5 days",
        task("buy a CO detector @errands due:2026-11-28"),
    ),
    # Complete a task, by number or by its words.
    ("done 3", CompleteTaskIntent(line=3)),
    ("done with 12", CompleteTaskIntent(line=12)),
    ("complete task 12", CompleteTaskIntent(line=12)),
    ("mark 5 as done", CompleteTaskIntent(line=5)),
    ("x 7", CompleteTaskIntent(line=7)),
    ("task 5 done", CompleteTaskIntent(line=5)),
    ("finished call the plumber", CompleteTaskIntent(query="call the plumber")),
    ("I finished the checkout bug", CompleteTaskIntent(query="checkout bug")),
    ("mark invoice ACME as done", CompleteTaskIntent(query="invoice ACME")),
    ("check off Pay Lucía's school trip", CompleteTaskIntent(query="Pay Lucía's school trip")),
    ("done: send Ana the staging link", CompleteTaskIntent(query="send Ana the staging link")),
    # Show today.
    ("today", ShowTodayIntent()),
    ("What's on today?", ShowTodayIntent()),
    ("what do I have today", ShowTodayIntent()),
    ("show today", ShowTodayIntent()),
    ("agenda", ShowTodayIntent()),
    ("show me today's agenda", ShowTodayIntent()),
    ("how does my day look", ShowTodayIntent()),
    # What is due, and what is late.
    ("what's due this week?", ShowDueIntent(7)),
    ("upcoming deadlines", ShowDueIntent(7)),
    ("what's due tomorrow", ShowDueIntent(1)),
    ("what is due in the next 3 days", ShowDueIntent(3)),
    ("what do I have due this week", ShowDueIntent(7)),
    ("anything overdue?", ShowDueIntent(overdue_only=True)),
    ("which tasks are overdue", ShowDueIntent(overdue_only=True)),
    ("show me overdue tasks", ShowDueIntent(overdue_only=True)),
    # What to do next, ranked with reasons.
    ("what should I do next?", SuggestIntent()),
    ("suggest what to do next", SuggestIntent()),
    ("what's next", SuggestIntent()),
    ("what should I work on now", SuggestIntent()),
    ("what should I do next @errands", SuggestIntent("errands")),
    ("what should I do at home", SuggestIntent("home")),
    # Tasks by context or project.
    ("tasks @phone", ListTasksIntent(context="phone")),
    ("show @computer tasks", ListTasksIntent(context="computer")),
    ("what can I do at home?", ListTasksIntent(context="home")),
    ("list +acme", ListTasksIntent(project="acme")),
    ("show project acme", ListTasksIntent(project="acme")),
    ("what's left on +house", ListTasksIntent(project="house")),
    ("@errands", ListTasksIntent(context="errands")),
    ("show my tasks", ListTasksIntent()),
    # Add an event.
    ("add event tomorrow 10-11 dentist", event("2026-11-24", "dentist", "10-11")),
    ("schedule lunch with Ana friday at 13:00", event("2026-11-27", "lunch with Ana", "13")),
    ("event: fri 9 standup", event("2026-11-27", "standup", "9")),
    ("put dentist on the calendar tomorrow at 9:30", event("2026-11-24", "dentist", "9:30")),
    (
        "add to calendar: 2026-12-24 Christmas eve dinner",
        event("2026-12-24", "Christmas eve dinner"),
    ),
    ("add event 3 dec 4pm call with Inés", event("2026-12-03", "call with Inés", "16")),
    (
        "book a meeting with Bruno next week at 10:30",
        event("2026-11-30", "meeting with Bruno", "10:30"),
    ),
    ("schedule physio 15:30-16:30 on thursday", event("2026-11-26", "physio", "15:30-16:30")),
    # Confirmations, questions that need more, and what only the model can do.
    ("confirm a7k3m9qz", ConfirmIntent("a7k3m9qz", confirm=True)),
    ("cancel a7k3m9qz", ConfirmIntent("a7k3m9qz", confirm=False)),
    ("undo that", UndoIntent()),
    ("please undo the last change", UndoIntent()),
    ("undo", UndoIntent()),
    ("undo buying milk", UnknownIntent("undo buying milk")),
    ("add event dentist", ClarifyIntent("Which day? For example: add event friday 10-11 dentist")),
    ("how am I doing on my goals?", UnknownIntent("how am I doing on my goals?")),
    ("suggest a name for the cat", UnknownIntent("suggest a name for the cat")),
]


@pytest.mark.parametrize(("phrase", "expected"), PHRASES, ids=[p for p, _ in PHRASES])
def test_phrase_means(phrase: str, expected: Intent) -> None:
    assert parse_intent(phrase, TODAY, CONTEXTS, PROJECTS) == expected


def test_the_table_covers_every_intent_with_forty_real_phrasings() -> None:
    handled = [e for _, e in PHRASES if not isinstance(e, UnknownIntent | ClarifyIntent)]
    assert len(handled) >= 40
    kinds = {type(e) for e in handled}
    assert {
        AddTaskIntent,
        CompleteTaskIntent,
        ShowTodayIntent,
        ShowDueIntent,
        SuggestIntent,
        ListTasksIntent,
        AddEventIntent,
    } <= kinds


@pytest.mark.parametrize(
    "phrase",
    ["task 5", "sit in the sun", "what did Ana say about the contract?", "summarize my week"],
)
def test_not_commands_are_not_mistaken_for_writes(phrase: str) -> None:
    intent = parse_intent(phrase, TODAY, CONTEXTS, PROJECTS)
    assert not isinstance(intent, AddTaskIntent | CompleteTaskIntent | AddEventIntent)


def test_sun_cream_is_not_a_sunday() -> None:
    assert parse_intent("add buy sun cream", TODAY) == AddTaskIntent("buy sun cream")
    assert parse_intent("add long run on sun", TODAY) == AddTaskIntent("long run due:2026-11-29")
