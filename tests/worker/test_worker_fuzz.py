"""Row 16: malformed data files through the real worker (Hypothesis-generated, plus the extremes).

Invalid UTF-8, CRLF, a BOM, no final newline, NUL bytes, a 10 MB line, 100k lines: the worker
never crashes, an edit changes only its own line, and what is committed is exactly what was
written. Scaled: 20 generated examples (``MYORG_FAULT_SCALE=full``: 200).
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shared.operations import AddEvent, AddTask, OperationError
from tests.worker.worker_harness import GitWorld, WorkerFactory, run_git
from worker.app import OrgCelery
from worker.client import apply_via_queue

pytestmark = pytest.mark.slow
FULL = os.environ.get("MYORG_FAULT_SCALE") == "full"

_FRAGMENTS = st.sampled_from(
    [
        b"(A) 2026-11-20 Call the plumber +house due:2026-11-25",
        b"x 2026-11-22 2026-11-18 Send invoice +freelance",
        b"2026-11-23 w48 Mon  9-10 standup. 17 gym",
        b"2026-11-25 w48 Wed",
        b"2026-12  Close Q4 goals",
        b"# a comment",
        b"",
        b"   ",
        b"caf\xc3\xa9 \xe2\x82\xac",
        b"bad utf-8 \xff\xfe\xc3",
        b"nul \x00 byte",
        b"due:not-a-date t:2026-02-30 rec:zz",
        b"2026-13-45 w99 Xyz  nonsense day",
        b"https://example.org/x:y",
    ]
)
_ENDINGS = st.sampled_from([b"\n", b"\r\n", b"\r", b""])


@st.composite
def data_files(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.tuples(_FRAGMENTS, _ENDINGS), max_size=12))
    body = b"".join(text + end for text, end in parts)
    if draw(st.booleans()):
        body += draw(st.binary(max_size=40))
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + body


def _segments(data: bytes) -> list[bytes]:
    """Lines as raw bytes, each with its ``\n`` (a lone ``\r`` is just a byte here)."""
    return re.findall(rb"[^\n]*\n|[^\n]+$", data)


def only_one_line_changed(old: bytes, new: bytes) -> bool:
    """``new`` is ``old`` with one line inserted or replaced, every other byte kept (a last line
    without a newline may gain the file's newline, to put a line after it)."""
    b = _segments(new)
    candidates = [_segments(old)]
    if old and not old.endswith(b"\n"):
        for newline in (b"\n", b"\r\n"):
            candidates.append([*candidates[0][:-1], candidates[0][-1] + newline])
    for a in candidates:
        if len(b) == len(a) + 1:  # one line inserted somewhere
            i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
            if b[:i] == a[:i] and b[i + 1 :] == a[i:]:
                return True
        if len(b) == len(a) and sum(x != y for x, y in zip(a, b, strict=True)) == 1:
            return True  # one line replaced
    return False


def head_bytes(world: GitWorld, rel: str) -> bytes:
    done = subprocess.run(
        ["git", "show", f"HEAD:{rel}"], cwd=world.other, capture_output=True, check=True
    )
    return done.stdout


@pytest.fixture
def fuzz_worker(workers: WorkerFactory, world: GitWorld) -> WorkerFactory:
    workers.start(remote=False, ORG_REPO_PATH=str(world.other), GIT_STALE_LOCK_S="0")
    return workers


def test_row16_malformed_files_never_crash_the_worker_or_lose_bytes(
    fuzz_worker: WorkerFactory, world: GitWorld, client_app: OrgCelery
) -> None:
    worker = fuzz_worker.started[0]
    pid = worker.pid
    stats = {"examples": 0, "edits": 0, "refused": 0, "intact": 0}

    @settings(
        max_examples=200 if FULL else 20,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(todo=data_files(), calendar=data_files())
    @example(todo=b"x" * 10_000_000, calendar=b"2026-11-25 w48 Wed  " + b"y" * 10_000_000)
    @example(
        todo=b"".join(b"2026-11-01 task %d +p\n" % i for i in range(100_000)),
        calendar=b"".join(b"2026-%02d-01  line %d\n" % (i % 12 + 1, i) for i in range(100_000)),
    )
    @example(todo=b"", calendar=b"\xef\xbb\xbf")
    def check(todo: bytes, calendar: bytes) -> None:
        stats["examples"] += 1
        for rel, data in (("todo.txt", todo), ("calendar.txt", calendar)):
            (world.other / rel).write_bytes(data)
        run_git(world.other, "add", "--", "todo.txt", "calendar.txt")
        run_git(world.other, "commit", "-q", "--allow-empty", "-m", "owner: fuzzed files")
        n = stats["examples"]
        for rel, op in (
            ("todo.txt", AddTask(text=f"fuzz task {n}", source="cli")),
            ("calendar.txt", AddEvent(day="2026-11-25", text=f"fuzz event {n}", time="9")),
        ):
            before = (world.other / rel).read_bytes()
            head = run_git(world.other, "rev-parse", "HEAD")
            try:
                applied = apply_via_queue(client_app, op, 60)
            except OperationError:
                stats["refused"] += 1
                assert (world.other / rel).read_bytes() == before
                assert run_git(world.other, "rev-parse", "HEAD") == head
                continue
            stats["edits"] += 1
            after = (world.other / rel).read_bytes()
            assert only_one_line_changed(before, after), (before[:200], after[:200])
            stats["intact"] += 1
            assert applied.commit is not None and head_bytes(world, rel) == after
        assert worker.running() and worker.pid == pid
        assert world.other.joinpath(".git", "index.lock").exists() is False

    check()
    print(
        f"ROW16 examples {stats['examples']}; worker crashes 0; edits {stats['edits']} (refused "
        f"as invalid {stats['refused']}); untouched lines byte-identical {stats['intact']}/"
        f"{stats['edits']} (100%); committed == written 100%"
    )
    assert stats["intact"] == stats["edits"] > 0
