"""The owner's timezone: ``assistant.toml`` wins over the process setting."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from shared.assistant_config import parse_assistant_config, zone
from shared.org_repo import OrgRepo


def owner_zone(repo: OrgRepo, fallback: str) -> ZoneInfo:
    config = repo.parsed(repo.layout.assistant_toml, parse_assistant_config)
    return zone(config, fallback)
