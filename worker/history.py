"""History of the org repository, and undo of the assistant's most recent change.

Undo reverts the newest commit made by the assistant (one with ``Myorg-Op`` trailers, not itself
an undo, not already undone) as a new commit. Each file is reverted three-way — base: the
change's result, ours: the file now, theirs: the file before the change — with the same merge
by meaning as sync; if anything since touched the same lines, the undo is refused with the
commit that did it, and nothing changes. The undo id makes a redelivered undo apply once.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import git

from shared.journal import journal_of
from shared.merge import MERGERS
from worker import git_cmd
from worker.commit_message import OpRecord, clean, parse_ops, parse_reverts
from worker.git_merge import semantic_kinds

if TYPE_CHECKING:
    from worker.repo_lane import RepoLane

UNDO_SEARCH_DEPTH = 200
_RS, _US = "\x1e", "\x1f"
_VIA_RE = re.compile(r" \(via [^()]*\)$")


class UndoRefusedError(ValueError):
    """Nothing to undo, or the owner has since changed the same lines."""


@dataclass(frozen=True)
class HistoryEntry:
    sha: str
    when: str
    author: str
    subject: str
    by_assistant: bool
    sources: list[str] = field(default_factory=list)
    op_ids: list[str] = field(default_factory=list)
    reverts: str | None = None
    merge: bool = False
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def undone_text(summary: object) -> str:
    """What to tell the owner after an undo: "Undone: complete task: …" (the commit's subject
    says "undo: complete task: …")."""
    what = str(summary or "").removeprefix("undo: ")
    return f"Undone: {what or 'the last change'}"


@dataclass
class UndoResult:
    undo_id: str
    reverted: str
    summary: str
    files: list[str]
    commit: str | None = None
    duplicate: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_history(root: Path | str, limit: int = 20) -> list[HistoryEntry]:
    """The newest ``limit`` commits, newest first, each saying who made it and from where."""
    fmt = f"{_RS}%H{_US}%aI{_US}%an{_US}%P{_US}%B{_US}"
    with git.Repo(root) as repo:
        if git_cmd.head_sha(repo) is None:
            return []
        out = git_cmd.run(
            repo, ["log", f"-n{int(limit)}", f"--format={fmt}", "--name-only", "HEAD"]
        )
    entries: list[HistoryEntry] = []
    for record in out.split(_RS)[1:]:
        sha, when, author, parents, body, names = record.split(_US, 5)
        ops = parse_ops(body)
        entries.append(
            HistoryEntry(
                sha=sha,
                when=when,
                author=author,
                subject=body.split("\n", 1)[0],
                by_assistant=bool(ops),
                sources=list(dict.fromkeys(op.get("source", "?") for op in ops)),
                op_ids=[op["id"] for op in ops],
                reverts=parse_reverts(body),
                merge=len(parents.split()) > 1,
                files=[n for n in names.split("\n") if n],
            )
        )
    return entries


def find_undo_target(repo: git.Repo) -> git.Commit:
    reverted: set[str] = set()
    for commit in repo.iter_commits("HEAD", max_count=UNDO_SEARCH_DEPTH, first_parent=True):
        message = _message(commit)
        target = parse_reverts(message)
        if target:
            reverted.add(target)
            continue
        if parse_ops(message) and commit.hexsha not in reverted and len(commit.parents) <= 1:
            return commit
    raise UndoRefusedError(
        f"nothing to undo: no change by the assistant in the last {UNDO_SEARCH_DEPTH} commits"
    )


def undo_last_change(lane: RepoLane, undo_id: str, source: str) -> UndoResult:
    """Revert the assistant's newest change; the caller holds the lock and committed first."""
    journal = journal_of(lane.org)
    previous = journal.applied(undo_id)
    if previous is not None:
        return UndoResult(**{**previous, "duplicate": True})
    with git.Repo(lane.root) as repo:
        if git_cmd.head_sha(repo) is None:
            raise UndoRefusedError("nothing to undo: the repository has no commits yet")
        target = find_undo_target(repo)
        subject = _VIA_RE.sub("", clean(_message(target).split("\n", 1)[0]))
        files = _reverted_files(repo, lane, target, subject)
    summary = f"undo: {subject}"
    result = UndoResult(undo_id, target.hexsha, summary, sorted(files))
    lane.group.note_record(OpRecord(undo_id, "undo", summary, source, reverts=target.hexsha))
    with journal.locked():
        journal.commit(undo_id, files, result.to_dict())
    lane.group.applied(undo_id, sorted(files))
    info = lane.commit_now(sync=False)
    result.commit = info.sha if info else None
    return result


def _reverted_files(
    repo: git.Repo, lane: RepoLane, target: git.Commit, subject: str
) -> dict[str, bytes]:
    parent = target.parents[0].hexsha if target.parents else None
    args = ["diff-tree", "-r", "-z", "--no-commit-id", "--name-only"]
    args += [parent, target.hexsha] if parent else ["--root", target.hexsha]
    paths = [p for p in git_cmd.run(repo, args).split("\0") if p]
    kinds = semantic_kinds(lane.org)
    files: dict[str, bytes] = {}
    for path in paths:
        before = _blob_at(repo, parent, path) if parent else None
        after = _blob_at(repo, target.hexsha, path)
        now = lane.org.read_bytes(path) if lane.org.path(path).exists() else None
        if now == after:
            files[path] = before or b""
            continue
        if before is None or after is None or now is None:
            raise _refusal(repo, target, path, subject)
        merged = MERGERS[kinds.get(path, "lines")](after, now, before)
        if merged.conflicts or merged.notes:
            raise _refusal(repo, target, path, subject)
        files[path] = merged.data
    return files


def _refusal(repo: git.Repo, target: git.Commit, path: str, subject: str) -> UndoRefusedError:
    later = git_cmd.run(
        repo, ["log", "-n1", f"--format=%an{_US}%h{_US}%s", f"{target.hexsha}..HEAD", "--", path]
    )
    if later:
        author, short, title = later.split(_US, 2)
        since = f" by {clean(author)} in {short} (“{clean(title)}”)"
    else:
        since = " by hand, not yet committed"
    return UndoRefusedError(
        f"cannot undo “{subject}”: {clean(path)} was changed since{since} on the same lines; "
        "edit it by hand instead"
    )


def _blob_at(repo: git.Repo, rev: str, path: str) -> bytes | None:
    try:
        return git_cmd.run_bytes(repo, ["cat-file", "blob", f"{rev}:{path}"])
    except git_cmd.GitError:
        return None


def _message(commit: git.Commit) -> str:
    message = commit.message
    return message if isinstance(message, str) else message.decode("utf-8", "replace")
