"""Whole-file writes the agent may ask for, and where they are allowed.

Only plain-text notes (``.txt``, ``.md``) outside hidden folders can be written: never ``.git``,
never ``.github`` or any other dot-folder, never a symlink, never ``assistant.toml`` or code.
:func:`check_writable` is applied twice: when the tool call is planned and again by the repo
lane when the operation is applied.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.lines import LineDoc, split_text
from shared.operations import OperationError
from shared.org_repo import OrgRepo
from shared.safe_paths import UnsafePathError

WRITABLE_SUFFIXES = (".txt", ".md")
MAX_WRITE_BYTES = 256_000

Change = tuple[dict[str, LineDoc], dict[str, Any]]


def check_writable(repo: OrgRepo, rel: str) -> str:
    """The normalized repo-relative path, or :class:`OperationError` saying why not."""
    try:
        path = repo.path(rel)
    except UnsafePathError as exc:
        raise OperationError(str(exc)) from exc
    parts = path.relative_to(repo.root).parts
    if any(p.startswith(".") for p in parts):
        raise OperationError(f"hidden files and folders are off limits: {rel!r}")
    if path.suffix.lower() not in WRITABLE_SUFFIXES:
        raise OperationError(f"only {', '.join(WRITABLE_SUFFIXES)} files can be written: {rel!r}")
    unresolved = repo.root.joinpath(*rel.replace("\\", "/").strip("/").split("/"))
    if unresolved.is_symlink() or path.is_dir():
        raise OperationError(f"not a regular file: {rel!r}")
    return "/".join(parts)


def _checked_text(text: str) -> str:
    if "\x00" in text:
        raise OperationError("the text contains a NUL byte")
    if len(text.encode("utf-8", "surrogateescape")) > MAX_WRITE_BYTES:
        raise OperationError(f"the text is larger than {MAX_WRITE_BYTES} bytes")
    return text


def write_file_change(repo: OrgRepo, op: Any, today: date) -> Change:
    """Replace the file's content (keeping its newline style when it had lines)."""
    rel = check_writable(repo, op.path)
    old = repo.read_doc(rel)
    new = LineDoc.from_bytes(_checked_text(op.content).encode("utf-8", "surrogateescape"))
    if old.lines and new.lines:
        newline = old.newline
        new.endings[:] = [newline if e else e for e in new.endings]
    return {rel: new}, {"path": rel, "lines": len(new.lines), "before_lines": len(old.lines)}


def append_file_change(repo: OrgRepo, op: Any, today: date) -> Change:
    """Append the text's lines at the end; the file's existing bytes are kept as they are."""
    rel = check_writable(repo, op.path)
    doc = repo.read_doc(rel)
    lines = split_text(_checked_text(op.text))
    if not lines:
        raise OperationError("nothing to append")
    for line in lines:
        doc.append(line)
    return {rel: doc}, {"path": rel, "appended": len(lines)}
