"""Real processes for the worker tests and benchmarks: git repos with a bare remote, and
``celery worker`` subprocesses pointed at a test Redis and a temp repository through env vars."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shared.settings import Settings
from worker.redis_server import free_port, port_is_free

ROOT = Path(__file__).resolve().parents[2]
OWNER_ENV = {
    "GIT_AUTHOR_NAME": "Owner",
    "GIT_AUTHOR_EMAIL": "owner@example.invalid",
    "GIT_COMMITTER_NAME": "Owner",
    "GIT_COMMITTER_EMAIL": "owner@example.invalid",
}
SEED_FILES: dict[str, bytes] = {
    "todo.txt": (
        b"(A) 2026-11-20 Call the plumber about the leak +house @phone due:2026-11-25\n"
        b"2026-11-01 Ask Ana for the signed contract @waiting who:Ana +freelance\n"
        b"2026-11-18 Buy milk @store\n"
    ),
    "calendar.txt": b"2026-11-23 w48 Mon  9-10 standup\n2026-11-24 w48 Tue\n",
    "working-memory.txt": b"2026-11-23 09:12 Working on the ACME proposal.\n",
    "notes.md": b"# Notes\n\nFree text.\n",
}

#: Fast timeouts for tests: redelivery within seconds, short network timeouts.
FAST_ENV = {
    "VISIBILITY_TIMEOUT_S": "12",
    "TASK_TIME_LIMIT_S": "10",
    "REPO_LOCK_TTL_S": "10",
    "REPO_LOCK_WAIT_S": "2",
    "REDELIVERY_SWEEP_S": "0.5",
    "GIT_NETWORK_TIMEOUT_S": "3",
    "GIT_SYNC_DEBOUNCE_S": "0.3",
    "GIT_STALE_LOCK_S": "0.5",
    "REDIS_SOCKET_TIMEOUT_S": "3",
    "TIMEZONE": "UTC",
}


def run_git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full = {**os.environ, **OWNER_ENV, **(env or {})}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=full, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def wait_until(
    predicate: Callable[[], object], timeout: float, what: str, step: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


@dataclass
class GitWorld:
    """A bare remote, a second clone (the owner's laptop) and the worker's repo path."""

    remote: Path
    other: Path
    repo: Path

    @classmethod
    def create(cls, tmp: Path, files: dict[str, bytes] | None = None) -> GitWorld:
        remote, seed, other = tmp / "remote.git", tmp / "seed", tmp / "other"
        run_git(tmp, "init", "-q", "--bare", "-b", "main", str(remote))
        run_git(tmp, "init", "-q", "-b", "main", str(seed))
        for rel, data in (SEED_FILES if files is None else files).items():
            (seed / rel).parent.mkdir(parents=True, exist_ok=True)
            (seed / rel).write_bytes(data)
        run_git(seed, "add", "-A")
        run_git(seed, "commit", "-q", "-m", "seed")
        run_git(seed, "push", "-q", str(remote), "main")
        run_git(tmp, "clone", "-q", str(remote), str(other))
        return cls(remote, other, tmp / "org")

    @property
    def url(self) -> str:
        return str(self.remote)

    def other_commit(self, rel: str, data: bytes, message: str, push: bool = True) -> None:
        """The owner edits a file on another machine, commits, and (by default) pushes."""
        (self.other / rel).parent.mkdir(parents=True, exist_ok=True)
        (self.other / rel).write_bytes(data)
        run_git(self.other, "add", "--", rel)
        run_git(self.other, "commit", "-q", "-m", message)
        if push:
            self.other_push()

    def other_pull(self) -> None:
        run_git(self.other, "pull", "-q", "--no-rebase", "origin", "main")

    def other_push(self) -> None:
        run_git(self.other, "push", "-q", "origin", "main")

    def remote_file(self, rel: str, ref: str = "main") -> bytes:
        done = subprocess.run(
            ["git", "show", f"{ref}:{rel}"], cwd=self.remote, capture_output=True, check=True
        )
        return done.stdout

    def remote_head(self) -> str:
        return run_git(self.remote, "rev-parse", "main").strip()

    def clear_remote_locks(self) -> int:
        """A push killed mid-way leaves the bare remote's ref locked (a local remote's
        receive-pack dies with our process group; a real server's would not)."""
        locks = [*self.remote.glob("*.lock"), *(self.remote / "refs").rglob("*.lock")]
        for lock in locks:
            lock.unlink()
        return len(locks)

    def repo_file(self, rel: str) -> bytes:
        return (self.repo / rel).read_bytes()

    def repo_head(self) -> str:
        return run_git(self.repo, "rev-parse", "HEAD").strip()

    def repo_status(self) -> str:
        return run_git(self.repo, "status", "--porcelain")


def worker_env(
    redis_url: str, repo: Path, remote_url: str | None, **overrides: str
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MYORG_", "CELERY_"))}
    env.update(FAST_ENV)
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        REDIS_URL=redis_url,
        ORG_REPO_PATH=str(repo),
        GIT_REPO_URL=remote_url or "",
    )
    env.update(overrides)
    if not env["GIT_REPO_URL"]:
        del env["GIT_REPO_URL"]
    return env


def client_settings(redis_url: str, repo: Path, remote_url: str | None = None) -> Settings:
    values = {k.lower(): v for k, v in FAST_ENV.items()}
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        redis_url=redis_url,
        org_repo_path=repo,
        git_repo_url=remote_url,
        **values,
    )


