"""``/metrics`` for Prometheus: the assistant's figures, read from Redis at each scrape.

Nothing is shared with the workers but Redis: task totals (``worker.counters``), queue lengths,
today's LLM usage, the git sync state and the outbox's undelivered messages. When Redis does not
answer, only ``myorg_redis_up 0`` is served. Access: ``Authorization: Bearer METRICS_TOKEN``, a
logged-in session, or (with no ``WEB_PASSWORD``) a request from the machine itself.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator

import redis
from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from shared.org_repo import OrgRepo
from shared.settings import Settings
from web import app_settings
from web.auth import logged_in
from web.security import has_password, is_loopback
from web.services import services
from worker.agent_store import RedisAgentState
from worker.counters import APPLIED_KEY, FAILED_KEY
from worker.git_sync import BLOCKED_FILE, FAILURES_KEY, SYNC_BACKOFF_KEY
from worker.lanes import AGENT_QUEUE, DEFAULT_QUEUE, REPO_QUEUE
from worker.outbox import OUTBOX_GROUP, OUTBOX_STREAM

bp = Blueprint("metrics", __name__)

QUEUES = (REPO_QUEUE, AGENT_QUEUE, DEFAULT_QUEUE)


def _int(value: object) -> int:
    return int(value) if isinstance(value, bytes | str | int) else 0


class RedisFigures(Collector):
    """Collects every figure from one Redis client; ``day`` is the owner's today (YYYY-MM-DD)."""

    def __init__(self, client: redis.Redis, settings: Settings, day: str) -> None:
        self.client = client
        self.settings = settings
        self.day = day

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("myorg_redis_up", "1 when Redis answered this scrape.")
        try:
            figures = list(self._figures())
        except (redis.RedisError, OSError) as exc:
            current_app.logger.warning("metrics: Redis did not answer: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figures

    def _figures(self) -> Iterator[Metric]:
        r = self.client
        applied, failed = r.mget(APPLIED_KEY, FAILED_KEY)
        yield CounterMetricFamily(
            "myorg_tasks_applied", "Edit tasks the repo lane applied.", value=_int(applied)
        )
        yield CounterMetricFamily(
            "myorg_tasks_failed", "Edit tasks that ended with an error.", value=_int(failed)
        )
        depth = GaugeMetricFamily(
            "myorg_queue_depth", "Tasks waiting in a queue.", labels=["queue"]
        )
        for queue in QUEUES:
            depth.add_metric([queue], _int(r.llen(queue)))
        yield depth
        yield from self._usage()
        yield from self._sync()
        yield from self._outbox()

    def _usage(self) -> Iterator[Metric]:
        today = RedisAgentState(self.client).usage_on(self.day)
        tokens = GaugeMetricFamily(
            "myorg_llm_tokens_today", "LLM tokens used today, by kind.", labels=["kind"]
        )
        for kind, value in today["usage"].items():
            if kind.endswith("tokens"):
                tokens.add_metric([kind.removesuffix("_tokens")], value)
        yield tokens
        yield GaugeMetricFamily(
            "myorg_llm_cost_usd_today", "LLM cost today in US dollars.", value=today["cost_usd"]
        )
        yield GaugeMetricFamily("myorg_llm_turns_today", "Agent turns today.", value=today["turns"])

    def _sync(self) -> Iterator[Metric]:
        failures, backoff = self.client.mget(FAILURES_KEY, SYNC_BACKOFF_KEY)
        blocked = (OrgRepo(self.settings.org_repo_path).state_dir / BLOCKED_FILE).exists()
        yield GaugeMetricFamily(
            "myorg_git_sync_failures", "Git syncs failed in a row (0: the last one worked).",
            value=_int(failures),
        )  # fmt: skip
        yield GaugeMetricFamily(
            "myorg_git_sync_backoff", "1 while syncing waits after a failure.",
            value=1 if backoff else 0,
        )  # fmt: skip
        yield GaugeMetricFamily(
            "myorg_git_sync_blocked", "1 while a conflict stops syncing until merged by hand.",
            value=1 if blocked else 0,
        )  # fmt: skip

    def _outbox(self) -> Iterator[Metric]:
        try:
            summary = self.client.xpending(OUTBOX_STREAM, OUTBOX_GROUP)
        except redis.ResponseError:  # no stream or group yet: nothing was ever sent
            summary = {"pending": 0, "min": None}
        pending = _int(summary.get("pending"))
        oldest = summary.get("min")
        age = 0.0
        if pending and oldest:
            text = oldest.decode() if isinstance(oldest, bytes) else str(oldest)
            age = max(0.0, time.time() - int(text.split("-", 1)[0]) / 1000)
        yield GaugeMetricFamily(
            "myorg_outbox_pending", "Messages read by the bot and not yet delivered.", value=pending
        )
        yield GaugeMetricFamily(
            "myorg_outbox_oldest_pending_seconds", "Age of the oldest undelivered message.",
            value=round(age, 3),
        )  # fmt: skip


def _bearer_matches(token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    want = hashlib.sha256(token.encode("utf-8")).digest()
    got = hashlib.sha256(given.strip().encode("utf-8", "surrogatepass")).digest()
    return hmac.compare_digest(want, got)


def allowed(settings: Settings) -> bool:
    """The token when one is set; else the session, or the machine itself without a password."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    if token and _bearer_matches(token):
        return True
    if has_password(settings):
        return logged_in()
    return is_loopback(request.remote_addr)


@bp.get("/metrics")
def metrics() -> Response:
    settings = app_settings(current_app)
    if not allowed(settings):
        return Response(
            "metrics need a bearer token or a login\n", 401, mimetype="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )  # fmt: skip
    svc = services()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RedisFigures(svc.redis, settings, svc.now().date().isoformat()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
