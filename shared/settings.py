"""One typed settings object for every process, read from the environment and ``.env``.

Build it when a process starts (``Settings()``) and pass it on; never read it at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Where the data lives.
    org_repo_path: Path = Field(Path("var/org"), description="The org repository's working tree.")
    git_repo_url: str | None = Field(None, description="Remote to clone from and sync with.")
    git_branch: str = "main"
    timezone: str = Field("UTC", description="Owner's timezone unless assistant.toml sets one.")

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
        "claude-sonnet-4-6", validation_alias=AliasChoices("ASSISTANT_MODEL", "LITELLM_MODEL")
    )
    agent_daily_token_budget: int = Field(
        2_000_000, ge=0, description="Model tokens per day (cache reads count a tenth); when spent "
        "the agent answers with the built-in commands until tomorrow. 0: no limit."
    )
    agent_max_steps: int = Field(10, ge=1, le=50, description="Model calls per agent turn.")
    agent_turn_timeout_s: float = Field(
        120.0, gt=0, le=900, description="A whole agent turn, retries included, ends by then."
    )
    agent_request_timeout_s: float = Field(
        60.0, gt=0, description="One model call (one HTTP attempt) times out after this."
    )
    agent_max_retries: int = Field(
        2, ge=0, le=10, description="The SDK's retries of a failed model call (429, 5xx, 529)."
    )
    agent_max_tokens: int = Field(2048, ge=64, description="Longest answer of one model call.")
    agent_history_turns: int = Field(12, ge=0, description="Earlier turns kept per conversation.")
    agent_history_chars: int = Field(
        16_000, ge=0, description="Earlier turns sent to the model, at most this many characters."
    )
    agent_history_ttl_s: int = Field(
        7 * 24 * 3600, ge=60, description="A conversation idle this long is forgotten."
    )

    # Interfaces.
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    web_password: SecretStr | None = None
    web_trusted_proxies: int = Field(
        0, ge=0, le=5, description="Reverse proxies in front of the web app whose X-Forwarded-* "
        "headers are trusted (0: none; the client address is the socket's)."
    )
    secret_key: SecretStr | None = None
    metrics_token: SecretStr | None = Field(
        None, description="Bearer token for /metrics (Prometheus); unset: a logged-in session "
        "only, or 127.0.0.1 when there is no WEB_PASSWORD."
    )
    flower_host: str = Field(
        "127.0.0.1", description="Address Flower listens on (0.0.0.0 in a container)."
    )
    flower_port: int = 5555
    flower_user: str = "admin"
    flower_password: SecretStr | None = None
    discord_bot_token: SecretStr | None = None
    discord_channel_id: int | None = None
    discord_guild_id: int | None = None
    discord_allowed_user_ids: list[int] = Field(default_factory=list)

    # The worker: repo lane, group commit, git sync.
    git_username: str | None = Field(
        None, description="User name for the git remote (HTTPS); never logged or put in arguments."
    )
    git_password: SecretStr | None = Field(
        None, description="Password or token for the git remote (HTTPS), given to git via askpass."
    )
    git_author_name: str = Field(
        "myorg-assistant", description="Author name of the assistant's commits."
    )
    git_author_email: str = Field(
        "assistant@myorg.invalid", description="Author e-mail of the assistant's commits."
    )
    git_network_timeout_s: float = Field(
        10.0, gt=0, description="A clone, fetch or push is killed after this many seconds."
    )
    git_sync_debounce_s: float = Field(
        5.0, ge=0, description="After a commit, sync with the remote at most once per this period."
    )
    git_sync_backoff_max_s: float = Field(
        900.0, gt=0, description="Longest pause between automatic syncs while the remote fails."
    )
    git_stale_lock_s: float = Field(
        5.0, ge=0, description="A .git/*.lock file older than this, left by a crash, is removed."
    )
    group_commit_window_ms: int = Field(
        200, ge=0, description="Edits arriving in a burst are committed at least this often."
    )
    group_commit_max_edits: int = Field(
        500, ge=1, description="A group commit never lists more edits than this."
    )
    visibility_timeout_s: int = Field(
        30, ge=2, description="A task taken by a worker that died is delivered again after this."
    )
    task_time_limit_s: int = Field(
        25,
        ge=6,
        description="Hard time limit of a task; below visibility_timeout_s, and above the 5 s "
        "the worker pool may take to notice a killed process (else its task is lost).",
    )
    redelivery_sweep_s: float = Field(
        1.0, gt=0, description="How often a worker looks for dead workers' tasks to deliver again."
    )
    repo_lock_ttl_s: int = Field(
        30, ge=1, description="Expiry of the repo lane's Redis lock; at least task_time_limit_s."
    )
    repo_lock_wait_s: float = Field(
        10.0, ge=0, description="How long a task waits for the repo lock before handing it back."
    )
    max_deliveries: int = Field(
        5, ge=1, description="A task delivered more often than this (it keeps crashing) is dropped."
    )
    worker_max_tasks_per_child: int = Field(
        1000, ge=1, description="The repo lane's process is replaced after this many tasks."
    )
    redis_socket_timeout_s: float = Field(
        5.0, gt=0, description="Redis calls fail after this many seconds instead of hanging."
    )

    # The scheduler (the jobs and their cron strings are in assistant.toml).
    schedule_tick_s: float = Field(
        30.0, gt=0, le=60, description="How often beat has the worker run the jobs that are due."
    )
    test_clock: bool = Field(
        False, validation_alias=AliasChoices("MYORG_TEST_CLOCK"),
        description="Tests only: the scheduler reads the time from Redis (myorg:test:now).",
    )

    # Logs.
    log_format: Literal["text", "json"] = Field(
        "text", description="text for a terminal; json (one object per line) in containers."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("discord_channel_id", "discord_guild_id", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """``DISCORD_CHANNEL_ID=`` (as in .env.example) means not set."""
        return None if value == "" else value

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (an IANA name: Europe/Madrid)") from exc
        return value

    @field_validator("git_branch")
    @classmethod
    def _valid_branch(cls, value: str) -> str:
        import re

        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", value) or ".." in value:
            raise ValueError(f"invalid git branch name {value!r}")
        return value

    @model_validator(mode="after")
    def _worker_timeouts(self) -> Settings:
        if self.task_time_limit_s >= self.visibility_timeout_s:
            raise ValueError(
                "task_time_limit_s must be below visibility_timeout_s, or a long task is "
                "delivered again while it still runs"
            )
        if self.repo_lock_ttl_s < self.task_time_limit_s:
            raise ValueError("repo_lock_ttl_s must be at least task_time_limit_s")
        return self
