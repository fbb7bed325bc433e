"""What every subcommand needs: the repo, the owner's timezone, and "now"."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cli.errors import CliError
from shared.org_repo import NotARepositoryError, OrgRepo
from shared.owner_time import owner_zone
from shared.settings import Settings


@dataclass
class Context:
    settings: Settings
    repo: OrgRepo
    zone: ZoneInfo
    now: datetime
    json: bool


def build_context(args: argparse.Namespace, settings: Settings) -> Context:
    root = Path(args.repo) if args.repo else settings.org_repo_path
    repo = OrgRepo(root)
    try:
        repo.require_git()
    except NotARepositoryError as exc:
        raise CliError(str(exc)) from exc
    zone = owner_zone(repo, settings.timezone)
    now = parse_now(args.now, zone) if args.now else datetime.now(zone)
    return Context(settings, repo, zone, now, bool(getattr(args, "json", False)))


def parse_now(value: str, zone: ZoneInfo) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CliError(f"--now {value!r}: not an ISO date/time (e.g. 2026-11-23T08:00)") from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone)
    return parsed.astimezone(zone)
