"""``myorg history`` in the owner's timezone, and options given before or after the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli.cli_harness import PROJECT, env, git


def myorg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=PROJECT, env=env(),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def commit_at(repo: Path, when: str, subject: str) -> None:
    (repo / "inbox.txt").write_text(f"{subject}\n")
    git(repo, "add", "inbox.txt")
    subprocess.run(
        ["git", "commit", "-q", "-m", subject], cwd=repo, check=True,
        env={**env(), "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when},
    )  # fmt: skip


def test_history_shows_every_commit_in_the_owners_timezone(repo: Path) -> None:
    # A worker's commit carries its host's offset (UTC here), one made by hand the owner's:
    # both are shown in the zone of assistant.toml (Europe/Madrid, UTC+1 in November).
    commit_at(repo, "2026-11-23T23:30:00+00:00", "late edit on the server")
    commit_at(repo, "2026-11-24T08:15:00+01:00", "morning edit by hand")
    done = myorg("history", "--repo", str(repo))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "2026-11-24 08:15 morning edit by hand" in lines[0]
    assert "2026-11-24 00:30 late edit on the server" in lines[1]


def test_common_options_go_before_or_after_the_command(repo: Path) -> None:
    after = myorg("tasks", "--repo", str(repo), "--json", "--now", "2026-11-23T09:00")
    before = myorg("--repo", str(repo), "--json", "--now", "2026-11-23T09:00", "tasks")
    mixed = myorg("--repo", str(repo), "tasks", "--json", "--now", "2026-11-23T09:00")
    assert after.returncode == before.returncode == mixed.returncode == 0, before.stderr
    assert json.loads(before.stdout) == json.loads(after.stdout) == json.loads(mixed.stdout)
    assert json.loads(before.stdout)  # the fixture's tasks, not an empty list


def test_an_option_after_the_command_wins_over_the_same_before_it(
    repo: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere"
    done = myorg("--repo", str(missing), "tasks", "--repo", str(repo), "--json")
    assert done.returncode == 0, done.stderr
    done = myorg("--repo", str(repo), "tasks", "--repo", str(missing))
    assert done.returncode == 2 and "nowhere" in done.stderr
