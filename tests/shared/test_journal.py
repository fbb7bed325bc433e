"""The write-ahead journal: exactly-once effects across crashes, redeliveries and two writers.

Reliability plan row 15: a writer SIGKILLed at random points never leaves a torn file or an
orphan temp file, and after recovery plus redelivery every operation's effect is there once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from shared import journal as journal_module
from shared import operations as ops
from shared.apply import apply_operation, recover_pending
from shared.atomic import TEMP_PREFIX
from shared.journal import Journal
from shared.org_repo import OrgRepo

NOW = datetime(2026, 11, 23, 9, 30)
BASE = b"\xef\xbb\xbf# hand-kept list\r\n(A) 2026-11-20 Call the plumber +house\r\ncaf\xe9  \r\n"
CRASH_TRIALS = int(os.environ.get("MYORG_CRASH_TRIALS", "50"))


def make_repo(root: Path, todo: bytes = BASE) -> OrgRepo:
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "todo.txt").write_bytes(todo)
    return OrgRepo(root)


def fork(work: Callable[[], None]) -> int:
    """Run ``work`` in a forked child that exits 0 on success, 1 on any exception."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return pid


def files_of(repo: OrgRepo) -> dict[str, bytes]:
    return {rel: (repo.root / rel).read_bytes() for rel in ("todo.txt", "done.txt")}


def temp_files(repo: OrgRepo) -> list[str]:
    return [p for p in repo.list_files() if Path(p).name.startswith(TEMP_PREFIX)]


def staged(repo: OrgRepo) -> list[Path]:
    """Staging directories of the earlier protocol."""
    staging = repo.state_dir / "staging"
    return sorted(staging.iterdir()) if staging.is_dir() else []


def inflight(repo: OrgRepo) -> list[str]:
    """Op ids whose WAL record has no ``done`` (or ``void``) after it."""
    try:
        raw = (repo.state_dir / "wal.jsonl").read_bytes()
    except FileNotFoundError:
        return []
    open_ids: dict[str, None] = {}
    for line in raw.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if "op" in entry:
            open_ids[entry["op"]] = None
        for key in ("done", "void"):
            open_ids.pop(entry.get(key, ""), None)
    return list(open_ids)


class Crash(BaseException):
    """Stands for a SIGKILL at the point where it is raised."""


