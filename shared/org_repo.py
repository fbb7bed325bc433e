"""The org repository on disk: where each file lives, safe reads and writes, a parse cache."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from shared.atomic import write_atomic
from shared.lines import LineDoc
from shared.safe_paths import resolve_inside

T = TypeVar("T")


@dataclass(frozen=True)
class Layout:
    """Where each file lives, relative to the repository root (configurable)."""

    todo: str = "todo.txt"
    done: str = "done.txt"
    calendar: str = "calendar.txt"
    projects: str = "projects.txt"
    goals_dir: str = "goals"
    telos: str = "telos.md"
    working_memory: str = "working-memory.txt"
    weekly_review: str = "skills/weekly-review.md"
    assistant_toml: str = "assistant.toml"


class NotARepositoryError(ValueError):
    pass


class OrgRepo:
    """One org repository. Reads are cached by (path, mtime, size, inode)."""

    def __init__(self, root: Path | str, layout: Layout | None = None) -> None:
        self.root = Path(root).resolve()
        self.layout = layout or Layout()
        self._cache: dict[tuple[str, str], tuple[tuple[int, int, int], Any]] = {}
        self.memo: dict[str, Any] = {}  # per-repository helpers of this process (the journal)

    def __repr__(self) -> str:
        return f"OrgRepo({str(self.root)!r})"

    @property
    def is_git(self) -> bool:
        return (self.root / ".git").exists()

    def require_git(self) -> None:
        if not self.root.is_dir():
            raise NotARepositoryError(f"{self.root} is not a directory")
        if not self.is_git:
            raise NotARepositoryError(f"{self.root} is not a git repository")

    @property
    def state_dir(self) -> Path:
        """Private bookkeeping (operation journal, staging) kept beside the data, untracked."""
        git = self.root / ".git"
        if git.is_dir():
            return git / "myorg"
        if git.is_file():
            text = git.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                gitdir = Path(text.removeprefix("gitdir:").strip())
                return (gitdir if gitdir.is_absolute() else self.root / gitdir) / "myorg"
        return self.root / ".myorg-state"

    def path(self, rel: str) -> Path:
        return resolve_inside(self.root, rel, root_real=self._root_real)

    @property
    def _root_real(self) -> Path:
        real = self.memo.get("root_real")
        if not isinstance(real, Path):
            real = self.memo["root_real"] = Path(os.path.realpath(self.root))
        return real

    def _stat_key(self, path: Path) -> tuple[int, int, int] | None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def read_bytes(self, rel: str) -> bytes:
        """The file's bytes; a missing file reads as empty."""
        try:
            return self.path(rel).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return b""

    def parsed(self, rel: str, parser: Callable[[bytes], T], name: str | None = None) -> T:
        """``parser(bytes)`` of the file, cached until the file changes. Treat it as read-only."""
        path = self.path(rel)
        key = (rel, name or str(getattr(parser, "__qualname__", repr(parser))))
        stat = self._stat_key(path)
        hit = self._cache.get(key)
        if hit is not None and stat is not None and hit[0] == stat:
            cached: T = hit[1]
            return cached
        if stat is None:
            self._cache.pop(key, None)
            return parser(b"")
        data = path.read_bytes()
        value = parser(data)
        # Re-stat: a write during the read must not leave a stale entry keyed as fresh.
        if self._stat_key(path) == stat:
            self._cache[key] = (stat, value)
        return value

    def read_with_doc(self, rel: str) -> tuple[bytes, LineDoc]:
        """The bytes of the file and the (cached, read-only) LineDoc parsed from exactly them."""
        path = self.path(rel)
        key = (rel, "LineDoc.from_bytes")
        stat = self._stat_key(path)
        try:
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            data = b""
        hit = self._cache.get(key)
        if hit is not None and stat is not None and hit[0] == stat == self._stat_key(path):
            return data, hit[1]
        doc = LineDoc.from_bytes(data)
        if stat is not None and self._stat_key(path) == stat:
            self._cache[key] = (stat, doc)
        return data, doc

    def prime(self, rel: str, parser: Callable[[bytes], T], value: T) -> None:
        """Cache ``value`` as ``parser``'s reading of the file just written (read-only now)."""
        key = (rel, str(getattr(parser, "__qualname__", repr(parser))))
        stat = self._stat_key(self.path(rel))
        if stat is not None:
            self._cache[key] = (stat, value)

    def read_doc(self, rel: str) -> LineDoc:
        """A fresh, mutable :class:`LineDoc` of the file."""
        return self.parsed(rel, LineDoc.from_bytes).copy()

    def write_bytes(self, rel: str, data: bytes) -> None:
        write_atomic(self.path(rel), data)

    def write_doc(self, rel: str, doc: LineDoc) -> None:
        self.write_bytes(rel, doc.to_bytes())

    def list_files(self, rel: str = "") -> list[str]:
        base = self.path(rel) if rel else self.root
        out: list[str] = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != ".git")
            for name in sorted(filenames):
                out.append(os.path.relpath(os.path.join(dirpath, name), self.root))
        return out
