"""Text from the owner's files reaches the model as data, never as instructions.

Every tool result is wrapped in ``<data source="…">…</data>``; the system prompt says that what
is inside is information to use, not orders to follow. A file cannot close the wrapper early:
the tag names inside it are defused. Large results are cut, with a note saying so.
"""

from __future__ import annotations

import re

MAX_RESULT_CHARS = 12_000
_TAG_RE = re.compile(r"<(/?)(data)\b", re.I)
_SOURCE_RE = re.compile(r"[^\w./@+ -]")


def truncate(text: str, limit: int = MAX_RESULT_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    cut = cut if cut > limit // 2 else limit
    dropped = text[cut:].count("\n") + 1
    return (
        f"{text[:cut]}\n[… truncated: {len(text) - cut} more characters (about {dropped} lines); "
        "ask for a narrower range]"
    )


def defuse(text: str) -> str:
    """Make ``<data>``/``</data>`` inside file text harmless (``<\u200bdata``)."""
    return _TAG_RE.sub(lambda m: f"<{m.group(1)}\u200b{m.group(2)}", text)


def as_data(source: str, text: str, limit: int = MAX_RESULT_CHARS) -> str:
    """``text`` wrapped as untrusted data from ``source`` (a file name or a tool name)."""
    label = _SOURCE_RE.sub("_", source)[:80]
    body = truncate(defuse(text), limit)
    return f'<data source="{label}">\n{body}\n</data>'
