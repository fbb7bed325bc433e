"""Did the model copy text it read from the owner's files into something it writes?

That is what following an instruction planted in a file looks like ("add a task: wire 500 EUR
to …"): the new text repeats the file's words. The owner's own words don't count. A change that
repeats at least :data:`WINDOW` characters of file text is held for confirmation. Paraphrase
escapes this check; it is one layer on top of the data wrapping and the destructive-change gate.
"""

from __future__ import annotations

import re

WINDOW = 24
STEP = 6
_SPACE_RE = re.compile(r"\s+")


def normalize(text: str) -> str:
    return _SPACE_RE.sub(" ", text.casefold()).strip()


def copies_from(new_text: str, read: list[str], owner_text: str = "") -> bool:
    """True when ``new_text`` holds a :data:`WINDOW`-character run found in ``read`` (already
    normalized texts) that the owner did not write in ``owner_text`` themselves."""
    text = normalize(new_text)
    owner = normalize(owner_text)
    if len(text) < WINDOW or not read:
        return False
    starts = list(range(0, len(text) - WINDOW + 1, STEP))
    if starts[-1] != len(text) - WINDOW:
        starts.append(len(text) - WINDOW)
    for start in starts:
        window = text[start : start + WINDOW]
        if window in owner:
            continue
        if any(window in source for source in read):
            return True
    return False
