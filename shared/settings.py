"""One typed settings object for every process, read from the environment and ``.env``.

Build it when a process starts (``Settings()``) and pass it on; never read it at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Where the data lives.
    org_repo_path: Path = Field(Path("var/org"), description="The org repository's working tree.")
    git_repo_url: str | None = Field(None, description="Remote to clone from and sync with.")
    git_branch: str = "main"
    timezone: str = Field("UTC", description="Owner's timezone unless assistant.toml says otherwise.")

    # Queue.
    redis_url: str | None = Field(None, description="Unset: an embedded redis-server is started.")
    var_dir: Path = Field(Path("var"), description="Runtime state: embedded Redis data, logs.")

    # The agent.
    anthropic_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "LITELLM_API_KEY")
    )
    anthropic_base_url: str | None = Field(
        None, validation_alias=AliasChoices("ANTHROPIC_BASE_URL", "LITELLM_ENDPOINT")
    )
    assistant_model: str = Field(
        "claude-sonnet-4-5", validation_alias=AliasChoices("ASSISTANT_MODEL", "LITELLM_MODEL")
    )

    # Interfaces.
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    web_password: SecretStr | None = None
    secret_key: SecretStr | None = None
    flower_port: int = 5555
    flower_user: str = "admin"
    flower_password: SecretStr | None = None
    discord_bot_token: SecretStr | None = None
    discord_channel_id: int | None = None
    discord_guild_id: int | None = None
    discord_allowed_user_ids: list[int] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (use an IANA name like Europe/Madrid)") from exc
        return value
