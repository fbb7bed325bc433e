"""Commit messages of the assistant's commits: what changed, from where, machine-readable too.

A commit made by the repo lane lists every operation it holds, one per line, and ends with one
``Myorg-Op:`` trailer per operation (a JSON object: op id, kind, source). History and undo read
those trailers; a commit without them was made by someone else (the owner, by hand).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

OP_TRAILER = "Myorg-Op: "
REVERTS_TRAILER = "Myorg-Reverts: "
SYNC_TRAILER = "Myorg-Sync: "
SOURCES = ("web", "discord", "cli", "agent", "schedule")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]+")
MAX_LINE = 200


@dataclass(frozen=True)
class OpRecord:
    """One operation as a commit lists it."""

    op_id: str
    kind: str
    summary: str
    source: str
    reverts: str | None = None

    def line(self) -> str:
        return f"{clean(self.summary)} (via {clean(self.source)})"

    def trailer(self) -> str:
        payload = {"id": self.op_id, "kind": self.kind, "source": self.source}
        return OP_TRAILER + json.dumps(payload, ensure_ascii=False)


def clean(text: str) -> str:
    """One line, no control characters, bounded length."""
    text = _CONTROL_RE.sub(" ", text).strip()
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


def ops_message(records: list[OpRecord]) -> str:
    if len(records) == 1:
        subject = records[0].line()
        body: list[str] = []
    else:
        sources = ", ".join(dict.fromkeys(clean(r.source) for r in records))
        subject = f"{len(records)} changes (via {sources})"
        body = [f"- {r.line()}" for r in records] + [""]
    trailers = [REVERTS_TRAILER + r.reverts for r in records if r.reverts]
    trailers += [r.trailer() for r in records]
    return "\n".join([subject, "", *body, *trailers]) + "\n"


def parse_ops(message: str) -> list[dict[str, str]]:
    """The ``Myorg-Op`` trailers of a commit message (empty for the owner's commits)."""
    out: list[dict[str, str]] = []
    for line in message.splitlines():
        if line.startswith(OP_TRAILER):
            try:
                value = json.loads(line[len(OP_TRAILER) :])
            except ValueError:
                continue
            if isinstance(value, dict) and isinstance(value.get("id"), str):
                out.append({k: str(v) for k, v in value.items()})
    return out


def parse_reverts(message: str) -> str | None:
    for line in message.splitlines():
        if line.startswith(REVERTS_TRAILER):
            return line[len(REVERTS_TRAILER) :].strip()
    return None
