"""What the rollout tests check in the org repository: each edit present exactly once, git fsck."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

#: Task lines ("succeeded in 0.01s") are logged at INFO; the Procfile leaves Celery's default level.
INFO = ("-l", "INFO")


def counts(repo: Path, texts: list[str]) -> tuple[int, int]:
    """(duplicates, missing) of ``texts`` among the lines of todo.txt."""
    try:
        lines = (repo / "todo.txt").read_text("utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    seen = dict.fromkeys(texts, 0)
    for line in lines:
        text = re.sub(r"^\d{4}-\d{2}-\d{2} ", "", line)
        if text in seen:
            seen[text] += 1
    return sum(c - 1 for c in seen.values() if c > 1), sum(1 for c in seen.values() if c == 0)


def applied_so_far(repo: Path, texts: list[str]) -> int:
    return len(texts) - counts(repo, texts)[1]


def fsck(repo: Path) -> None:
    subprocess.run(["git", "fsck", "--no-progress"], cwd=repo, check=True, capture_output=True)
