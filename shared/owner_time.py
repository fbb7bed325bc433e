"""The owner's timezone: ``assistant.toml`` wins over the process setting."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shared.assistant_config import parse_assistant_config, zone
from shared.org_repo import OrgRepo


def owner_zone(repo: OrgRepo, fallback: str) -> ZoneInfo:
    config = repo.parsed(repo.layout.assistant_toml, parse_assistant_config)
    return zone(config, fallback)


def local_time(iso: str, tz: ZoneInfo) -> datetime | None:
    """An ISO time in the owner's zone, when it carries its own offset (a commit made by hand
    has the owner's, one made by a worker its host's); one without an offset as it is written;
    None when it is not a time at all."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return when.astimezone(tz) if when.tzinfo is not None else when


def local_stamp(iso: str, tz: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """:func:`local_time` as ``fmt``; what is not a time is shown as it is written."""
    when = local_time(iso, tz)
    return iso[:16].replace("T", " ") if when is None else when.strftime(fmt)
