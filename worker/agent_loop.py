"""The model loop: Messages API calls with tools until the model answers, bounded every way.

Bounds: ``max_steps`` model calls per turn, one deadline for the whole turn (every HTTP attempt
gets at most the time left, see :mod:`worker.agent_client`), the SDK's retries for transient
errors, and one extra attempt when a streamed answer is cut off (nothing of a cut answer is ever
acted on: tools run only after a complete message).

Crash safety: after each model answer and after each batch of tool results the turn's messages
are checkpointed. A turn run again with the same ``turn_id`` resumes from the checkpoint, so
its tool calls keep their ids and their operations keep their ``op_id`` — the repo lane applies
each once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import anthropic
import httpx2

from shared.agent.confirm import PendingAction
from shared.agent.executor import CallResult, Executor
from shared.agent.history import block_dict, history_messages, with_cache_breakpoint
from shared.agent.ids import new_pending_id
from shared.agent.prompt import build_system, stamp
from shared.agent.state import AgentState
from shared.agent.tools import tool_definitions
from shared.agent.turn import Emit, ModelOutcome, ModelUnavailable, TurnRequest
from shared.agent.usage import Usage, cost_usd
from shared.operations import OpResult
from shared.settings import Settings
from worker.agent_client import TurnDeadlineError, TurnRetryPolicy, make_client

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoopConfig:
    api_key: str
    base_url: str | None
    model: str
    max_steps: int = 10
    turn_timeout_s: float = 120.0
    request_timeout_s: float = 60.0
    max_retries: int = 2
    max_tokens: int = 2048
    history_chars: int = 16_000
    stream: bool = True

    @classmethod
    def from_settings(cls, settings: Settings, stream: bool = True) -> LoopConfig | None:
        """None when no API key is configured (the agent then runs in degraded mode)."""
        key = settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else ""
        if not key:
            return None
        return cls(
            api_key=key,
            base_url=settings.anthropic_base_url,
            model=settings.assistant_model,
            max_steps=settings.agent_max_steps,
            turn_timeout_s=settings.agent_turn_timeout_s,
            request_timeout_s=settings.agent_request_timeout_s,
            max_retries=settings.agent_max_retries,
            max_tokens=settings.agent_max_tokens,
            history_chars=settings.agent_history_chars,
            stream=stream,
        )


@dataclass
class _Turn:
    messages: list[dict[str, Any]]
    usage: Usage = field(default_factory=Usage)
    steps: int = 0
    applied: list[OpResult] = field(default_factory=list)
    last_text: str = ""

    def checkpoint(self) -> dict[str, Any]:
        return {"messages": self.messages, "usage": self.usage.to_dict(), "steps": self.steps}


class SdkRunner:
    """A :class:`~shared.agent.turn.ModelRunner` on the official ``anthropic`` SDK."""

    def __init__(self, config: LoopConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.model = config.model
        self.clock = clock
        self.last_attempts = 0  # HTTP attempts of the last turn, for tests and reports
        self.policy = TurnRetryPolicy(0.0, config.request_timeout_s, clock=clock)
        self._sdk: anthropic.Anthropic | None = None

    def _client(self) -> anthropic.Anthropic:
        """One client (and connection pool) per runner; a runner runs one turn at a time."""
        if self._sdk is None:
            cfg = self.config
            self._sdk = make_client(cfg.api_key, cfg.base_url, self.policy, cfg.max_retries)
        return self._sdk

    def close(self) -> None:
        if self._sdk is not None:
            self._sdk.close()
            self._sdk = None

    def run_turn(
        self,
        req: TurnRequest,
        now: datetime,
        history: list[dict[str, Any]],
        executor: Executor,
        emit: Emit,
        state: AgentState,
    ) -> ModelOutcome:
        cfg = self.config
        policy = self.policy
        policy.start(self.clock() + cfg.turn_timeout_s)
        client = self._client()
        saved = state.load_checkpoint(req.turn_id)
        if saved:
            turn = _Turn(saved["messages"], Usage.from_dict(saved["usage"]), int(saved["steps"]))
        else:
            first = {"role": "user", "content": stamp(now, req.text)}
            turn = _Turn([*history_messages(history, cfg.history_chars), first])
        request = {
            "model": cfg.model,
            "max_tokens": cfg.max_tokens,
            "system": build_system(executor.repo, now),
            "tools": tool_definitions(),
        }
        try:
            return self._loop(req, now, turn, request, client, executor, emit, state)
        except (anthropic.APIError, TurnDeadlineError, httpx2.HTTPError, ValueError) as exc:
            message, status = explain(exc, cfg, policy.call_attempts)
            log.warning("agent turn %s failed: %s", req.turn_id, message)
            raise ModelUnavailable(message, turn.usage, turn.applied, status) from exc
        finally:
            self.last_attempts = policy.attempts

    def _loop(
        self,
        req: TurnRequest,
        now: datetime,
        turn: _Turn,
        request: dict[str, Any],
        client: anthropic.Anthropic,
        executor: Executor,
        emit: Emit,
        state: AgentState,
    ) -> ModelOutcome:
        while True:
            last = turn.messages[-1]
            calls = _tool_calls(last)
            if last["role"] == "assistant" and not calls:
                state.drop_checkpoint(req.turn_id)
                return self._outcome(turn, "ok", turn.last_text or _text(last))
            if calls:
                results = self._run_tools(calls, executor, emit, turn)
                turn.messages.append({"role": "user", "content": [r.block() for r in results]})
                state.save_checkpoint(req.turn_id, turn.checkpoint())
                if executor.gate.held:
                    return self._hold(req, now, turn, executor, state, _text(last))
            if turn.steps >= self.config.max_steps:
                state.drop_checkpoint(req.turn_id)
                note = (
                    f"I stopped after {turn.steps} model calls, the limit for one request; "
                    "ask me to continue if needed."
                )
                return self._outcome(turn, "step_limit", f"{turn.last_text}\n\n{note}".strip())
            emit({"type": "step", "n": turn.steps + 1})
            message = self._call(client, request, turn.messages, emit)
            turn.steps += 1
            turn.usage = turn.usage + Usage.from_api(message.usage)
            blocks = [block_dict(b) for b in message.content if b.type in ("text", "tool_use")]
            turn.messages.append({"role": "assistant", "content": blocks or _empty()})
            turn.last_text = _text(turn.messages[-1]) or turn.last_text
            if message.stop_reason == "max_tokens" and not any(
                b["type"] == "tool_use" for b in blocks
            ):
                turn.last_text += "\n[answer cut at the length limit]"
            state.save_checkpoint(req.turn_id, turn.checkpoint())

    def _call(
        self,
        client: anthropic.Anthropic,
        request: dict[str, Any],
        messages: list[dict[str, Any]],
        emit: Emit,
    ) -> Any:
        params = {**request, "messages": with_cache_breakpoint(messages)}
        if not self.config.stream:
            return client.messages.create(**params)
        for attempt in (1, 2):
            try:
                with client.messages.stream(**params) as stream:
                    for event in stream:
                        if event.type == "text":
                            emit({"type": "text", "text": event.text})
                    message = stream.get_final_message()
                if message.stop_reason is None:
                    raise httpx2.RemoteProtocolError("the answer stream ended early")
                return message
            except (httpx2.TransportError, anthropic.APIConnectionError, ValueError) as exc:
                if attempt == 2:
                    raise
                log.warning("model stream failed (%s); trying once more", type(exc).__name__)
                emit({"type": "notice", "text": "the answer was cut off; asking again"})
                emit({"type": "step", "retry": True})  # interfaces drop the partial text
        raise AssertionError("unreachable")

    def _run_tools(
        self, calls: list[dict[str, Any]], executor: Executor, emit: Emit, turn: _Turn
    ) -> list[CallResult]:
        """Every call of one answer, in order; their results go back together."""
        results = []
        for call in calls:
            emit({"type": "tool_start", "tool": call.get("name"), "call_id": call.get("id")})
            result = executor.run(str(call.get("id")), str(call.get("name")), call.get("input"))
            turn.applied.extend(result.applied)
            results.append(result)
        return results

    def _hold(
        self,
        req: TurnRequest,
        now: datetime,
        turn: _Turn,
        executor: Executor,
        state: AgentState,
        text: str,
    ) -> ModelOutcome:
        pending = PendingAction.from_held(
            new_pending_id(), req.conversation_id, req.turn_id, now.isoformat(), executor.gate.held
        )
        state.put_pending(pending)
        state.drop_checkpoint(req.turn_id)
        reply = f"{text}\n\n{pending.describe()}".strip()
        outcome = self._outcome(turn, "pending", reply)
        outcome.pending_id = pending.id
        return outcome

    def _outcome(self, turn: _Turn, status: str, text: str) -> ModelOutcome:
        return ModelOutcome(
            text=text.strip() or "(no answer)",
            usage=turn.usage,
            cost_usd=cost_usd(turn.usage, self.model),
            steps=turn.steps,
            status=status,
            applied=turn.applied,
            actions=[r.summary for r in turn.applied],
        )


def _tool_calls(message: dict[str, Any]) -> list[dict[str, Any]]:
    if message["role"] != "assistant" or not isinstance(message["content"], list):
        return []
    return [b for b in message["content"] if b.get("type") == "tool_use"]


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content or [] if b.get("type") == "text").strip()


def _empty() -> list[dict[str, Any]]:
    return [{"type": "text", "text": "(no answer)"}]


def explain(exc: BaseException, cfg: LoopConfig, attempts: int) -> tuple[str, str]:
    """A clear sentence for the owner, and the turn status."""
    tries = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
    if isinstance(exc, TurnDeadlineError | anthropic.APITimeoutError):
        return f"The model did not answer within {cfg.turn_timeout_s:g} s ({tries}).", "timeout"
    if isinstance(exc, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
        return (
            "The model endpoint refused the API key "
            f"(HTTP {exc.status_code}); check ANTHROPIC_API_KEY.",
            "error",
        )
    if isinstance(exc, anthropic.NotFoundError):
        return f"The model endpoint does not know {cfg.model!r}; check ASSISTANT_MODEL.", "error"
    if isinstance(exc, anthropic.RateLimitError):
        return (
            "The model endpoint's rate or spending limit is reached (HTTP 429, "
            f"{tries}); try again later.",
            "error",
        )
    if isinstance(exc, anthropic.APIStatusError):
        what = "overloaded" if exc.status_code == 529 else "failing"
        return f"The model endpoint is {what} (HTTP {exc.status_code}, {tries}).", "error"
    if isinstance(exc, httpx2.RemoteProtocolError):
        return "The connection to the model broke mid-answer, twice; nothing of it was used.", (
            "error"
        )
    if isinstance(exc, anthropic.APIConnectionError | httpx2.HTTPError):
        return f"The model endpoint cannot be reached ({tries}).", "error"
    return f"The model's answer could not be read ({type(exc).__name__}).", "error"
