"""Write-ahead journal that makes applying an operation idempotent and crash-safe.

Protocol, per operation (files under ``OrgRepo.state_dir``, which lives inside ``.git``):

1. append one record to ``wal.jsonl`` — the op id, its result, and for each file the change as
   a splice (offset, bytes cut, bytes inserted) with a signature of the file before and after —
   and ``fdatasync`` it: from here on the op *has* happened (its id is in the index);
2. replace each file with ``os.replace`` from a temp file in the same directory (atomic per
   file, so a reader sees the old bytes or the new, never a mix);
3. append ``{"done": op_id}``.

One sync per operation. A crash between 1 and 3 leaves an *in-flight* record, which
:meth:`Journal.recover` settles on the next start: a file still as it was before gets the splice,
a file already as it should be after is left alone, and a file that is neither (the owner edited
it between the crash and now) wins — the record is voided, so the op's redelivery applies it
afresh on top of the owner's text. An op id found in the index is never applied again.

The replaced files are not synced one by one: every ``CHECKPOINT_EVERY`` operations (and when the
WAL is replayed) they are synced together, the records' ids and results move to ``applied.jsonl``
(the last ``KEEP_APPLIED`` of them) and the WAL starts empty. Until then a power loss that drops a
rename is repaired from the WAL, whose records hold every change since the last checkpoint.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shared.atomic import TEMP_PREFIX, fsync_dir, write_atomic
from shared.journal_legacy import recover_staging
from shared.line_splice import common_prefix, common_suffix
from shared.line_tail import LineTail
from shared.org_repo import OrgRepo

KEEP_APPLIED = 20_000
CHECKPOINT_EVERY = 1_000
WAL = "wal.jsonl"
APPLIED = "applied.jsonl"


def journal_of(repo: OrgRepo) -> Journal:
    """The repo's journal, kept on the OrgRepo so its index is read incrementally."""
    journal = repo.memo.get("journal")
    if not isinstance(journal, Journal):
        journal = repo.memo["journal"] = Journal(repo)
    return journal


def signature(data: bytes) -> str:
    """Length and CRC-32: tells our before and after states from each other and from an edit."""
    return f"{len(data)}:{zlib.crc32(data):08x}"


def splice(old: bytes, new: bytes) -> tuple[int, int, bytes]:
    """``(at, cut, text)`` with ``old[:at] + text + old[at + cut:] == new``, ``text`` minimal."""
    limit = min(len(old), len(new))
    at = common_prefix(old, new, limit)
    tail = common_suffix(old, new, limit - at)  # the suffix may not overlap the prefix
    return at, len(old) - tail - at, new[at : len(new) - tail]


