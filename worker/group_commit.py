"""Group commit: edits applied in a burst become one commit that lists them all.

Before an operation is applied its intent (op id, kind, summary, source, time) is appended to
``pending-commit.jsonl`` in the state directory. A commit takes every pending intent whose op the
journal says was applied, stages the files those ops changed, commits them with a message that
lists each op, then clears the list. The repo lane commits at once when its queue is empty (a
lone edit is in ``git log`` within milliseconds) and otherwise at least every
``group_commit_window_ms`` or ``group_commit_max_edits`` edits.

The list is appended to without a sync: a killed process leaves it intact (the page cache
survives), and the journal's synced WAL, not this list, is what makes an applied edit durable.
It is read incrementally, so a burst costs one short read per edit, not a reread of the list.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from dataclasses import dataclass

import git

from shared.journal import Journal, journal_of
from shared.line_tail import LineTail
from shared.operations import Operation
from shared.org_repo import OrgRepo
from shared.settings import Settings
from worker import git_cmd
from worker.commit_message import OpRecord, ops_message, parse_ops

PENDING_FILE = "pending-commit.jsonl"


@dataclass(frozen=True)
class PendingEdit:
    record: OpRecord
    at: float
    files: tuple[str, ...] | None = None  # None: not yet known to be applied


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    op_ids: list[str]
    files: list[str]


class GroupCommit:
    """The list of edits applied but not yet committed, kept in the state directory.

    Three kinds of line: an intent (before applying), ``files`` (applied, with the files it
    changed) and ``drop`` (nothing to commit: bad input, or a redelivery of a committed op).
    """

    def __init__(self, org: OrgRepo, settings: Settings) -> None:
        self.org = org
        self.settings = settings
        self.path = org.state_dir / PENDING_FILE
        self._tail = LineTail(self.path)
        self._seen: dict[str, PendingEdit] = {}

    def _append(self, entry: dict[str, object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n"
        with open(self.path, "a+b") as f:
            end = f.seek(0, os.SEEK_END)
            if end and os.pread(f.fileno(), 1, end - 1) != b"\n":
                line = b"\n" + line  # a line torn by a crash must not swallow this one
            f.write(line)

    def note(self, op: Operation) -> bool:
        """Record the intent to apply ``op``; False when it is pending already."""
        return self.note_record(OpRecord(op.op_id, op.kind, op.describe(), op.source))

    def note_record(self, record: OpRecord) -> bool:
        self._read()
        if record.op_id in self._seen:
            return False
        entry: dict[str, object] = {
            "op_id": record.op_id,
            "kind": record.kind,
            "summary": record.summary,
            "source": record.source,
            "at": time.time(),
        }
        if record.reverts:
            entry["reverts"] = record.reverts
        self._append(entry)
        return True

    def applied(self, op_id: str, files: list[str]) -> None:
        self._append({"op_id": op_id, "files": list(files)})

    def drop(self, op_id: str) -> None:
        self._append({"op_id": op_id, "drop": True})

    def pending(self) -> list[PendingEdit]:
        return list(self._read().values())

    def _read(self) -> dict[str, PendingEdit]:
        """The pending edits by op id, taking in only the lines appended since the last call."""
        reset, lines = self._tail.read()
        if reset:
            self._seen = {}
        seen = self._seen
        for line in lines:
            try:
                e = json.loads(line)
                op_id = e["op_id"]
                if e.get("drop"):
                    seen.pop(op_id, None)
                elif "files" in e:
                    if op_id in seen:
                        edit = seen[op_id]
                        seen[op_id] = PendingEdit(edit.record, edit.at, tuple(e["files"]))
                elif op_id not in seen:
                    record = OpRecord(op_id, e["kind"], e["summary"], e["source"], e.get("reverts"))
                    seen[op_id] = PendingEdit(record, float(e["at"]))
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # a line torn by a crash
        return seen

    def due(self, queue_length: int, now: float) -> bool:
        """Commit now? Yes when nothing else waits, or the window or batch is full."""
        pending = self.pending()
        if not pending:
            return False
        if queue_length <= 0 or len(pending) >= self.settings.group_commit_max_edits:
            return True
        return (now - pending[0].at) * 1000 >= self.settings.group_commit_window_ms

    def commit(self, repo: git.Repo, check_head: bool = True) -> CommitInfo | None:
        """Commit every applied pending edit; None when there was nothing to commit.

        ``check_head`` skips ops the last commit already lists (a crash between committing and
        clearing the list); needed once per process, since a live process always clears.
        """
        pending = self.pending()
        if not pending:
            return None
        journal: Journal | None = None
        committed = _ops_in_head(repo) if check_head else set()
        records: list[OpRecord] = []
        files: dict[str, None] = {}
        for edit in pending:
            changed = edit.files
            if changed is None:  # a crash between applying and noting it: ask the journal
                journal = journal or journal_of(self.org)
                result = journal.applied(edit.record.op_id)
                changed = tuple(result.get("files", [])) if result is not None else None
            if not changed or edit.record.op_id in committed:
                continue
            records.append(edit.record)
            files.update(dict.fromkeys(changed))
        info = None
        if records and files:
            info = self._commit_files(repo, records, sorted(files))
        self._clear()
        return info

    def _commit_files(
        self, repo: git.Repo, records: list[OpRecord], files: list[str]
    ) -> CommitInfo | None:
        env = git_cmd.commit_env(self.settings)
        message = ops_message(records).encode("utf-8")
        commit = ["commit", "-q", "--no-verify", "--cleanup=verbatim", "-F", "-"]
        tracked = {path for path, _stage in repo.index.entries}
        if all(f in tracked for f in files):
            commit += ["--", *files]  # one git process: commit exactly these paths
        else:
            git_cmd.run(repo, ["add", "-A", "--", *files], env=env)
        try:
            git_cmd.run(repo, commit, stdin=message, env=env)
        except git_cmd.GitError as exc:
            if "nothing to commit" in str(exc) or "no changes added" in str(exc):
                return None
            raise
        sha = git_cmd.checked_sha(git_cmd.head_sha(repo) or "")
        return CommitInfo(sha, [r.op_id for r in records], files)

    def _clear(self) -> None:
        """Forget the committed list (the repo lock keeps anyone from noting meanwhile).

        Replaced by an empty file (a new inode, so every reader starts over), not synced: after
        a crash the list may come back, and ``check_head`` drops what the last commit holds.
        """
        fd, tmp = tempfile.mkstemp(prefix=".pending-", dir=self.path.parent)
        os.close(fd)
        try:
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        self._tail, self._seen = LineTail(self.path), {}


def _ops_in_head(repo: git.Repo) -> set[str]:
    """Op ids the last commit already lists (a crash between commit and clearing the list)."""
    try:
        message = repo.head.commit.message
    except ValueError:
        return set()
    text = message if isinstance(message, str) else message.decode("utf-8", "replace")
    return {op["id"] for op in parse_ops(text)}
