"""``make run`` end to end: the whole system starts, answers, and stops on Ctrl-C.

The ``running_system`` fixture starts ``python -m cli.run_system`` from the project root with its
runtime state in a temporary ``VAR_DIR`` and free ports. The test that sends SIGINT comes last in
this module; tests that need the live system go above it.
"""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import git
import psutil
import pytest

from cli.demo_repo import COMMIT_MESSAGE
from worker.redis_server import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
FLOWER_USER = "smoke"
FLOWER_PASSWORD = "smoke-test-password"


@dataclass
class RunningSystem:
    proc: subprocess.Popen[bytes]
    var_dir: Path
    repo_path: Path
    remote_path: Path
    web_port: int
    flower_port: int
    log_path: Path
    env: dict[str, str]
    flower_user: str = FLOWER_USER
    flower_password: str = FLOWER_PASSWORD
    processes: list[psutil.Process] = field(default_factory=list)

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def flower_url(self) -> str:
        return f"http://127.0.0.1:{self.flower_port}"

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace")[-6000:]

    def descendants(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def http_get(url: str, auth: tuple[str, str] | None = None) -> tuple[int, bytes]:
    """(status, body); connection errors give status 0."""
    request = urllib.request.Request(url)
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()
        exc.close()
        return exc.code, body
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, b""


def wait_for(
    system: RunningSystem, url: str, status: int, auth: tuple[str, str] | None = None
) -> tuple[int, bytes]:
    deadline = time.monotonic() + START_TIMEOUT_S
    last = (0, b"")
    while time.monotonic() < deadline:
        if system.proc.poll() is not None:
            pytest.fail(f"run_system exited with {system.proc.returncode}:\n{system.log()}")
        last = http_get(url, auth)
        if last[0] == status:
            return last
        time.sleep(0.25)
    pytest.fail(f"{url} answered {last[0]} {last[1][:200]!r}, not {status}:\n{system.log()}")


def _system_env(var_dir: Path, web_port: int, flower_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        VAR_DIR=str(var_dir),
        ORG_REPO_PATH=str(var_dir / "org"),
        WEB_PORT=str(web_port),
        FLOWER_PORT=str(flower_port),
        FLOWER_USER=FLOWER_USER,
        FLOWER_PASSWORD=FLOWER_PASSWORD,
        TIMEZONE="Europe/Madrid",
        # Empty overrides anything a developer's .env sets: the embedded Redis, no bot, no login.
        REDIS_URL="",
        GIT_REPO_URL="",
        DISCORD_BOT_TOKEN="",
        WEB_PASSWORD="",
        PYTHONUNBUFFERED="1",
    )
    return env


def _stop(system: RunningSystem) -> None:
    if system.proc.poll() is None:
        system.proc.send_signal(signal.SIGINT)
        try:
            system.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            system.proc.kill()
            system.proc.wait()
    for process in system.processes:  # anything a failed shutdown left behind
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


@pytest.fixture(scope="module")
def running_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """The system as ``make run`` starts it, ready (web and Flower answering)."""
    var_dir = tmp_path_factory.mktemp("run") / "var"
    web_port, flower_port = free_port(), free_port()
    while flower_port == web_port:
        flower_port = free_port()
    env = _system_env(var_dir, web_port, flower_port)
    log_path = var_dir.parent / "run_system.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli.run_system"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    system = RunningSystem(
        proc=proc,
        var_dir=var_dir,
        repo_path=var_dir / "org",
        remote_path=var_dir / "org-remote.git",
        web_port=web_port,
        flower_port=flower_port,
        log_path=log_path,
        env=env,
    )
    try:
        wait_for(system, f"{system.web_url}/healthz", 200)
        wait_for(system, f"{system.flower_url}/healthcheck", 200)
        system.processes = system.descendants()
        yield system
    finally:
        _stop(system)


def test_web_is_healthy_and_ready(running_system: RunningSystem) -> None:
    status, body = http_get(f"{running_system.web_url}/healthz")
    assert (status, body) == (200, b"ok")
    status, body = wait_for(running_system, f"{running_system.web_url}/readyz", 200)
    assert b'"ready":true' in body.replace(b" ", b"")


def test_flower_requires_basic_auth(running_system: RunningSystem) -> None:
    url = f"{running_system.flower_url}/"
    assert http_get(url)[0] == 401
    assert http_get(url, (running_system.flower_user, "wrong"))[0] == 401
    auth = (running_system.flower_user, running_system.flower_password)
    assert http_get(url, auth)[0] == 200


def test_demo_repo_is_committed_and_pushed(running_system: RunningSystem) -> None:
    with git.Repo(running_system.repo_path) as repo:
        head = repo.head.commit
        assert head.message.strip() == COMMIT_MESSAGE
        assert "todo.txt" in head.tree
        assert not repo.is_dirty(untracked_files=True)
    with git.Repo(running_system.remote_path) as remote:
        assert remote.bare
        assert remote.commit("main").hexsha == head.hexsha


def test_procfile_run_skips_the_bot(running_system: RunningSystem) -> None:
    procfile = (running_system.var_dir / "Procfile.run").read_text("utf-8")
    names = [line.split(":", 1)[0] for line in procfile.splitlines() if ":" in line]
    assert "bot" not in names
    assert {"web", "flower"} <= set(names)


def test_sigint_stops_every_process(running_system: RunningSystem) -> None:
    """Last in the module: Ctrl-C stops honcho, every process it started, and Redis."""
    children = running_system.descendants()
    names = {p.name() for p in children}
    assert "redis-server" in names, names
    running_system.proc.send_signal(signal.SIGINT)
    try:
        code = running_system.proc.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"run_system still running {STOP_TIMEOUT_S} s after SIGINT:\n{running_system.log()}"
        )
    assert code == 0, running_system.log()
    _gone, alive = psutil.wait_procs(children, timeout=STOP_TIMEOUT_S)
    assert not alive, f"left running: {[p.pid for p in alive]}\n{running_system.log()}"
    for port in (running_system.web_port, running_system.flower_port):
        assert not listening(port), f"something still listens on port {port}"
