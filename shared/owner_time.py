"""The owner's timezone: ``assistant.toml`` wins over the process setting."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shared.assistant_config import parse_assistant_config, zone
from shared.org_repo import OrgRepo


def owner_zone(repo: OrgRepo, fallback: str) -> ZoneInfo:
    config = repo.parsed(repo.layout.assistant_toml, parse_assistant_config)
    return zone(config, fallback)


def local_stamp(iso: str, tz: ZoneInfo) -> str:
    """``YYYY-MM-DD HH:MM`` in the owner's zone of an ISO time that carries its own offset (a
    commit made by hand has the owner's, one made by a worker its host's); one without an
    offset, or not a time at all, is shown as it is written."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso[:16].replace("T", " ")
    if when.tzinfo is not None:
        when = when.astimezone(tz)
    return when.strftime("%Y-%m-%d %H:%M")
