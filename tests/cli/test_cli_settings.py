"""The CLI reads its settings when a command uses them, and validates them there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cli.context import Context, build_context, load_settings
from cli.errors import CliError
from tests.cli.cli_harness import NOW, PROJECT, env


def _myorg(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=PROJECT, env={**env(), **extra_env},
        capture_output=True, text=True, timeout=60,
    )


def test_a_read_with_repo_neither_imports_nor_needs_the_settings(template: Path) -> None:
    probe = (
        "import sys, cli.main as m\n"
        f"code = m.main(['today', '--json', '--repo', {str(template)!r}, '--now', {NOW!r}])\n"
        "heavy = [n for n in ('pydantic_settings', 'pydantic', 'rich', 'croniter', 'celery',"
        " 'anthropic', 'redis') if n in sys.modules]\n"
        "print(code, heavy, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT, env={**env(), "AGENT_MAX_STEPS": "0"},
        capture_output=True, text=True, timeout=60,
    )
    # croniter is read only to check assistant.toml's [schedule]; nothing else heavy loads.
    assert done.stderr.strip().splitlines()[-1] in ("0 []", "0 ['croniter']"), done.stderr


def test_an_invalid_setting_a_command_uses_ends_it_naming_the_setting(template: Path) -> None:
    done = _myorg("tasks", "--now", NOW, ORG_REPO_PATH=str(template), AGENT_MAX_STEPS="0")
    assert done.returncode == 2
    assert done.stderr.startswith("myorg: invalid setting agent_max_steps: "), done.stderr
    assert "Traceback" not in done.stderr


def test_the_timezone_setting_is_read_when_the_repo_names_no_zone(
    template: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "org"
    subprocess.run(["cp", "-a", str(template), str(repo)], check=True)
    (repo / "assistant.toml").write_text("[projects]\nstalled_days = 14\n", encoding="utf-8")
    done = _myorg("today", "--json", "--repo", str(repo), "--now", NOW, TIMEZONE="Mars/Olympus")
    assert done.returncode == 2
    assert done.stderr.startswith("myorg: invalid setting timezone: "), done.stderr
    fine = _myorg("today", "--json", "--repo", str(template), "--now", NOW,
                  TIMEZONE="Mars/Olympus")
    assert fine.returncode == 0, fine.stderr


def test_context_settings_are_built_once_on_first_use(
    template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse

    for key, value in env().items():
        monkeypatch.setenv(key, value)
    ctx = build_context(argparse.Namespace(repo=str(template), now=NOW, json=True))
    assert isinstance(ctx, Context)
    assert "settings" not in vars(ctx)
    assert ctx.settings is ctx.settings
    monkeypatch.setenv("AGENT_MAX_STEPS", "0")
    with pytest.raises(CliError, match="invalid setting agent_max_steps"):
        load_settings()
