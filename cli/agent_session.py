"""Where the CLI's agent turns run and how their changes reach the repo (see agent_commands)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import redis

from cli.context import Context
from cli.local_commit import apply_and_commit
from shared.agent.executor import Apply, GitRun
from shared.agent.state import AgentState, FileState
from shared.agent.turn import Emit, ModelRunner, TurnDeps, TurnResult, Undo
from shared.operations import Operation, OpResult
from shared.org_repo import OrgRepo
from worker.agent_loop import LoopConfig, SdkRunner
from worker.agent_store import RedisAgentState
from worker.agent_tasks import QueueApply, QueueGit, QueueUndo, enqueue_turn
from worker.app import create_celery_app, redis_url
from worker.lanes import AGENT_QUEUE, REPO_QUEUE

PING_TIMEOUT_S = 0.5
INSPECT_TIMEOUT_S = 1.0


class LocalApply:
    """Apply directly to the working tree and commit the files, as ``myorg add --local`` does."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def __call__(self, op: Operation) -> OpResult:
        return apply_and_commit(self.ctx.repo, op, self.ctx.now)[0]


@dataclass
class RemoteTurns:
    """Turns run by an agent worker; the CLI prints the conversation's event stream."""

    app: Any
    state: RedisAgentState

    def run(
        self, conversation: str, turn_id: str, text: str, emit: Emit, timeout: float
    ) -> TurnResult:
        after = self.state.last_event_id(conversation)
        enqueue_turn(self.app, conversation, text, "cli", turn_id)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry_id, event in self.state.events(conversation, after, 1000):
                after = entry_id
                if event.get("turn_id") != turn_id:
                    continue
                emit(event)
                if event.get("type") == "done":
                    fields = TurnResult.__dataclass_fields__
                    return TurnResult(**{k: v for k, v in event.items() if k in fields})
        return TurnResult(
            "The turn did not finish in time; is the agent worker still running?", status="timeout"
        )


@dataclass
class Session:
    state: AgentState
    apply: Apply
    repo: OrgRepo
    runner: ModelRunner | None = None
    git: GitRun | None = None
    undo: Undo | None = None
    remote: RemoteTurns | None = None
    daily_budget: int = 0
    where: str = "here"

    def deps(self, emit: Emit) -> TurnDeps:
        return TurnDeps(
            self.repo,
            self.state,
            self.apply,
            self.runner,
            self.daily_budget,
            self.git,
            emit,
            self.undo,
        )

    def describe(self) -> str:
        model = f"model {self.runner.model}" if self.runner else "built-in commands (no API key)"
        return f"{model}, running {self.where}"


def open_session(
    ctx: Context, local: bool, fixed_now: bool = False, need_workers: bool = True
) -> Session:
    """``fixed_now`` (a ``--now`` was given) keeps turns here: a worker uses the real time."""
    settings = ctx.settings
    config = LoopConfig.from_settings(settings)
    runner = SdkRunner(config) if config else None
    common: dict[str, Any] = {
        "repo": ctx.repo,
        "runner": runner,
        "daily_budget": settings.agent_daily_token_budget,
    }
    client = None if local else _redis(redis_url(settings))
    if client is None:
        state = FileState(
            ctx.repo.state_dir / "agent",
            history_turns=settings.agent_history_turns,
            history_ttl_s=settings.agent_history_ttl_s,
        )
        return Session(state, LocalApply(ctx), where="here, applying directly", **common)
    redis_state = RedisAgentState(
        client, settings.agent_history_turns, settings.agent_history_ttl_s
    )
    if not need_workers:
        return Session(redis_state, LocalApply(ctx), **common)
    app = create_celery_app(settings)
    queues = _worker_queues(app)
    same_repo = ctx.repo.root == OrgRepo(settings.org_repo_path).root
    if not same_repo or REPO_QUEUE not in queues:
        return Session(redis_state, LocalApply(ctx), where="here, applying directly", **common)
    session = Session(
        redis_state,
        QueueApply(app),
        git=QueueGit(app),
        undo=QueueUndo(app),
        where="here, changes through the repo worker",
        **common,
    )
    if AGENT_QUEUE in queues and not fixed_now:
        session.remote = RemoteTurns(app, redis_state)
        session.where = "on the agent worker"
    return session


def _redis(url: str) -> redis.Redis | None:
    client = redis.Redis.from_url(url, socket_connect_timeout=PING_TIMEOUT_S, socket_timeout=5.0)
    try:
        client.ping()
    except (redis.RedisError, OSError):
        return None
    return client


def _worker_queues(app: Any) -> set[str]:
    try:
        found = app.control.inspect(timeout=INSPECT_TIMEOUT_S).active_queues() or {}
    except Exception:  # any broker trouble means: no worker to use
        return set()
    return {q.get("name") for qs in found.values() for q in qs or []}