class Journal:
    def __init__(self, repo: OrgRepo) -> None:
        self.repo = repo
        self.dir = repo.state_dir
        self.wal_path = self.dir / WAL
        self.applied_path = self.dir / APPLIED
        self._applied = LineTail(self.applied_path)
        self._wal = LineTail(self.wal_path)
        self._index: dict[str, dict[str, Any]] = {}
        self._records: dict[str, dict[str, Any]] = {}  # WAL records since the last checkpoint
        self._inflight: dict[str, dict[str, Any]] = {}  # records without "done"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive across processes: two writers never interleave."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- the index ---------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Bring the index up to date with both files, reading only what was appended."""
        reset_applied, applied_lines = self._applied.read()
        reset_wal, wal_lines = self._wal.read()
        if reset_applied or reset_wal:  # a checkpoint replaced a file: read both afresh
            self._applied = LineTail(self.applied_path)
            self._wal = LineTail(self.wal_path)
            self._index, self._records, self._inflight = {}, {}, {}
            applied_lines = self._applied.read()[1]
            wal_lines = self._wal.read()[1]
        for raw in applied_lines:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                entry = json.loads(raw)
                self._index[entry["op_id"]] = entry["result"]
        for raw in wal_lines:
            with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
                self._read_wal_entry(json.loads(raw))

    def _read_wal_entry(self, entry: dict[str, Any]) -> None:
        if "op" in entry:
            op_id = entry["op"]
            self._index[op_id] = entry["result"]
            self._records[op_id] = entry
            self._inflight[op_id] = entry
        elif "done" in entry:
            self._inflight.pop(entry["done"], None)
        elif "void" in entry:
            op_id = entry["void"]
            self._index.pop(op_id, None)
            self._records.pop(op_id, None)
            self._inflight.pop(op_id, None)

    def applied(self, op_id: str) -> dict[str, Any] | None:
        self._refresh()
        return self._index.get(op_id)

    # -- applying ----------------------------------------------------------------------------

    def commit(
        self,
        op_id: str,
        files: dict[str, bytes],
        result: dict[str, Any],
        before: dict[str, bytes] | None = None,
    ) -> None:
        """Apply ``files`` (repo-relative path → new bytes) and record ``result``, atomically.

        ``before``: the files' current bytes, when the caller has just read them. Call holding
        :meth:`locked`.
        """
        if not _safe_name(op_id):
            raise ValueError("empty operation id")
        self._refresh()
        changes = []
        for rel, data in files.items():
            old = before[rel] if before and rel in before else self.repo.read_bytes(rel)
            at, cut, text = splice(old, data)
            changes.append(
                [rel, signature(old), signature(data), at, cut, base64.b64encode(text).decode()]
            )
        record = {"op": op_id, "result": result, "files": changes}
        self._append(record, sync=True)
        for rel, data in files.items():
            _replace(self.repo.path(rel), data)
        self._append({"done": op_id})
        if len(self._records) >= CHECKPOINT_EVERY:
            self.checkpoint()

    def _append(self, entry: dict[str, Any], sync: bool = False) -> None:
        line = json.dumps(entry).encode("ascii") + b"\n"  # lone surrogates (non-UTF-8) escaped
        self.dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.wal_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if self._wal.torn or _ends_torn(fd):
                line = b"\n" + line  # a tail torn by a crash must not swallow this record
            os.write(fd, line)
            if sync:
                os.fdatasync(fd)
        finally:
            os.close(fd)
        # Our own line is known: take it in without reading it back when nothing came between.
        st = os.stat(self.wal_path)
        if self._wal.ino == st.st_ino and self._wal.offset + len(line) == st.st_size:
            self._wal.offset, self._wal.torn = st.st_size, False
            self._read_wal_entry(entry)
        else:
            self._refresh()

    # -- recovery and checkpoints --------------------------------------------------------------

    def recover(self) -> int:
        """Settle what a crash left half-applied; returns how many ops were finished.

        Call holding :meth:`locked`.
        """
        finished = recover_staging(self.repo, self)
        self._refresh()
        if not self._inflight:
            return finished
        for op_id, record in list(self._inflight.items()):
            if self._settle(op_id, record):
                finished += 1
        self.checkpoint()  # what was replayed is made durable at once
        return finished

    def _settle(self, op_id: str, record: dict[str, Any]) -> bool:
        """Finish one in-flight record; False when an owner's edit voided it."""
        later = self._later_signatures(op_id)
        for directory in {self.repo.path(f[0]).parent for f in record["files"]}:
            _remove_temps(directory)  # a crash inside _replace left its temp file
        pending: list[tuple[Path, bytes]] = []
        for rel, before, after, at, cut, text in record["files"]:
            current = self.repo.read_bytes(rel)
            sig = signature(current)
            if sig == after or sig in later.get(rel, ()):
                continue
            if sig == before:
                new = current[:at] + base64.b64decode(text) + current[at + cut :]
                if signature(new) == after:
                    pending.append((self.repo.path(rel), new))
                    continue
            self._append({"void": op_id}, sync=True)
            return False
        for path, data in pending:
            _replace(path, data)
        self._append({"done": op_id})
        return True

    def _later_signatures(self, op_id: str) -> dict[str, set[str]]:
        """Per file, the after-signatures of the records that follow ``op_id``."""
        out: dict[str, set[str]] = {}
        seen = False
        for other, record in self._records.items():
            if seen:
                for rel, _before, after, *_ in record["files"]:
                    out.setdefault(rel, set()).add(after)
            seen = seen or other == op_id
        return out

    def record_settled(self, op_id: str, result: dict[str, Any]) -> None:
        """Record an op whose files are already in place (finished by an older protocol)."""
        self._refresh()
        if op_id in self._index:
            return
        self._append({"op": op_id, "result": result, "files": []}, sync=True)
        self._append({"done": op_id})

    def checkpoint(self) -> None:
        """Sync the files the WAL changed, keep the ids in ``applied.jsonl``, empty the WAL.

        Call holding :meth:`locked`.
        """
        self._refresh()
        if not self._records and not self.wal_path.exists():
            return
        dirs: set[Path] = set()
        for rel in {f[0] for r in self._records.values() for f in r["files"]}:
            path = self.repo.path(rel)
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                dirs.add(path.parent)
        for directory in dirs:
            fsync_dir(directory)
        kept = list(self._index.items())[-KEEP_APPLIED:]
        body = "".join(json.dumps({"op_id": k, "result": v}) + "\n" for k, v in kept)
        write_atomic(self.applied_path, body.encode("ascii"))
        write_atomic(self.wal_path, b"")  # a crash before this only leaves ids known twice
        self._applied, self._wal = LineTail(self.applied_path), LineTail(self.wal_path)
        self._index, self._records, self._inflight = {}, {}, {}
        self._refresh()


def _replace(path: Path, data: bytes) -> None:
    """Atomic per file, not synced (the WAL record holds the change until a checkpoint)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _remove_temps(directory: Path) -> None:
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(directory):
            if entry.name.startswith(TEMP_PREFIX) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


def _ends_torn(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"


def _safe_name(op_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in op_id)[:120]
