"""The owner's timezone: ``assistant.toml`` wins over the process setting."""

from __future__ import annotations

import tomllib
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.org_repo import OrgRepo


def owner_zone(repo: OrgRepo, fallback: str) -> ZoneInfo:
    name = fallback
    try:
        data = tomllib.loads(repo.read_bytes(repo.layout.assistant_toml).decode("utf-8"))
        value = data.get("timezone")
        if isinstance(value, str) and value:
            name = value
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        pass
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)
