"""Running the ``myorg`` CLI in tests: a git copy of the fixture repo and a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shared.lines import LineDoc

PROJECT = Path(__file__).resolve().parents[2]
FIXTURE = PROJECT / "tests" / "fixtures" / "org"
NOW = "2026-11-23T09:00"
TASK_KEYS = {
    "line", "raw", "done", "priority", "completion_date", "creation_date", "text", "projects",
    "contexts", "attributes", "due", "threshold", "recurrence",
}
TODAY_KEYS = {
    "date", "events", "overdue", "due_today", "due_within", "waiting_stale", "stalled_projects",
    "goals", "open_by_context",
}
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Marta Ruiz",
    "GIT_AUTHOR_EMAIL": "marta@example.org",
    "GIT_COMMITTER_NAME": "Marta Ruiz",
    "GIT_COMMITTER_EMAIL": "marta@example.org",
}


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith(("ORG_", "TIMEZONE", "GIT_"))}
    # A strict UTF-8 stdout, as in a UTF-8 terminal: text that is not UTF-8 must not crash output.
    out.update(GIT_ENV, PYTHONIOENCODING="utf-8", TIMEZONE="UTC")
    return out


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "core.autocrlf=false", *args],
        cwd=repo, env=env(), capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture repo committed once; each test gets a copy of it (with its .git)."""
    root = tmp_path_factory.mktemp("template") / "org"
    shutil.copytree(FIXTURE, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Org repo as kept by hand")
    return root


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "org"
    shutil.copytree(template, dest, symlinks=True)
    return dest


def run(repo: Path | str, *args: str, now: str | None = NOW) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "cli", *args, "--repo", str(repo)]
    if now is not None:
        cmd += ["--now", now]
    return subprocess.run(
        cmd, cwd=PROJECT, env=env(), capture_output=True, text=True,
        encoding="utf-8", errors="surrogateescape", timeout=60,
    )


def run_json(repo: Path, *args: str, now: str = NOW) -> Any:
    done = run(repo, *args, "--json", now=now)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def tasks_now(template: Path) -> list[dict[str, Any]]:
    """``tasks --json`` on the untouched repo (read-only commands share one run)."""
    return run_json(template, "tasks")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def today_view(template: Path) -> dict[str, Any]:
    return run_json(template, "today")  # type: ignore[no-any-return]


def run_in_process(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> Any:
    """The same entry point without a new interpreter, for a matrix of read-only variations."""
    from cli.main import main

    for key, value in env().items():
        monkeypatch.setenv(key, value)
    code = main([*args, "--json", "--repo", str(repo), "--now", NOW])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def lines_of(tasks: list[dict[str, Any]]) -> list[int]:
    return [t["line"] for t in tasks]


def todo_doc(repo: Path) -> LineDoc:
    return LineDoc.from_bytes((repo / "todo.txt").read_bytes())


def state(repo: Path) -> tuple[dict[str, bytes], str]:
    files = {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    return files, git(repo, "rev-parse", "HEAD")


def commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def last_commit(repo: Path) -> tuple[str, list[str]]:
    subject = git(repo, "log", "-1", "--format=%s")
    files = git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    return subject, sorted(files)
