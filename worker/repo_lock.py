"""The repo lane's Redis lock: one writer of the working tree at a time, across processes and hosts.

The lane already runs as a single process; the lock makes a second consumer started by mistake
wait (and then hand its task back) instead of interleaving writes. The lock expires after a TTL
longer than any task may run. A holder that is known dead — same host and PID namespace, and its
process gone or replaced — is broken at once, so a restarted worker does not wait for the TTL.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from redis.client import Pipeline

LOCK_KEY = "myorg:repo-lock"
#: Tokens this process holds right now (a lock with this pid and another token is a leftover).
_HELD_HERE: set[str] = set()

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RepoBusyError(RuntimeError):
    """Another live process holds the repo lock."""


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return "?"


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (distinguishes a reused pid), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


_IDENTITY: dict[int, str] = {}  # pid -> "host|pid namespace|pid|start time" of this process


def make_token() -> str:
    pid = os.getpid()
    identity = _IDENTITY.get(pid)
    if identity is None:  # once per process (a forked child has another pid)
        identity = _IDENTITY[pid] = "|".join(
            [socket.gethostname(), _pid_namespace(), str(pid), _start_time(pid) or "?"]
        )
    return f"{identity}|{uuid.uuid4().hex}"


def holder_is_dead(token: str, held_here: set[str]) -> bool:
    """True only when the holder provably cannot be running: then the lock may be broken."""
    parts = token.split("|")
    if len(parts) != 5 or parts[0] != socket.gethostname() or parts[1] != _pid_namespace():
        return False
    if parts[1] == "?" or parts[3] == "?":
        return False
    pid = int(parts[2]) if parts[2].isdigit() else -1
    if pid == os.getpid():
        return token not in held_here
    return _start_time(pid) != parts[3]


@dataclass
class RepoLock:
    client: redis.Redis
    ttl_s: float
    wait_s: float
    key: str = LOCK_KEY
    _token: str | None = None

    def acquire(self, also: Callable[[Pipeline], object] | None = None) -> list[Any]:
        """Take the lock, waiting up to ``wait_s``; :class:`RepoBusyError` if still held then.

        ``also`` queues more commands on each attempt's round trip (a pipeline, not a
        transaction); the replies of the attempt that took the lock are returned.
        """
        token = make_token()
        deadline = time.monotonic() + self.wait_s
        pause = 0.005
        while True:
            pipe = self.client.pipeline(transaction=False)
            pipe.set(self.key, token, nx=True, px=int(self.ttl_s * 1000))
            if also is not None:
                also(pipe)
            taken, *replies = pipe.execute()
            if taken:
                self._token = token
                _HELD_HERE.add(token)
                return replies
            raw = self.client.get(self.key)
            holder = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            if holder is not None and holder_is_dead(holder, _HELD_HERE):
                self.client.eval(_RELEASE, 1, self.key, holder)
                continue
            if time.monotonic() >= deadline:
                who = holder.rsplit("|", 1)[0] if holder else "?"
                raise RepoBusyError(f"the repo lock is held by another worker ({who})")
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def release(self, also: Callable[[Pipeline], object] | None = None) -> None:
        """Give the lock up; ``also`` queues commands to send before it, in the same round
        trip."""
        token, self._token = self._token, None
        if token is None:
            return
        try:
            pipe = self.client.pipeline(transaction=False)
            if also is not None:
                also(pipe)
            pipe.eval(_RELEASE, 1, self.key, token)
            pipe.execute()
        finally:
            _HELD_HERE.discard(token)

    def __enter__(self) -> RepoLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
