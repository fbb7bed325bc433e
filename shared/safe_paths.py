"""Confine every path the assistant touches to the org repository."""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path


class UnsafePathError(ValueError):
    """A path that points outside the repository, into ``.git``, or is otherwise refused."""


def _plain(root_real: str, pieces: list[str]) -> str | None:
    """``root_real/pieces`` when no component below the root is a symlink (then it is its own
    real path, found with one ``lstat`` per existing component); None when one is."""
    path = root_real
    for piece in pieces:
        path = os.path.join(path, piece)
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            break  # nothing below a missing component exists, so no symlink either
        except NotADirectoryError:
            return None
        if stat.S_ISLNK(mode):
            return None
    return os.path.join(root_real, *pieces)


def resolve_inside(root: Path, rel: str, root_real: Path | None = None) -> Path:
    """Return the absolute path of ``rel`` under ``root``, or raise :class:`UnsafePathError`.

    Refused: empty paths, NUL bytes, absolute paths, ``..`` segments, anything under ``.git``
    (also spelled with look-alike unicode), and symlinks that resolve outside ``root``.
    ``root_real``: ``root`` already resolved, when the caller keeps it.
    """
    if not isinstance(rel, str) or not rel.strip():
        raise UnsafePathError("empty path")
    if "\x00" in rel:
        raise UnsafePathError("path contains a NUL byte")
    normalized = unicodedata.normalize("NFKC", rel).replace("\\", "/")
    if normalized.startswith("/") or os.path.isabs(rel) or (len(rel) > 1 and rel[1] == ":"):
        raise UnsafePathError(f"absolute paths are not allowed: {rel!r}")
    parts = [p for p in normalized.split("/") if p not in ("", ".")]
    if not parts:
        raise UnsafePathError(f"not a file path: {rel!r}")
    if any(p == ".." for p in parts):
        raise UnsafePathError(f"'..' is not allowed: {rel!r}")
    if any(p.casefold().rstrip(". ") == ".git" for p in parts):
        raise UnsafePathError(f"the .git directory is off limits: {rel!r}")
    # Plain strings from here: this runs for every file read and write of every edit.
    base = str(root_real) if root_real is not None else os.path.realpath(root)
    pieces = [p for p in rel.replace("\\", "/").split("/") if p not in ("", ".")]
    real = _plain(base, pieces) or os.path.realpath(os.path.join(base, *pieces))
    inside = base.rstrip(os.sep) + os.sep
    if real != base and not real.startswith(inside):
        raise UnsafePathError(f"path leaves the repository: {rel!r}")
    if ".git" in real[len(inside) :].split(os.sep):
        raise UnsafePathError(f"the .git directory is off limits: {rel!r}")
    return Path(real)
