"""Subprocess drivers for the crash tests, killed with SIGKILL at random moments.

``python -m tests.worker.crash_driver lane TAG`` runs the repo lane's own code (apply, group
commit, git sync) in a loop and prints ``ACK <text>`` once an edit's commit returned.
``... doctor`` takes the lock, repairs, commits and syncs once, then prints what it repaired.
Settings come from the environment, as for a worker.
"""

from __future__ import annotations

import json
import sys

from shared.apply import apply_operation
from shared.operations import AddTask
from worker.app import create_celery_app
from worker.git_sync import sync_repo
from worker.repo_doctor import prepare_repo, repair_repo
from worker.repo_lane import repo_lane


def run_lane(tag: str) -> None:
    app = create_celery_app()
    with repo_lane(app, None, "crash-driver", None) as lane:
        print("READY", flush=True)
        i = 0
        while True:
            op = AddTask(text=f"{tag} {i}", op_id=f"{tag}-{i}", source="cli")
            lane.group.note(op)
            result = apply_operation(lane.org, op, lane.now())
            lane.group.applied(op.op_id, result.files)
            if lane.commit_now(sync=False) is not None:
                print(f"ACK {op.text}", flush=True)
            if i % 2 == 0:
                sync_repo(lane, reason="crash test")
            i += 1


def run_doctor() -> None:
    app = create_celery_app()
    root = prepare_repo(app.settings)
    app.lane_state["root"] = root  # repair below, holding the lock, to report what it did
    with repo_lane(app, None, "crash-doctor", None) as lane:
        repaired = repair_repo(root, app.settings)
        info = lane.commit_now(sync=False)
        report = sync_repo(lane, reason="crash test")
        print(
            json.dumps({"repaired": repaired, "commit": bool(info), "sync": report.status}),
            flush=True,
        )


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "lane":
        run_lane(sys.argv[2])
    elif mode == "doctor":
        run_doctor()
    else:
        raise SystemExit(f"unknown mode {mode}")
