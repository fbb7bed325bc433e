"""``make run``: start the whole system on this machine with honcho.

Starts an embedded redis-server when ``REDIS_URL`` is unset, creates the demo org repository (with a
local bare remote) when ``ORG_REPO_PATH`` does not exist, writes ``var/Procfile.run`` from the
``Procfile`` (without the bot when there is no Discord token) and runs it. Ctrl-C stops everything.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from zoneinfo import ZoneInfo

import git
import redis
from pydantic import ValidationError

from cli.demo_repo import create_demo_repo
from shared.settings import Settings
from web.__main__ import bind_host
from worker.redis_server import RedisServer, free_port, port_is_free, start_redis

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REDIS_PORT = 6399
PORT_FILE = "port"  # in the Redis data dir: the port of the server that uses it
STOP_TIMEOUT_S = 15.0


@dataclass
class RunPlan:
    """What ``run_system`` prepared: the environment every process gets and the files it wrote."""

    env: dict[str, str]
    var_dir: Path
    repo_path: Path
    procfile: Path
    flower_password: str
    redis: RedisServer | None = None
    notices: list[str] = field(default_factory=list)


def _absolute(path: Path) -> Path:
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


def procfile_lines(text: str, with_bot: bool) -> str:
    """The Procfile to run: unchanged, or without its ``bot:`` process."""
    kept = [
        line
        for line in text.splitlines(keepends=True)
        if with_bot or not line.lstrip().startswith("bot:")
    ]
    return "".join(kept)


def _origin_url(repo_path: Path) -> str | None:
    try:
        with git.Repo(repo_path) as repo:
            return str(repo.remotes.origin.url) if "origin" in repo.remotes else None
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


class AlreadyRunningError(RuntimeError):
    pass


def _refuse_second_redis(data_dir: Path) -> None:
    """Two redis-servers must never share one AOF: stop if one left over already serves it."""
    try:
        port = int((data_dir / PORT_FILE).read_text("ascii"))
    except (OSError, ValueError):
        return
    if port_is_free(port):
        return
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1, socket_connect_timeout=1)
    try:
        served = client.config_get("dir").get("dir")
        pid = client.info("server").get("process_id")
    except (redis.RedisError, OSError):
        return
    finally:
        client.close()
    if served and Path(served).resolve() == data_dir.resolve():
        raise AlreadyRunningError(
            f"a redis-server (pid {pid}) already serves {data_dir} on port {port}: "
            "is the system already running? Stop it first."
        )


def prepare(settings: Settings, environ: dict[str, str], root: Path = ROOT) -> RunPlan:
    """Start Redis and create the demo repository if needed; build the processes' environment."""
    env = dict(environ)
    var_dir = _absolute(settings.var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    env["VAR_DIR"] = str(var_dir)
    notices: list[str] = []

    redis_server = None
    if not settings.redis_url:
        data_dir = var_dir / "redis"
        _refuse_second_redis(data_dir)
        port = DEFAULT_REDIS_PORT if port_is_free(DEFAULT_REDIS_PORT) else free_port()
        redis_server = start_redis(data_dir, port)
        (data_dir / PORT_FILE).write_text(str(port), "ascii")
        env["REDIS_URL"] = redis_server.url
        notices.append(f"embedded redis-server on port {port}, data in {var_dir / 'redis'}")

    try:
        repo_path = _absolute(
            settings.org_repo_path
            if "org_repo_path" in settings.model_fields_set
            else var_dir / "org"
        )
        env["ORG_REPO_PATH"] = str(repo_path)
        remote = var_dir / "org-remote.git"
        if not repo_path.exists():
            today = datetime.now(ZoneInfo(settings.timezone)).date()
            create_demo_repo(repo_path, today, remote if not settings.git_repo_url else None)
            notices.append(f"created the demo org repository in {repo_path}")
        if not settings.git_repo_url and _origin_url(repo_path) == str(remote):
            env["GIT_REPO_URL"] = str(remote)

        flower_password = (
            settings.flower_password.get_secret_value() if settings.flower_password else ""
        ) or secrets.token_urlsafe(16)
        env["FLOWER_PASSWORD"] = flower_password
        env["WEB_PORT"] = str(settings.web_port)
        env["FLOWER_PORT"] = str(settings.flower_port)
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
        # The Procfile's commands (python, celery) must be this virtualenv's.
        env["PATH"] = os.pathsep.join(
            filter(None, [str(Path(sys.executable).parent), env.get("PATH")])
        )

        with_bot = bool(
            settings.discord_bot_token and settings.discord_bot_token.get_secret_value()
        )
        if not with_bot:
            notices.append("DISCORD_BOT_TOKEN is not set: the Discord bot is not started")
        procfile = var_dir / "Procfile.run"
        procfile.write_text(
            procfile_lines((root / "Procfile").read_text("utf-8"), with_bot), "utf-8"
        )
    except BaseException:
        if redis_server is not None:
            redis_server.stop()
        raise
    return RunPlan(env, var_dir, repo_path, procfile, flower_password, redis_server, notices)


def banner(settings: Settings, plan: RunPlan) -> str:
    web_host = bind_host(settings)
    if web_host in ("0.0.0.0", "::"):
        web_host = "127.0.0.1"
    try:
        repo_arg = str(plan.repo_path.relative_to(Path.cwd()))
    except ValueError:
        repo_arg = str(plan.repo_path)
    lines = ["myorg-assistant is starting", *(f"  - {notice}" for notice in plan.notices), ""]
    lines.append(f"  web     http://{web_host}:{settings.web_port}/")
    lines.append(
        f"  flower  http://127.0.0.1:{settings.flower_port}/"
        f"  (user {settings.flower_user}, password {plan.flower_password})"
    )
    if plan.redis is not None:
        lines.append(f"  redis   {plan.redis.url}")
    lines += [
        f"  repo    {plan.repo_path}",
        "",
        f"  try the CLI:  .venv/bin/myorg today --repo {repo_arg}",
        "  stop:         Ctrl-C",
        "",
    ]
    return "\n".join(lines)


def run(plan: RunPlan, root: Path = ROOT) -> int:
    """Run honcho until it exits or SIGINT/SIGTERM arrives, then stop Redis; return its code."""
    argv = [
        sys.executable, "-m", "honcho",
        "-f", str(plan.procfile), "-d", str(root), "-e", os.devnull,
        "start",
    ]  # fmt: skip
    honcho = subprocess.Popen(argv, cwd=root, env=plan.env, start_new_session=True)

    stopping = False

    def forward(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if honcho.poll() is None:
            os.kill(honcho.pid, signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = honcho.wait()
    finally:
        if honcho.poll() is None:
            honcho.terminate()
            try:
                honcho.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(honcho.pid, signal.SIGKILL)
                honcho.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if plan.redis is not None:
            plan.redis.stop()
    return 0 if stopping else code


def main() -> int:
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"run: invalid setting {first['loc'][0]}: {first['msg']}", file=sys.stderr)
        return 2
    try:
        plan = prepare(settings, dict(os.environ))
    except AlreadyRunningError as exc:
        print(f"run: {exc}", file=sys.stderr)
        return 1
    print(banner(settings, plan), flush=True)
    return run(plan)


if __name__ == "__main__":
    raise SystemExit(main())
