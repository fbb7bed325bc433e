"""A request's log lines are JSON naming the caller's X-Request-Id (or one made up)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.log_format import configure_logging
from tests.web.conftest import make_app, web_settings
from worker.redis_server import RedisServer


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)


def test_request_lines_carry_the_request_id(
    redis_server: RedisServer, org_dir: Path, root_logging: None
) -> None:
    settings = web_settings(redis_server.url, org_dir, password=None, log_format="json")
    out = io.StringIO()
    configure_logging(settings, stream=out)
    client = make_app(settings).test_client()

    given = client.get("/healthz", headers={"X-Request-Id": "req-abc.123"})
    made_up = client.get("/healthz", headers={"X-Request-Id": "bad id \"quoted\""})

    assert given.headers["X-Request-Id"] == "req-abc.123"
    new_id = made_up.headers["X-Request-Id"]
    assert new_id != "req-abc.123" and " " not in new_id
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    requests = [e for e in lines if e["logger"] == "web.request"]
    assert [e["request_id"] for e in requests] == ["req-abc.123", new_id]
    assert "GET /healthz 200" in requests[0]["msg"]
