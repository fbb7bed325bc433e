"""Reliability plan row 4, simulated with processes (there is no container runtime here): a
deploy sends the repo worker, started as the image starts it, SIGTERM while edits flow, then
SIGKILL if it is still alive after the grace period the manifests give; a new worker takes over.
Nothing may be lost or applied twice.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.operations import AddTask
from tests.deploy.deploy_files import compose, duration_s, k8s_objects
from tests.deploy.org_checks import INFO, applied_so_far, counts, fsck
from tests.deploy.role_process import RoleProcess, wait_until
from worker.app import OrgCelery
from worker.client import enqueue_operation, wait_applied

pytestmark = pytest.mark.slow


def deployed_grace_periods() -> dict[str, float]:
    """The repo worker's grace period in docker-compose.yml and in k8s/."""
    service = compose()["services"]["repo-worker"]
    (deployment,) = [o for o in k8s_objects() if o["metadata"]["name"] == "repo-worker"]
    return {
        "compose": duration_s(service["stop_grace_period"]),
        "k8s": float(deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]),
    }


def test_row4_deploy_with_the_manifests_grace_period_loses_and_duplicates_nothing(
    tmp_path: Path, env: dict[str, str], client: OrgCelery
) -> None:
    graces = deployed_grace_periods()
    grace = min(graces.values())
    repo = Path(env["ORG_REPO_PATH"])
    texts = [f"deploy edit {i:03d}" for i in range(80)]
    old = RoleProcess("repo_worker", env, tmp_path / "old", extra=INFO).start()
    try:
        old.wait_healthy()
        ids = [enqueue_operation(client, AddTask(text=t, source="web")) for t in texts]
        wait_until(lambda: applied_so_far(repo, texts) >= 5, 60, "the first edits")
        exit_s, killed = old.terminate(grace)
    finally:
        old.kill()
    new = RoleProcess("repo_worker", env, tmp_path / "new", extra=INFO).start()
    try:
        for task_id in ids:
            wait_applied(client, task_id, 120)
    finally:
        new.terminate(grace)
    duplicates, missing = counts(repo, texts)
    durations = [float(x) for x in re.findall(r"succeeded in ([0-9.]+)s", old.log())]
    over = sum(d > grace for d in durations)
    share = 100 * over / max(1, len(durations))
    print(
        f"ROW4 lost {missing}; duplicated {duplicates}; time-to-exit {exit_s:.2f} s "
        f"(grace: compose {graces['compose']:g} s, k8s {graces['k8s']:g} s; SIGKILL needed: "
        f"{killed}); tasks longer than the grace period {over}/{len(durations)} ({share:.0f}%)"
    )
    assert (duplicates, missing) == (0, 0)
    assert not killed and exit_s < grace
    assert durations and over == 0
    fsck(repo)
