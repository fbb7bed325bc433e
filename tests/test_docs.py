"""The docs keep up with the code: every setting, scheduled job, Celery task, beat entry, slash
command, CLI subcommand and option, web route, agent tool and operation is named in ``docs/`` or
the README, every setting is in ``.env.example``, and the examples in the docs run.

Names are read from the running code (argparse, pydantic, Celery's registry, the bot's cogs, the
Flask URL map), never listed here, so a new one without docs fails this file.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import io
import re
import shlex
import tomllib
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import AliasChoices

from cli.main import build_parser
from shared import operations
from shared.agent.tools import ALL_TOOLS
from shared.assistant_config import DEFAULT_SCHEDULE, parse_assistant_config
from shared.schedule import schedule_grace
from shared.settings import Settings
from shared.suggest import Weights, read_weights

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ENV_EXAMPLE = ROOT / ".env.example"
FENCE_RE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
LINK_RE = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.fixture(scope="module")
def docs() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in DOC_FILES)


def named(name: str, text: str) -> bool:
    """``name`` occurs as a whole name (not inside a longer identifier)."""
    return re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text) is not None


def missing(names: list[str], text: str) -> list[str]:
    return [n for n in names if not named(n, text)]


# --- settings -----------------------------------------------------------------------------------


def env_names() -> list[tuple[str, list[str]]]:
    """(the setting's environment variable, every name it accepts), for each setting."""
    out = []
    for field_name, info in Settings.model_fields.items():
        alias = info.validation_alias
        names = [str(c) for c in alias.choices] if isinstance(alias, AliasChoices) else []
        names = names or [field_name.upper()]
        out.append((names[0], names))
    return out


def test_every_setting_is_in_env_example() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    absent = [n for n, _ in env_names() if not re.search(rf"^#?\s*{n}=", text, re.MULTILINE)]
    assert absent == [], f"add to .env.example (NAME=default, with a comment): {absent}"


def test_every_setting_is_documented(docs: str) -> None:
    every = [name for _, names in env_names() for name in names]
    assert missing(every, docs) == []


def test_env_example_is_valid_settings() -> None:
    """A copy of .env.example as .env starts every process (the values parse and agree), and
    leaves the git credentials unset: an empty GIT_PASSWORD would override one in the URL."""
    from dotenv import dotenv_values

    Settings(_env_file=ENV_EXAMPLE)
    values = dotenv_values(ENV_EXAMPLE)
    assert "GIT_PASSWORD" not in values and "GIT_USERNAME" not in values


# --- the CLI ------------------------------------------------------------------------------------


def subcommands(
    parser: argparse.ArgumentParser, prefix: str = "myorg"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = f"{prefix} {name}"
                nested = list(subcommands(sub, path))
                if nested:
                    yield from nested
                else:
                    yield path, sub


def test_every_cli_subcommand_is_documented(docs: str) -> None:
    paths = [path for path, _ in subcommands(build_parser())]
    assert len(paths) >= 10
    assert missing(paths, docs) == []


def test_every_cli_option_is_documented(docs: str) -> None:
    absent = []
    for path, sub in subcommands(build_parser()):
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help" and not named(flag, docs):
                    absent.append(f"{path} {flag}")
    assert absent == []


def shell_commands() -> Iterator[tuple[str, str]]:
    """(file name, command line) of every command in the docs' ``sh`` and ``console`` blocks."""
    for path in DOC_FILES:
        for lang, body in FENCE_RE.findall(path.read_text(encoding="utf-8")):
            if lang not in ("sh", "console"):
                continue
            for line in body.splitlines():
                if lang == "console":
                    if not line.startswith("$ "):
                        continue
                    line = line[2:]
                yield path.name, line.strip()


def myorg_argv(line: str) -> list[str] | None:
    """The arguments of a ``myorg`` command line (before any pipe), else None."""
    try:
        words = shlex.split(line.split(" | ")[0], comments=True)
    except ValueError:
        return None
    while words and "=" in words[0] and not words[0].startswith("-"):
        words = words[1:]  # VAR=value prefixes
    if words[:3] == [".venv/bin/python", "-m", "cli"] or words[:3] == ["python", "-m", "cli"]:
        return words[3:]
    if words and words[0] in ("myorg", ".venv/bin/myorg"):
        return words[1:]
    return None


def test_cli_examples_in_the_docs_parse() -> None:
    parser = build_parser()
    checked, wrong = 0, []
    for name, line in shell_commands():
        argv = myorg_argv(line)
        if not argv:
            continue
        checked += 1
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                parser.parse_args(argv)
            except SystemExit as exc:
                if exc.code:
                    wrong.append(f"{name}: {line}: {err.getvalue().strip().splitlines()[-1]}")
    assert wrong == []
    assert checked >= 15, "the docs show the CLI by example"


def test_worker_maintenance_commands_are_documented(docs: str) -> None:
    from worker.__main__ import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["--help"])
    found = re.search(r"\{([\w,]+)\}", out.getvalue())
    assert found is not None
    commands = [f"python -m worker {c}" for c in found.group(1).split(",")]
    assert missing(commands, docs) == []


# --- the worker, beat and the scheduled jobs ----------------------------------------------------


def test_every_celery_task_is_documented(docs: str) -> None:
    from worker.app import app

    app.loader.import_default_modules()
    names = sorted(n for n in app.tasks if n.startswith("myorg."))
    assert "myorg.repo.apply_operation" in names
    assert missing(names, docs) == []


def test_every_beat_entry_is_documented(docs: str) -> None:
    from worker.scheduler import beat_schedule

    schedule = beat_schedule(Settings(_env_file=None))
    names = [*schedule, *(entry["task"] for entry in schedule.values())]
    assert missing(names, docs) == []


def test_every_scheduled_job_is_documented(docs: str) -> None:
    from worker.proactive_jobs import HANDLERS
    from worker.scheduler import EVENT_PREP

    assert set(HANDLERS) == set(DEFAULT_SCHEDULE), "each job of assistant.toml has a handler"
    assert missing([*DEFAULT_SCHEDULE, EVENT_PREP], docs) == []


def test_every_procfile_role_is_documented(docs: str) -> None:
    roles = [line.split(":", 1)[0] for line in (ROOT / "Procfile").read_text().splitlines() if line]
    assert missing(roles, docs) == []


# --- assistant.toml -----------------------------------------------------------------------------


def toml_examples() -> list[tuple[str, str]]:
    return [
        (path.name, body)
        for path in DOC_FILES
        for lang, body in FENCE_RE.findall(path.read_text(encoding="utf-8"))
        if lang == "toml"
    ]


def test_assistant_toml_examples_are_valid() -> None:
    """Every ``toml`` example is an assistant.toml the assistant reads without a complaint."""
    examples = toml_examples()
    assert len(examples) >= 2
    for name, body in examples:
        tomllib.loads(body)  # a syntax error names the line
        config = parse_assistant_config(body.encode())
        problems = list(config.problems)
        problems += read_weights(config.extra.get("suggest"))[1]
        problem = schedule_grace(config.extra.get("schedule"))[1]
        problems += [problem] if problem else []
        unknown = set(config.extra) - {"suggest", "schedule"}
        unknown |= {f"schedule.{k}" for k in config.extra.get("schedule", {})} - {
            "schedule.grace_minutes"
        }
        assert (problems, unknown) == ([], set()), f"{name}: {body}"


def test_every_assistant_toml_key_is_documented(docs: str) -> None:
    keys = [*DEFAULT_SCHEDULE, "event_prep_minutes", "grace_minutes", "deadline_days",
            "waiting_stale_days", "stalled_days", "work_hours", "timezone"]
    keys += [f.name for f in Weights.__dataclass_fields__.values()]
    assert missing(keys, docs) == []


# --- Discord ------------------------------------------------------------------------------------


def slash_commands() -> dict[str, list[str]]:
    """Every slash command of the bot's cogs and its parameters, read from the cog classes
    (discord.py collects them when a cog class is defined: no bot, no connection)."""
    with warnings.catch_warnings():
        # discord.py imports audioop (for voice, unused here), deprecated since Python 3.11.
        warnings.simplefilter("ignore", DeprecationWarning)
        from discord import app_commands
        from discord.ext import commands

        from bot.client import COGS

        modules = [importlib.import_module(name) for name in COGS]
    found: dict[str, list[str]] = {}
    for module in modules:
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, commands.Cog):
                for cmd in cls.__cog_app_commands__:
                    assert isinstance(cmd, app_commands.Command), "groups: document subcommands"
                    found[cmd.name] = [p.name for p in cmd.parameters]
    return found


