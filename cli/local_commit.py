"""Commit the files an operation changed, when the CLI applies it directly (``--local``)."""

from __future__ import annotations

from pathlib import Path


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
