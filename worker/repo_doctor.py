"""Make the org repository ready for the repo lane, and repair what a crash left behind.

:func:`prepare_repo` clones (or initialises) the working tree on first start and sets the git
configuration the lane relies on. :func:`repair_repo` runs under the repo lock when a lane process
starts: it finishes half-applied operations, deletes orphan temp files, removes stale ``.git``
lock files, completes an interrupted fast-forward and refreshes an index that a crash between a
commit's ref update and its index update left behind HEAD.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from pathlib import Path

import git

from shared.apply import recover_pending
from shared.atomic import remove_orphan_temps
from shared.org_repo import OrgRepo
from shared.settings import Settings
from worker import git_cmd

log = logging.getLogger(__name__)

FF_MARKER = "fast-forward.json"
REPO_CONFIG = {
    ("core", "fsync"): "committed,index",
    ("core", "fsyncMethod"): "fsync",
    ("gc", "autoDetach"): "false",
    ("maintenance", "auto"): "false",  # the sync task runs ``git gc --auto`` instead
    ("commit", "gpgSign"): "false",
    ("core", "quotePath"): "false",
}


class RepoSetupError(RuntimeError):
    """The working tree cannot be made ready (not empty and not a repository, clone failed)."""


def prepare_repo(settings: Settings) -> Path:
    """Clone or initialise the working tree if needed, set the config; returns its root."""
    root = settings.org_repo_path.resolve()
    if not (root / ".git").exists():
        if root.exists() and any(root.iterdir()):
            raise RepoSetupError(f"{root} is not empty and is not a git repository")
        _create(root, settings)
    with git.Repo(root) as repo:
        _configure(repo, settings)
    return root


def _create(root: Path, settings: Settings) -> None:
    url = git_cmd.remote_url(settings)
    root.parent.mkdir(parents=True, exist_ok=True)
    if url is None:
        git.Repo.init(root, mkdir=True, initial_branch=settings.git_branch).close()
        return
    env = git_cmd.network_env(settings, root.parent / f".{root.name}-askpass")
    try:
        git.Git(str(root.parent)).execute(
            ["git", "clone", "-q", "--", url, str(root)],
            env={**env, "LC_ALL": "C"},
            kill_after_timeout=settings.git_network_timeout_s * 6,
        )
    except git.GitCommandError as exc:
        raise RepoSetupError(
            git_cmd.redact(f"could not clone {url}: {exc.stderr or exc}".strip(), settings)
        ) from None


def _configure(repo: git.Repo, settings: Settings) -> None:
    reader = repo.config_reader("repository")
    wanted = {
        key: value
        for key, value in REPO_CONFIG.items()
        if str(reader.get_value(*key, default="")) != value
    }
    url = git_cmd.remote_url(settings)
    if wanted:
        with repo.config_writer("repository") as writer:
            for (section, option), value in wanted.items():
                writer.set_value(section, option, value)
    if url is not None:
        names = [r.name for r in repo.remotes]
        if "origin" not in names:
            repo.create_remote("origin", url)
        elif repo.remote("origin").url != url:
            with repo.remote("origin").config_writer as writer:
                writer.set("url", url)


def repair_repo(root: Path, settings: Settings) -> list[str]:
    """Repair after a crash; returns what was done, one line each. Call holding the repo lock."""
    done: list[str] = []
    org = OrgRepo(root)
    for lock in stale_git_locks(root, settings.git_stale_lock_s):
        done.append(f"removed stale {lock.relative_to(root)}")
    with git.Repo(root) as repo:
        note = finish_fast_forward(repo, org.state_dir)
        if note:
            done.append(note)
        note = refresh_stale_index(repo)
        if note:
            done.append(note)
    removed = remove_orphan_temps(root)
    if removed:
        done.append(f"removed {removed} orphan temp file(s)")
    finished = recover_pending(org)
    if finished:
        done.append(f"finished {finished} half-applied operation(s)")
    for line in done:
        log.warning("repo repair: %s", line)
    return done


def refresh_stale_index(repo: git.Repo) -> str | None:
    """Set the index back to HEAD when it holds staged changes (the lane never leaves any).

    A kill after ``git commit`` moved the branch but before it wrote the index leaves the index at
    the old content: the tree looks changed though it matches HEAD. Only the index is reset; the
    working tree, and so any applied edit not yet committed, is left as it is.
    """
    if git_cmd.head_sha(repo) is None:
        return None
    try:
        git_cmd.run(repo, ["diff", "--cached", "--quiet"])
        return None
    except git_cmd.GitError:
        pass
    git_cmd.run(repo, ["reset", "-q"])
    return "reset a stale index to HEAD"


def git_lock_files(root: Path) -> list[Path]:
    """Lock files git leaves when killed: ``index.lock``, ``HEAD.lock``, ``next-index-*.lock``
    (a commit of given paths), ref locks."""
    gitdir = root / ".git"
    found = sorted(gitdir.glob("*.lock"))
    refs = gitdir / "refs"
    if refs.is_dir():
        found += sorted(refs.rglob("*.lock"))
    return found


def stale_git_locks(root: Path, stale_after_s: float) -> list[Path]:
    """Remove ``.git`` lock files once they are ``stale_after_s`` old; returns those removed.

    Holding the repo lock proves no lane process is inside git, so a lock file is a crash's
    leftover; the age guard gives a git command run by hand on the server time to finish.
    """
    removed: list[Path] = []
    deadline = time.monotonic() + stale_after_s + 1
    for lock in git_lock_files(root):
        while True:
            try:
                age = time.time() - lock.stat().st_mtime
            except FileNotFoundError:
                break
            if age >= stale_after_s or time.monotonic() >= deadline:
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()
                    removed.append(lock)
                break
            time.sleep(min(0.1, stale_after_s - age + 0.01))
    return removed


def begin_fast_forward(state_dir: Path, old: str, new: str) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / FF_MARKER).write_text(json.dumps({"from": old, "to": new}))


def end_fast_forward(state_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (state_dir / FF_MARKER).unlink()


def finish_fast_forward(repo: git.Repo, state_dir: Path) -> str | None:
    """A crash during a fast-forward to a merge commit can leave HEAD old and files new.

    The fast-forward runs with nothing else pending (the lane committed first), so the tree is
    set to the target commit, which already holds both sides' changes.
    """
    marker = state_dir / FF_MARKER
    try:
        data = json.loads(marker.read_text())
        old, new = git_cmd.checked_sha(data["from"]), git_cmd.checked_sha(data["to"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError, git_cmd.GitError):
        end_fast_forward(state_dir)
        return "dropped an unreadable fast-forward marker"
    note = None
    if git_cmd.head_sha(repo) == old:
        git_cmd.run(repo, ["reset", "-q", "--hard", new])
        note = f"completed an interrupted fast-forward to {new[:12]}"
    end_fast_forward(state_dir)
    return note
