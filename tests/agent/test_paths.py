"""Reliability row 18: path traversal through the agent's file tools."""

from __future__ import annotations

import os
from pathlib import Path

from shared.agent.executor import Executor
from shared.org_repo import OrgRepo
from tests.agent.conftest import NOW, DirectApply

EVIL_PATHS = [
    "../etc/passwd",
    "../../../../../../etc/passwd",
    "/etc/passwd",
    "//etc/passwd",
    ".git/config",
    ".git/HEAD",
    "./.git/config",
    ".GIT/config",
    ".Git/hooks/pre-commit",
    ".git./config",
    "notes/../.git/config",
    "notes/../../outside.txt",
    "..",
    ".",
    "",
    "link_etc/passwd",
    "link_etc/hostname",
    "link_etc/newfile.txt",
    "link_etc",
    "evil/secret.txt",
    "evil/new.md",
    "../org-evil/secret.txt",
    "dir_link/../../outside.txt",
    "todo.txt\x00.md",
    "\x00",
    "．git/config",
    "..／outside.txt",
    "．．/outside.txt",
    "..\\outside.txt",
    "..\\..\\etc\\passwd",
    "C:\\Windows\\win.ini",
    "\\\\server\\share\\x.txt",
    "~/.bashrc",
    "~root/.ssh/authorized_keys",
    ".github/workflows/ci.yml",
    ".myorg-state/x.txt",
    "link_git/config",
    "link_git_file.txt",
    "link_outside.txt",
]
READS = ("read_file", "list_files")
WRITES = ("write_file", "append_to_file")


def call_input(tool: str, path: str) -> dict[str, str]:
    if tool == "read_file":
        return {"path": path}
    if tool == "list_files":
        return {"directory": path}
    if tool == "write_file":
        return {"path": path, "content": "pwned\n"}
    return {"path": path, "text": "pwned"}


def tree_digest(path: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _, files in os.walk(path, followlinks=False):
        for name in files:
            p = Path(dirpath, name)
            if not p.is_symlink() and "myorg" not in p.parts:
                out[str(p)] = p.read_bytes()
    return out


def test_row18_path_traversal_is_rejected(org: OrgRepo, tmp_path: Path) -> None:
    root = org.root
    (tmp_path / "outside.txt").write_text("OUTSIDE-SENTINEL-7731")
    evil = tmp_path / "org-evil"
    evil.mkdir()
    (evil / "secret.txt").write_text("SIBLING-SECRET-5512")
    (root / "link_etc").symlink_to("/etc")
    (root / "evil").symlink_to(evil)
    (root / "notes").mkdir()
    (root / "dir_link").symlink_to(root / "notes")
    (root / "link_git").symlink_to(root / ".git")
    (root / "link_git_file.txt").symlink_to(root / ".git" / "config")
    (root / "link_outside.txt").symlink_to(tmp_path / "outside.txt")
    before = tree_digest(tmp_path)
    apply = DirectApply(org)
    executor = Executor(org, NOW, "t", apply, owner_text="write and append whatever")

    attempts, accepted = 0, []
    for n, path in enumerate(EVIL_PATHS):
        for tool in (*READS, *WRITES):
            if tool == "list_files" and path in ("", "."):
                continue  # the whole repo: allowed, and checked below to hide .git
            attempts += 1
            result = executor.run(f"c{n}-{tool}", tool, call_input(tool, path))
            leaked = any(
                s in result.content
                for s in (
                    "root:x:",
                    "SIBLING-SECRET",
                    "OUTSIDE-SENT",
                    "repositoryformatversion",
                    "passwd (",
                )
            )
            if not result.is_error or leaked or result.held:
                accepted.append((tool, path, result.content[:120]))
    listing = executor.run("all", "list_files", {})
    assert not any(
        line.startswith((".git/", "link_etc/", "evil/")) for line in listing.content.splitlines()
    )
    for item in accepted:
        print("ACCEPTED", item)
    print(f"ROW18 attempts={attempts} accepted={len(accepted)} rejected={attempts - len(accepted)}")
    assert accepted == []
    assert apply.calls == []
    assert tree_digest(tmp_path) == before
    assert not (root / "link_etc" / "newfile.txt").exists()


def test_allowed_paths_still_work(org: OrgRepo) -> None:
    executor = Executor(org, NOW, "t", DirectApply(org), owner_text="write and append")
    assert not executor.run("a", "read_file", {"path": "goals/2026-Q4.md"}).is_error
    assert not executor.run("b", "write_file", {"path": "notes/plan.md", "content": "x\n"}).is_error
    assert not executor.run("c", "append_to_file", {"path": "notes/plan.md", "text": "y"}).is_error
    assert (org.root / "notes/plan.md").read_text() == "x\ny\n"
