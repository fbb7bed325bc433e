"""Roles started the way the image starts them, ``python -m worker.roles ROLE``, as real processes
with a container-like environment (Redis URL, VAR_DIR, ORG_REPO_PATH, JSON logs, passwords)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shared.settings import Settings
from tests.deploy.deploy_files import ROOT
from worker.redis_server import free_port

WEB_PASSWORD = "deploy-test-web-password"
SECRET_KEY = "deploy-test-secret-key-0123456789"
FLOWER_USER = "ops"
FLOWER_PASSWORD = "deploy-test-flower-password"
#: Short timeouts so redelivery and shutdown happen within seconds.
FAST = {
    "VISIBILITY_TIMEOUT_S": "10",
    "TASK_TIME_LIMIT_S": "8",
    "REPO_LOCK_TTL_S": "10",
    "REPO_LOCK_WAIT_S": "2",
    "REDELIVERY_SWEEP_S": "0.5",
    "GIT_SYNC_DEBOUNCE_S": "0.3",
    "GIT_STALE_LOCK_S": "0.5",
    "REDIS_SOCKET_TIMEOUT_S": "3",
    "GROUP_COMMIT_WINDOW_MS": "50",
}


def _setting_names() -> set[str]:
    names = {name.upper() for name in Settings.model_fields}
    return names | {"LITELLM_API_KEY", "LITELLM_ENDPOINT", "LITELLM_MODEL"}


def container_env(tmp: Path, redis_url: str, **overrides: str) -> dict[str, str]:
    """The environment of a container: nothing inherited that could be a setting."""
    settings = _setting_names()
    env = {k: v for k, v in os.environ.items() if k not in settings and not k.startswith("CELERY")}
    env.update(FAST)
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        REDIS_URL=redis_url,
        ORG_REPO_PATH=str(tmp / "org"),
        VAR_DIR=str(tmp / "var"),
        LOG_FORMAT="json",
        TIMEZONE="UTC",
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(free_port()),
        WEB_PASSWORD=WEB_PASSWORD,
        SECRET_KEY=SECRET_KEY,
        FLOWER_HOST="127.0.0.1",
        FLOWER_PORT=str(free_port()),
        FLOWER_USER=FLOWER_USER,
        FLOWER_PASSWORD=FLOWER_PASSWORD,
    )
    env.update(overrides)
    return env


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


@dataclass
class RoleProcess:
    """``python -m worker.roles ROLE [extra]`` in its own process group, logging to a file."""

    role: str
    env: dict[str, str]
    workdir: Path
    extra: tuple[str, ...] = ()
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / f"{self.role}-{id(self):x}.log"

    def start(self) -> RoleProcess:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "worker.roles", self.role, *self.extra],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def log(self) -> str:
        try:
            return self.log_path.read_text("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def health(
        self, ready: bool = False, role: str | None = None, timeout: float | None = None
    ) -> subprocess.CompletedProcess[str]:
        args = ["health", *([role] if role else [])] + (["--ready"] if ready else [])
        args += ["--timeout", str(timeout)] if timeout is not None else []
        return subprocess.run(
            [sys.executable, "-m", "worker.roles", *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def wait_healthy(self, timeout: float = 60.0) -> None:
        def healthy() -> bool:
            if not self.running():
                raise AssertionError(f"{self.role} exited early:\n{self.log()[-3000:]}")
            return self.health(role=self.role, timeout=1).returncode == 0

        wait_until(healthy, timeout, f"{self.role} to be healthy")

    def terminate(self, grace: float) -> tuple[float, bool]:
        """SIGTERM, then SIGKILL to the group after ``grace`` s: (seconds to exit, was killed)."""
        assert self.proc is not None
        started = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGTERM)
        killed = False
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            killed = True
        elapsed = time.monotonic() - started
        self.kill()
        return elapsed, killed

    def kill(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
