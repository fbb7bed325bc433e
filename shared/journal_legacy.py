"""Finish operations staged by the journal's earlier protocol (``staging/<op>/manifest.json``).

A repository last written by an older version may hold a staging directory left by a crash: an op
whose manifest was written is finished (its staged files moved into place, its id recorded) unless
the owner edited a target since; one without a manifest never happened and is discarded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.atomic import fsync_dir
from shared.org_repo import OrgRepo

if TYPE_CHECKING:
    from shared.journal import Journal


def recover_staging(repo: OrgRepo, journal: Journal) -> int:
    """Finish or discard each staged op; returns how many were finished."""
    staging = repo.state_dir / "staging"
    if not staging.is_dir():
        return 0
    finished = 0
    for stage in sorted(staging.iterdir()):
        try:
            payload = json.loads((stage / "manifest.json").read_bytes())
        except (FileNotFoundError, NotADirectoryError, ValueError):
            shutil.rmtree(stage, ignore_errors=True)
            continue
        if _finish(repo, journal, stage, payload):
            finished += 1
    shutil.rmtree(staging, ignore_errors=True)
    return finished


def _finish(repo: OrgRepo, journal: Journal, stage: Path, payload: dict[str, Any]) -> bool:
    files = payload.get("files", [])
    for rel, name, *before in files:
        if before and (stage / name).exists() and _digest(repo.read_bytes(rel)) != before[0]:
            shutil.rmtree(stage, ignore_errors=True)  # the owner's edit wins
            return False
    for rel, name, *_ in files:
        staged = stage / name
        if staged.exists():
            target = repo.path(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                os.chmod(staged, target.stat().st_mode & 0o7777)
            os.replace(staged, target)
            fsync_dir(target.parent)
    journal.record_settled(payload["op_id"], payload["result"])
    shutil.rmtree(stage, ignore_errors=True)
    return True


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
