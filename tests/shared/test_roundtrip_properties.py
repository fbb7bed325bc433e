"""Property tests: any bytes round-trip exactly, and an edit changes only its own lines."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared import operations as ops
from shared.apply import apply_operation
from shared.lines import BOM, LineDoc
from shared.org_repo import OrgRepo
from shared.todo import is_task_line, parse_head, parse_task
from shared.todo_edit import (
    TaskEditError,
    add_task,
    complete_task,
    delete_task,
    edit_task,
    prioritize_task,
)
from shared.todo_list import ProjectMark, parse_project_marks, parse_tasks

TODAY = date(2026, 11, 23)

WORDS = [
    "(A)", "(B)", "(z)", "x", "X", "2026-11-20", "2026-02-30", "2026-13-45", "+house", "+",
    "@phone", "@waiting", "@", "due:2026-11-25", "due:2026-13-45", "due:", "t:2026-12-01",
    "t:2026-11-01", "rec:1w", "rec:+1m", "rec:2b", "rec:weekly", "id:1", "p:1", "pri:A",
    "since:2026-10-01", "who:Ana", "est:30m", "energy:low", "https://x.org/a:b", "12:30",
    "café", "日本語", "\x00", "\t", "#", "Call", "Ana", "the", "plumber", "\ufeff", "\x0c",
]
word = st.one_of(
    st.sampled_from(WORDS),
    st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=6),
)
line_text = st.builds(
    lambda words, seps, tail: "".join(w + s for w, s in zip(words, seps, strict=False)) + tail,
    st.lists(word, max_size=8),
    st.lists(st.sampled_from([" ", "  ", " \t", "\r"]), min_size=8, max_size=8),
    st.sampled_from(["", " ", "   ", "\t", "\r"]),
)
raw_line = st.binary(max_size=12).map(lambda b: b.replace(b"\n", b""))
line_bytes = st.one_of(line_text.map(lambda t: t.encode("utf-8")), raw_line)


@st.composite
def todo_files(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(line_bytes, max_size=12))
    endings = draw(
        st.lists(st.sampled_from([b"\n", b"\r\n"]), min_size=len(lines), max_size=len(lines))
    )
    body = b"".join(line + end for line, end in zip(lines, endings, strict=True))
    if lines and draw(st.booleans()):
        body = body.removesuffix(endings[-1])  # no final newline
    return (BOM if draw(st.booleans()) else b"") + body


@given(st.binary())
def test_any_bytes_round_trip(data: bytes) -> None:
    assert LineDoc.from_bytes(data).to_bytes() == data
    parse_tasks(data)  # never raises


@given(todo_files())
def test_realistic_files_round_trip_and_parse(data: bytes) -> None:
    doc = LineDoc.from_bytes(data)
    assert doc.to_bytes() == data
    for task in parse_tasks(data):
        assert doc.lines[task.line - 1] == task.raw


@given(todo_files())
def test_project_marks_agree_with_the_parsed_tasks(data: bytes) -> None:
    assert parse_project_marks(data) == [
        ProjectMark(t.projects, t.done, t.completion_date, t.creation_date, t.line)
        for t in parse_tasks(data)
        if t.projects
    ]


@given(st.one_of(line_text, line_text.map(lambda t: "x " + t), line_text.map("\ufeff{}".format)))
def test_the_head_reads_as_parse_task_reads_it(raw: str) -> None:
    task = parse_task(raw)
    assert parse_head(raw) == (task.done, task.completion_date, task.creation_date, task.text)


def assert_only(before: LineDoc, after: LineDoc, *, changed: int | None, deleted: int | None,
                appended: int) -> None:
    """Every line but ``changed``/``deleted`` and the ``appended`` new ones is byte-identical."""
    assert after.bom == before.bom
    kept = [i for i in range(len(before)) if i != deleted]
    assert len(after) == len(kept) + appended
    for new_index, old_index in enumerate(kept):
        if old_index == changed:
            continue
        assert after.lines[new_index] == before.lines[old_index]
        is_last = new_index == len(kept) - 1
        if not is_last:
            assert after.endings[new_index] == before.endings[old_index]
        elif appended:
            # The old last line gains an ending only if it had none.
            assert before.endings[old_index] in ("", after.endings[new_index])
        elif deleted is not None and deleted > old_index:
            # Deleting the unterminated last line leaves the file unterminated.
            assert after.endings[new_index] in ("", before.endings[old_index])
        else:
            assert after.endings[new_index] == before.endings[old_index]
    for i in range(len(kept), len(after)):
        assert after.endings[i] == before.newline


EDITS = st.sampled_from(["complete", "edit", "prioritize", "delete", "add"])
new_texts = st.lists(st.sampled_from(WORDS[:40]), min_size=1, max_size=6).map(" ".join)


@given(todo_files(), EDITS, st.integers(min_value=0), new_texts, st.sampled_from(["A", "C", None]))
def test_an_edit_changes_only_its_own_lines(
    data: bytes, edit: str, pick: int, text: str, priority: str | None
) -> None:
    before = LineDoc.from_bytes(data)
    doc = before.copy()
    task_indexes = [i for i, raw in enumerate(doc.lines) if is_task_line(raw)]
    if edit == "add" or not task_indexes:
        try:
            add_task(doc, text, TODAY)
        except TaskEditError:
            assert doc.to_bytes() == data
            return
        assert_only(before, doc, changed=None, deleted=None, appended=1)
        return
    index = task_indexes[pick % len(task_indexes)]
    try:
        if edit == "complete":
            touched = complete_task(doc, index, TODAY)
            assert parse_task(doc.lines[index]).done
            assert_only(before, doc, changed=index, deleted=None, appended=len(touched) - 1)
        elif edit == "edit":
            edit_task(doc, index, text, TODAY)
            assert_only(before, doc, changed=index, deleted=None, appended=0)
        elif edit == "prioritize":
            prioritize_task(doc, index, priority)
            assert parse_task(doc.lines[index]).priority == priority
            assert_only(before, doc, changed=index, deleted=None, appended=0)
        else:
            assert delete_task(doc, index) == before.lines[index]
            assert_only(before, doc, changed=None, deleted=index, appended=0)
    except ValueError:  # refused (already done, bad rec:, bad text): nothing changed
        assert doc.to_bytes() == data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(todo_files(), st.integers(min_value=0), EDITS)
def test_applied_operation_rewrites_only_its_lines_on_disk(
    data: bytes, pick: int, edit: str
) -> None:
    before = LineDoc.from_bytes(data)
    lines = [i for i, raw in enumerate(before.lines) if is_task_line(raw)]
    index = lines[pick % len(lines)] if lines else 0
    expected = before.copy()
    op: ops.Operation
    try:
        if edit == "add" or not lines:
            op = ops.AddTask(text="2026-11-01 New task +p")
            add_task(expected, op.text, TODAY)
            assert_only(before, expected, changed=None, deleted=None, appended=1)
        elif edit == "delete":
            op = ops.DeleteTask(line=index + 1, raw=before.lines[index])
            delete_task(expected, index)
            assert_only(before, expected, changed=None, deleted=index, appended=0)
        else:
            if edit == "complete":
                op = ops.CompleteTask(line=index + 1, raw=before.lines[index])
                complete_task(expected, index, TODAY)
            elif edit == "edit":
                op = ops.EditTask(line=index + 1, raw=before.lines[index], new_text="Edited @home")
                edit_task(expected, index, "Edited @home", TODAY)
            else:
                op = ops.PrioritizeTask(line=index + 1, raw=before.lines[index], priority="B")
                prioritize_task(expected, index, "B")
            appended = len(expected) - len(before)
            assert_only(before, expected, changed=index, deleted=None, appended=appended)
    except ValueError:
        expected = before  # refused (already done, bad rec:, bad text): the file stays as it was
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        (root / "todo.txt").write_bytes(data)
        try:
            apply_operation(OrgRepo(root), op, datetime(2026, 11, 23, 9))
        except ops.OperationError:
            assert expected is before
        # What is on disk is exactly the in-memory edit, which touched only its own lines.
        assert (root / "todo.txt").read_bytes() == expected.to_bytes()