def crash_before_replacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next journal commit stops right after its WAL record is synced."""

    def crash(path: Path, data: bytes) -> None:
        raise Crash

    monkeypatch.setattr(journal_module, "_replace", crash)


def test_an_earlier_protocol_staged_op_with_a_manifest_is_finished(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "org")
    stage = repo.state_dir / "staging" / "op1"
    stage.mkdir(parents=True)
    (stage / "0.bin").write_bytes(BASE + b"staged line\r\n")
    result = ops.OpResult("op1", "add_task", "add task: staged line", ["todo.txt"]).to_dict()
    manifest = {"op_id": "op1", "files": [["todo.txt", "0.bin"]], "result": result}
    (stage / "manifest.json").write_text(json.dumps(manifest))
    assert recover_pending(repo) == 1
    assert (repo.root / "todo.txt").read_bytes() == BASE + b"staged line\r\n"
    assert staged(repo) == []
    again = apply_operation(repo, ops.AddTask(text="staged line", op_id="op1"), NOW)
    assert again.duplicate
    assert (repo.root / "todo.txt").read_bytes() == BASE + b"staged line\r\n"


def test_an_earlier_protocol_staged_op_without_manifest_is_discarded(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "org")
    stage = repo.state_dir / "staging" / "op2"
    stage.mkdir(parents=True)
    (stage / "0.bin").write_bytes(b"half written")
    assert recover_pending(repo) == 0
    assert (repo.root / "todo.txt").read_bytes() == BASE
    assert staged(repo) == []
    result = apply_operation(repo, ops.AddTask(text="fresh", op_id="op2"), NOW)
    assert not result.duplicate
    assert (repo.root / "todo.txt").read_bytes() == BASE + b"2026-11-23 fresh\r\n"


def test_applied_ids_survive_a_new_journal_and_keep_non_utf8_text(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "org")
    result = apply_operation(repo, ops.DeleteTask(line=3, op_id="del"), NOW)
    assert result.data["raw"] == "caf\udce9  "
    reread = Journal(OrgRepo(repo.root)).applied("del")
    assert reread is not None and reread["data"]["raw"] == "caf\udce9  "
    assert (repo.root / "todo.txt").read_bytes() == BASE.replace(b"caf\xe9  \r\n", b"")


def test_a_torn_journal_tail_does_not_swallow_the_next_record(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "org")
    apply_operation(repo, ops.AddTask(text="first"), NOW)
    with open(repo.state_dir / "applied.jsonl", "ab") as f:
        f.write(b'{"op_id": "torn-by-power-loss", "res')
    op = ops.AddTask(text="second")
    apply_operation(repo, op, NOW)
    assert apply_operation(repo, op, NOW).duplicate
    assert (repo.root / "todo.txt").read_bytes().count(b"second") == 1


def test_hostile_op_id_stays_inside_the_staging_dir(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "org")
    op = ops.AddTask(text="t", op_id="../../../../escape")
    apply_operation(repo, op, NOW)
    assert apply_operation(repo, op, NOW).duplicate
    assert not (tmp_path / "escape").exists()
    with pytest.raises(ValueError, match="empty operation id"):
        Journal(repo).commit("", {}, {})


def test_a_checkpoint_empties_the_wal_and_keeps_the_recent_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "KEEP_APPLIED", 3)
    monkeypatch.setattr(journal_module, "CHECKPOINT_EVERY", 4)
    repo = make_repo(tmp_path / "org")
    ids = [f"op{i}" for i in range(10)]
    for op_id in ids:
        apply_operation(repo, ops.AddTask(text=op_id, op_id=op_id), NOW)
    journal = Journal(OrgRepo(repo.root))
    # Checkpoints after op3 and op7 kept the last 3 ids each time; op8 and op9 are in the WAL.
    assert [journal.applied(i) is not None for i in ids] == [False] * 5 + [True] * 5
    assert len((repo.state_dir / "applied.jsonl").read_bytes().splitlines()) == 3
    assert len((repo.state_dir / "wal.jsonl").read_bytes().splitlines()) == 4  # 2 ops, 2 done
    assert (repo.root / "todo.txt").read_bytes() == BASE + b"".join(
        f"2026-11-23 {i}\r\n".encode() for i in ids
    )


def test_one_sync_per_operation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "org")
    apply_operation(repo, ops.AddTask(text="warm up"), NOW)
    syncs: list[str] = []
    real_fsync, real_fdatasync = os.fsync, os.fdatasync
    monkeypatch.setattr(os, "fsync", lambda fd: (syncs.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "fdatasync", lambda fd: (syncs.append("fdatasync"), real_fdatasync(fd))[1]
    )
    for i in range(5):
        apply_operation(repo, ops.AddTask(text=f"counted {i}"), NOW)
    apply_operation(repo, ops.ArchiveDone(), NOW)  # two files, still one record
    assert syncs == ["fdatasync"] * 6


def test_an_inflight_op_is_finished_by_recovery_and_not_applied_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "org")
    op = ops.AddTask(text="survives the crash", op_id="op-1")
    with monkeypatch.context() as m:
        crash_before_replacing(m)
        with pytest.raises(Crash):
            apply_operation(repo, op, NOW)
    assert (repo.root / "todo.txt").read_bytes() == BASE
    assert inflight(repo) == ["op-1"]
    fresh = OrgRepo(repo.root)  # the restarted process
    assert recover_pending(fresh) == 1
    assert inflight(fresh) == []
    assert (repo.root / "todo.txt").read_bytes() == BASE + b"2026-11-23 survives the crash\r\n"
    assert apply_operation(fresh, op, NOW).duplicate
    assert (repo.root / "todo.txt").read_bytes().count(b"survives the crash") == 1


def test_lost_renames_are_replayed_in_order_from_the_wal(tmp_path: Path) -> None:
    """A power loss can drop renames that were never synced: the WAL holds every change since
    the last checkpoint, and recovery replays a chain of them on the same file in order."""
    repo = make_repo(tmp_path / "org")
    apply_operation(repo, ops.AddTask(text="one", op_id="a"), NOW)
    apply_operation(repo, ops.AddTask(text="two", op_id="b"), NOW)
    apply_operation(repo, ops.CompleteTask(line=4, raw="2026-11-23 one", op_id="c"), NOW)
    expected = (repo.root / "todo.txt").read_bytes()
    wal = repo.state_dir / "wal.jsonl"
    records = [line for line in wal.read_bytes().splitlines() if b'"done"' not in line]
    wal.write_bytes(b"\n".join(records) + b"\n")  # the done marks were lost too
    (repo.root / "todo.txt").write_bytes(BASE)  # and every rename
    fresh = OrgRepo(repo.root)
    assert recover_pending(fresh) == 3
    assert (repo.root / "todo.txt").read_bytes() == expected
    # Only the last rename lost: the earlier records find the file past them, not edited.
    wal.write_bytes(b"\n".join(records) + b"\n")
    assert recover_pending(OrgRepo(repo.root)) == 3
    assert (repo.root / "todo.txt").read_bytes() == expected
    assert all(Journal(OrgRepo(repo.root)).applied(i) is not None for i in "abc")


def test_splice_rebuilds_the_new_bytes() -> None:
    cases = [(b"", b""), (b"", b"abc"), (b"abc", b""), (b"aaaa", b"aaaaa"), (b"abab", b"ab"),
             (b"x\r\ny\r\n", b"x\r\nz\r\ny\r\n"), (BASE, BASE + b"more\r\n")]
    for old, new in cases:
        at, cut, text = journal_module.splice(old, new)
        assert old[:at] + text + old[at + cut :] == new
        assert len(text) == len(new) - len(old) + cut


def crash_one(repo: OrgRepo, op: ops.Operation, delay: float) -> str:
    """Apply ``op`` in a child killed after ``delay`` s; returns how far it got."""
    ready_r, ready_w = os.pipe()

    def work() -> None:
        child_repo = OrgRepo(repo.root)
        os.write(ready_w, b"r")
        apply_operation(child_repo, op, NOW)

    pid = fork(work)
    os.close(ready_w)
    os.read(ready_r, 1)
    os.close(ready_r)
    if delay:
        time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status):
        assert os.WEXITSTATUS(status) == 0, "the child's apply_operation failed"
        return "finished"
    if inflight(repo):
        return "in flight"
    return "killed"


def test_row15_sigkill_during_apply_leaves_no_torn_file(tmp_path: Path) -> None:
    # How long one apply takes here, to spread the kills over its whole length.
    probe = make_repo(tmp_path / "probe")
    durations = []
    for i in range(11):
        started = time.perf_counter()
        apply_operation(probe, ops.AddTask(text=f"probe {i}"), NOW)
        durations.append(time.perf_counter() - started)
    window = sorted(durations)[5] * 1.5

    repo = make_repo(tmp_path / "org")
    (repo.root / "done.txt").write_bytes(b"x 2026-10-01 archived long ago\n")
    rng = random.Random(15)
    torn = orphans = outcomes_wrong = 0
    outcomes: dict[str, int] = {}
    added: list[bytes] = []
    for trial in range(CRASH_TRIALS):
        if trial % 2 == 0:
            op: ops.Operation = ops.AddTask(text=f"x 2026-11-23 trial {trial}")
            added.append(f"x 2026-11-23 trial {trial}".encode())
        else:
            op = ops.ArchiveDone()
        before = files_of(repo)
        outcome = crash_one(repo, op, rng.uniform(0, window))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        crashed = files_of(repo)
        recover_pending(repo)
        orphans += len(temp_files(repo)) + len(inflight(repo))
        # The queue redelivers the same op after the crash.
        apply_operation(OrgRepo(repo.root), ops.operation_from_dict(op.to_dict()), NOW)
        after = files_of(repo)
        torn += sum(crashed[f] not in (before[f], after[f]) for f in after)
        both = after["todo.txt"] + after["done.txt"]
        outcomes_wrong += any(both.count(line + b"\r\n") + both.count(line + b"\n") != 1
                              for line in added)
    print(
        f"ROW15 torn files {torn}/{CRASH_TRIALS}; orphan temp files {orphans}; "
        f"ops not present exactly once {outcomes_wrong}/{CRASH_TRIALS}; "
        f"kill outcomes {dict(sorted(outcomes.items()))}"
    )
    assert torn == 0
    assert orphans == 0
    assert outcomes_wrong == 0
    final = files_of(repo)
    assert final["todo.txt"].startswith(BASE)
    assert final["done.txt"].startswith(b"x 2026-10-01 archived long ago\n")
    assert len(final["done.txt"].splitlines()) + len(final["todo.txt"].splitlines()) == (
        1 + 3 + len(added)
    )


def test_two_processes_applying_at_once_lose_no_edit(tmp_path: Path) -> None:
    seeds = [f"2026-11-01 seed {i} @home" for i in range(20)]
    repo = make_repo(tmp_path / "org", BASE + "".join(s + "\r\n" for s in seeds).encode())
    go_r, go_w = os.pipe()

    def adder() -> None:
        os.read(go_r, 1)
        mine = OrgRepo(repo.root)
        for i in range(30):
            apply_operation(mine, ops.AddTask(text=f"added {i} @work"), NOW)

    def completer() -> None:
        os.read(go_r, 1)
        mine = OrgRepo(repo.root)
        for i, raw in enumerate(seeds):
            # Line numbers go stale as the other process appends; the raw text finds the task.
            apply_operation(mine, ops.CompleteTask(line=4 + i, raw=raw), NOW)

    pids = [fork(adder), fork(completer)]
    os.write(go_w, b"gg")
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    data = (repo.root / "todo.txt").read_bytes()
    assert data.startswith(BASE)
    lines = data.decode("utf-8", "surrogateescape").split("\r\n")
    for i in range(30):
        assert lines.count(f"2026-11-23 added {i} @work") == 1
    for seed in seeds:
        assert lines.count(f"x 2026-11-23 {seed}") == 1
        assert seed not in lines
    assert len(lines) == 3 + 20 + 30 + 1  # the final element is the empty tail


def test_recovery_keeps_a_hand_edit_made_after_the_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An in-flight op whose target the owner edited meanwhile is voided, not forced over the
    edit; applying the same op again (its redelivery) then lands on top of the owner's text."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "todo.txt").write_bytes(b"2026-11-01 first\n")
    repo = OrgRepo(tmp_path)
    op = ops.AddTask(text="second", op_id="op-1")
    with monkeypatch.context() as m:
        crash_before_replacing(m)
        with pytest.raises(Crash):
            apply_operation(repo, op, datetime(2026, 11, 24, 9))
    (tmp_path / "todo.txt").write_bytes(b"2026-11-01 first\n2026-11-24 by hand\n")
    fresh = OrgRepo(tmp_path)
    assert recover_pending(fresh) == 0
    assert (tmp_path / "todo.txt").read_bytes() == b"2026-11-01 first\n2026-11-24 by hand\n"
    assert Journal(OrgRepo(tmp_path)).applied("op-1") is None
    apply_operation(fresh, op, datetime(2026, 11, 24, 9))
    assert (tmp_path / "todo.txt").read_bytes() == (
        b"2026-11-01 first\n2026-11-24 by hand\n2026-11-24 second\n"
    )
