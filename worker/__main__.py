"""``python -m worker doctor``: repair the org repository by hand (what the repo lane does when
it starts): take the repo lock, finish half-applied operations, remove stale lock and temp files,
complete an interrupted fast-forward, and commit edits applied but not yet committed.

``python -m worker history [-n N]`` lists the newest commits and where each change came from.
"""

from __future__ import annotations

import argparse
import sys

from shared.settings import Settings
from worker.app import create_celery_app
from worker.history import list_history
from worker.repo_doctor import prepare_repo, repair_repo
from worker.repo_lane import repo_lane
from worker.repo_lock import RepoBusyError


def doctor(settings: Settings) -> int:
    app = create_celery_app(settings)
    try:
        root = prepare_repo(settings)
        app.lane_state["root"] = root  # repaired below, so that what was done can be shown
        with repo_lane(app, None, "doctor", None) as lane:
            done = repair_repo(root, settings)
            info = lane.commit_now(sync=False)
    except RepoBusyError as exc:
        print(f"not repaired: {exc}; stop the repo worker first", file=sys.stderr)
        return 1
    finally:
        app.close()
    for line in done or ["nothing to repair"]:
        print(line)
    if info is not None:
        print(f"committed {len(info.op_ids)} pending edit(s) as {info.sha[:12]}")
    return 0


def history(settings: Settings, limit: int) -> int:
    for entry in list_history(settings.org_repo_path, limit):
        who = ", ".join(entry.sources) if entry.by_assistant else entry.author
        print(f"{entry.sha[:10]}  {entry.when[:16]}  {entry.subject}  [{who}]")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="repair the org repository after a crash")
    show = sub.add_parser("history", help="list recent changes")
    show.add_argument("-n", type=int, default=20, help="how many commits (default 20)")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "doctor":
        return doctor(settings)
    return history(settings, args.n)


if __name__ == "__main__":
    raise SystemExit(main())
