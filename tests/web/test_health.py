"""/healthz and /readyz."""

from __future__ import annotations

from pathlib import Path

from shared.settings import Settings
from web import create_app
from worker.redis_server import RedisServer, free_port


def client_for(redis_url: str | None, repo: Path):
    settings = Settings(redis_url=redis_url, org_repo_path=repo, _env_file=None)
    return create_app(settings).test_client()


def test_healthz_answers_ok_without_dependencies(tmp_path: Path) -> None:
    response = client_for(None, tmp_path / "missing").get("/healthz")
    assert (response.status_code, response.data) == (200, b"ok")


def test_ready_when_redis_answers_and_repo_is_readable(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    response = client_for(redis_server.url, tmp_path).get("/readyz")
    assert response.status_code == 200
    assert response.json == {"ready": True, "checks": {"redis": "ok", "repo": "ok"}}


def test_not_ready_when_redis_is_down(tmp_path: Path) -> None:
    response = client_for(f"redis://127.0.0.1:{free_port()}/0", tmp_path).get("/readyz")
    assert response.status_code == 503
    assert response.json is not None
    assert response.json["ready"] is False
    assert "Connection" in response.json["checks"]["redis"]
    assert response.json["checks"]["repo"] == "ok"


def test_not_ready_without_the_repo(redis_server: RedisServer, tmp_path: Path) -> None:
    response = client_for(redis_server.url, tmp_path / "missing").get("/readyz")
    assert response.status_code == 503
    assert response.json is not None
    assert response.json["checks"] == {
        "redis": "ok",
        "repo": f"{tmp_path / 'missing'} is not a directory",
    }
