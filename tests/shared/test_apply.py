"""apply_operation: every task operation, idempotency, stale addresses, clean failures."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from shared import operations as ops
from shared.apply import apply_operation, recover_pending
from shared.atomic import TEMP_PREFIX
from shared.journal import Journal
from shared.lines import LineDoc
from shared.org_repo import OrgRepo

NOW = datetime(2026, 11, 23, 9, 30)
TODO = (
    b"# tasks\r\n"
    b"(A) 2026-11-20 Call the plumber +house @telefon due:2026-11-25\r\n"
    b"Water plants rec:1w due:2026-11-23\r\n"
    b"x 2026-11-22 2026-11-18 Send invoice +freelance\r\n"
    b"caf\xe9 latin-1   \r\n"
    b"last line without newline"
)


@pytest.fixture
def repo(tmp_path: Path) -> OrgRepo:
    root = tmp_path / "org"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "todo.txt").write_bytes(TODO)
    (root / "done.txt").write_bytes(b"x 2026-10-01 old\n")
    return OrgRepo(root)


def todo(repo: OrgRepo) -> bytes:
    return (repo.root / "todo.txt").read_bytes()


def snapshot(repo: OrgRepo) -> dict[str, bytes]:
    return {p: (repo.root / p).read_bytes() for p in repo.list_files()}


def test_add_task(repo: OrgRepo) -> None:
    result = apply_operation(repo, ops.AddTask(text="(B) Buy milk @errands due:tomorrow"), NOW)
    assert todo(repo) == TODO + b"\r\n(B) 2026-11-23 Buy milk @errands due:2026-11-24\r\n"
    assert result.files == ["todo.txt"]
    assert result.kind == "add_task" and not result.duplicate
    assert result.data == {"line": 7, "raw": "(B) 2026-11-23 Buy milk @errands due:2026-11-24"}
    assert result.summary == "add task: (B) Buy milk @errands due:tomorrow"


def test_add_creates_a_missing_todo_file(repo: OrgRepo) -> None:
    (repo.root / "todo.txt").unlink()
    apply_operation(repo, ops.AddTask(text="First"), NOW)
    assert todo(repo) == b"2026-11-23 First\n"


def test_complete_task(repo: OrgRepo) -> None:
    result = apply_operation(repo, ops.CompleteTask(line=2), NOW)
    line = b"x 2026-11-23 2026-11-20 Call the plumber +house @telefon due:2026-11-25 pri:A"
    assert todo(repo) == TODO.replace(TODO.split(b"\r\n")[1], line)
    note = "2026-11-23 09:30 Done: Call the plumber +house"
    assert result.data == {"line": 2, "raw": line.decode(), "memory": note}
    assert result.files == ["todo.txt", "working-memory.txt"]
    assert (repo.root / "working-memory.txt").read_bytes() == note.encode() + b"\n"


def test_a_significant_change_notes_working_memory_in_the_same_journal_entry(
    repo: OrgRepo,
) -> None:
    (repo.root / "working-memory.txt").write_bytes(b"2026-11-22 18:00 Planned the week.\r\n")
    (repo.root / "projects.txt").write_bytes(b"+house Winter-proof the house status:active\n")
    op = ops.CompleteTask(line=5, raw="caf\udce9 latin-1   ")
    done = apply_operation(repo, op, NOW)
    paused = apply_operation(repo, ops.SetProjectStatus(project="+house", status="Paused"), NOW)
    again = apply_operation(repo, ops.SetProjectStatus(project="house", status="paused"), NOW)
    assert paused.files == ["projects.txt", "working-memory.txt"]
    assert again.files == [] and "memory" not in again.data  # nothing changed: nothing noted
    assert (repo.root / "working-memory.txt").read_bytes() == (
        b"2026-11-22 18:00 Planned the week.\r\n"
        b"2026-11-23 09:30 Done: caf\xe9 latin-1\r\n"
        b"2026-11-23 09:30 Project +house is now paused.\r\n"
    )
    # Redelivered, the change and its note are applied once.
    assert apply_operation(OrgRepo(repo.root), op, NOW).duplicate
    assert Journal(repo).applied(op.op_id) == {**done.to_dict(), "duplicate": False}
    assert (repo.root / "working-memory.txt").read_bytes().count(b"Done: caf") == 1


@pytest.mark.parametrize(
    "op",
    [
        ops.AddTask(text="Buy milk"),
        ops.EditTask(line=3, new_text="Water the plants"),
        ops.DeleteTask(line=6),
        ops.PrioritizeTask(line=3, priority="B"),
        ops.ArchiveDone(),
    ],
    ids=lambda op: op.kind,
)
def test_routine_changes_write_no_activity_note(repo: OrgRepo, op: ops.Operation) -> None:
    result = apply_operation(repo, op, NOW)
    assert result.files and "working-memory.txt" not in result.files
    assert "memory" not in result.data
    assert not (repo.root / "working-memory.txt").exists()


def test_complete_recurring_task_reports_the_next_one(repo: OrgRepo) -> None:
    op = ops.CompleteTask(line=3, raw="Water plants rec:1w due:2026-11-23")
    result = apply_operation(repo, op, NOW)
    next_raw = "2026-11-23 Water plants rec:1w due:2026-11-30"
    assert result.data["next"] == {"line": 7, "raw": next_raw}
    assert todo(repo) == (
        TODO.replace(b"Water plants", b"x 2026-11-23 Water plants")
        + b"\r\n2026-11-23 Water plants rec:1w due:2026-11-30\r\n"
    )


def test_edit_task(repo: OrgRepo) -> None:
    result = apply_operation(
        repo, ops.EditTask(line=5, raw="caf\udce9 latin-1   ", new_text="café fixed due:fri"), NOW
    )
    assert todo(repo) == TODO.replace(b"caf\xe9 latin-1   ", "café fixed due:2026-11-27".encode())
    assert result.data["before"] == "caf\udce9 latin-1   "


def test_delete_task(repo: OrgRepo) -> None:
    result = apply_operation(repo, ops.DeleteTask(line=6, raw="last line without newline"), NOW)
    assert result.data == {"line": 6, "raw": "last line without newline"}
    assert todo(repo) == TODO.replace(b"\r\nlast line without newline", b"")


def test_prioritize_task(repo: OrgRepo) -> None:
    apply_operation(repo, ops.PrioritizeTask(line=3, priority="C"), NOW)
    assert todo(repo) == TODO.replace(b"Water plants", b"(C) Water plants")
    apply_operation(repo, ops.PrioritizeTask(line=2, priority=None), NOW)
    assert b"\r\n2026-11-20 Call the plumber" in todo(repo)


def test_archive_done(repo: OrgRepo) -> None:
    result = apply_operation(repo, ops.ArchiveDone(), NOW)
    assert result.data == {"moved": 1}
    assert result.files == ["done.txt", "todo.txt"]
    assert todo(repo) == TODO.replace(b"x 2026-11-22 2026-11-18 Send invoice +freelance\r\n", b"")
    assert (repo.root / "done.txt").read_bytes() == (
        b"x 2026-10-01 old\nx 2026-11-22 2026-11-18 Send invoice +freelance\n"
    )
    again = apply_operation(repo, ops.ArchiveDone(), NOW)
    assert again.data == {"moved": 0} and again.files == []


def test_same_op_id_twice_applies_once(repo: OrgRepo) -> None:
    op = ops.AddTask(text="Only once")
    first = apply_operation(repo, op, NOW)
    after = todo(repo)
    # The queue redelivers it as a dict, possibly to a fresh process with a fresh OrgRepo.
    again = apply_operation(OrgRepo(repo.root), ops.operation_from_dict(op.to_dict()), NOW)
    assert todo(repo) == after
    assert after.count(b"Only once") == 1
    assert again.duplicate and not first.duplicate
    assert again.data == first.data and again.files == first.files


def test_complete_redelivered_does_not_complete_the_next_occurrence(repo: OrgRepo) -> None:
    op = ops.CompleteTask(line=3, raw="Water plants rec:1w due:2026-11-23")
    apply_operation(repo, op, NOW)
    after = todo(repo)
    apply_operation(repo, op, NOW)
    apply_operation(repo, op, NOW)
    assert todo(repo) == after
    assert after.count(b"x 2026-11-23 Water plants") == 1


def test_task_found_by_raw_after_lines_shifted(repo: OrgRepo) -> None:
    op = ops.CompleteTask(line=3, raw="Water plants rec:1w due:2026-11-23")
    # The owner inserts two lines at the top by hand before the op is applied.
    (repo.root / "todo.txt").write_bytes(b"New hand line\r\n\r\n" + TODO)
    result = apply_operation(repo, op, NOW)
    assert result.data["line"] == 5
    lines = todo(repo).split(b"\r\n")
    assert lines[4] == b"x 2026-11-23 Water plants rec:1w due:2026-11-23"
    assert lines[:4] == [b"New hand line", b"", b"# tasks", TODO.split(b"\r\n")[1]]


@pytest.mark.parametrize(
    ("op", "message"),
    [
        (ops.CompleteTask(line=3, raw="Water plants gone"), "no longer in todo.txt"),
        (ops.EditTask(line=3, raw="gone", new_text="x"), "no longer in todo.txt"),
        (ops.DeleteTask(line=2, raw="gone"), "no longer in todo.txt"),
        (ops.PrioritizeTask(line=2, raw="gone", priority="A"), "no longer in todo.txt"),
        (ops.CompleteTask(line=99), "no task on line 99"),
        (ops.CompleteTask(line=1), "no task on line 1"),
        (ops.CompleteTask(line=4), "already done"),
        (ops.EditTask(line=2, new_text="  "), "empty"),
        (ops.EditTask(line=2, new_text="a\nb"), "line break"),
        (ops.AddTask(text="Pay due:someday"), "not a date"),
        (ops.PrioritizeTask(line=2, priority="AA"), "invalid priority"),
    ],
)
def test_bad_operation_raises_and_changes_nothing(
    repo: OrgRepo, op: ops.Operation, message: str
) -> None:
    before = snapshot(repo)
    with pytest.raises(ops.OperationError, match=message) as info:
        apply_operation(repo, op, NOW)
    assert "\n" not in str(info.value)
    assert snapshot(repo) == before
    assert Journal(repo).applied(op.op_id) is None


def test_failed_op_can_succeed_later_with_the_same_id(repo: OrgRepo) -> None:
    op = ops.CompleteTask(line=2, raw="Not yet written")
    with pytest.raises(ops.OperationError):
        apply_operation(repo, op, NOW)
    (repo.root / "todo.txt").write_bytes(TODO + b"\r\nNot yet written\r\n")
    result = apply_operation(repo, op, NOW)
    assert result.data["line"] == 7 and not result.duplicate


def test_file_mode_is_kept(repo: OrgRepo) -> None:
    os.chmod(repo.root / "todo.txt", 0o640)
    apply_operation(repo, ops.AddTask(text="Mode"), NOW)
    assert stat.S_IMODE(os.stat(repo.root / "todo.txt").st_mode) == 0o640


def test_no_temp_files_left_in_the_repo(repo: OrgRepo) -> None:
    for text in ("one", "two", "three"):
        apply_operation(repo, ops.AddTask(text=text), NOW)
    apply_operation(repo, ops.ArchiveDone(), NOW)
    assert sorted(repo.list_files()) == ["done.txt", "todo.txt"]
    assert [p.name for p in repo.state_dir.iterdir() if p.name.startswith(TEMP_PREFIX)] == []


def test_operation_dict_round_trip_for_every_kind() -> None:
    samples = [
        ops.AddTask(text="a"),
        ops.CompleteTask(line=3, raw="r"),
        ops.EditTask(line=1, new_text="n"),
        ops.DeleteTask(line=2),
        ops.PrioritizeTask(line=2, priority="B"),
        ops.ArchiveDone(),
        ops.AddEvent(day="2026-11-24", text="dentist", time="9:30"),
        ops.MoveEvent(day="2026-11-24", event="dentist", to_day="2026-11-25"),
        ops.RemoveEvent(day="2026-11-24", event="dentist"),
        ops.SetProjectStatus(project="house", status="paused"),
        ops.AppendWorkingMemory(text="note"),
    ]
    defaults = [cls() for cls in ops.OPERATIONS.values()]
    for op in samples + defaults:
        data = json.loads(json.dumps(op.to_dict()))
        assert data["kind"] == op.kind
        assert ops.operation_from_dict(data) == op
        assert op.describe()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "rm_rf"}, "unknown operation kind"),
        ({"text": "no kind"}, "unknown operation kind"),
        ({"kind": "add_task", "text": "a", "shell": "x"}, "unknown field"),
        ([1, 2], "JSON object"),
    ],
)
def test_operation_from_dict_rejects_bad_data(data: object, message: str) -> None:
    with pytest.raises(ops.OperationError, match=message):
        ops.operation_from_dict(data)  # type: ignore[arg-type]


def test_op_result_round_trip() -> None:
    result = ops.OpResult("id1", "add_task", "add task: a", ["todo.txt"], data={"line": 3})
    assert ops.OpResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_recover_pending_on_a_clean_repo_does_nothing(repo: OrgRepo) -> None:
    assert recover_pending(repo) == 0
    assert todo(repo) == TODO


FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "org"
CAL_MON = "2026-11-23 w48 Mon  9-9:30 ACME standup +acme. 10-13 revise chapter 3 +book. "
CAL_TUE = "2026-11-24 w48 Tue  10-11 staging walkthrough with Ana +acme. "
EVERY_KIND = [
    (ops.AddTask(text="Call the bank @phone"), "todo.txt", [], ["2026-11-23 Call the bank @phone"]),
    (
        ops.CompleteTask(
            line=35, raw="2026-11-19 Call mum about Sunday lunch @phone due:2026-11-23"
        ),
        "todo.txt",
        ["2026-11-19 Call mum about Sunday lunch @phone due:2026-11-23"],
        ["x 2026-11-23 2026-11-19 Call mum about Sunday lunch @phone due:2026-11-23"],
    ),
    (
        ops.EditTask(line=27, new_text='Read "Four Thousand Weeks" @home est:5h'),
        "todo.txt",
        ['Read "Four Thousand Weeks" @home'],
        ['Read "Four Thousand Weeks" @home est:5h'],
    ),
    (ops.DeleteTask(line=23, raw="x"), "todo.txt", ["x"], []),
    (
        ops.PrioritizeTask(line=27, priority="D"),
        "todo.txt",
        ['Read "Four Thousand Weeks" @home'],
        ['(D) Read "Four Thousand Weeks" @home'],
    ),
    (ops.AddEvent(day="2026-11-27", text="Pay rent"), "calendar.txt", [],
     ["2026-11-27 w48 Fri  Pay rent"]),
    (
        ops.AddEvent(day="2026-11-25", text="dentist", time="9:30"),
        "calendar.txt",
        ["2026-11-25 w48 Wed  "],
        ["2026-11-25 w48 Wed  9:30 dentist"],
    ),
    (
        ops.MoveEvent(day="2026-11-23", event="gym", to_day="2026-11-25", to_time="18"),
        "calendar.txt",
        [CAL_MON + "16:30 pick up Pablo. 19 gym", "2026-11-25 w48 Wed  "],
        [CAL_MON + "16:30 pick up Pablo", "2026-11-25 w48 Wed  18 gym"],
    ),
    (
        ops.RemoveEvent(day="2026-11-24", event="physio @town"),
        "calendar.txt",
        [CAL_TUE + "15:30-16:30 physio @town"],
        [CAL_TUE.removesuffix(". ")],
    ),
    (
        ops.SetProjectStatus(project="+garden", status="active"),
        "projects.txt",
        ["+garden Rebuild the garden shed status:someday area:home"],
        ["+garden Rebuild the garden shed status:active area:home"],
    ),
    (
        ops.AppendWorkingMemory(text="Called the bank"),
        "working-memory.txt",
        [],
        ["2026-11-23 09:30 Called the bank"],
    ),
    (ops.WriteFile(path="notes/ideas.md", content="# Ideas\n- one\n"), "notes/ideas.md", [],
     ["# Ideas", "- one"]),
    (ops.AppendToFile(path="skills/weekly-review.md", text="- [ ] Water the plants"),
     "skills/weekly-review.md", [], ["- [ ] Water the plants"]),
]


#: The significant changes: each also appends this line to working-memory.txt.
NOTED = {
    ops.CompleteTask.kind: "Done: Call mum about Sunday lunch",
    ops.SetProjectStatus.kind: "Project +garden is now active.",
}


def test_every_kind_is_covered() -> None:
    covered = {op.kind for op, *_ in EVERY_KIND} | {ops.ArchiveDone.kind}  # test_archive_done
    assert covered == set(ops.OPERATIONS)


@pytest.mark.parametrize(
    ("op", "rel", "removed", "added"), EVERY_KIND, ids=[op.kind for op, *_ in EVERY_KIND]
)
def test_every_kind_changes_only_its_lines_and_applies_once(
    tmp_path: Path, op: ops.Operation, rel: str, removed: list[str], added: list[str]
) -> None:
    root = tmp_path / "org"
    shutil.copytree(FIXTURE, root)
    (root / ".git").mkdir()
    repo = OrgRepo(root)
    before = snapshot(repo)
    result = apply_operation(repo, op, NOW)
    note = NOTED.get(op.kind)
    touched = sorted({rel, "working-memory.txt"} if note else {rel})
    assert result.files == touched and not result.duplicate
    after = snapshot(repo)
    after_others = {k: v for k, v in after.items() if k not in touched}
    assert after_others == {k: v for k, v in before.items() if k not in touched}
    if note:
        memory = before["working-memory.txt"] + f"2026-11-23 09:30 {note}\n".encode()
        assert after["working-memory.txt"] == memory
    old = LineDoc.from_bytes(before.get(rel, b"")).lines
    new = LineDoc.from_bytes(after[rel]).lines
    assert sorted((Counter(old) - Counter(new)).elements()) == sorted(removed)
    assert sorted((Counter(new) - Counter(old)).elements()) == sorted(added)
    again = apply_operation(OrgRepo(root), ops.operation_from_dict(op.to_dict()), NOW)
    assert again.duplicate and snapshot(repo) == after
