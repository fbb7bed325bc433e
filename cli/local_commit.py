"""Apply an operation directly to the working tree and commit it (``--local``, or no worker).

The commit message has the same form as the repo lane's (``worker.commit_message``), so history
and undo treat a change made here like any other change of the assistant.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from shared.apply import apply_operation
from shared.operations import Operation, OpResult
from shared.org_repo import OrgRepo


def commit_paths(root: Path, paths: list[str], message: str) -> str | None:
    """Stage exactly ``paths`` and commit them; returns the new commit's sha (None if no change)."""
    if not paths:
        return None
    import git  # imported on use: the read-only subcommands never need it

    with git.Repo(root) as repo:
        existing = [p for p in paths if (root / p).exists()]
        removed = [p for p in paths if not (root / p).exists()]
        if existing:
            repo.index.add(existing)
        if removed:
            repo.index.remove(removed, working_tree=False)
        if repo.head.is_valid() and not repo.index.diff("HEAD"):
            return None
        commit = repo.index.commit(message)
        return commit.hexsha


def apply_and_commit(
    repo: OrgRepo, op: Operation, now: datetime
) -> tuple[OpResult, str | None]:
    """Apply ``op`` (idempotent by its id) and commit the files it changed."""
    from worker.commit_message import OpRecord, ops_message

    result = apply_operation(repo, op, now)
    if not result.files or result.duplicate:
        return result, None
    record = OpRecord(op.op_id, op.kind, result.summary, op.source)
    return result, commit_paths(repo.root, result.files, ops_message([record]))
