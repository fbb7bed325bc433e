"""Run Flower, the Celery monitor, behind basic auth: ``python -m worker.flower``.

It listens on ``FLOWER_HOST`` (127.0.0.1 unless a container sets 0.0.0.0).

The user and password come from ``FLOWER_USER``/``FLOWER_PASSWORD``; with no password a random one
is made up at start and printed once. The credentials reach Flower through its ``FLOWER_BASIC_AUTH``
environment variable, so they never show in the process list.
"""

from __future__ import annotations

import os
import secrets
import sys

from shared.settings import Settings

FLOWER_ADDRESS = "127.0.0.1"


def flower_credentials(settings: Settings) -> tuple[str, str, bool]:
    """(user, password, generated): the configured password, or a fresh random one."""
    if settings.flower_password is not None and settings.flower_password.get_secret_value():
        return settings.flower_user, settings.flower_password.get_secret_value(), False
    return settings.flower_user, secrets.token_urlsafe(16), True


def flower_argv(settings: Settings) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "worker.app", "flower",
        f"--address={settings.flower_host}",
        f"--port={settings.flower_port}",
    ]  # fmt: skip


def flower_env(settings: Settings, user: str, password: str) -> dict[str, str]:
    env = dict(os.environ)
    env["FLOWER_BASIC_AUTH"] = f"{user}:{password}"
    env["FLOWER_PORT"] = str(settings.flower_port)
    env["FLOWER_ADDRESS"] = settings.flower_host
    return env


def main() -> None:
    settings = Settings()
    user, password, generated = flower_credentials(settings)
    if ":" in user or "," in user:
        sys.exit("FLOWER_USER must not contain ':' or ','")
    if "," in password:
        sys.exit("FLOWER_PASSWORD must not contain ','")
    if generated:
        print(
            f"flower: no FLOWER_PASSWORD set; generated one for this run: {user} / {password}",
            file=sys.stderr,
            flush=True,
        )
    print(
        f"flower: http://{settings.flower_host}:{settings.flower_port}/ (basic auth, user {user})",
        file=sys.stderr,
        flush=True,
    )
    argv = flower_argv(settings)
    os.execvpe(argv[0], argv, flower_env(settings, user, password))


if __name__ == "__main__":
    main()
