"""Sync with the git remote: fetch, merge, push — pull before push, never force.

A diverged history is merged by :func:`worker.git_merge.merge_commits` into a new commit, which
is then fast-forwarded into the working tree: the repository is never left mid-merge and no
conflict marker can be written. A conflict in any other file stops syncing: the
local commits stay, are pushed to the ``myorg/unmerged`` branch for the owner to merge by hand,
and the owner is alerted. Network commands are killed after ``git_network_timeout_s``; failures
back off exponentially so an unreachable remote costs the lane little.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import git
import redis

from shared.atomic import write_atomic
from worker import git_cmd
from worker.changes import publish_alert, publish_change
from worker.commit_message import clean
from worker.git_merge import merge_commits
from worker.repo_doctor import begin_fast_forward, end_fast_forward

if TYPE_CHECKING:
    from worker.repo_lane import RepoLane

log = logging.getLogger(__name__)

UNMERGED_BRANCH = "myorg/unmerged"
BLOCKED_FILE = "sync-blocked.json"
FAILURES_KEY = "myorg:sync-failures"
SYNC_REQUESTED_KEY = "myorg:sync-requested"
SYNC_TRAILING_KEY = "myorg:sync-trailing"
SYNC_BACKOFF_KEY = "myorg:sync-backoff"
MAX_ATTEMPTS = 5


class SyncOfflineError(RuntimeError):
    """The remote could not be reached (or refused us) within the time limit."""


class SyncRaceError(RuntimeError):
    """The remote moved between every fetch and push; try again soon (not an outage)."""


@dataclass
class SyncReport:
    status: str  # no_remote, up_to_date, pushed, merged, blocked, offline, retry, error
    pushed: bool = False
    merged: bool = False
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blocked_paths: list[str] = field(default_factory=list)
    error: str | None = None
    head: str | None = None

    @property
    def ok(self) -> bool:
        return self.status not in ("offline", "blocked", "error")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sync_repo(lane: RepoLane, reason: str = "schedule") -> SyncReport:
    """Pull then push; the caller holds the repo lock and has committed pending edits."""
    settings = lane.settings
    if git_cmd.remote_url(settings) is None:
        return SyncReport("no_remote")
    env = git_cmd.network_env(settings, lane.org.state_dir)
    with git.Repo(lane.root) as repo:
        try:
            report = _sync(repo, lane, env)
        except SyncOfflineError as exc:
            report = SyncReport("offline", error=git_cmd.redact(str(exc), settings))
            _record_failure(lane, report.error or "")
            return report
        except SyncRaceError as exc:
            lane.request_sync()
            return SyncReport("retry", error=str(exc))
        except git_cmd.GitError as exc:
            report = SyncReport("error", error=git_cmd.redact(str(exc), settings))
            publish_alert(lane.redis, "sync_error", f"git sync failed: {report.error}")
            return report
        report.head = git_cmd.head_sha(repo)
        _maintain(repo)
    _record_success(lane)
    if report.merged:
        publish_change(lane.redis, {"type": "synced", "head": report.head, "reason": reason})
    for message in report.conflicts + report.notes:
        publish_alert(lane.redis, "sync_merge", message)
    return report


def _sync(repo: git.Repo, lane: RepoLane, env: dict[str, str]) -> SyncReport:
    report = SyncReport("up_to_date")
    for _ in range(MAX_ATTEMPTS):
        remote = _fetch(repo, lane, env)
        local = git_cmd.head_sha(repo)
        if remote is not None and local is not None and remote != local:
            if git_cmd.is_ancestor(repo, local, remote):
                _fast_forward(repo, lane, local, remote)
                report.merged = True
                local = remote
            elif not git_cmd.is_ancestor(repo, remote, local):
                if _still_blocked(lane, remote):
                    return SyncReport("blocked", blocked_paths=_blocked_paths(lane))
                merge = merge_commits(repo, lane.org, lane.settings, local, remote)
                if merge.sha is None:
                    _block(repo, lane, env, remote, merge.blocked)
                    return SyncReport("blocked", blocked_paths=merge.blocked)
                _fast_forward(repo, lane, local, merge.sha)
                report.merged = True
                report.conflicts += merge.conflicts
                report.notes += merge.notes
                local = merge.sha
        elif remote is not None and local is None:
            git_cmd.run(repo, ["merge", "-q", "--ff-only", remote])
            return SyncReport("merged", merged=True)
        _unblock(lane)
        if local is None or local == remote:
            report.status = "merged" if report.merged else "up_to_date"
            return report
        if _push(repo, lane, env, f"HEAD:refs/heads/{lane.settings.git_branch}"):
            report.status, report.pushed = "pushed", True
            return report
    raise SyncRaceError("the remote kept moving during the push; will retry")


def _maintain(repo: git.Repo) -> None:
    """Pack loose objects now and then (automatic maintenance is off for the lane's commits)."""
    try:
        git_cmd.run(repo, ["gc", "--auto", "--quiet"], timeout=60)
    except git_cmd.GitError as exc:
        log.warning("git gc --auto failed: %s", exc)


def _fetch(repo: git.Repo, lane: RepoLane, env: dict[str, str]) -> str | None:
    """Fetch the branch; its remote sha, or None when the remote has no such branch yet."""
    branch = lane.settings.git_branch
    tracking = f"refs/remotes/origin/{branch}"
    try:
        git_cmd.run(
            repo,
            ["fetch", "-q", "--no-tags", "origin", f"+refs/heads/{branch}:{tracking}"],
            env=env,
            timeout=lane.settings.git_network_timeout_s,
        )
    except git_cmd.GitError as exc:
        if "couldn't find remote ref" in str(exc):
            return None
        raise SyncOfflineError(str(exc)) from None
    return git_cmd.checked_sha(git_cmd.run(repo, ["rev-parse", "--verify", tracking]))


def _push(repo: git.Repo, lane: RepoLane, env: dict[str, str], refspec: str) -> bool:
    """Push without force; False when the remote moved since the fetch (fetch again)."""
    try:
        git_cmd.run(
            repo,
            ["push", "-q", "origin", refspec],
            env=env,
            timeout=lane.settings.git_network_timeout_s,
        )
    except git_cmd.GitError as exc:
        text = str(exc)
        if any(s in text for s in ("rejected", "non-fast-forward", "fetch first")):
            return False
        raise SyncOfflineError(text) from None
    return True


def _fast_forward(repo: git.Repo, lane: RepoLane, old: str, new: str) -> None:
    begin_fast_forward(lane.org.state_dir, old, new)
    git_cmd.run(repo, ["merge", "-q", "--ff-only", git_cmd.checked_sha(new)])
    end_fast_forward(lane.org.state_dir)


def _still_blocked(lane: RepoLane, remote: str) -> bool:
    data = _read_blocked(lane)
    return data is not None and data.get("remote") == remote


def _blocked_paths(lane: RepoLane) -> list[str]:
    data = _read_blocked(lane) or {}
    return list(data.get("paths", []))


def _read_blocked(lane: RepoLane) -> dict[str, Any] | None:
    try:
        value = json.loads((lane.org.state_dir / BLOCKED_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _block(
    repo: git.Repo, lane: RepoLane, env: dict[str, str], remote: str, paths: list[str]
) -> None:
    payload = {"remote": remote, "paths": paths}
    write_atomic(lane.org.state_dir / BLOCKED_FILE, json.dumps(payload).encode("utf-8"))
    shared = False
    try:
        shared = _push(repo, lane, env, f"HEAD:refs/heads/{UNMERGED_BRANCH}")
    except SyncOfflineError as exc:
        log.warning(
            "could not push %s: %s", UNMERGED_BRANCH, git_cmd.redact(str(exc), lane.settings)
        )
    where = f"branch {UNMERGED_BRANCH}" if shared else "the server's copy only"
    publish_alert(
        lane.redis,
        "sync_blocked",
        "git sync stopped: "
        + ", ".join(clean(p) for p in paths)
        + f" changed on both sides. The assistant's commits are kept ({where}); merge "
        + f"{UNMERGED_BRANCH} into {lane.settings.git_branch} by hand and push to resume.",
        paths=paths,
    )


def _unblock(lane: RepoLane) -> None:
    (lane.org.state_dir / BLOCKED_FILE).unlink(missing_ok=True)


def _record_failure(lane: RepoLane, error: str) -> None:
    settings = lane.settings
    try:
        failures = int(lane.redis.incr(FAILURES_KEY))
        backoff = min(
            settings.git_sync_backoff_max_s, max(1.0, settings.git_sync_debounce_s) * 2**failures
        )
        lane.redis.set(SYNC_BACKOFF_KEY, "1", px=int(backoff * 1000))
        if failures == 1:
            publish_alert(lane.redis, "sync_offline", f"the git remote is unreachable: {error}")
    except redis.RedisError:
        log.warning("git sync failed and the failure could not be recorded: %s", error)


def _record_success(lane: RepoLane) -> None:
    with contextlib.suppress(redis.RedisError):
        lane.redis.delete(FAILURES_KEY, SYNC_BACKOFF_KEY)
