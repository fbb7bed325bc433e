"""Write-ahead journal that makes applying an operation idempotent and crash-safe.

Protocol, per operation (all under ``OrgRepo.state_dir``, which lives inside ``.git``):

1. stage every new file's bytes under ``staging/<op_id>/`` and fsync them;
2. write ``staging/<op_id>/manifest.json`` atomically — from here on the op *will* happen;
3. move each staged file over its target with ``os.replace`` (atomic per file);
4. append the op id and its result to ``applied.jsonl`` (fsync), then drop the staging dir.

A crash before 2 leaves nothing applied (the staging dir is discarded and a redelivery
applies the op afresh); a crash after 2 is completed by :func:`recover_pending`; an op id
found in ``applied.jsonl`` is never applied again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shared.atomic import fsync_dir, write_atomic
from shared.org_repo import OrgRepo

KEEP_APPLIED = 20_000


def journal_of(repo: OrgRepo) -> Journal:
    """The repo's journal, kept on the OrgRepo so its index is read incrementally."""
    journal = repo.memo.get("journal")
    if not isinstance(journal, Journal):
        journal = repo.memo["journal"] = Journal(repo)
    return journal


class Journal:
    def __init__(self, repo: OrgRepo) -> None:
        self.repo = repo
        self.dir = repo.state_dir
        self.applied_path = self.dir / "applied.jsonl"
        self.staging = self.dir / "staging"
        self._index: dict[str, dict[str, Any]] = {}
        self._ino: int | None = None
        self._offset = 0

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

    def _load_index(self) -> dict[str, dict[str, Any]]:
        """The applied-op index, reading only what was appended since the last call."""
        try:
            st = self.applied_path.stat()
        except FileNotFoundError:
            self._index, self._ino, self._offset = {}, None, 0
            return self._index
        if st.st_ino != self._ino or st.st_size < self._offset:
            self._index, self._ino, self._offset = {}, st.st_ino, 0  # replaced (trimmed): reread
        if st.st_size > self._offset:
            with open(self.applied_path, "rb") as f:
                f.seek(self._offset)
                tail = f.read(st.st_size - self._offset)
            complete = tail.rfind(b"\n") + 1  # a torn last line is read once it is whole
            for raw in tail[:complete].splitlines():
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    entry = json.loads(raw)
                    self._index[entry["op_id"]] = entry["result"]
            self._offset += complete
        return self._index

    def applied(self, op_id: str) -> dict[str, Any] | None:
        return self._load_index().get(op_id)

    def _record(self, op_id: str, result: dict[str, Any]) -> None:
        line = json.dumps({"op_id": op_id, "result": result}) + "\n"
        with open(self.applied_path, "a+b") as f:
            # A tail torn by a power loss must not swallow this record into its line.
            end = f.seek(0, os.SEEK_END)
            if end:
                f.seek(end - 1)
                if f.read(1) != b"\n":
                    line = "\n" + line
            f.write(line.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        index = self._load_index()
        if len(index) > KEEP_APPLIED * 2:
            self._trim(index)

    def _trim(self, index: dict[str, dict[str, Any]]) -> None:
        kept = list(index.items())[-KEEP_APPLIED:]
        body = "".join(json.dumps({"op_id": k, "result": v}) + "\n" for k, v in kept)
        write_atomic(self.applied_path, body.encode("utf-8"))
        self._index, self._ino, self._offset = {}, None, 0

    def commit(self, op_id: str, files: dict[str, bytes], result: dict[str, Any]) -> None:
        """Apply ``files`` (repo-relative path → new bytes) and record ``result``, atomically."""
        stage = self.staging / _safe_name(op_id)
        if stage.exists():
            shutil.rmtree(stage)
        stage.mkdir(parents=True)
        manifest: list[list[str]] = []
        for n, (rel, data) in enumerate(files.items()):
            staged = stage / f"{n}.bin"
            with open(staged, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            manifest.append([rel, staged.name, _digest(self.repo.read_bytes(rel))])
        fsync_dir(stage)
        payload = {"op_id": op_id, "files": manifest, "result": result}
        write_atomic(stage / "manifest.json", json.dumps(payload).encode("utf-8"))
        self._finish(stage, payload)

    def _finish(self, stage: Path, payload: dict[str, Any], recovering: bool = False) -> bool:
        """Move the staged files into place and record the op; False if it was abandoned."""
        if recovering and self._edited_since(stage, payload):
            # The owner changed a file between the crash and now: their edit wins, and the
            # op stays unrecorded so that its redelivery applies it on top of their text.
            shutil.rmtree(stage, ignore_errors=True)
            return False
        for rel, name, *_ in payload["files"]:
            staged = stage / name
            if staged.exists():
                target = self.repo.path(rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(FileNotFoundError):
                    os.chmod(staged, target.stat().st_mode & 0o7777)
                os.replace(staged, target)
                fsync_dir(target.parent)
        if self.applied(payload["op_id"]) is None:
            self._record(payload["op_id"], payload["result"])
        shutil.rmtree(stage, ignore_errors=True)
        return True

    def _edited_since(self, stage: Path, payload: dict[str, Any]) -> bool:
        for rel, name, *before in payload["files"]:
            if not before or not (stage / name).exists():
                continue
            if _digest(self.repo.read_bytes(rel)) != before[0]:
                return True
        return False

    def recover(self) -> int:
        """Finish ops that reached their manifest; discard ones that did not. Returns finished."""
        if not self.staging.is_dir():
            return 0
        finished = 0
        for stage in sorted(self.staging.iterdir()):
            manifest = stage / "manifest.json"
            try:
                payload = json.loads(manifest.read_bytes())
            except (FileNotFoundError, ValueError):
                shutil.rmtree(stage, ignore_errors=True)
                continue
            if self._finish(stage, payload, recovering=True):
                finished += 1
        return finished


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _safe_name(op_id: str) -> str:
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in op_id)[:120]
    if not name:
        raise ValueError("empty operation id")
    return name
