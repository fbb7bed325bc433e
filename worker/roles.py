"""The container image's entrypoint: ``python -m worker.roles ROLE`` becomes that process.

The roles are the lines of the ``Procfile`` (web, repo_worker, agent_worker, beat, flower, bot;
``repo-worker`` is accepted for ``repo_worker``), so ``make run``, docker-compose and Kubernetes
start the same commands. Before replacing itself with the role's command, the entrypoint checks the
settings and prints one line per missing or invalid value, then runs the command with the working
directory ``VAR_DIR`` (the one writable place in the image). ``python -m worker.roles health
[ROLE]`` is the probe (see :mod:`worker.probes`); ``python -m worker.roles list`` names the roles.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr, ValidationError

from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PROCFILE = ROOT / "Procfile"
ROLE_FILE = "role"  # in VAR_DIR: the role this container runs, for the image's HEALTHCHECK


class RoleError(ValueError):
    """The role cannot start: an unknown name, or settings to fix (one line each)."""


@dataclass(frozen=True)
class Role:
    """A Procfile line: its name and its command, a line of shell as honcho runs it."""

    name: str
    command: str

    @property
    def argv(self) -> tuple[str, ...]:
        """The command's words (without the shell's expansions)."""
        return tuple(shlex.split(self.command))


def read_procfile(path: Path = PROCFILE) -> dict[str, Role]:
    """Every ``name: command`` line of the Procfile, in order."""
    roles: dict[str, Role] = {}
    for line in path.read_text("utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or ":" not in stripped:
            continue
        name, command = stripped.split(":", 1)
        roles[name.strip()] = Role(name.strip(), command.strip())
    return roles


def find_role(name: str, roles: dict[str, Role]) -> Role:
    key = name.replace("-", "_")
    if key not in roles:
        raise RoleError(f"unknown role {name!r}; the roles are: {', '.join(roles)}")
    return roles[key]


def settings_errors(exc: ValidationError) -> list[str]:
    """One line per bad setting, named as the environment variable that sets it."""
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{loc[0].upper()}: {message}" if loc else message)
    return lines


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise RoleError("invalid settings:\n  " + "\n  ".join(settings_errors(exc))) from exc


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def role_problems(role: Role, settings: Settings) -> list[str]:
    """What keeps ``role`` from running in a container with ``settings``; empty when ready."""
    problems = []
    if not settings.redis_url:
        problems.append(
            "REDIS_URL is not set: a container needs the Redis server's address "
            "(e.g. redis://redis:6379/0); only `make run` starts Redis itself"
        )
    exposed = not _is_loopback(settings.flower_host)
    if role.name == "flower" and exposed and not _secret(settings.flower_password):
        problems.append(
            f"FLOWER_PASSWORD is not set: Flower listens on {settings.flower_host} and "
            "must not print a generated password into the logs"
        )
    if role.name == "web" and not _is_loopback(settings.web_host):
        if not _secret(settings.web_password):
            problems.append(
                f"WEB_PASSWORD is not set: the site would have no login on {settings.web_host}"
            )
        if not _secret(settings.secret_key):
            problems.append("SECRET_KEY is not set: logins must survive a restart of the container")
    if role.name == "bot" and not _secret(settings.discord_bot_token):
        problems.append("DISCORD_BOT_TOKEN is not set: the bot has nothing to log in with")
    return problems


def role_environment(settings: Settings, environ: dict[str, str]) -> dict[str, str]:
    """The role's environment: absolute paths, the code on ``PYTHONPATH``, this Python first."""
    env = dict(environ)
    env["VAR_DIR"] = str(settings.var_dir.resolve())
    env["ORG_REPO_PATH"] = str(settings.org_repo_path.resolve())
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    # The Procfile's `python` and `celery` are the ones of the interpreter running this.
    env["PATH"] = os.pathsep.join(
        filter(None, [str(Path(sys.executable).parent), environ.get("PATH")])
    )
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def prepare(
    name: str, extra: Sequence[str] = (), procfile: Path = PROCFILE
) -> tuple[Role, dict[str, str], Path]:
    """Check everything the role needs: (role with extra args, environment, working directory)."""
    role = find_role(name, read_procfile(procfile))
    settings = load_settings()
    problems = role_problems(role, settings)
    if problems:
        raise RoleError(f"cannot start {role.name}:\n  " + "\n  ".join(problems))
    var_dir = settings.var_dir.resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / ROLE_FILE).write_text(role.name + "\n", "utf-8")
    env = role_environment(settings, dict(os.environ))
    command = " ".join([role.command, *(shlex.quote(arg) for arg in extra)])
    return Role(role.name, command), env, var_dir


def run(name: str, extra: Sequence[str] = (), procfile: Path = PROCFILE) -> None:
    """Replace this process with the role's command (never returns).

    A shell expands the line as honcho would (``${VAR_DIR:-var}``), then replaces itself with the
    command (``exec``), so the role's process is this one and receives the stop signal itself.
    """
    role, env, workdir = prepare(name, extra, procfile)
    os.chdir(workdir)
    print(f"starting {role.name}: {role.command}", file=sys.stderr, flush=True)
    os.execve("/bin/sh", ["/bin/sh", "-c", f"exec {role.command}"], env)


USAGE = """usage: python -m worker.roles ROLE [ARGS...]   run a role (a Procfile line)
       python -m worker.roles health [ROLE] [--ready] [--timeout S]
       python -m worker.roles list"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        if args[0] == "list":
            print("\n".join(read_procfile()))
            return 0
        if args[0] == "health":
            from worker.probes import probe_main

            return probe_main(args[1:])
        run(args[0], args[1:])
    except RoleError as exc:
        print(f"myorg: {exc}", file=sys.stderr)
        return 2
    return 0  # not reached: run() replaces the process


if __name__ == "__main__":
    sys.exit(main())
