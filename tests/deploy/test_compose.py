"""docker-compose.yml: valid against the Compose specification, and the invariants that keep the
data safe (one repo writer, one scheduler, durable Redis, Flower behind a password)."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest

from shared.settings import Settings
from tests.deploy.deploy_files import (
    COMPOSE,
    ROOT,
    SECRET_SETTINGS,
    compose,
    duration_s,
    procfile_roles,
)
from worker.roles import find_role, role_problems

APP_IMAGE = "myorg-assistant:latest"
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


def app_services() -> dict[str, dict[str, Any]]:
    return {n: s for n, s in compose()["services"].items() if s.get("image") == APP_IMAGE}


def role_of(service: dict[str, Any]) -> str:
    return find_role(service["command"][0], procfile_roles()).name


def services_running(role: str) -> list[str]:
    return [n for n, s in app_services().items() if role_of(s) == role]


def test_compose_file_validates_against_the_compose_specification() -> None:
    argv = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec"]
    done = subprocess.run(
        [*argv, str(COMPOSE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_service_command_is_a_role_the_image_knows() -> None:
    roles = procfile_roles()
    seen = set()
    for name, service in app_services().items():
        command = service["command"]
        assert len(command) == 1, f"{name}: the command is one role name, got {command}"
        seen.add(find_role(command[0], roles).name)
    assert seen == set(roles), "every Procfile role runs as a service"


def test_exactly_one_repo_worker_one_beat_one_bot_and_none_can_be_scaled() -> None:
    for role in ("repo_worker", "beat", "bot"):
        (name,) = services_running(role)
        service = app_services()[name]
        assert service.get("container_name"), f"{name}: container_name forbids --scale"
        assert service.get("deploy", {}).get("replicas", 1) == 1
        assert "scale" not in service


def test_only_the_repo_worker_writes_the_org_repository() -> None:
    for name, service in app_services().items():
        for volume in service.get("volumes", []):
            _source, target, *mode = volume.split(":")
            if target != "/data/org":
                continue
            writable = mode != ["ro"]
            assert writable == (role_of(service) == "repo_worker"), f"{name} mounts {volume}"
    assert "org-repo" in compose()["volumes"]


def test_redis_keeps_queued_work_across_a_crash() -> None:
    redis = compose()["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    (volume,) = redis["volumes"]
    source, target = volume.split(":")
    assert target == "/data" and source in compose()["volumes"], "a named volume, not the layer"


def test_flower_and_web_refuse_to_start_without_their_passwords() -> None:
    services = compose()["services"]
    required = {
        "flower": {"FLOWER_PASSWORD"},
        "web": {"WEB_PASSWORD", "SECRET_KEY"},
    }
    for name, names in required.items():
        env = services[name]["environment"]
        for var in names:
            assert re.fullmatch(r"\$\{" + var + r":\?[^}]+\}", env[var]), f"{name}: {var}"
        for port in services[name]["ports"]:
            assert port.startswith("127.0.0.1:"), f"{name} is published beyond this machine"


def test_every_service_has_a_health_check_restart_policy_and_waits_for_redis() -> None:
    for name, service in compose()["services"].items():
        assert service["healthcheck"]["test"], name
        assert service["restart"] in {"unless-stopped", "always"}, name
    for name, service in app_services().items():
        test = service["healthcheck"]["test"]
        assert test[:5] == ["CMD", "python", "-m", "worker.roles", "health"], name
        assert find_role(test[5], procfile_roles()).name == role_of(service), name
        assert service["depends_on"]["redis"]["condition"] == "service_healthy", name


def test_workers_get_longer_than_a_task_to_finish_on_stop() -> None:
    for role in ("repo_worker", "agent_worker"):
        for name in services_running(role):
            service = app_services()[name]
            limit = container_settings(service).task_time_limit_s
            assert duration_s(service["stop_grace_period"]) > limit, name


def test_no_secret_value_is_written_in_the_compose_file() -> None:
    for name, service in compose()["services"].items():
        for var, value in (service.get("environment") or {}).items():
            if var in SECRET_SETTINGS:
                assert INTERPOLATION.fullmatch(str(value)), f"{name}: {var} has a literal value"


def container_settings(service: dict[str, Any]) -> Settings:
    """The settings a service's container sees: .env.example, then its compose environment, with
    made-up values for the secrets compose requires."""
    env = {
        key: INTERPOLATION.sub("made-up-secret-value", str(value))
        for key, value in service.get("environment", {}).items()
    }
    values = {key.lower(): value for key, value in env.items()}
    return Settings(_env_file=ROOT / ".env.example", **values)


@pytest.mark.parametrize("name", sorted(app_services()))
def test_each_container_starts_with_the_example_settings(name: str) -> None:
    service = app_services()[name]
    settings = container_settings(service)
    role = find_role(service["command"][0], procfile_roles())
    problems = role_problems(role, settings)
    if role.name == "bot":  # the bot's token comes from .env; the example has none
        assert problems == ["DISCORD_BOT_TOKEN is not set: the bot has nothing to log in with"]
    else:
        assert problems == [], problems
    assert str(settings.org_repo_path) == "/data/org" and str(settings.var_dir) == "/data/var"
    assert settings.log_format == "json"
