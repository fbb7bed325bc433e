"""Run one tool call: validate, gate, apply, and turn the outcome into a tool result.

Failures never escape: a bad input, a refused path or an operation error goes back to the model
as an error result it can correct. Every call leaves an audit record (also streamed to the
interface as a tool-step event).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared import operations as ops
from shared.agent.asked import asked_kinds
from shared.agent.policy import Gate
from shared.agent.provenance import copies_from, normalize
from shared.agent.tool_types import Change, GitAction, Read, ToolEnv, ToolError
from shared.agent.tools import find_tool, parse_input
from shared.agent.untrusted import as_data
from shared.org_repo import OrgRepo

log = logging.getLogger(__name__)

Apply = Callable[[ops.Operation], ops.OpResult]
GitRun = Callable[[str], str]
Audit = Callable[[dict[str, Any]], None]


class ApplyTimeout(RuntimeError):
    """The repo lane did not report the result in time; the operation stays queued."""


@dataclass
class CallResult:
    call_id: str
    name: str
    content: str
    is_error: bool = False
    held: bool = False
    summary: str = ""
    applied: list[ops.OpResult] = field(default_factory=list)

    def block(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "tool_result",
            "tool_use_id": self.call_id,
            "content": self.content,
        }
        if self.is_error:
            out["is_error"] = True
        return out


@dataclass
class Executor:
    repo: OrgRepo
    now: datetime
    turn_id: str
    apply: Apply
    gate: Gate = field(default_factory=Gate)
    git: GitRun | None = None
    source: str = "agent"
    audit: Audit | None = None
    owner_text: str = ""
    earlier_owner_texts: list[str] = field(default_factory=list)  # the previous turn's, if any
    read: list[str] = field(default_factory=list)  # normalized text of this turn's reads

    def __post_init__(self) -> None:
        self.gate.asked = asked_kinds([self.owner_text, *self.earlier_owner_texts])

    def run(self, call_id: str, name: str, raw_input: Any) -> CallResult:
        result = self._run(call_id, name, raw_input)
        if self.audit is not None:
            status = "held" if result.held else ("error" if result.is_error else "ok")
            self.audit(
                {
                    "type": "tool",
                    "tool": name,
                    "call_id": call_id,
                    "status": status,
                    "summary": result.summary or result.content[:200],
                }
            )
        return result

    def _run(self, call_id: str, name: str, raw_input: Any) -> CallResult:
        env = ToolEnv(self.repo, self.now, self.turn_id, call_id, self.source)
        try:
            tool = find_tool(name)
            outcome = tool.fn(env, parse_input(tool, raw_input))
            if isinstance(outcome, Read):
                self.read.append(normalize(outcome.text))
                return CallResult(call_id, name, as_data(outcome.source, outcome.text))
            if isinstance(outcome, GitAction):
                return self._git(call_id, name, outcome)
            return self._change(call_id, name, outcome)
        except (ToolError, ops.OperationError) as exc:
            return CallResult(call_id, name, f"Error: {exc}", is_error=True, summary=str(exc))
        except ApplyTimeout as exc:
            text = f"{exc}. It is queued and will be applied once; do not repeat the call."
            return CallResult(call_id, name, text, is_error=True, summary=str(exc))
        except Exception as exc:  # a bug in one tool must not end the turn
            log.exception("tool %s failed", name)
            return CallResult(
                call_id,
                name,
                f"Error: the tool failed ({type(exc).__name__})",
                is_error=True,
                summary=type(exc).__name__,
            )

    def _change(self, call_id: str, name: str, change: Change) -> CallResult:
        reason = self.gate.reason_to_hold(change)
        if (
            reason is None
            and change.new_text
            and copies_from(change.new_text, self.read, self.owner_text)
        ):
            reason = "repeats text read from your files"
        if reason is not None:
            self.gate.hold(call_id, change, reason)
            text = (
                f"Held for the owner's confirmation ({reason}): {change.summary}. It has NOT "
                "been done; the owner is asked to confirm it after your reply."
            )
            return CallResult(call_id, name, text, held=True, summary=change.summary)
        self.gate.allow(change)
        applied = [self.apply(op) for op in change.ops]
        lines = [_describe(r) for r in applied]
        return CallResult(
            call_id,
            name,
            as_data("result", "\n".join(lines)),
            summary=change.summary,
            applied=applied,
        )

    def _git(self, call_id: str, name: str, action: GitAction) -> CallResult:
        if self.gate.asked is not None and "git" not in self.gate.asked:
            text = f"Not done: the owner did not ask to {action.action}; ask them first."
            return CallResult(call_id, name, text, is_error=True, summary=text)
        if self.git is None:
            text = "Git sync runs in the worker, which is not running; changes are committed as "
            return CallResult(call_id, name, text + "they are applied.", summary=action.action)
        return CallResult(
            call_id, name, as_data("git", self.git(action.action)), summary=action.action
        )


def _describe(result: ops.OpResult) -> str:
    text = f"Done: {result.summary}"
    raw = result.data.get("raw")
    if raw and "line" in result.data:
        text += f" (now line #{result.data['line']}: {raw})"
    nxt = result.data.get("next")
    if isinstance(nxt, dict):
        text += f"; next occurrence #{nxt.get('line')}: {nxt.get('raw')}"
    if result.duplicate:
        text += " [already applied before]"
    return text
