from __future__ import annotations

import time
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.lines import LineDoc
from shared.working_memory import (
    MemoryEntry,
    WorkingMemoryError,
    append_memory,
    as_text,
    parse_working_memory,
    recent,
)

CONTRACT = b"2026-11-23 09:12 Working on the ACME proposal; waiting for Ana's contract.\n"


def test_contract_example() -> None:
    (entry,) = parse_working_memory(CONTRACT)
    assert entry.when == datetime(2026, 11, 23, 9, 12)
    assert entry.text == "Working on the ACME proposal; waiting for Ana's contract."
    assert entry.line == 1
    assert entry.raw == CONTRACT.decode().rstrip("\n")


def test_other_lines_are_kept_without_a_time() -> None:
    data = (
        b"# notes\n"
        b"\n"
        b"2026-11-23 09:12 First\n"
        b"2026-13-45 10:00 Bad date\n"
        b"2026-11-23 25:00 Bad hour\n"
        b"2026-11-23 9:12 Short hour\n"
        b"2026-11-24 08:00\n"
        b"free text \xff\r\n"
    )
    entries = parse_working_memory(data)
    assert [(e.line, e.when) for e in entries] == [
        (1, None),
        (3, datetime(2026, 11, 23, 9, 12)),
        (4, None),
        (5, None),
        (6, None),
        (7, datetime(2026, 11, 24, 8, 0)),
        (8, None),
    ]
    assert entries[2].text == "2026-13-45 10:00 Bad date"
    assert entries[5].text == ""
    assert entries[6].raw == "free text \udcff"


def _round_trip(data: bytes, now: datetime, text: str) -> tuple[bytes, int]:
    doc = LineDoc.from_bytes(data)
    line = append_memory(doc, now, text)
    return doc.to_bytes(), line


def test_append_adds_one_line_and_keeps_the_rest() -> None:
    out, line = _round_trip(CONTRACT, datetime(2026, 11, 23, 10, 5), "Sent the proposal.")
    assert line == 2
    assert out == CONTRACT + b"2026-11-23 10:05 Sent the proposal.\n"
    assert parse_working_memory(out)[-1].when == datetime(2026, 11, 23, 10, 5)


def test_append_keeps_crlf_bom_and_a_missing_final_newline() -> None:
    data = b"\xef\xbb\xbf2026-11-22 08:00 caf\xc3\xa9\r\nodd \xff line"
    out, line = _round_trip(data, datetime(2026, 11, 23, 7, 0), "Next")
    assert line == 3
    assert out == data + b"\r\n2026-11-23 07:00 Next\r\n"


def test_append_to_an_empty_file() -> None:
    out, line = _round_trip(b"", datetime(2026, 1, 2, 3, 4), "hello")
    assert (out, line) == (b"2026-01-02 03:04 hello\n", 1)


def test_append_flattens_line_breaks() -> None:
    out, _ = _round_trip(b"", datetime(2026, 1, 2, 3, 4), "  one\r\ntwo \n\n three\u2028four ")
    assert out == b"2026-01-02 03:04 one two three four\n"


@pytest.mark.parametrize("text", ["", "   ", "\n\r\n"])
def test_append_rejects_empty_text_and_changes_nothing(text: str) -> None:
    doc = LineDoc.from_bytes(CONTRACT)
    with pytest.raises(WorkingMemoryError, match="needs some text"):
        append_memory(doc, datetime(2026, 1, 1), text)
    assert doc.to_bytes() == CONTRACT


def test_recent_keeps_the_newest_within_budget_in_file_order() -> None:
    entries = [MemoryEntry(None, f"e{i}", i, "x" * 9) for i in range(1, 6)]  # 10 chars each
    assert recent(entries, 0) == []
    assert recent(entries, 9) == []
    assert [e.line for e in recent(entries, 10)] == [5]
    assert [e.line for e in recent(entries, 35)] == [3, 4, 5]
    assert [e.line for e in recent(entries, 1000)] == [1, 2, 3, 4, 5]
    big = [*entries[:4], MemoryEntry(None, "", 5, "y" * 100)]
    assert recent(big, 50) == []


def test_as_text_joins_lines_readably() -> None:
    entries = parse_working_memory(b"2026-11-23 09:12 a\nbad \xff\n")
    assert as_text(entries) == "2026-11-23 09:12 a\nbad \ufffd"


@settings(max_examples=300, deadline=None, database=None)
@given(st.binary(max_size=400), st.text(max_size=50), st.integers(-5, 500))
def test_never_raises_and_append_only_adds(data: bytes, text: str, budget: int) -> None:
    entries = parse_working_memory(data)
    assert all(e.line >= 1 for e in entries)
    assert sum(len(e.raw) + 1 for e in recent(entries, budget)) <= max(budget, 0)
    doc = LineDoc.from_bytes(data)
    try:
        line = append_memory(doc, datetime(2026, 11, 23, 9, 0), text)
    except WorkingMemoryError:
        assert doc.to_bytes() == data
        return
    out = doc.to_bytes()
    assert out.startswith(data)  # every byte already there is kept; one line is added
    assert out.count(b"\n") - data.count(b"\n") in (1, 2)
    assert line == len(LineDoc.from_bytes(out))
    assert parse_working_memory(doc.to_bytes())[-1].when == datetime(2026, 11, 23, 9, 0)


def test_long_runs_of_spaces_are_fast() -> None:

    start = time.monotonic()
    out, _ = _round_trip(b"", datetime(2026, 1, 2, 3, 4), " " * 1_000_000 + "x\n" + " " * 10 + "y")
    assert time.monotonic() - start < 10
    assert out == b"2026-01-02 03:04 x y\n"
