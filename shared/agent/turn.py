"""One turn of a conversation, whatever answers it: the model, or the built-in commands.

:func:`handle_message` is the front door every interface ends up calling (directly in the CLI,
inside the agent-lane task otherwise). It resolves confirmations, checks the daily budget, runs
the model when there is one, falls back to the built-in commands when there is not (or it is
down, and nothing was applied yet), and records usage and history.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shared import operations as ops
from shared.agent import degraded
from shared.agent import intents as it
from shared.agent.confirm import apply_pending
from shared.agent.executor import Apply, Executor, GitRun
from shared.agent.history import compact_turn
from shared.agent.ids import op_id_for
from shared.agent.promise_offer import accepted_offer, offer_promise
from shared.agent.prompt import stamp
from shared.agent.state import AgentState
from shared.agent.usage import Usage, budget_left
from shared.org_repo import OrgRepo
from shared.projects import parse_projects
from shared.todo_list import parse_tasks

Emit = Callable[[dict[str, Any]], None]
#: Undo the assistant's most recent change: ``(undo id, source)`` → what to tell the owner. The
#: id comes from the turn, so a turn delivered twice undoes once.
Undo = Callable[[str, str], str]
NO_UNDO = (
    "Undo runs in the repo worker, which is not reachable from here: start the system "
    "(`make run`), then say it again, or use `myorg undo`."
)


@dataclass(frozen=True)
class TurnRequest:
    conversation_id: str
    turn_id: str
    text: str
    source: str = "agent"


@dataclass
class TurnResult:
    text: str
    mode: str = "model"  # model | builtin | confirm
    status: str = "ok"  # ok | pending | error | step_limit | timeout
    pending_id: str | None = None
    applied: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, int] | None = None
    cost_usd: float = 0.0
    steps: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ModelOutcome:
    text: str
    usage: Usage
    cost_usd: float
    steps: int
    status: str = "ok"
    pending_id: str | None = None
    applied: list[ops.OpResult] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


class ModelUnavailable(Exception):
    """The endpoint failed for good (after the SDK's retries) or the turn ran out of time."""

    def __init__(
        self,
        message: str,
        usage: Usage | None = None,
        applied: list[ops.OpResult] | None = None,
        status: str = "error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage or Usage()
        self.applied = applied or []
        self.status = status


class ModelRunner(Protocol):
    model: str

    def run_turn(
        self,
        req: TurnRequest,
        now: datetime,
        history: list[dict[str, Any]],
        executor: Executor,
        emit: Emit,
        state: AgentState,
    ) -> ModelOutcome: ...


@dataclass
class TurnDeps:
    repo: OrgRepo
    state: AgentState
    apply: Apply
    runner: ModelRunner | None = None  # None: no key configured
    daily_budget: int = 0  # 0: unlimited
    git: GitRun | None = None
    emit: Emit = lambda event: None
    undo: Undo | None = None


def handle_message(req: TurnRequest, now: datetime, deps: TurnDeps) -> TurnResult:
    """Answer one message of the owner; every outcome is a :class:`TurnResult` (and a ``done``
    event), never an exception, unless the process itself dies."""
    today = now.date()
    intent = it.parse_intent(req.text, today, *_known_tags(deps.repo))
    offered = accepted_offer(deps.state, req.conversation_id, req.text)
    if offered is not None:
        intent = it.ConfirmIntent(offered, confirm=True)
    if isinstance(intent, it.ConfirmIntent):
        return _finish(req, now, deps, _confirm(intent, deps), [])
    if isinstance(intent, it.UndoIntent):  # a command, with or without the model
        if deps.undo is None:
            return _finish(req, now, deps, TurnResult(NO_UNDO, "builtin", "error"), [])
        text = deps.undo(op_id_for(req.turn_id, "undo"), req.source)
        return _finish(req, now, deps, TurnResult(text, "builtin"), [text])
    reason, notice = _why_no_model(deps, today.isoformat())
    if reason is None and deps.runner is not None:
        result = _run_model(req, now, deps)
        if isinstance(result, TurnResult):
            return result
        reason, notice = degraded.ENDPOINT_DOWN, result
    return _builtin(req, now, deps, intent, reason or degraded.NO_KEY, notice)


def _run_model(req: TurnRequest, now: datetime, deps: TurnDeps) -> TurnResult | str:
    """The model's answer; or, when it is unavailable and nothing was applied yet, why."""
    assert deps.runner is not None
    history = deps.state.history(req.conversation_id)
    earlier = [str(history[-1].get("user", ""))] if history else []
    executor = Executor(
        deps.repo,
        now,
        req.turn_id,
        deps.apply,
        git=deps.git,
        source=req.source,
        audit=deps.emit,
        owner_text=req.text,
        earlier_owner_texts=earlier,
    )
    try:
        out = deps.runner.run_turn(req, now, history, executor, deps.emit, deps.state)
    except ModelUnavailable as exc:
        _record_usage(req, now, deps, exc.usage, 0.0)
        deps.emit({"type": "notice", "text": exc.message})
        if not exc.applied:
            return exc.message
        done = "; ".join(r.summary for r in exc.applied)
        text = f"{exc.message} Done before that: {done}. Nothing else was changed."
        result = TurnResult(text, status=exc.status, applied=[r.to_dict() for r in exc.applied])
        return _finish(req, now, deps, result, [r.summary for r in exc.applied])
    _record_usage(req, now, deps, out.usage, out.cost_usd, out.steps)
    _note_memory(req, now, deps, out)
    result = TurnResult(
        out.text,
        "model",
        out.status,
        out.pending_id,
        [r.to_dict() for r in out.applied],
        out.usage.to_dict(),
        out.cost_usd,
        out.steps,
    )
    _offer(req, now, deps, result)
    return _finish(req, now, deps, result, out.actions)


def _builtin(
    req: TurnRequest,
    now: datetime,
    deps: TurnDeps,
    intent: it.Intent,
    reason: str,
    notice: str | None,
) -> TurnResult:
    reply = degraded.run_intent(intent, deps.repo, now, deps.apply, req.turn_id, req.source)
    down = reason == degraded.ENDPOINT_DOWN
    if not reply.understood:
        text = degraded.unknown_reply(reason, notice if down else None)
        if notice and not down:
            text = f"{notice}\n{text}"
    elif notice:
        text = (
            f"{notice} The built-in commands did this:\n{reply.text}"
            if down
            else (f"{notice}\n{reply.text}")
        )
    else:
        text = reply.text
    status = "error" if down and not reply.understood else "ok"
    result = TurnResult(text, "builtin", status, applied=[r.to_dict() for r in reply.results])
    _offer(req, now, deps, result)
    return _finish(req, now, deps, result, [r.summary for r in reply.results])


def _why_no_model(deps: TurnDeps, day: str) -> tuple[str | None, str | None]:
    if deps.runner is None:
        return degraded.NO_KEY, None
    spent = Usage.from_dict(deps.state.usage_on(day)["usage"]).budget_tokens
    left = budget_left(spent, deps.daily_budget)
    if left is not None and left <= 0:
        notice = None
        if deps.state.first_time(f"budget-notice:{day}"):
            notice = (
                f"Today's token budget ({deps.daily_budget:,}) is spent: until tomorrow I "
                "answer with the built-in commands only."
            )
        return degraded.BUDGET_SPENT, notice
    return None, None


def _confirm(intent: it.ConfirmIntent, deps: TurnDeps) -> TurnResult:
    pending = deps.state.take_pending(intent.pending_id)
    if pending is None:
        return TurnResult(
            f"Nothing is waiting under {intent.pending_id!r} (done, cancelled or expired).",
            "confirm",
        )
    if not intent.confirm:
        return TurnResult("Cancelled: " + "; ".join(i["summary"] for i in pending.items), "confirm")
    results, text = apply_pending(pending, deps.apply)
    return TurnResult(text, "confirm", applied=[r.to_dict() for r in results])


def _offer(req: TurnRequest, now: datetime, deps: TurnDeps, result: TurnResult) -> None:
    """When the owner promised something, the reply offers it as a task (one tap to add),
    unless the turn already added a task."""
    if any(a.get("kind") == ops.AddTask.kind for a in result.applied):
        return
    offer = offer_promise(
        deps.state, req.conversation_id, req.turn_id, req.text, now, req.source
    )
    if offer is None:
        return
    pending_id, sentence = offer
    result.text = f"{result.text}\n{sentence}" if result.text else sentence
    if result.pending_id is None and result.status == "ok":
        result.status, result.pending_id = "pending", pending_id


def _finish(
    req: TurnRequest, now: datetime, deps: TurnDeps, result: TurnResult, actions: list[str]
) -> TurnResult:
    entry = compact_turn(stamp(now, req.text), result.text, actions, now.isoformat())
    deps.state.append_history(req.conversation_id, entry)
    deps.emit({"type": "done", **result.to_dict()})
    return result


def _record_usage(
    req: TurnRequest, now: datetime, deps: TurnDeps, usage: Usage, cost: float, steps: int = 0
) -> None:
    if not usage.requests:
        return
    model = deps.runner.model if deps.runner else ""
    record = {
        "turn_id": req.turn_id,
        "conversation_id": req.conversation_id,
        "at": now.isoformat(),
        "model": model,
        "usage": usage.to_dict(),
        "cost_usd": cost,
        "steps": steps,
    }
    deps.state.add_usage(now.date().isoformat(), record)


def _note_memory(req: TurnRequest, now: datetime, deps: TurnDeps, out: ModelOutcome) -> None:
    """After a turn with several changes, one line in working-memory.txt says what was done,
    leaving out the changes that wrote their own line (a task completed, see shared.activity)."""
    kinds = {r.kind for r in out.applied}
    if len(out.applied) < 2 or ops.AppendWorkingMemory.kind in kinds:
        return
    unnoted = [r for r in out.applied if "memory" not in r.data]
    if not unnoted:
        return
    text = "Assistant: " + "; ".join(r.summary for r in unnoted)
    op = ops.AppendWorkingMemory(
        text=text[:300], op_id=op_id_for(req.turn_id, "memory"), source=req.source
    )
    with contextlib.suppress(ops.OperationError):  # a failed note must not fail the turn
        deps.apply(op)


def _known_tags(repo: OrgRepo) -> tuple[list[str], list[str]]:
    tasks = repo.parsed(repo.layout.todo, parse_tasks)
    contexts = sorted({c.lstrip("@") for t in tasks for c in t.contexts})
    projects = {s for t in tasks for s in t.projects}
    projects.update(p.slug for p in repo.parsed(repo.layout.projects, parse_projects))
    return contexts, sorted(projects)
