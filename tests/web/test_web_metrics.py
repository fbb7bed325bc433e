"""/metrics: Prometheus figures read from a real Redis, and who may read them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import redis
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from shared.org_repo import OrgRepo
from tests.web.conftest import NOW, log_in, make_app, redis_db_url, web_settings
from worker.agent_store import RedisAgentState
from worker.counters import count_outcome
from worker.git_sync import BLOCKED_FILE, FAILURES_KEY
from worker.outbox import ensure_group, publish, read_messages
from worker.redis_server import RedisServer, free_port

TOKEN = "metrics-token-for-tests-0123456789"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    return samples(text)[(name, tuple(sorted(labels.items())))]


def test_figures_come_from_redis_at_scrape_time(redis_server: RedisServer, org_dir: Path) -> None:
    url = redis_db_url(redis_server)
    app = make_app(web_settings(url, org_dir, metrics_token=TOKEN))
    r = redis.Redis.from_url(url)
    try:
        for outcome in ({"ok": True}, {"ok": True}, {"ok": False, "error": "x"}):
            count_outcome(r, outcome)
        r.rpush("repo", "a", "b", "c")
        r.rpush("agent", "a")
        RedisAgentState(r).add_usage(
            NOW.date().isoformat(),
            {"usage": {"input_tokens": 120, "output_tokens": 30}, "cost_usd": 0.25},
        )
        r.set(FAILURES_KEY, 2)
        state = OrgRepo(org_dir).state_dir
        state.mkdir(parents=True, exist_ok=True)
        (state / BLOCKED_FILE).write_text(json.dumps({"remote": "x", "paths": ["todo.txt"]}))
        ensure_group(r)
        publish(r, {"text": "briefing"})
        read_messages(r, "bot-1", count=10, block_ms=None)  # read, never acknowledged
        time.sleep(0.05)

        response = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        r.close()
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert value(text, "myorg_redis_up") == 1
    assert value(text, "myorg_tasks_applied_total") == 2
    assert value(text, "myorg_tasks_failed_total") == 1
    assert value(text, "myorg_queue_depth", queue="repo") == 3
    assert value(text, "myorg_queue_depth", queue="agent") == 1
    assert value(text, "myorg_queue_depth", queue="default") == 0
    assert value(text, "myorg_llm_tokens_today", kind="input") == 120
    assert value(text, "myorg_llm_tokens_today", kind="output") == 30
    assert value(text, "myorg_llm_cost_usd_today") == 0.25
    assert value(text, "myorg_git_sync_failures") == 2
    assert value(text, "myorg_git_sync_blocked") == 1
    assert value(text, "myorg_outbox_pending") == 1
    assert 0.04 <= value(text, "myorg_outbox_oldest_pending_seconds") < 60


def test_without_redis_only_redis_up_zero_is_served(org_dir: Path) -> None:
    app = make_app(web_settings(f"redis://127.0.0.1:{free_port()}/0", org_dir, password=None))
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert samples(response.get_data(as_text=True)) == {("myorg_redis_up", ()): 0}


def test_a_token_or_a_session_is_needed(redis_server: RedisServer, org_dir: Path) -> None:
    app = make_app(web_settings(redis_server.url, org_dir, metrics_token=TOKEN))
    anonymous = app.test_client()
    assert anonymous.get("/metrics").status_code == 401
    wrong = anonymous.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "Bearer" in wrong.headers["WWW-Authenticate"]
    session: FlaskClient = app.test_client()
    log_in(session)
    assert session.get("/metrics").status_code == 200


def test_without_a_password_only_the_machine_itself(
    redis_server: RedisServer, org_dir: Path
) -> None:
    app = make_app(web_settings(redis_server.url, org_dir, password=None))
    client = app.test_client()
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    away = client.get("/metrics", environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert away.status_code in (401, 403)  # refused, whichever guard answers first
