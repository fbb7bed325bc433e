"""Done lines from the git history: what the day's commits marked done in todo.txt/done.txt.

The evening summary counts these with the done lines still in the files, so a task completed
and then deleted, or completed without a date, still shows as done today.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import git

from shared.org_repo import OrgRepo
from worker import git_cmd

log = logging.getLogger(__name__)


def done_lines_since(repo: OrgRepo, since: datetime) -> list[str]:
    """Lines starting with ``x `` added to todo.txt or done.txt by commits after ``since``
    (aware), oldest first; none when the directory is not a git repository."""
    if not (Path(repo.root) / ".git").exists():
        return []
    paths = [repo.layout.todo, repo.layout.done]
    args = ["log", "--reverse", f"--since={since.isoformat()}", "--format=", "-p",
            "--unified=0", "--no-color", "--no-ext-diff", "--", *paths]
    try:
        with git.Repo(repo.root) as handle:
            if git_cmd.head_sha(handle) is None:
                return []
            out = git_cmd.run(handle, args)
    except (git_cmd.GitError, git.GitError) as exc:
        log.warning("could not read today's history: %s", exc)
        return []
    return [line[1:] for line in out.splitlines() if line.startswith("+x ")]
