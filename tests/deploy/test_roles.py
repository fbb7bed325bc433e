"""The image's entrypoint, ``python -m worker.roles``: roles from the Procfile, a settings check
that names each bad value, and a health check per role, exercised on real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from shared.settings import Settings
from tests.deploy.deploy_files import procfile_roles
from tests.deploy.role_process import RoleProcess, container_env
from worker.probes import check_heartbeat, check_role, node_name
from worker.redis_server import free_port
from worker.roles import (
    ROOT,
    Role,
    RoleError,
    find_role,
    main,
    read_procfile,
    role_environment,
    role_problems,
)


def test_the_procfile_lines_are_the_roles(tmp_path: Path) -> None:
    procfile = tmp_path / "Procfile"
    procfile.write_text("# comment\n\nweb: python -m web --x 'a b'\nbeat: celery beat\n")
    roles = read_procfile(procfile)
    assert list(roles) == ["web", "beat"]
    assert roles["web"].command == "python -m web --x 'a b'"
    assert roles["web"].argv == ("python", "-m", "web", "--x", "a b")


def test_a_role_is_found_with_dashes_or_underscores_and_an_unknown_one_is_named() -> None:
    roles = procfile_roles()
    assert find_role("repo-worker", roles).name == "repo_worker"
    assert find_role("agent_worker", roles).argv[:3] == ("celery", "-A", "worker.app")
    with pytest.raises(RoleError, match=r"unknown role 'wbe'; the roles are: web, "):
        find_role("wbe", roles)


def test_each_invalid_setting_is_one_line_naming_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("WEB_PORT", "eighty")
    assert main(["web"]) == 2
    err = capsys.readouterr().err
    assert "myorg: invalid settings:" in err
    assert "  TIMEZONE: unknown timezone 'Mars/Olympus'" in err
    assert "  WEB_PORT: Input should be a valid integer" in err


def settings(**values: object) -> Settings:
    base: dict[str, object] = {"redis_url": "redis://redis:6379/0"}
    return Settings(_env_file=None, **{**base, **values})


def test_a_container_needs_redis_and_the_passwords_of_what_it_exposes() -> None:
    roles = procfile_roles()
    assert role_problems(roles["beat"], settings()) == []
    (problem,) = role_problems(roles["beat"], settings(redis_url=None))
    assert problem.startswith("REDIS_URL is not set")
    exposed = settings(flower_host="0.0.0.0", web_host="0.0.0.0")
    (flower,) = role_problems(roles["flower"], exposed)
    assert flower.startswith("FLOWER_PASSWORD is not set: Flower listens on 0.0.0.0")
    assert role_problems(roles["flower"], settings(flower_host="127.0.0.1")) == []
    web = role_problems(roles["web"], exposed)
    assert [p.split(":")[0] for p in web] == ["WEB_PASSWORD is not set", "SECRET_KEY is not set"]
    assert role_problems(roles["bot"], settings())[0].startswith("DISCORD_BOT_TOKEN is not set")
    ready = settings(
        web_host="0.0.0.0",
        web_password=SecretStr("pw"),
        secret_key=SecretStr("key"),
        discord_bot_token=SecretStr("token"),
    )
    assert role_problems(roles["web"], ready) == role_problems(roles["bot"], ready) == []


def test_a_refused_role_exits_2_before_starting_anything(tmp_path: Path, redis_url: str) -> None:
    env = container_env(tmp_path, redis_url, FLOWER_HOST="0.0.0.0", FLOWER_PASSWORD="")
    flower = RoleProcess("flower", env, tmp_path / "run").start()
    assert flower.proc is not None and flower.proc.wait(30) == 2
    assert "cannot start flower:\n  FLOWER_PASSWORD is not set" in flower.log()
    assert not (tmp_path / "var" / "role").exists()


def test_the_role_runs_with_absolute_paths_and_the_code_on_its_path(tmp_path: Path) -> None:
    env = role_environment(
        settings(var_dir=Path("var"), org_repo_path=Path("org")), {"PYTHONPATH": "/x"}
    )
    assert Path(env["VAR_DIR"]).is_absolute() and Path(env["ORG_REPO_PATH"]).is_absolute()
    assert env["PYTHONPATH"].split(os.pathsep) == [str(ROOT), "/x"]


def test_node_names_expand_the_host() -> None:
    role = Role("repo_worker", "celery worker -n repo@%h")
    assert node_name(role) == f"repo@{socket.gethostname()}"
    assert node_name(Role("w", "celery worker --hostname=a@%h")).startswith("a@")
    assert node_name(Role("w", "celery worker")) == f"celery@{socket.gethostname()}"


def test_bot_heartbeat_must_be_recent(tmp_path: Path) -> None:
    beat = tmp_path / "bot.heartbeat"
    assert "no heartbeat file" in str(check_heartbeat(beat, 120, time.time()))
    beat.touch()
    now = beat.stat().st_mtime
    assert check_heartbeat(beat, 120, now + 60) is None
    assert "last heartbeat 200 s ago" in str(check_heartbeat(beat, 120, now + 200))
    stale = settings(var_dir=tmp_path)
    os.utime(beat, (now - 600, now - 600))
    assert "more than 120 s" in str(check_role(procfile_roles()["bot"], stale))


@pytest.mark.slow
def test_web_started_by_the_entrypoint_is_healthy_then_not_when_gone(
    tmp_path: Path, env: dict[str, str]
) -> None:
    web = RoleProcess("web", env, tmp_path / "run").start()
    try:
        web.wait_healthy()
        assert web.health(ready=True, role="web").returncode == 0
        # Without a role, the health check reads the one the entrypoint recorded.
        assert (tmp_path / "var" / "role").read_text() == "web\n"
        done = web.health()
        assert (done.returncode, done.stdout.strip()) == (0, "web healthy")
        assert "starting web: python -m web" in web.log()
    finally:
        web.kill()
    done = web.health()
    assert done.returncode == 1
    assert done.stderr.startswith(f"web unhealthy: http://127.0.0.1:{env['WEB_PORT']}/healthz")


@pytest.mark.slow
def test_readiness_fails_while_redis_is_unreachable(tmp_path: Path, env: dict[str, str]) -> None:
    web = RoleProcess("web", env, tmp_path / "run").start()
    try:
        web.wait_healthy()
        unreachable = {**env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
        beat = RoleProcess("beat", unreachable, tmp_path / "beat")
        done = beat.health(role="beat")
        assert done.returncode == 1 and "Redis does not answer" in done.stderr
        assert web.health(role="beat").returncode == 0
    finally:
        web.kill()


@pytest.mark.slow
def test_repo_worker_answers_the_ping_and_stops_on_sigterm(
    tmp_path: Path, env: dict[str, str]
) -> None:
    worker = RoleProcess("repo-worker", env, tmp_path / "run").start()
    try:
        worker.wait_healthy()
        other = worker.health(role="agent_worker", timeout=1)
        assert other.returncode == 1, "another node must not answer"
        elapsed, killed = worker.terminate(grace=30)
        assert not killed and elapsed < 30
    finally:
        worker.kill()
    done = worker.health(role="repo_worker", timeout=1)
    assert done.returncode == 1
    assert f"repo@{socket.gethostname()} did not answer a ping within 1 s" in done.stderr


def test_health_rejects_a_timeout_that_is_not_a_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["health", "repo_worker", "--timeout", "soon"]) == 2
    assert "myorg: --timeout needs a number of seconds" in capsys.readouterr().err


def test_the_line_is_expanded_like_a_shell_and_the_process_is_replaced(
    tmp_path: Path, redis_url: str
) -> None:
    procfile = tmp_path / "Procfile"
    show = "import os, sys; print(os.getpid(), os.getcwd(), sys.argv[1:])"
    procfile.write_text(f'show: python -c "{show}" "${{VAR_DIR:-var}}/schedule"\n')
    env = container_env(tmp_path, redis_url)
    code = (
        "import os; from pathlib import Path; from worker.roles import run; "
        f"print(os.getpid(), flush=True); run('show', ['a b'], Path({str(procfile)!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    pid, cwd, args = second.split(" ", 2)
    var = str(tmp_path / "var")
    assert (pid, cwd) == (first, var), "the same process, in VAR_DIR"
    assert args == str([f"{var}/schedule", "a b"])
