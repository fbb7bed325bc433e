"""Which kinds of change the owner's own words ask for.

A change the owner did not ask for is held for confirmation, whatever the model says: "what's on
today?" asks for none; "add call the bank" asks to add, not to complete or edit tasks. This is
what keeps an instruction planted in a file ("mark every task as done") from being carried out
even by a model that falls for it. Short agreements ("yes", "go ahead") answer the model's own
question and allow what it proposed. Working-memory notes are always allowed.
"""

from __future__ import annotations

import re

_ADD = (
    r"add|create|new|make|start|begin|remind|remember|put|plan|note|todo|need to|"
    r"have to|capture|jot|write down|log|record|copy|duplicate|split"
)
_DONE = (
    r"done|did|finish(ed)?|complete(d)?|mark|tick|check(ed)? off|close|called|paid|sent|"
    r"bought|handled|x"
)
_EDIT = (
    r"edit|change|rename|update|set|move|postpone|reschedule|fix|rewrite|due|priority|"
    r"prioriti[sz]e|tag|replace|reopen|convert|turn into|merge"
)
_EVENT = r"add|schedule|book|put|plan|calendar|event|meeting|appointment|create|new|move"
_FILE = r"write|rewrite|overwrite|append|add|note|save|create|record|log|put|copy|start|file"
_GIT = r"commit|pull|push|sync|save|back ?up|upload|publish"
_AGREE = r"yes|yep|yeah|ok|okay|sure|go ahead|do it|please do|confirm(ed)?|agreed|sounds good"

FAMILIES: dict[str, re.Pattern[str]] = {
    kind: re.compile(rf"\b({words})\b", re.I)
    for kind, words in {
        "add_task": _ADD,
        "complete_task": _DONE,
        "edit_task": _EDIT,
        "prioritize_task": _EDIT,
        "delete_task": r"delete|remove|drop|cancel|clear|get rid of|erase",
        "add_event": _EVENT,
        "move_event": _EVENT + "|" + _EDIT,
        "remove_event": r"delete|remove|drop|cancel|clear|get rid of|erase",
        "write_file": _FILE,
        "append_to_file": _FILE,
        "set_project_status": _EDIT + r"|pause|resume|activate|finish(ed)?|done|archive",
        "archive_done": r"archive|clean( up)?|tidy",
        "git": _GIT,
    }.items()
}
_AGREE_RE = re.compile(rf"^\W*({_AGREE})\b", re.I)
ALWAYS = frozenset({"append_working_memory"})


def asked_kinds(owner_texts: list[str]) -> set[str] | None:
    """The operation kinds the owner's messages ask for; None means any (an agreement)."""
    kinds: set[str] = set(ALWAYS)
    for text in owner_texts:
        if _AGREE_RE.match(text.strip()):
            return None
        kinds.update(kind for kind, pattern in FAMILIES.items() if pattern.search(text))
    return kinds
