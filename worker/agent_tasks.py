"""Agent turns as Celery tasks on the agent lane, and how interfaces start and follow them.

A turn runs whole inside one ``myorg.agent.run_turn`` task on the ``agent`` queue (a worker with
concurrency > 1). Its model calls happen here; its reads read the working tree; each change it
makes is enqueued to the serialized ``repo`` lane as an operation, and the turn waits for that
operation's result (with a timeout) before telling the model what happened.

Why that wait cannot deadlock, although Celery warns against waiting inside a task: the repo
lane is a different queue served by a different worker process, and its tasks never wait on
anything — in particular never on the agent lane. A cycle of waits is impossible, and every
wait is bounded. The alternative, a turn as a chain of tasks with one model call each, would
re-read and re-send the conversation for every step for no gain in safety.

Delivery: the task is acknowledged when it starts (``acks_late=False``), unlike the repo lane's.
A turn lasts up to minutes, longer than the broker's visibility timeout, and a late-acked turn
would be delivered again while still running. If the worker dies mid-turn, the turn is not
redelivered: the interface reports it lost after its own timeout. Running the same turn id
again (``resume=True``) continues from its Redis checkpoint; either way each tool call's
operation keeps the ``op_id`` derived from (turn id, tool call id), so nothing is applied twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import kombu.exceptions
import redis
from celery import Celery, Task, shared_task

from shared.agent.executor import ApplyTimeout
from shared.agent.ids import check_id, new_turn_id
from shared.agent.turn import TurnDeps, TurnRequest, handle_message
from shared.operations import Operation, OpResult
from shared.org_repo import OrgRepo
from shared.owner_time import owner_zone
from shared.settings import Settings
from worker import client
from worker.agent_store import RedisAgentState
from worker.history import undone_text
from worker.lanes import AGENT_QUEUE, COMMIT_PENDING, REPO_QUEUE

log = logging.getLogger(__name__)

RUN_TURN = "myorg.agent.run_turn"
APPLY_WAIT_S = 30.0
GIT_WAIT_S = 60.0
TASK_TIME_LIMIT_S = 960  # above the largest allowed turn timeout (900 s) plus waits
_BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.RedisError, ConnectionError, OSError)


class QueueApply:
    """Apply an operation through the repo lane and wait for its result."""

    def __init__(self, app: Celery, timeout: float = APPLY_WAIT_S) -> None:
        self.app = app
        self.timeout = timeout

    def __call__(self, op: Operation) -> OpResult:
        # The task id follows the op id: a resumed turn finds the earlier result at once.
        task_id = client.enqueue_operation(self.app, op, task_id=f"op-{op.op_id}")
        try:
            return client.wait_result(self.app, task_id, self.timeout)
        except client.ResultTimeoutError as exc:
            raise ApplyTimeout(str(exc)) from exc


class QueueUndo:
    """Undo the assistant's most recent change through the repo lane; the reply for the owner."""

    def __init__(self, app: Celery, timeout: float = GIT_WAIT_S) -> None:
        self.app = app
        self.timeout = timeout

    def __call__(self, undo_id: str, source: str) -> str:
        try:
            task_id = client.enqueue_undo(self.app, source, undo_id)
            value = client.wait_task(self.app, task_id, self.timeout)
        except (
            client.QueueUnavailableError,
            client.ResultTimeoutError,
            client.TaskFailedError,
        ) as exc:
            return f"Not undone: {exc}."
        if not value.get("ok"):
            return str(value.get("error") or "The undo failed.")
        return undone_text(value.get("summary"))


class QueueGit:
    def __init__(self, app: Celery, timeout: float = GIT_WAIT_S) -> None:
        self.app = app
        self.timeout = timeout

    def __call__(self, action: str) -> str:
        if action == "commit":
            task_id = new_turn_id()
            self.app.send_task(COMMIT_PENDING, task_id=task_id, queue=REPO_QUEUE)
        else:
            task_id = client.enqueue_sync(self.app, reason="agent")
        try:
            value = client.wait_task(self.app, task_id, self.timeout)
        except (client.ResultTimeoutError, client.TaskFailedError) as exc:
            return f"{action}: {exc}"
        if action == "commit":
            return (
                f"committed {value.get('commit')}" if value.get("commit") else "nothing to commit"
            )
        keep = ("status", "pushed", "merged", "conflicts", "error")
        return "sync: " + ", ".join(f"{k}={value[k]}" for k in keep if k in value)


def turn_deps(app: Any, settings: Settings, conversation_id: str, turn_id: str) -> TurnDeps:
    # The model SDK is imported on use, so the roles that import this module to send turns or
    # register tasks (web, beat, Flower, the repo worker) never load it; the agent worker loads
    # it before forking its pool (worker.pool_preload).
    from worker.agent_loop import LoopConfig, SdkRunner

    state = RedisAgentState(app.redis, settings.agent_history_turns, settings.agent_history_ttl_s)
    config = LoopConfig.from_settings(settings)

    def emit(event: dict[str, Any]) -> None:
        state.publish(conversation_id, {"turn_id": turn_id, **event})

    return TurnDeps(
        repo=OrgRepo(settings.org_repo_path),
        state=state,
        apply=QueueApply(app),
        runner=SdkRunner(config) if config else None,
        daily_budget=settings.agent_daily_token_budget,
        git=QueueGit(app),
        emit=emit,
        undo=QueueUndo(app),
    )


@shared_task(
    bind=True,
    name=RUN_TURN,
    acks_late=False,
    time_limit=TASK_TIME_LIMIT_S,
    soft_time_limit=TASK_TIME_LIMIT_S - 10,
)
def run_turn_task(
    self: Task, conversation_id: str, turn_id: str, text: str, source: str = "web"
) -> dict[str, Any]:
    """One turn: the owner's ``text`` in a conversation; returns the :class:`TurnResult`."""
    check_id(conversation_id, "conversation id")
    check_id(turn_id, "turn id")
    settings: Settings = self.app.settings
    deps = turn_deps(self.app, settings, conversation_id, turn_id)
    now = datetime.now(owner_zone(deps.repo, settings.timezone))
    result = handle_message(TurnRequest(conversation_id, turn_id, text, source), now, deps)
    log.info("turn %s: %s/%s in %d steps", turn_id, result.mode, result.status, result.steps)
    return result.to_dict()


def enqueue_turn(
    app: Celery, conversation_id: str, text: str, source: str, turn_id: str | None = None
) -> str:
    """Start a turn on the agent lane; returns its turn id (also the Celery task id)."""
    turn_id = check_id(turn_id or new_turn_id(), "turn id")
    check_id(conversation_id, "conversation id")
    try:
        app.send_task(
            RUN_TURN,
            args=[conversation_id, turn_id, text, source],
            task_id=turn_id,
            queue=AGENT_QUEUE,
        )
    except _BROKER_ERRORS as exc:
        raise client.QueueUnavailableError(
            f"not sent: the task queue is unreachable ({type(exc).__name__})"
        ) from exc
    return turn_id


def agent_worker_available(app: Celery, timeout: float = 1.0) -> bool:
    try:
        queues = app.control.inspect(timeout=timeout).active_queues() or {}
    except _BROKER_ERRORS:
        return False
    return any(q.get("name") == AGENT_QUEUE for qs in queues.values() for q in qs or [])
