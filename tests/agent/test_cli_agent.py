"""``myorg ask``, ``myorg chat`` and ``myorg usage`` as the owner runs them (real subprocesses)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from shared.org_repo import OrgRepo
from tests.agent.fake_anthropic import FakeAnthropic, Msg, text, tool_use
from tests.agent.helpers import API_KEY

PROJECT = Path(__file__).resolve().parents[2]
NOW = "2026-11-23T09:00"


def env(**extra: str) -> dict[str, str]:
    out = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "LITELLM_", "ASSISTANT_", "AGENT_", "REDIS_"))
    }
    out.update(
        PYTHONIOENCODING="utf-8",
        TIMEZONE="Europe/Madrid",
        REDIS_URL="redis://127.0.0.1:1/0",
        GIT_AUTHOR_NAME="Owner",
        GIT_AUTHOR_EMAIL="o@example.invalid",
        GIT_COMMITTER_NAME="Owner",
        GIT_COMMITTER_EMAIL="o@example.invalid",
    )
    out.update(extra)
    return out


def myorg(
    repo: OrgRepo, *args: str, stdin: str | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", args[0], "--repo", str(repo.root), "--now", NOW, *args[1:]],
        cwd=PROJECT,
        env=env(**extra),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def with_model(fake: FakeAnthropic) -> dict[str, str]:
    return {
        "ANTHROPIC_API_KEY": API_KEY,
        "ANTHROPIC_BASE_URL": fake.url,
        "ASSISTANT_MODEL": "claude-sonnet-4-6",
    }


def git_log(repo: OrgRepo) -> str:
    return subprocess.run(
        ["git", "log", "-2", "--format=%s"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_ask_without_a_key_adds_and_commits(org: OrgRepo) -> None:
    done = myorg(org, "ask", "add call Ana about the contract tomorrow +acme @phone")
    assert done.returncode == 0, done.stderr
    assert re.match(r"Added task #\d+: 2026-11-23 call Ana about the contract", done.stdout)
    last = (org.root / "todo.txt").read_text().splitlines()[-1]
    assert last == "2026-11-23 call Ana about the contract +acme @phone due:2026-11-24"
    assert git_log(org).splitlines()[0].startswith("add task: call Ana about the contract")


def test_ask_without_a_key_explains_what_the_model_would_add(org: OrgRepo) -> None:
    done = myorg(org, "ask", "how am I doing on my goals?")
    assert done.returncode == 0
    assert "ANTHROPIC_API_KEY" in done.stdout and "Without the model I understand" in done.stdout


def test_ask_with_a_model_streams_the_answer_once(org: OrgRepo, fake: FakeAnthropic) -> None:
    fake.script(
        Msg([text("Looking."), tool_use("search_tasks", {"context": "@phone"})]),
        Msg([text("You have three calls to make today.")]),
    )
    done = myorg(org, "ask", "--local", "which calls do I have?", **with_model(fake))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Looking.\nYou have three calls to make today.\n"
    assert len(fake.requests) == 2
    usage = json.loads(myorg(org, "usage", "--json", "--days", "1").stdout)
    assert usage["days"][0]["turns"] == 1
    assert usage["days"][0]["usage"]["requests"] == 2
    assert usage["recent_turns"][-1]["model"] == "claude-sonnet-4-6"


def test_confirm_in_a_later_command(org: OrgRepo, fake: FakeAnthropic) -> None:
    lines = (org.root / "todo.txt").read_text().splitlines()
    n = 1 + next(i for i, t in enumerate(lines) if "Four Thousand Weeks" in t)
    fake.script(Msg([tool_use("delete_task", {"line": n, "expect": "Four Thousand"})]))
    held = myorg(org, "ask", "--json", "delete the Four Thousand Weeks task", **with_model(fake))
    pending = json.loads(held.stdout)["pending_id"]
    assert pending and "Four Thousand Weeks" in (org.root / "todo.txt").read_text()
    done = myorg(org, "ask", f"confirm {pending}")
    assert done.stdout.startswith("Done: delete task"), done.stdout + done.stderr
    assert "Four Thousand Weeks" not in (org.root / "todo.txt").read_text()
    assert git_log(org).splitlines()[0].startswith("delete task")


def test_chat_reads_lines_until_the_end(org: OrgRepo) -> None:
    done = myorg(org, "chat", stdin="add buy oat milk @errands\ntasks @errands\n")
    assert done.returncode == 0, done.stderr
    assert "built-in commands (no API key)" in done.stdout
    assert "Added task" in done.stdout and "buy oat milk @errands" in done.stdout
    assert "@errands task(s):" in done.stdout
