"""Promises to tasks: when the owner says they will do something, offer the todo.txt line.

The offer is an ordinary pending confirmation (``confirm <id>`` or ``cancel <id>`` work, and the
interfaces show their buttons), whose id is derived from the conversation, so a plain "yes" as
the very next message accepts it. A newer offer in the same conversation replaces the older one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import datetime

from shared.agent.confirm import PendingAction
from shared.agent.ids import op_id_for
from shared.agent.state import AgentState
from shared.promises import find_promise

OFFER_TAIL = "Reply 'yes' to add it."
_YES_RE = re.compile(
    r"^\s*(?:yes|yes please|yep|yeah|sure|ok|okay|please do|do it|add it)\s*[.!]*\s*$", re.I
)


def offer_id(conversation_id: str) -> str:
    """The pending id of this conversation's promise offer (letters and digits only)."""
    return "pr" + hashlib.sha256(f"promise\x00{conversation_id}".encode()).hexdigest()[:14]


def offer_promise(
    state: AgentState,
    conversation_id: str,
    turn_id: str,
    message: str,
    now: datetime,
    source: str = "agent",
) -> tuple[str, str] | None:
    """When ``message`` holds a promise: hold its AddTask as a pending confirmation and return
    (pending id, the sentence to append to the reply). None when there is no promise."""
    promise = find_promise(message, now.date())
    if promise is None:
        return None
    op = replace(promise.operation(source), op_id=op_id_for(turn_id, "promise"))
    pending = PendingAction(
        offer_id(conversation_id),
        conversation_id,
        turn_id,
        now.isoformat(),
        [{"summary": f"add task: {promise.line}", "reason": "promise", "ops": [op.to_dict()]}],
    )
    state.put_pending(pending)
    return pending.id, f"Want me to add: `{promise.line}`? {OFFER_TAIL}"


def accepted_offer(state: AgentState, conversation_id: str, message: str) -> str | None:
    """The pending id a bare "yes" accepts: the offer made in the turn just before, if any."""
    if not _YES_RE.match(message):
        return None
    history = state.history(conversation_id)
    if not history or OFFER_TAIL not in str(history[-1].get("reply", "")):
        return None
    return offer_id(conversation_id)
