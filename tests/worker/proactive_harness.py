"""Real processes for the scheduler tests: ``celery beat`` subprocesses, tick workers, and a
clock the test moves (``MYORG_TEST_CLOCK=1``: the tick reads ``now`` from Redis)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import redis

from shared.schedule import utc
from tests.worker.worker_harness import WorkerProcess, run_git, wait_until, worker_env
from worker.scheduler import LAST_TICK_KEY, TEST_NOW_KEY

TICK_S = "0.1"


def make_repo(root: Path, files: dict[str, str]) -> Path:
    """A git repository holding ``files`` in one commit."""
    root.mkdir(parents=True)
    run_git(root, "init", "-q", "-b", "main")
    write_files(root, files)
    run_git(root, "add", "-A")
    run_git(root, "commit", "-q", "-m", "seed", env=commit_date(datetime(2026, 1, 1, tzinfo=UTC)))
    return root


def write_files(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)  # a new inode: the workers' parse cache sees the change


def commit_date(when: datetime) -> dict[str, str]:
    stamp = when.isoformat()
    return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}


def scheduler_env(redis_url: str, repo: Path, **extra: str) -> dict[str, str]:
    return worker_env(redis_url, repo, None, MYORG_TEST_CLOCK="1", SCHEDULE_TICK_S=TICK_S,
                      **extra)


@dataclass
class BeatProcess:
    """One ``celery beat``, in its own process group, with its own schedule file."""

    env: dict[str, str]
    workdir: Path
    name: str = "beat"
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / f"{self.name}-{uuid.uuid4().hex[:6]}.log"

    def start(self) -> BeatProcess:
        argv = [sys.executable, "-m", "celery", "-A", "worker.app", "beat", "-l", "INFO",
                "-s", str(self.workdir / f"{self.name}-schedule")]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                argv, cwd=self.workdir, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        return self

    def kill(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class Scheduler:
    """Beats and tick workers on one Redis and one repository, and the clock they read."""

    redis_url: str
    repo: Path
    workdir: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    beats: list[BeatProcess] = field(default_factory=list)
    workers: list[WorkerProcess] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client = redis.Redis.from_url(self.redis_url)

    @property
    def env(self) -> dict[str, str]:
        return scheduler_env(self.redis_url, self.repo, **self.env_extra)

    def start_beat(self) -> BeatProcess:
        beat = BeatProcess(self.env, self.workdir, name=f"beat{len(self.beats)}").start()
        self.beats.append(beat)
        return beat

    def start(self, workers: int = 1, beats: int = 1) -> None:
        """Start tick workers and beats side by side (each takes seconds to import), then wait
        until the workers are ready."""
        started = []
        for _ in range(workers):
            worker = WorkerProcess(self.env, self.workdir, queues="default",
                                   name=f"tick{len(self.workers)}").start(wait=False)
            self.workers.append(worker)
            started.append(worker)
        for _ in range(beats):
            self.start_beat()
        for worker in started:
            wait_until(worker._ready, 60, f"worker {worker.name} to be ready")

    def set_now(self, when: datetime) -> None:
        self.client.set(TEST_NOW_KEY, when.astimezone(UTC).isoformat())

    def last_tick(self) -> dict[str, object] | None:
        raw = self.client.get(LAST_TICK_KEY)
        return json.loads(raw) if raw else None

    def ticked_at(self, when: datetime) -> bool:
        tick = self.last_tick()
        # Compared in UTC: an ambiguous local time (the repeated hour) never equals a time of
        # another zone in Python, even the same instant.
        return tick is not None and utc(datetime.fromisoformat(str(tick["now"]))) == utc(when)

    def advance(self, when: datetime, timeout: float = 20.0) -> None:
        """Move the clock to ``when`` and wait for a tick to have run at that time."""
        self.set_now(when)
        wait_until(lambda: self.ticked_at(when), timeout, f"a tick at {when.isoformat()}",
                   step=0.005)

    def stop_beats(self) -> None:
        for beat in self.beats:
            beat.kill()
        # Ticks already queued still run: wait until the queue is empty and a moment passed.
        wait_until(lambda: self.client.llen("default") == 0, 10, "the tick queue to drain")
        time.sleep(0.3)

    def stop_all(self) -> None:
        for beat in self.beats:
            beat.kill()
        for worker in self.workers:
            worker.kill()
        self.client.close()

    def logs(self) -> str:
        return "\n".join(p.log()[-3000:] for p in [*self.beats, *self.workers])
