"""Reliability plan row 18: path traversal is refused, every time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shared.org_repo import OrgRepo
from shared.safe_paths import UnsafePathError, resolve_inside


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "config").write_text("[core]\n")
    (root / "goals").mkdir()
    (root / "todo.txt").write_text("a\n")
    evil = tmp_path / "repo-evil"
    evil.mkdir()
    (evil / "secret.txt").write_text("secret\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "etc-link").symlink_to("/etc")
    (root / "passwd-link").symlink_to("/etc/passwd")
    (root / "evil-link").symlink_to(evil)
    (root / "evil-relative").symlink_to("../repo-evil")
    (root / "outside-dir").symlink_to(outside)
    (root / "git-link").symlink_to(root / ".git")
    (root / "goals-link").symlink_to(root / "goals")
    return root


ATTACKS = [
    "../secret.txt",
    "../repo-evil/secret.txt",
    "goals/../../repo-evil/secret.txt",
    "goals/../..",
    "..",
    "./../x",
    "..\\repo-evil\\secret.txt",
    "/etc/passwd",
    "//etc/passwd",
    "C:\\Windows\\system.ini",
    "c:foo",
    ".git/config",
    ".git",
    "./.git/HEAD",
    "goals/../.git/config",
    ".GIT/config",
    ".Git/hooks/pre-commit",
    ".git./config",
    ".git /config",
    ".git\\config",
    "etc-link/passwd",
    "passwd-link",
    "evil-link/secret.txt",
    "evil-relative/secret.txt",
    "outside-dir/new-file.txt",
    "outside-dir/sub/new-file.txt",
    "git-link/config",
    "todo.txt\x00.png",
    "\x00",
    "\uff0e\uff0e/secret.txt",  # fullwidth full stops: ．．/
    "\uff0e\uff0e\uff0frepo-evil\uff0fsecret.txt",  # ．．／repo-evil／secret.txt
    "\uff0egit/config",  # ．git
    "\uff0e\uff27\uff29\uff34/config",  # ．ＧＩＴ
    "goals/\u2024\u2024/x",  # one-dot leaders: ․․
    "",
    "   ",
    ".",
    "./",
]


def test_row18_every_attack_is_rejected(repo: Path) -> None:
    accepted = []
    for rel in ATTACKS:
        try:
            resolved = resolve_inside(repo, rel)
        except UnsafePathError:
            continue
        accepted.append((rel, resolved))
    print(f"ROW18 rejected {len(ATTACKS) - len(accepted)}/{len(ATTACKS)}")
    assert accepted == []


@pytest.mark.parametrize("rel", ATTACKS)
def test_attack_is_rejected_with_a_clear_message(repo: Path, rel: str) -> None:
    with pytest.raises(UnsafePathError) as info:
        resolve_inside(repo, rel)
    message = str(info.value)
    assert message and "\n" not in message


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("todo.txt", "todo.txt"),
        ("./todo.txt", "todo.txt"),
        ("goals/2026-Q4.md", "goals/2026-Q4.md"),
        ("goals//2026-Q4.md", "goals/2026-Q4.md"),
        ("skills/weekly-review.md", "skills/weekly-review.md"),
        ("new-dir/new-file.txt", "new-dir/new-file.txt"),
        ("goals-link/2026-Q4.md", "goals/2026-Q4.md"),
        (".gitignore", ".gitignore"),
        ("notes/.github/x.md", "notes/.github/x.md"),
        ("café/ñ.txt", "café/ñ.txt"),
        ("a..b.txt", "a..b.txt"),
    ],
)
def test_normal_paths_are_accepted(repo: Path, rel: str, expected: str) -> None:
    assert resolve_inside(repo, rel) == Path(os.path.realpath(repo)) / expected


def test_root_given_through_a_symlink(repo: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    alias.symlink_to(repo)
    assert resolve_inside(alias, "todo.txt") == repo.resolve() / "todo.txt"
    with pytest.raises(UnsafePathError):
        resolve_inside(alias, "../repo-evil/secret.txt")


def test_org_repo_refuses_unsafe_reads_and_writes(repo: Path) -> None:
    org = OrgRepo(repo)
    with pytest.raises(UnsafePathError):
        org.read_bytes("../repo-evil/secret.txt")
    with pytest.raises(UnsafePathError):
        org.write_bytes(".git/config", b"pwned")
    with pytest.raises(UnsafePathError):
        org.write_bytes("outside-dir/planted.txt", b"pwned")
    assert (repo / ".git" / "config").read_text() == "[core]\n"
    assert not (repo.parent / "outside" / "planted.txt").exists()
    org.write_bytes("inside.txt", b"ok\n")
    assert (repo / "inside.txt").read_bytes() == b"ok\n"
