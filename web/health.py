"""Probes: ``/healthz`` (the process answers) and ``/readyz`` (Redis and the repo are there)."""

from __future__ import annotations

import os

import redis
from flask import Blueprint, Response, current_app, jsonify

from web import app_settings

bp = Blueprint("health", __name__)

REDIS_TIMEOUT_S = 2.0


@bp.get("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain")


def _check_redis(url: str | None) -> str | None:
    """None when Redis answers PING, else a one-line reason."""
    if not url:
        return "REDIS_URL is not set"
    try:
        client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_repo(path: os.PathLike[str] | str) -> str | None:
    """None when the repository directory exists and is readable, else a one-line reason."""
    if not os.path.isdir(path):
        return f"{path} is not a directory"
    if not os.access(path, os.R_OK | os.X_OK):
        return f"{path} is not readable"
    return None


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    settings = app_settings(current_app)
    checks = {
        "redis": _check_redis(settings.redis_url),
        "repo": _check_repo(settings.org_repo_path),
    }
    ready = all(problem is None for problem in checks.values())
    body = {
        "ready": ready,
        "checks": {name: problem or "ok" for name, problem in checks.items()},
    }
    return jsonify(body), 200 if ready else 503
