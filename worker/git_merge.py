"""Merge two diverged histories into one commit without touching the working tree.

``git read-tree -m`` in a scratch index does the trivial part (a file changed on one side);
todo.txt, done.txt, calendar.txt and working-memory.txt changed on both sides are merged by
meaning with :mod:`shared.merge`; any other file changed on both sides blocks the merge. The
result is written with ``write-tree`` and ``commit-tree`` (both parents), never as conflict
markers; the caller fast-forwards the working tree to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import git

from shared.atomic import write_atomic
from shared.merge import MERGERS
from shared.org_repo import OrgRepo
from shared.settings import Settings
from worker import git_cmd
from worker.commit_message import SYNC_TRAILER, clean

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


@dataclass
class MergeOutcome:
    """The merge commit (None when blocked), conflicts and notes to report, blocking paths."""

    sha: str | None
    conflicts: list[str]
    notes: list[str]
    blocked: list[str]


def semantic_kinds(org: OrgRepo) -> dict[str, str]:
    layout = org.layout
    return {
        layout.todo: "todo",
        layout.done: "todo",
        layout.calendar: "calendar",
        layout.working_memory: "lines",
    }


def merge_commits(
    repo: git.Repo, org: OrgRepo, settings: Settings, local: str, remote: str
) -> MergeOutcome:
    """Build the merge commit of ``local`` and ``remote`` without touching the working tree."""
    bases = git_cmd.run(repo, ["merge-base", "--all", local, remote]).split()
    base = git_cmd.checked_sha(bases[0]) if bases else EMPTY_TREE
    index = org.state_dir / "merge-index"
    index.unlink(missing_ok=True)
    env = {**git_cmd.commit_env(settings), "GIT_INDEX_FILE": str(index)}
    try:
        git_cmd.run(repo, ["read-tree", "-i", "-m", "--aggressive", base, local, remote], env=env)
        unmerged = _unmerged(git_cmd.run_bytes(repo, ["ls-files", "-u", "-z"], env=env))
        kinds = semantic_kinds(org)
        records: list[bytes] = []
        result = MergeOutcome(None, [], [], [])
        for path, stages in sorted(unmerged.items()):
            kind = kinds.get(path)
            if kind is None:
                result.blocked.append(path)
                continue
            resolved = _resolve(repo, path, kind, stages, result)
            records.append(f"0 {'0' * 40}\t{path}".encode("utf-8", "surrogateescape"))
            records.append(
                f"{resolved[0]} {resolved[1]} 0\t{path}".encode("utf-8", "surrogateescape")
            )
        if result.blocked:
            return result
        if records:
            data = b"\0".join(records) + b"\0"
            git_cmd.run(repo, ["update-index", "-z", "--index-info"], stdin=data, env=env)
        tree = git_cmd.checked_sha(git_cmd.run(repo, ["write-tree"], env=env))
    finally:
        index.unlink(missing_ok=True)
    message = org.state_dir / "MERGE_MSG"
    write_atomic(message, _merge_message(settings, sorted(unmerged), result).encode("utf-8"))
    commit = git_cmd.run(
        repo,
        ["commit-tree", tree, "-p", local, "-p", remote, "-F", str(message)],
        env=git_cmd.commit_env(settings),
    )
    result.sha = git_cmd.checked_sha(commit)
    return result


def _resolve(
    repo: git.Repo, path: str, kind: str, stages: dict[int, tuple[str, str]], result: MergeOutcome
) -> tuple[str, str]:
    """(mode, sha) of the merged blob of one line file."""
    if 2 in stages and 3 in stages:
        blobs = {n: _blob(repo, stages[n][1]) if n in stages else b"" for n in (1, 2, 3)}
        merged = MERGERS[kind](blobs[1], blobs[2], blobs[3])
        result.conflicts += [f"{clean(path)}: {c.describe()}" for c in merged.conflicts]
        result.notes += [f"{clean(path)}: {n}" for n in merged.notes]
        sha = git_cmd.run(repo, ["hash-object", "-w", "--stdin"], stdin=merged.data)
        return stages[2][0], git_cmd.checked_sha(sha)
    kept = 2 if 2 in stages else 3
    side = "here" if kept == 2 else "on the other side"
    result.notes.append(f"{clean(path)}: deleted on one side, changed {side}; kept the file")
    return stages[kept]


def _unmerged(raw: bytes) -> dict[str, dict[int, tuple[str, str]]]:
    out: dict[str, dict[int, tuple[str, str]]] = {}
    for record in raw.split(b"\0"):
        if not record:
            continue
        meta, _, path_bytes = record.partition(b"\t")
        mode, sha, stage = meta.decode().split()
        path = path_bytes.decode("utf-8", "surrogateescape")
        out.setdefault(path, {})[int(stage)] = (mode, git_cmd.checked_sha(sha))
    return out


def _blob(repo: git.Repo, sha: str) -> bytes:
    return git_cmd.run_bytes(repo, ["cat-file", "blob", sha])


def _merge_message(settings: Settings, paths: list[str], merge: MergeOutcome) -> str:
    lines = [f"sync: merge origin/{settings.git_branch} (via sync)", ""]
    if paths:
        lines += ["Merged line by line: " + ", ".join(clean(p) for p in paths), ""]
    lines += [f"- {c}" for c in merge.conflicts + merge.notes]
    if merge.conflicts or merge.notes:
        lines.append("")
    lines.append(SYNC_TRAILER + json.dumps({"conflicts": len(merge.conflicts)}))
    return "\n".join(lines) + "\n"
