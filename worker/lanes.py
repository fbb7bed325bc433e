"""The lanes: which queue each task runs in.

``repo``: the only code that writes the org repository; one worker process (``-c 1``, prefetch 1),
guarded by a Redis lock as well. ``agent``: model calls, which may take many seconds; they enqueue
repo operations like any other caller and never run inside the repo lane, so a quick edit is never
stuck behind an agent turn. ``default``: everything else.
"""

from __future__ import annotations

REPO_QUEUE = "repo"
AGENT_QUEUE = "agent"
DEFAULT_QUEUE = "default"

APPLY_OPERATION = "myorg.repo.apply_operation"
COMMIT_PENDING = "myorg.repo.commit_pending"
GIT_SYNC = "myorg.repo.git_sync"
UNDO_LAST_CHANGE = "myorg.repo.undo_last_change"

REPO_TASKS = (APPLY_OPERATION, COMMIT_PENDING, GIT_SYNC, UNDO_LAST_CHANGE)

TASK_ROUTES: dict[str, dict[str, str]] = {
    "myorg.repo.*": {"queue": REPO_QUEUE},
    "myorg.agent.*": {"queue": AGENT_QUEUE},
    "myorg.proactive.*": {"queue": DEFAULT_QUEUE},
}

#: The command that runs the repo lane (the Procfile's ``repo_worker`` line says the same).
REPO_WORKER_ARGS = ("-Q", REPO_QUEUE, "-c", "1", "--prefetch-multiplier", "1", "-P", "prefork")
