"""How ``python -m worker.flower`` starts Flower (the live check is in tests/test_smoke.py)."""

from __future__ import annotations

import sys

from shared.settings import Settings
from worker.flower import flower_argv, flower_credentials, flower_env


def test_a_missing_password_is_generated_fresh_each_start() -> None:
    settings = Settings(flower_password=None, _env_file=None)
    user, first, generated = flower_credentials(settings)
    _, second, _ = flower_credentials(settings)
    assert (user, generated) == ("admin", True)
    assert len(first) >= 16 and first != second


def test_configured_credentials_go_through_the_environment_not_argv() -> None:
    settings = Settings(
        flower_user="ops", flower_password="s3cret", flower_port=5999, _env_file=None
    )
    user, password, generated = flower_credentials(settings)
    assert (user, password, generated) == ("ops", "s3cret", False)
    argv = flower_argv(settings)
    assert argv[:5] == [sys.executable, "-m", "celery", "-A", "worker.app"]
    assert "--address=127.0.0.1" in argv and "--port=5999" in argv
    assert not any("s3cret" in arg for arg in argv)
    assert flower_env(settings, user, password)["FLOWER_BASIC_AUTH"] == "ops:s3cret"
