"""Formatting for Discord, without Discord: splitting, previews, task choices, outbox rendering."""

from __future__ import annotations

from datetime import date

from bot.outbox_delivery import Entry, nonce, plain, render
from bot.replies import split_message
from bot.task_pick import add_choices, by_token, done_choices, find_open, parse_filter, task_token
from bot.turns import RUN_TURN, preview
from shared.todo_list import parse_tasks

TODAY = date(2026, 11, 24)
TODO = (
    b"(A) 2026-11-20 Call the plumber about the leak +house @phone due:2026-11-25\n"
    b"2026-11-01 Ask Ana for the signed contract @waiting who:Ana +freelance\n"
    b"x 2026-11-22 2026-11-18 Buy milk @store\n"
    b"2026-11-18 Buy stamps @store due:2026-11-20\n"
)


def test_a_5000_character_reply_splits_at_line_ends_under_2000() -> None:
    lines = [f"Line {n:03d}: " + "word " * 12 for n in range(80)]
    text = "\n".join(lines)
    assert len(text) > 5000
    pieces = split_message(text)
    assert len(pieces) == 3
    assert all(len(p) <= 2000 for p in pieces)
    assert "\n".join(pieces) == text  # nothing lost, every cut at a line end
    assert all(p.splitlines()[0].startswith("Line ") for p in pieces)


def test_split_reopens_a_code_block_and_cuts_an_overlong_line_at_spaces() -> None:
    code = "```\n" + "\n".join(f"x = {n}" for n in range(400)) + "\n```"
    pieces = split_message(code)
    assert len(pieces) > 1 and all(len(p) <= 2000 for p in pieces)
    assert all(p.count("```") % 2 == 0 for p in pieces)
    long_line = "word " * 1000
    cut = split_message(long_line.strip())
    assert all(len(p) <= 2000 for p in cut) and " ".join(cut).split() == long_line.split()
    assert split_message("") == [] and split_message("short") == ["short"]


def test_preview_shows_the_start_cut_at_a_line() -> None:
    text = "\n".join(f"line {n}" for n in range(600))
    shown = preview(text)
    assert len(shown) <= 2000 and shown.endswith("\n…") and text.startswith(shown[:-2])
    assert preview("hello") == "hello"


def test_done_choices_and_tokens_name_open_tasks_only() -> None:
    tasks = parse_tasks(TODO)
    choices = done_choices(tasks, "", TODAY)
    assert [name.split()[0] for name, _ in choices] == ["#1", "#4", "#2"]  # (A) first, then due
    assert all(len(name) <= 100 and len(value) <= 100 for name, value in choices)
    assert "(due 20 Nov)" in choices[1][0]
    assert done_choices(tasks, "plumb", TODAY)[0][1] == task_token(tasks[0])
    assert done_choices(tasks, "milk", TODAY) == []  # done already


def test_a_token_follows_its_task_and_never_names_another() -> None:
    tasks = parse_tasks(TODO)
    token = task_token(tasks[3])
    moved = parse_tasks(b"2026-11-25 New first line\n" + TODO)
    assert by_token(moved, token) is not None and by_token(moved, token).line == 5
    edited = parse_tasks(TODO.replace(b"Buy stamps", b"Buy envelopes"))
    assert by_token(edited, token) is None
    assert [t.line for t in find_open(tasks, "#2")] == [2]
    assert [t.line for t in find_open(tasks, "plumber")] == [1]
    assert find_open(tasks, "milk") == [] and find_open(tasks, "no such thing") == []


def test_add_choices_complete_the_tag_being_typed() -> None:
    assert add_choices("Call Ana +fr", ["freelance", "house"], ["phone"]) == ["Call Ana +freelance"]
    assert add_choices("Call Ana @", ["house"], ["phone", "store"]) == [
        "Call Ana @phone",
        "Call Ana @store",
    ]
    assert add_choices("Call Ana", ["house"], ["phone"]) == ["Call Ana"]
    assert add_choices("", ["house"], ["phone"]) == []


def test_task_filter_reads_tags_priority_and_words() -> None:
    flt, label = parse_filter("@phone +house (A) leak")
    assert (flt.context, flt.project, flt.priority, flt.search) == ("phone", "house", "A", "leak")
    assert label == "@phone +house (A) leak"
    assert parse_filter("")[1] == "open"


def test_outbox_messages_render_as_an_embed_or_as_split_text() -> None:
    msg = {"kind": "morning_briefing", "title": "Good morning", "markdown": "**Today**\n- x"}
    (part,) = render(Entry("1-0", msg))
    assert part.embed is not None and part.embed["title"] == "Good morning"
    assert part.embed["description"] == "**Today**\n- x" and part.content is None
    long = {"kind": "alert", "title": "Sync conflict", "text": "line\n" * 2000}
    parts = render(Entry("2-0", long))
    assert len(parts) > 1 and all(p.content and len(p.content) <= 2000 for p in parts)
    broken = render(Entry("3-0", None, "not json"))
    assert "not json" in (broken[0].content or "")
    assert plain(Entry("4-0", {"title": "T", "text": "body"}))[0].content == "T\nbody"
    assert len(nonce("1795505505401-12", 3)) == 25 and nonce("1-0", 0) != nonce("1-0", 1)


def test_the_bot_starts_the_agent_lane_task_by_its_real_name() -> None:
    from worker.agent_tasks import RUN_TURN as WORKER_RUN_TURN

    assert RUN_TURN == WORKER_RUN_TURN
