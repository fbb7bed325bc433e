"""What every subcommand needs: the repo, the owner's timezone, "now" — and the settings.

The settings are read when a command first uses them, not at start: ``myorg today --repo DIR``
needs none of them (the owner's timezone comes from ``assistant.toml``), and reading them means
importing pydantic-settings, the largest part of the CLI's start-up. A command that uses them
gets them validated, and an invalid value ends it with ``myorg: invalid setting NAME: reason``.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cli.errors import CliError
from shared.assistant_config import parse_assistant_config
from shared.org_repo import NotARepositoryError, OrgRepo
from shared.owner_time import owner_zone

if TYPE_CHECKING:
    from shared.settings import Settings


class Context:
    """The repo, zone and now of one command; ``settings`` built and validated on first use."""

    def __init__(
        self, repo: OrgRepo, zone: ZoneInfo, now: datetime, json: bool,
        settings: Settings | None = None,
    ) -> None:
        self.repo = repo
        self.zone = zone
        self.now = now
        self.json = json
        if settings is not None:
            self.__dict__["settings"] = settings

    @cached_property
    def settings(self) -> Settings:
        return load_settings()


def load_settings() -> Settings:
    """``Settings()`` from the environment and ``.env``; an invalid value is a :class:`CliError`."""
    from pydantic import ValidationError

    from shared.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = f" {first['loc'][0]}" if first["loc"] else "s"
        raise CliError(f"invalid setting{where}: {first['msg']}") from None


def build_context(args: argparse.Namespace) -> Context:
    settings = None if args.repo else load_settings()
    root = Path(args.repo) if settings is None else settings.org_repo_path
    repo = OrgRepo(root)
    try:
        repo.require_git()
    except NotARepositoryError as exc:
        raise CliError(str(exc)) from exc
    config = repo.parsed(repo.layout.assistant_toml, parse_assistant_config)
    # The TIMEZONE setting is only the fallback for a repo whose assistant.toml names no zone.
    fallback = config.timezone
    if fallback is None:
        settings = settings or load_settings()
        fallback = settings.timezone
    zone = owner_zone(repo, fallback)
    now = parse_now(args.now, zone) if args.now else datetime.now(zone)
    return Context(repo, zone, now, bool(getattr(args, "json", False)), settings)


def parse_now(value: str, zone: ZoneInfo) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CliError(f"--now {value!r}: not an ISO date/time (e.g. 2026-11-23T08:00)") from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone)
    return parsed.astimezone(zone)
