"""What ``make run`` prepares before starting the processes (the full run is in test_smoke)."""

from __future__ import annotations

from pathlib import Path

import git
import pytest
import redis

from cli.run_system import (
    AlreadyRunningError,
    banner,
    prepare,
    procfile_lines,
)
from shared.settings import Settings

PROCFILE = "web: python -m web\nbot: python -m bot\nflower: python -m worker.flower\n"


def test_procfile_without_the_bot_keeps_everything_else() -> None:
    assert procfile_lines(PROCFILE, with_bot=False) == (
        "web: python -m web\nflower: python -m worker.flower\n"
    )
    assert procfile_lines(PROCFILE, with_bot=True) == PROCFILE


@pytest.fixture
def plan(tmp_path: Path):
    (tmp_path / "Procfile").write_text(PROCFILE, "utf-8")
    settings = Settings(var_dir=tmp_path / "var", flower_password=None, _env_file=None)
    plan = prepare(settings, {"PATH": "/usr/bin"}, root=tmp_path)
    yield settings, plan
    if plan.redis is not None:
        plan.redis.stop()


def test_prepare_starts_redis_and_creates_the_demo_repo(plan) -> None:
    settings, plan = plan
    var = settings.var_dir
    assert plan.redis is not None
    assert plan.env["REDIS_URL"] == plan.redis.url
    client = redis.Redis.from_url(plan.env["REDIS_URL"])
    assert client.ping()
    client.close()
    assert plan.env["ORG_REPO_PATH"] == str(var / "org")
    assert plan.env["GIT_REPO_URL"] == str(var / "org-remote.git")
    with git.Repo(var / "org") as repo:
        assert repo.remotes.origin.url == plan.env["GIT_REPO_URL"]
    assert plan.procfile.read_text("utf-8") == procfile_lines(PROCFILE, with_bot=False)
    assert plan.env["PATH"].split(":")[1] == "/usr/bin"
    assert len(plan.flower_password) >= 16
    text = banner(settings, plan)
    assert plan.flower_password in text and "the Discord bot is not started" in text


def test_an_existing_repo_and_redis_url_are_used_as_they_are(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text(PROCFILE, "utf-8")
    own = tmp_path / "mine"
    own.mkdir()
    settings = Settings(
        var_dir=tmp_path / "var",
        org_repo_path=own,
        redis_url="redis://example.invalid:6379/0",
        discord_bot_token="token",
        _env_file=None,
    )
    plan = prepare(settings, {}, root=tmp_path)
    assert plan.redis is None
    assert "REDIS_URL" not in plan.env
    assert list(own.iterdir()) == []
    assert plan.env["ORG_REPO_PATH"] == str(own)
    assert plan.procfile.read_text("utf-8") == PROCFILE


def test_a_second_run_does_not_share_the_redis_data(plan, tmp_path: Path) -> None:
    settings, first = plan
    assert first.redis is not None
    with pytest.raises(AlreadyRunningError, match="already serves"):
        prepare(settings, {}, root=tmp_path)


def test_the_demo_remote_is_not_pinned_on_another_repo(plan, tmp_path: Path) -> None:
    settings, first = plan
    first.redis.stop()
    own = tmp_path / "mine"
    git.Repo.init(own).close()
    other = Settings(var_dir=settings.var_dir, org_repo_path=own, _env_file=None)
    second = prepare(other, {}, root=tmp_path)
    try:
        assert second.env["ORG_REPO_PATH"] == str(own)
        assert "GIT_REPO_URL" not in second.env
    finally:
        assert second.redis is not None
        second.redis.stop()