@dataclass
class WorkerProcess:
    """One ``celery worker`` for the repo lane, in its own process group."""

    env: dict[str, str]
    workdir: Path
    app: str = "worker.app"
    queues: str = "repo"
    max_tasks_per_child: int = 1000
    name: str = "repo"
    extra: tuple[str, ...] = ()
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)
    _log_offset: int = 0

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / f"{self.name}-{uuid.uuid4().hex[:6]}.log"

    def argv(self) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", self.app, "worker",
            "-Q", self.queues, "-c", "1", "--prefetch-multiplier", "1", "-P", "prefork",
            "--max-tasks-per-child", str(self.max_tasks_per_child),
            "-n", f"{self.name}-{uuid.uuid4().hex[:8]}@%h",
            "--without-mingle", "--without-gossip", "-l", "INFO", *self.extra,
        ]  # fmt: skip

    def start(self, wait: bool = True) -> WorkerProcess:
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv(),
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if wait:
            wait_until(self._ready, 60, f"worker {self.name} to be ready", step=0.05)
        return self

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"worker exited early:\n{self.log()[-3000:]}")
        return " ready." in self.log()[self._log_offset :]

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group (main process, pool children, git children)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def terminate(self, grace: float = 30.0) -> float:
        """Warm shutdown (SIGTERM to the main process); SIGKILL after ``grace``. Returns seconds."""
        assert self.proc is not None
        started = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
        # Pool children exit with the main process; make sure none lingers.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        return time.monotonic() - started


@dataclass
class WorkerFactory:
    redis_url: str
    world: GitWorld
    workdir: Path
    started: list[WorkerProcess] = field(default_factory=list)

    def env(self, remote: bool = True, **overrides: str) -> dict[str, str]:
        url = self.world.url if remote else None
        return worker_env(self.redis_url, self.world.repo, url, **overrides)

    def start(
        self, remote: bool = True, wait: bool = True, app: str = "worker.app", **overrides: str
    ) -> WorkerProcess:
        max_tasks = int(overrides.pop("max_tasks_per_child", "1000"))
        proc = WorkerProcess(
            self.env(remote, **overrides),
            self.workdir,
            app=app,
            max_tasks_per_child=max_tasks,
            name=f"repo{len(self.started)}",
        )
        self.started.append(proc)
        return proc.start(wait=wait)

    def stop_all(self) -> None:
        for proc in self.started:
            proc.kill()


class TcpProxy:
    """A loopback TCP proxy whose behaviour the test switches: forward, blackhole, refuse."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.mode = "forward"
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            if self.mode == "refuse":
                conn.close()
            elif self.mode == "blackhole":
                self._open.append(conn)  # accepted, never answered
            else:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
                self._open += [conn, upstream]
                for a, b in ((conn, upstream), (upstream, conn)):
                    threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def drop_connections(self) -> None:
        for conn in self._open:
            with contextlib.suppress(OSError):
                conn.close()
        self._open.clear()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._listener.close()
        self.drop_connections()


class GitDaemon:
    """``git daemon`` serving a directory of bare repos on a loopback port."""

    def __init__(self, base: Path, writable: bool = True) -> None:
        self.port = free_port()
        argv = [
            "git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={self.port}",
            f"--base-path={base}", "--export-all", str(base),
        ]  # fmt: skip
        if writable:
            argv.insert(2, "--enable=receive-pack")
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_until(lambda: not port_is_free(self.port), 10, "git daemon to listen")

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