def test_every_slash_command_is_documented(docs: str) -> None:
    found = slash_commands()
    assert len(found) >= 8
    assert missing([f"/{name}" for name in found], docs) == []
    absent = [
        f"/{c} {p}:"
        for c, ps in found.items()
        for p in ps
        if not re.search(rf"/{c}\b[^\n]*?\b{p}:", docs)
    ]
    assert absent == [], "show each parameter in an example: `/command param: value`"


def test_help_command_lists_every_slash_command() -> None:
    from bot.cogs.help import COMMANDS

    listed = {text.split()[0].lstrip("/") for text, _ in COMMANDS}
    assert listed == set(slash_commands())


# --- the web ------------------------------------------------------------------------------------


def web_routes() -> list[str]:
    from web import create_app

    app = create_app(Settings(_env_file=None))
    rules = {re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", r.rule) for r in app.url_map.iter_rules()}
    return sorted(rules)


def test_every_web_route_is_documented(docs: str) -> None:
    routes = web_routes()
    assert "/tasks" in routes
    absent = [r for r in routes if f"`{r}`" not in docs]
    assert absent == [], "name each route in backticks, with <param> for its parameters"


def test_every_web_page_shortcut_is_documented(docs: str) -> None:
    from web.views import NAV

    absent = [f"{label} ({keys})" for _, label, keys in NAV if f"`{keys}`" not in docs]
    assert absent == []


# --- the agent and the operations ---------------------------------------------------------------


def test_every_agent_tool_is_documented(docs: str) -> None:
    assert missing([t.name for t in ALL_TOOLS], docs) == []


def test_every_operation_is_documented(docs: str) -> None:
    kinds = [cls.kind for cls in operations.OPERATIONS.values()]
    assert "add_task" in kinds
    assert missing(kinds, docs) == []


# --- links --------------------------------------------------------------------------------------


def test_relative_links_point_at_files() -> None:
    broken = []
    for path in DOC_FILES:
        for target in LINK_RE.findall(path.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            file_part = target.split("#", 1)[0]
            if not (path.parent / file_part).exists():
                broken.append(f"{path.name}: {target}")
    assert broken == []
