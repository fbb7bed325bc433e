"""A line of ``/history``: the change's time in the owner's zone, whatever offset it carries."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.cogs.history import history_line
from worker.history import HistoryEntry


def entry(when: str) -> HistoryEntry:
    return HistoryEntry(
        sha="0123456789abcdef", when=when, author="Marta Ruiz", subject="add task: Call Ana",
        by_assistant=True, sources=["web"], op_ids=["op-1"], reverts=None, merge=False,
        files=["todo.txt"],
    )  # fmt: skip


def test_a_workers_utc_commit_is_shown_at_the_owners_time() -> None:
    line = history_line(entry("2026-11-23T23:30:00+00:00"), ZoneInfo("Europe/Madrid"))
    assert line == "`0123456` 24 Nov 00:30 — add task: Call Ana (via web)"


def test_a_time_without_offset_is_shown_as_written() -> None:
    line = history_line(entry("2026-11-23T23:30:00"), ZoneInfo("Europe/Madrid"))
    assert "23 Nov 23:30" in line
