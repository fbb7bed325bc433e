"""Reliability plan row 24: no secret in the repository's files, and none in what the running
processes write: their logs, Flower's API payloads, and the org repository's whole history."""

from __future__ import annotations

import base64
import re
import subprocess
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from shared.log_format import SECRET_PATTERNS
from shared.operations import AddTask
from shared.settings import Settings
from tests.deploy.deploy_files import ROOT
from tests.deploy.role_process import FLOWER_USER, RoleProcess, container_env
from worker.app import create_celery_app
from worker.client import enqueue_operation, enqueue_sync, wait_applied, wait_task

#: A match that says it is made up is a test fixture, not a secret.
FAKE = re.compile(r"fake|test|example|made-?up|dummy", re.IGNORECASE)
#: The credential shapes (not URLs with a user, which tests and docs show on purpose).
TOKEN_SHAPES = [
    p for p, _ in SECRET_PATTERNS if "://" not in p.pattern and "bearer" not in p.pattern
]


def repository_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def test_row24_no_credential_in_any_file_of_the_repository() -> None:
    hits = []
    files = repository_files()
    for path in files:
        try:
            text = path.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for pattern in TOKEN_SHAPES:
            for match in pattern.finditer(text):
                if not FAKE.search(match.group(0)):
                    hits.append(f"{path.relative_to(ROOT)}: {match.group(0)[:12]}...")
    print(f"ROW24 repository files scanned {len(files)}; credential-shaped values {len(hits)}")
    assert hits == []
    assert len(files) > 50


def fake_secrets() -> dict[str, str]:
    """Secrets as a deployment would hold them: random, so any hit is a real leak."""
    token = uuid.uuid4().hex
    return {
        "ANTHROPIC_API_KEY": f"sk-ant-api03-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        "DISCORD_BOT_TOKEN": f"MTA{token[:21]}.Gx{token[21:25]}.{uuid.uuid4().hex[:30]}",
        "GIT_USERNAME": "owner",
        "GIT_PASSWORD": f"ghp_{uuid.uuid4().hex}{token[:4]}",
        "WEB_PASSWORD": f"web-{uuid.uuid4().hex}",
        "SECRET_KEY": f"key-{uuid.uuid4().hex}",
        "FLOWER_PASSWORD": f"flower-{uuid.uuid4().hex}",
    }


def get(url: str, auth: tuple[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url)
    if auth:
        request.add_header(
            "Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode()
        )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        body = bytes(exc.read())
        exc.close()
        return body


@pytest.mark.slow
def test_row24_running_processes_leak_no_secret(tmp_path: Path, redis_url: str) -> None:
    secrets = fake_secrets()
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    env = container_env(tmp_path, redis_url, GIT_REPO_URL=str(remote), **secrets)
    roles = [
        RoleProcess("web", env, tmp_path / "web"),
        RoleProcess("repo_worker", env, tmp_path / "repo", extra=("-l", "INFO")),
        RoleProcess("flower", env, tmp_path / "flower"),
    ]
    flower_auth = (FLOWER_USER, secrets["FLOWER_PASSWORD"])
    payloads: list[bytes] = []
    values = {k.lower(): v for k, v in env.items() if k.lower() in Settings.model_fields}
    app = create_celery_app(Settings(_env_file=None, **values))
    try:
        for role in roles:
            role.start()
        for role in roles:
            role.wait_healthy()
        ids = [
            enqueue_operation(app, AddTask(text=f"pay rent {i}", source="web")) for i in range(5)
        ]
        for task_id in ids:
            wait_applied(app, task_id, 60)
        wait_task(app, enqueue_sync(app, "row24"), 60)
        web = f"http://127.0.0.1:{env['WEB_PORT']}"
        flower = f"http://127.0.0.1:{env['FLOWER_PORT']}"
        payloads += [get(f"{web}{path}") for path in ("/", "/login", "/healthz", "/readyz")]
        for path in ("/api/tasks", "/api/workers?refresh=1", "/api/task/types", "/workers"):
            payloads.append(get(f"{flower}{path}", flower_auth))
        payloads.append(get(f"{flower}/api/task/info/{ids[0]}", flower_auth))
    finally:
        app.close()
        for role in roles:
            role.kill()

    history = b""
    for repo in (Path(env["ORG_REPO_PATH"]), remote):
        history += subprocess.run(
            ["git", "log", "-p", "--all", "--format=%an %ae %s%n%b"],
            cwd=repo,
            capture_output=True,
            check=True,
        ).stdout
    assert b"pay rent 4" in history, "the history was written and pushed"
    assert any(b"pay rent" in p for p in payloads), "Flower's payloads hold the tasks"
    logs = "".join(role.log() for role in roles)
    places = {
        "logs": logs.encode(),
        "flower and web payloads": b"".join(payloads),
        "history": history,
    }
    hits = {
        place: [
            name
            for name, value in secrets.items()
            if name != "GIT_USERNAME" and value.encode() in data
        ]
        for place, data in places.items()
    }
    total = sum(len(names) for names in hits.values())
    print(
        f"ROW24 secret values found: {total} (logs {len(logs)} chars, payloads "
        f"{sum(map(len, payloads))} bytes, history {len(history)} bytes; {hits})"
    )
    assert total == 0, hits
