"""Running git safely: fixed argument lists, credentials only through the environment, timeouts.

Rules kept here so that no caller has to remember them:

- Arguments are shas git gave us, paths from the layout or from git's own output, and files we
  wrote; never text from a person or a model (commit messages go through ``-F file``, blob
  contents through stdin). ``GIT_LITERAL_PATHSPECS`` makes every path literal.
- A password or token reaches git only through ``GIT_ASKPASS`` and environment variables; URLs
  are stored and logged without credentials. ``GIT_TERMINAL_PROMPT=0``: git never waits for input.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import git

from shared.settings import Settings

ASKPASS_SCRIPT = """#!/bin/sh
case "$1" in
  Username*) printf '%s\\n' "$MYORG_GIT_USERNAME" ;;
  *) printf '%s\\n' "$MYORG_GIT_PASSWORD" ;;
esac
"""
SHA_RE = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


class GitError(RuntimeError):
    """A git command failed; the message never contains credentials."""


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``https://user:tok@host/x`` → (``https://host/x``, ``user``, ``tok``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "@" not in parts.netloc:
        return url, None, None
    userinfo, host = parts.netloc.rsplit("@", 1)
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), user or None, password or None


def remote_url(settings: Settings) -> str | None:
    """The configured remote without credentials."""
    if not settings.git_repo_url:
        return None
    return split_credentials(settings.git_repo_url)[0]


def credentials(settings: Settings) -> tuple[str | None, str | None]:
    user = password = None
    if settings.git_repo_url:
        _, user, password = split_credentials(settings.git_repo_url)
    if settings.git_username:
        user = settings.git_username
    if settings.git_password is not None:
        password = settings.git_password.get_secret_value()
    return user, password


def redact(text: str, settings: Settings) -> str:
    """Remove every credential from ``text`` (an error message, a log line)."""
    _, password = credentials(settings)
    if password:
        text = text.replace(password, "***")
    return re.sub(r"(https?://)[^/@\s]+@", r"\1***@", text)


def commit_env(settings: Settings) -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": settings.git_author_name,
        "GIT_AUTHOR_EMAIL": settings.git_author_email,
        "GIT_COMMITTER_NAME": settings.git_author_name,
        "GIT_COMMITTER_EMAIL": settings.git_author_email,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_LITERAL_PATHSPECS": "1",
    }


def network_env(settings: Settings, state_dir: Path) -> dict[str, str]:
    """Environment for clone, fetch and push: askpass script plus the credentials."""
    env = commit_env(settings)
    user, password = credentials(settings)
    if user or password:
        script = state_dir / "askpass.sh"
        if not script.exists() or script.read_text() != ASKPASS_SCRIPT:
            state_dir.mkdir(parents=True, exist_ok=True)
            script.write_text(ASKPASS_SCRIPT)
            script.chmod(0o700)
        env["GIT_ASKPASS"] = str(script)
        env["MYORG_GIT_USERNAME"] = user or ""
        env["MYORG_GIT_PASSWORD"] = password or ""
    env["GIT_SSH_COMMAND"] = os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    return env


def run(
    repo: git.Repo,
    args: list[str],
    *,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> str:
    """``git <args>`` in ``repo``; stdout as text with the final newline stripped."""
    out = run_bytes(repo, args, stdin=stdin, env=env, timeout=timeout)
    return out.decode("utf-8", "surrogateescape").removesuffix("\n")


def run_bytes(
    repo: git.Repo,
    args: list[str],
    *,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> bytes:
    full_env = {"GIT_TERMINAL_PROMPT": "0", "GIT_LITERAL_PATHSPECS": "1", **(env or {})}
    with tempfile.TemporaryFile() as handle:
        if stdin is not None:
            handle.write(stdin)
            handle.seek(0)
        try:
            out = repo.git.execute(
                ["git", *args],
                istream=handle if stdin is not None else None,
                env=full_env,
                kill_after_timeout=timeout,
                stdout_as_string=False,
                strip_newline_in_stdout=False,
            )
        except git.GitCommandError as exc:
            stderr = exc.stderr.strip() if isinstance(exc.stderr, str) else str(exc.stderr)
            raise GitError(f"git {args[0]} failed: {stderr}") from None
    assert isinstance(out, bytes)
    return out


def checked_sha(value: str) -> str:
    """A full object id, or :class:`GitError` (guards every sha we pass back to git)."""
    value = value.strip()
    if not SHA_RE.match(value):
        raise GitError(f"not an object id: {value[:60]!r}")
    return value


def head_sha(repo: git.Repo) -> str | None:
    """HEAD's commit id read from the ref files (no git process); None on an unborn branch."""
    try:
        return git.SymbolicReference.dereference_recursive(repo, "HEAD")
    except ValueError:
        return None


def is_ancestor(repo: git.Repo, ancestor: str, descendant: str) -> bool:
    status, _, _ = repo.git.execute(
        ["git", "merge-base", "--is-ancestor", checked_sha(ancestor), checked_sha(descendant)],
        with_extended_output=True,
        with_exceptions=False,
    )
    return status == 0
