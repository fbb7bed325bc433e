"""Health checks, one per role: ``python -m worker.roles health [ROLE] [--ready]``.

Exit status 0 when healthy and 1 (with one line saying why) when not, as Docker's HEALTHCHECK and
Kubernetes exec probes expect. Without ROLE, the role this container was started with (written by
:mod:`worker.roles` into ``VAR_DIR``) is checked.

- web: ``GET /healthz`` (``--ready``: ``/readyz``) on 127.0.0.1.
- flower: ``GET /healthcheck``, the one Flower page served without the password.
- repo_worker, agent_worker: a Celery ``ping`` to this host's node (``-n`` in the Procfile),
  answered only by a worker whose main loop is alive and connected to Redis.
- beat: Redis answers ``PING`` (beat has no remote control; it needs nothing else).
- bot: ``VAR_DIR/bot.heartbeat`` was touched within :data:`BOT_HEARTBEAT_MAX_AGE_S`. The bot touches
  it every :data:`BOT_HEARTBEAT_EVERY_S` while it is connected to Discord.
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import redis
from celery.utils.nodenames import host_format

from shared.settings import Settings
from worker.roles import ROLE_FILE, Role, RoleError, find_role, load_settings, read_procfile

HTTP_TIMEOUT_S = 5.0
PING_TIMEOUT_S = 5.0
BOT_HEARTBEAT_FILE = "bot.heartbeat"
BOT_HEARTBEAT_EVERY_S = 30
BOT_HEARTBEAT_MAX_AGE_S = 120
DEFAULT_NODE = "celery@%h"


def check_http(url: str, expect_body: bytes | None = None) -> str | None:
    """None when ``url`` answers 200 (with ``expect_body`` when given), else why not."""
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_S) as response:
            body = response.read(4096)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip()
        exc.close()
        return f"{url} answered {exc.code} {detail}".strip()
    except (urllib.error.URLError, OSError) as exc:
        return f"{url}: {getattr(exc, 'reason', exc)}"
    if expect_body is not None and body.strip() != expect_body:
        return f"{url} answered {body[:100]!r}"
    return None


def node_name(role: Role) -> str:
    """The Celery node name the role's worker runs as, with ``%h`` and friends expanded."""
    argv = list(role.argv)
    pattern = DEFAULT_NODE
    for i, arg in enumerate(argv):
        if arg in {"-n", "--hostname"} and i + 1 < len(argv):
            pattern = argv[i + 1]
        elif arg.startswith("--hostname="):
            pattern = arg.split("=", 1)[1]
    return str(host_format(pattern))


def check_worker(role: Role, settings: Settings, timeout: float = PING_TIMEOUT_S) -> str | None:
    from worker.app import create_celery_app

    node = node_name(role)
    app = create_celery_app(settings)
    try:
        replies = app.control.ping(destination=[node], timeout=timeout)
    except (OSError, redis.RedisError) as exc:
        return f"cannot reach Redis to ping {node}: {exc}"
    finally:
        app.close()
    if not any(node in reply for reply in replies):
        return f"worker {node} did not answer a ping within {timeout:g} s"
    return None


def check_redis(settings: Settings) -> str | None:
    if not settings.redis_url:
        return "REDIS_URL is not set"
    client = redis.Redis.from_url(
        settings.redis_url, socket_timeout=PING_TIMEOUT_S, socket_connect_timeout=PING_TIMEOUT_S
    )
    try:
        client.ping()
    except (OSError, redis.RedisError) as exc:
        return f"Redis does not answer: {exc}"
    finally:
        client.close()
    return None


def check_heartbeat(path: Path, max_age_s: float, now: float) -> str | None:
    try:
        age = now - path.stat().st_mtime
    except OSError:
        return f"no heartbeat file {path} (the bot has not connected yet)"
    if age > max_age_s:
        return f"last heartbeat {age:.0f} s ago (more than {max_age_s:g} s)"
    return None


def check_role(
    role: Role, settings: Settings, ready: bool = False, timeout: float = PING_TIMEOUT_S
) -> str | None:
    """None when ``role`` is healthy in this container, else a one-line reason."""
    if role.name == "web":
        path = "/readyz" if ready else "/healthz"
        return check_http(f"http://127.0.0.1:{settings.web_port}{path}")
    if role.name == "flower":
        return check_http(f"http://127.0.0.1:{settings.flower_port}/healthcheck", b"OK")
    if role.name == "beat":
        return check_redis(settings)
    if role.name == "bot":
        heartbeat = settings.var_dir / BOT_HEARTBEAT_FILE
        return check_heartbeat(heartbeat, BOT_HEARTBEAT_MAX_AGE_S, time.time())
    if "worker" in role.argv:
        return check_worker(role, settings, timeout)
    raise RoleError(f"no health check is defined for the role {role.name!r}")


def container_role(settings: Settings) -> str:
    try:
        return (settings.var_dir / ROLE_FILE).read_text("utf-8").strip()
    except OSError as exc:
        raise RoleError(
            f"no role given and {settings.var_dir / ROLE_FILE} is missing "
            "(was the container started with `python -m worker.roles ROLE`?)"
        ) from exc


def probe_main(args: Sequence[str]) -> int:
    """``health [ROLE] [--ready] [--timeout S]`` (the timeout of a worker's ping)."""
    rest = list(args)
    timeout = PING_TIMEOUT_S
    if "--timeout" in rest:
        at = rest.index("--timeout")
        try:
            timeout = float(rest[at + 1])
        except (IndexError, ValueError) as exc:
            raise RoleError("--timeout needs a number of seconds") from exc
        del rest[at : at + 2]
    ready = "--ready" in rest
    names = [arg for arg in rest if arg != "--ready"]
    settings = load_settings()
    role = find_role(names[0] if names else container_role(settings), read_procfile())
    problem = check_role(role, settings, ready, timeout)
    if problem is not None:
        print(f"{role.name} unhealthy: {problem}", file=sys.stderr)
        return 1
    print(f"{role.name} healthy")
    return 0
