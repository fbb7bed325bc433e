"""The one Celery app, configured from :class:`~shared.settings.Settings`.

``celery -A worker.app worker ...`` finds :data:`app`; its configuration is built lazily from
``Settings()`` the first time Celery needs it, so importing this module reads nothing. Web, bot
and CLI build their own instance with :func:`create_celery_app` and the settings they hold.
"""

from __future__ import annotations

from typing import Any

import redis
from celery import Celery
from kombu import Queue

from shared.settings import Settings
from worker.inflight import LostTaskSweep
from worker.lanes import AGENT_QUEUE, DEFAULT_QUEUE, REPO_QUEUE, TASK_ROUTES
from worker.log_signals import install_log_signals
from worker.pool_preload import install_pool_preload
from worker.pool_watch import PoolWatch
from worker.redis_transport import use_shared_client_transport
from worker.scheduler import beat_schedule

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
_QUICK_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def redis_url(settings: Settings) -> str:
    return settings.redis_url or DEFAULT_REDIS_URL


def celery_config(settings: Settings) -> dict[str, Any]:
    """Every Celery setting in one place. JSON only; late acks; redelivery within seconds."""
    url = redis_url(settings)
    timeout = settings.redis_socket_timeout_s
    return {
        "broker_url": url,
        "result_backend": url,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "timezone": settings.timezone,
        "enable_utc": True,
        # At-least-once delivery; the tasks are idempotent (operation ids + write-ahead journal).
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure": True,  # a failure is final: reported, not retried
        "task_acks_on_timeout": True,  # runs once; a late redelivery would run it twice
        "worker_prefetch_multiplier": 1,
        "worker_max_tasks_per_child": settings.worker_max_tasks_per_child,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        # A task must end before the broker considers it abandoned and delivers it again.
        "task_time_limit": settings.task_time_limit_s,
        "task_soft_time_limit": max(1, settings.task_time_limit_s - 2),
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout_s,
            # kombu sweeps for unacknowledged messages of dead workers every
            # interval x throttle seconds (default 10 x 10); make it every few seconds.
            "unacked_restore_interval": settings.redelivery_sweep_s,
            "unacked_restore_throttle": 1,
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "health_check_interval": max(1, int(timeout)),
            # A worker killed while sweeping holds this mutex; by default it blocks sweeps 300 s.
            "unacked_mutex_expire": settings.visibility_timeout_s,
        },
        # Fail fast when Redis is down: the caller then says "not saved" (default: ~20 s).
        "result_backend_transport_options": {"retry_policy": dict(_QUICK_RETRY)},
        "redis_socket_timeout": timeout,
        "redis_socket_connect_timeout": timeout,
        "redis_backend_health_check_interval": max(1, int(timeout)),
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": timeout,
        "task_publish_retry": True,
        "task_publish_retry_policy": dict(_QUICK_RETRY),
        "result_expires": 24 * 3600,
        "result_extended": False,  # results hold the outcome only, not the arguments again
        "task_default_queue": DEFAULT_QUEUE,
        "task_queues": [Queue(REPO_QUEUE), Queue(AGENT_QUEUE), Queue(DEFAULT_QUEUE)],
        "task_routes": TASK_ROUTES,
        # No task-sent events: Flower learns a task from the worker's task-received event, and a
        # sent event costs every caller a publish per enqueue (measured: 1,000 no-op tasks take
        # 9.4 s with them, 4.8 s without).
        "task_send_sent_event": False,
        "worker_send_task_events": True,
        "beat_schedule": beat_schedule(settings),
    }


class OrgCelery(Celery):
    """A Celery app that also carries the :class:`Settings` it was configured from."""

    def __init__(self, settings: Settings | None = None, **kwargs: Any) -> None:
        tasks = ["worker.tasks", "worker.agent_tasks", "worker.proactive_tasks"]
        super().__init__("myorg", include=tasks, **kwargs)
        self._settings = settings
        self._redis: redis.Redis | None = None
        #: Per-process state of the repo lane (set in the worker process that runs its tasks).
        self.lane_state: dict[str, Any] = {}
        self.add_defaults(lambda: celery_config(self.settings))
        self.steps["consumer"].add(LostTaskSweep)
        self.steps["consumer"].add(PoolWatch)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings()
        return self._settings

    @property
    def redis(self) -> redis.Redis:
        """A Redis client for locks, counters and pub/sub (lazily made, per process)."""
        if self._redis is None:
            timeout = self.settings.redis_socket_timeout_s
            self._redis = redis.Redis.from_url(
                redis_url(self.settings),
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                health_check_interval=max(1, int(timeout)),
            )
        return self._redis

    def close(self) -> None:
        if self._redis is not None:
            self._redis.close()
            self._redis = None
        super().close()


def create_celery_app(settings: Settings | None = None) -> OrgCelery:
    """A configured app; with no settings they are read from the environment on first use."""
    return OrgCelery(settings)


app = create_celery_app()
install_log_signals(lambda: app.settings)
install_pool_preload()
use_shared_client_transport()
