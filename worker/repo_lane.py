"""What every repo-lane task runs inside: delivery guard, repo lock, a ready repository.

:func:`repo_lane` counts the delivery (dropping a task that keeps crashing its worker), takes the
Redis repo lock, makes sure the repository exists and was repaired since this process started,
and yields a :class:`RepoLane` with the helpers tasks need (clock, group commit, sync requests).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import git
import redis
from celery.exceptions import SoftTimeLimitExceeded

from shared.org_repo import OrgRepo
from shared.owner_time import owner_zone
from shared.settings import Settings
from worker import git_cmd
from worker.changes import CHANGES_CHANNEL
from worker.counters import APPLIED_KEY
from worker.deliveries import guard_delivery
from worker.git_sync import SYNC_BACKOFF_KEY, SYNC_REQUESTED_KEY, SYNC_TRAILING_KEY
from worker.group_commit import CommitInfo, GroupCommit
from worker.lanes import GIT_SYNC, REPO_QUEUE
from worker.repo_doctor import prepare_repo, repair_repo, stale_git_locks
from worker.repo_lock import RepoLock

log = logging.getLogger(__name__)


class LaneUnavailableError(RuntimeError):
    """Redis did not answer while a task was entering the lane: nothing was applied, and the
    task is to be handed back rather than failed (a hang can outlast the soft time limit)."""


@dataclass
class RepoLane:
    settings: Settings
    redis: redis.Redis
    root: Path
    org: OrgRepo
    group: GroupCommit
    send_task: Any
    state: dict[str, Any]
    #: Messages waiting in the repo queue when this task took the lock.
    waiting_at_start: int = 0
    #: Change events to publish, and edits to count, when the lock is released (same round trip).
    outbox: list[str] = field(default_factory=list)
    applied_count: int = 0

    def now(self) -> datetime:
        return datetime.now(owner_zone(self.org, self.settings.timezone))

    def announce(self, event: dict[str, Any]) -> None:
        """Publish ``event`` on the changes channel when the task leaves the lane."""
        self.outbox.append(json.dumps(event, ensure_ascii=False))

    def announce_applied(self, event: dict[str, Any] | None) -> int:
        """Announce an applied change (``None``: nothing new) and count it; returns the queue
        length read when the lock was taken."""
        if event is not None:
            self.announce(event)
        self.applied_count += 1
        return self.waiting_at_start

    def queue_announcements(self, pipe: Any) -> None:
        """Add the announcements to ``pipe`` (sent with the lock's release) and forget them."""
        for payload in self.outbox:
            pipe.publish(CHANGES_CHANNEL, payload)
        if self.applied_count:
            pipe.incr(APPLIED_KEY, self.applied_count)
        self.outbox, self.applied_count = [], 0

    def flush(self) -> None:
        """Send the announcements now (before slow work such as a sync with the remote)."""
        if not self.outbox and not self.applied_count:
            return
        pipe = self.redis.pipeline(transaction=False)
        self.queue_announcements(pipe)
        try:
            pipe.execute()
        except redis.RedisError as exc:
            log.warning("could not announce a change: %s", exc)

    def commit_if_due(self, waiting: int) -> CommitInfo | None:
        """Group commit: commit pending edits when the lane is idle or the window is full.

        ``waiting``: the queue length (see :meth:`announce_applied`). A sync with the remote is
        requested only when the lane is idle, after a burst.
        """
        if not self.group.due(waiting, time.time()):
            return None
        return self.commit_now(sync=waiting == 0)

    def commit_now(self, sync: bool = True) -> CommitInfo | None:
        check_head = not self.state.get("head_checked")
        with git.Repo(self.root) as repo:
            try:
                info = self.group.commit(repo, check_head=check_head)
            except git_cmd.GitError as exc:
                if ".lock" not in str(exc):
                    raise
                # A crash left a git lock file; we hold the repo lock, so it is stale.
                stale_git_locks(self.root, self.settings.git_stale_lock_s)
                info = self.group.commit(repo, check_head=True)
        self.state["head_checked"] = True
        if info is not None:
            committed = {"commit": info.sha, "op_ids": info.op_ids, "files": info.files}
            self.announce({"type": "committed", **committed})
            if sync:
                self.request_sync()
        return info

    def request_sync(self) -> bool:
        """Queue a git sync after a commit: at once if none ran in the last debounce period,
        else one more when the period ends (at most one waiting), so no commit stays unpushed.
        """
        if not self.settings.git_repo_url:
            return False
        debounce = self.settings.git_sync_debounce_s
        ttl_ms = max(1, int(debounce * 1000))
        try:
            if self.redis.exists(SYNC_BACKOFF_KEY):
                return False
            if self.redis.set(SYNC_REQUESTED_KEY, "1", nx=True, px=ttl_ms):
                countdown = None
            elif self.redis.set(SYNC_TRAILING_KEY, "1", nx=True, px=3 * ttl_ms + 1000):
                countdown = debounce
            else:
                return False
        except redis.RedisError:
            return False
        reason = "commit" if countdown is None else "trailing"
        self.send_task(GIT_SYNC, kwargs={"reason": reason}, countdown=countdown)
        return True

    def sync_started(self, reason: str) -> None:
        """A trailing sync running now covers every commit so far; let a new one be queued."""
        if reason == "trailing":
            with contextlib.suppress(redis.RedisError):
                self.redis.delete(SYNC_TRAILING_KEY)


def _ready_root(app: Any) -> Path:
    """Prepare and repair the repository once per process (we hold the lock here)."""
    state = app.lane_state
    root = state.get("root")
    if root is None:
        root = prepare_repo(app.settings)
        repair_repo(root, app.settings)
        state["root"] = root
    return Path(root)


@contextlib.contextmanager
def repo_lane(
    app: Any, task_id: str | None, name: str, args: Any, redelivered: bool = False
) -> Iterator[RepoLane]:
    settings: Settings = app.settings
    client: redis.Redis = app.redis
    lock = RepoLock(client, ttl_s=settings.repo_lock_ttl_s, wait_s=settings.repo_lock_wait_s)
    try:
        guard_delivery(client, task_id, name, args, settings.max_deliveries, redelivered)
        (waiting,) = lock.acquire(also=lambda pipe: pipe.llen(REPO_QUEUE))
    except (redis.RedisError, SoftTimeLimitExceeded) as exc:
        raise LaneUnavailableError(f"Redis did not answer ({type(exc).__name__})") from exc
    lane: RepoLane | None = None
    try:
        root = _ready_root(app)
        org = app.lane_state.get("org")
        if org is None or org.root != root:  # one per process: its parse caches carry over
            org = app.lane_state["org"] = OrgRepo(root)
            app.lane_state["group"] = GroupCommit(org, settings)
        group = app.lane_state["group"]
        lane = RepoLane(
            settings, client, root, org, group, app.send_task, app.lane_state, int(waiting or 0)
        )
        yield lane
    finally:
        try:
            lock.release(also=lane.queue_announcements if lane is not None else None)
        except redis.RedisError as exc:
            log.warning("could not release the repo lock (it expires by itself): %s", exc)
